// BGP import (issue 10): 10 000 and 100 000 IPv4 /32s sent by Herald's BGP speaker into BIRD 2 in the lab's
// router namespace, timed from the session's Established to the last prefix in BIRD's table (targets: 30 ms
// and 200 ms). Anchor, side by side in the same run: a BIRD on another node sending the same prefixes to the
// same receiving BIRD over the same kind of session. Both are timed by the receiver's own clock
// (bgp/bird-import.ts): Established as BIRD's protocol went up, each prefix as it entered BIRD's table.
//  - Herald: bgp/herald-sender.ts on n1 (BgpPeer, what the speaker runs per peer), with the speaker's node flags.
//  - BIRD: nodeBirdConfig on n2, the prefixes as static routes.
// Trials alternate between the two (disable the other's protocol in the receiver, enable this one's), so a drift
// in the machine's load falls on both alike. BIRD as a sender sends its last UPDATE late (a stall of about 3 s
// seen here), so Herald's last prefix is set beside BIRD's 99th percentile one, and each side's 99th percentile
// and median prefix are compared too.
// The prefixes are from 198.18.0.0/15 (RFC 2544, benchmarking; bgp/prefixes.ts) and stay in BIRD's table:
// the receiving BIRD runs without its kernel protocols, the sending BIRD has none. Trials: HERALD_BENCH_TRIALS (5).
import { birdc, nodeBird, nodeBirdConfig, startBird, startBirdWith, stopBird } from '../lab/bgp-lab.js';
import { killProc } from '../lab/exec.js';
import { down, up } from '../lab/lab.js';
import { importTimes, waitForRouteCount, type ImportTimes } from './bgp/bird-import.js';
import { startHeraldSender } from './bgp/herald-process.js';
import { benchPrefixes } from './bgp/prefixes.js';
import { percentile, ratio, trialCount, type Benchmark, type Figure } from './figure.js';

const SIZES = [{ count: 10_000, targetMs: 30 }, { count: 100_000, targetMs: 200 }] as const;
const HERALD_NODE = 'n1';
const BIRD_NODE = 'n2';

/** One trial: the receiver's protocol for `protocol` off (its routes gone), then on; times the import. */
async function trial(protocol: string, count: number): Promise<ImportTimes> {
  await birdc(['disable', protocol]);
  await waitForRouteCount(protocol, 0, 30_000);
  await birdc(['enable', protocol]);
  await waitForRouteCount(protocol, count, 60_000);
  const times = await importTimes(protocol, count);
  await birdc(['disable', protocol]);
  return times;
}

interface SizeResult {
  herald: ImportTimes[];
  bird: ImportTimes[];
}

async function measureSize(count: number, trials: number): Promise<SizeResult> {
  for (const p of [HERALD_NODE, BIRD_NODE]) await birdc(['disable', p]);
  const herald = await startHeraldSender(HERALD_NODE, count);
  const bird = await startBirdWith(nodeBird(BIRD_NODE), nodeBirdConfig(BIRD_NODE, { prefixes: benchPrefixes(count) }));
  const result: SizeResult = { herald: [], bird: [] };
  try {
    for (let i = 0; i < trials; i++) {
      result.herald.push(await trial(HERALD_NODE, count));
      result.bird.push(await trial(BIRD_NODE, count));
      const [h, b] = [result.herald.at(-1), result.bird.at(-1)];
      console.error(`  ${count} prefixes, trial ${i + 1}: Herald ${JSON.stringify(h)} ms, BIRD ${JSON.stringify(b)} ms`);
    }
  } finally {
    await killProc(herald.record, 'SIGKILL');
    await stopBird(bird);
  }
  return result;
}

function median(results: readonly ImportTimes[], stat: keyof ImportTimes): number {
  return percentile(results.map((r) => r[stat]), 50);
}

const STAT_WORDS: Record<keyof ImportTimes, string> = {
  all: 'all imported', p50: 'median prefix imported', p99: '99th percentile prefix imported',
};

/**
 * Herald's last prefix beside BIRD's 99th percentile one: BIRD's own last prefix waits for its stalled last UPDATE
 * (named in the anchor), which would make any sender look fast. Then the 99th percentile and median of each.
 */
function sizeFigures(count: number, targetMs: number, result: SizeResult, trials: number): Figure[] {
  const what = `bgp-import: ${count.toLocaleString('en').replace(/,/g, ' ')} /32s, Established ->`;
  const birdLast = median(result.bird, 'all');
  const row = (stat: keyof ImportTimes, anchorStat: keyof ImportTimes, anchor: string, target: string): Figure => {
    const value = median(result.herald, stat);
    const anchorValue = median(result.bird, anchorStat);
    return { name: `${what} ${STAT_WORDS[stat]} (median of ${trials})`, value, unit: 'ms', anchor, anchorValue, ratio: ratio(value, anchorValue), target };
  };
  const sender = 'BIRD 2 sending them, same receiver and run';
  return [
    row('all', 'p99', `${sender}, 99th percentile (its last: ${birdLast.toFixed(0)} ms)`, `<= ${targetMs} ms`),
    row('p99', 'p99', sender, '-'),
    row('p50', 'p50', sender, '-'),
  ];
}

export const benchmark: Benchmark = {
  name: 'bgp-import',
  needsRoot: true,
  async run(): Promise<Figure[]> {
    const trials = trialCount(5);
    await down();
    await up();
    try {
      const router = await startBird({ kernel: false, msTimes: true });
      try {
        const figures: Figure[] = [];
        for (const { count, targetMs } of SIZES) figures.push(...sizeFigures(count, targetMs, await measureSize(count, trials), trials));
        return figures;
      } finally {
        await stopBird(router);
      }
    } finally {
      await down();
    }
  },
};
