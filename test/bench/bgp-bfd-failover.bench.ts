// BGP failover with BFD (issue 10): how long the router's BIRD takes to drop a dead node's next hop when BFD
// runs on the session, at 50 ms × 3 and 100 ms × 3. The node n1 announces one VIP to BIRD in the router's
// namespace; the fault is n1's link going down, then SIGKILL of the announcing process, at a random point of
// the BFD cycle (a wait of up to one interval before it: trials otherwise phase-lock to the timer, LAB-NOTES).
// Timed from just before the link goes down to the route's deletion in the router's kernel (RouteMonitor:
// `ip -ts monitor route`, the change as it happened, no polling).
//  - Herald: the speaker binary on n1 (the production bundle, file source), a BFD profile with those timers.
//  - Anchor, same lab and run: a BIRD on n1 in the speaker's place (nodeBirdConfig), BFD with the same timers.
// BIRD detects the loss in both cases; what Herald can make worse is the session it negotiated (intervals,
// multiplier) and how regularly it sent. Target: Herald's median within 1.1 × BIRD's.
// Trials per system and timer: HERALD_BENCH_TRIALS (10).
import {
  RouteMonitor, birdBfdSessions, kernelNextHops, LAB_ASN, nodeBird, nodeBirdConfig, startBird, startBirdWith, stopBird, until, upBgpLab,
} from '../lab/bgp-lab.js';
import { findProc, killProc, sleep } from '../lab/exec.js';
import { down, linkDown, linkUp, up } from '../lab/lab.js';
import { startSpeaker, stopSpeaker, writeSpeakerConfig } from '../lab/speakers.js';
import { bgpVip4, hostByName, v4Of } from '../lab/topology.js';
import { percentile, ratio, trialCount, type Benchmark, type Figure } from './figure.js';

const NODE = 'n1';
const NODE_V4 = v4Of(hostByName(NODE));
const VIP = bgpVip4(0);
const TIMERS = [{ intervalMs: 50, multiplier: 3 }, { intervalMs: 100, multiplier: 3 }] as const;
type Timers = (typeof TIMERS)[number];

/** What announces the VIP from n1: started, and killed by the fault. */
interface Announcer {
  label: string;
  start(): Promise<void>;
  kill(): Promise<void>;
}

function heraldAnnouncer(timers: Timers): Announcer {
  const config = writeSpeakerConfig({
    bfdProfiles: [{ name: 'fast', receiveInterval: timers.intervalMs, transmitInterval: timers.intervalMs, detectMultiplier: timers.multiplier }],
    bgpPeers: [{
      name: 'router', myASN: LAB_ASN, peerASN: LAB_ASN, peerAddress: v4Of(hostByName('router')), holdTime: '9s', keepaliveTime: '3s',
      connectTime: '1s', bfdProfile: 'fast', nodes: [NODE],
    }],
    ips: [{ ip: VIP, modes: ['bgp'], nodes: [NODE], bgp: { peers: ['router'] } }],
  }, 'bench-bfd-speakers.yaml');
  return {
    label: 'Herald speaker',
    start: async () => { startSpeaker(NODE, config); },
    kill: () => stopSpeaker(NODE, 'SIGKILL'),
  };
}

function birdAnnouncer(timers: Timers): Announcer {
  const instance = nodeBird(NODE);
  const config = nodeBirdConfig(NODE, { prefixes: [`${VIP}/32`], bfd: timers, holdTimeSeconds: 9 });
  return {
    label: 'BIRD 2 on the node',
    start: async () => { await startBirdWith(instance, config); },
    kill: async () => {
      const record = findProc(instance.role);
      if (record !== undefined) await killProc(record, 'SIGKILL', 5000);
    },
  };
}

/** The VIP routed to n1 by the router's kernel, and BIRD's BFD session with n1 Up. */
async function waitReady(): Promise<void> {
  await until(`${VIP} via ${NODE} and BFD Up`, async () => [await kernelNextHops(VIP), await birdBfdSessions()] as const,
    ([hops, bfd]) => hops.includes(NODE_V4) && bfd[NODE_V4] === 'Up', 60_000);
}

/** One fault: link down, SIGKILL; ms from the fault to the route's deletion in the router's kernel. */
async function trial(announcer: Announcer, monitor: RouteMonitor, timers: Timers): Promise<number> {
  await announcer.start();
  await waitReady();
  await sleep(500 + Math.random() * timers.intervalMs);
  const faultAtMs = Date.now();
  await linkDown(NODE);
  await announcer.kill();
  try {
    await until(`${VIP} gone from the router's kernel`, () => kernelNextHops(VIP), (hops) => !hops.includes(NODE_V4), 10_000);
    await sleep(50); // the monitor's line may trail the poll that saw the route gone
    const deletedAtMs = monitor.deletedAt(VIP, faultAtMs);
    if (deletedAtMs === undefined) throw new Error(`no "Deleted ${VIP}" line from ip monitor after the fault`);
    return deletedAtMs - faultAtMs;
  } finally {
    await linkUp(NODE);
  }
}

async function measure(announcer: Announcer, monitor: RouteMonitor, timers: Timers, trials: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < trials; i++) times.push(await trial(announcer, monitor, timers));
  console.error(`  ${announcer.label}, BFD ${timers.intervalMs} ms × ${timers.multiplier}: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
  return times;
}

function figures(timers: Timers, herald: number[], bird: number[]): Figure[] {
  const what = `bgp-bfd-failover: BFD ${timers.intervalMs} ms × ${timers.multiplier}, link down + SIGKILL -> route gone at the router`;
  const anchor = 'BIRD 2 on the node instead, same router and run';
  const [h50, b50] = [percentile(herald, 50), percentile(bird, 50)];
  const [hMax, bMax] = [Math.max(...herald), Math.max(...bird)];
  return [
    { name: `${what}, p50 (${herald.length} trials)`, value: h50, unit: 'ms', anchor, anchorValue: b50, ratio: ratio(h50, b50), target: 'ratio <= 1.1' },
    { name: `${what}, max (${herald.length} trials)`, value: hMax, unit: 'ms', anchor, anchorValue: bMax, ratio: ratio(hMax, bMax), target: '-' },
  ];
}

export const benchmark: Benchmark = {
  name: 'bgp-bfd-failover',
  needsRoot: true,
  async run(): Promise<Figure[]> {
    const trials = trialCount(10);
    await down();
    await up();
    const result: Figure[] = [];
    try {
      await upBgpLab();
      for (const timers of TIMERS) {
        const router = await startBird({ holdTimeSeconds: 9, bfd: timers });
        const monitor = new RouteMonitor('bench-route-monitor');
        try {
          const herald = heraldAnnouncer(timers);
          const bird = birdAnnouncer(timers);
          // Turns, half the trials each, so a drift in the machine's load falls on both alike.
          const h: number[] = [];
          const b: number[] = [];
          for (const half of [Math.ceil(trials / 2), Math.floor(trials / 2)]) {
            if (half === 0) continue;
            h.push(...(await measure(herald, monitor, timers, half)));
            b.push(...(await measure(bird, monitor, timers, half)));
          }
          result.push(...figures(timers, h, b));
        } finally {
          await monitor.stop();
          await stopSpeaker(NODE, 'SIGKILL');
          await birdAnnouncer(timers).kill();
          await stopBird(router);
        }
      }
      return result;
    } finally {
      await down();
    }
  },
};
