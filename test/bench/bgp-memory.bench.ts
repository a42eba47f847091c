// BGP memory (issue 10): what one more BGP session and 10 000 more advertised /32s cost in resident memory (RSS),
// Herald's BGP speaker (bgp/herald-sender.ts on n1: BgpPeer, the speaker's node flags, its malloc trimming)
// beside BIRD 2 on n1 doing the same (nodeBirdConfig), each process's VmRSS. Three states per system, each from
// a fresh process, read once the receiving BIRD holds everything it sends and 3 s more have passed (the
// trimmer runs every 2 s), the median of 5 readings 500 ms apart:
//  - base: one session, one prefix;
//  - sessions: 1 + EXTRA_SESSIONS sessions, one prefix each; per session = (sessions - base) / EXTRA_SESSIONS.
//    Each extra session is between an extra address of n1 (192.0.2.200-215) and one of the router's
//    (192.0.2.216-231; the lab uses .1, .10, .11-.13 and .100-.109): BIRD 2.0.12 holds one session per neighbor
//    address at a time, on either side (bgp-lab.ts extraSessions);
//  - prefixes: one session, PREFIXES /32s from 198.18.0.0/15 (RFC 2544; BIRD's tables only, bgp/prefixes.ts);
//    per 10 000 = (prefixes - base) / (PREFIXES / 10 000).
// The speaker binary's own base (its sources, loop, metrics) is measured by l2-footprint and full-stack.
import { birdc, nodeBird, nodeBirdConfig, startBird, startBirdWith, stopBird, type BirdSession } from '../lab/bgp-lab.js';
import { killProc, sleep } from '../lab/exec.js';
import { down, ipBatch, up } from '../lab/lab.js';
import { HOST_IF, hostByName, nsOf, V4_PREFIX, v4Of } from '../lab/topology.js';
import { waitForRouteCount } from './bgp/bird-import.js';
import { startHeraldSender } from './bgp/herald-process.js';
import { benchPrefixes } from './bgp/prefixes.js';
import { percentile, ratio, type Benchmark, type Figure } from './figure.js';
import { residentMiB } from './l2/proc.js';

const NODE = 'n1';
const EXTRA_SESSIONS = 16;
const PREFIXES = 100_000;
const ROUTER_V4 = v4Of(hostByName('router'));
/** n1's sessions as n1 sees them: its own address to the router's, then the extra pairs. */
const SESSIONS: readonly BirdSession[] = [
  { local: v4Of(hostByName(NODE)), neighbor: ROUTER_V4 },
  ...Array.from({ length: EXTRA_SESSIONS }, (_, i) => ({ local: `${V4_PREFIX}.${200 + i}`, neighbor: `${V4_PREFIX}.${200 + EXTRA_SESSIONS + i}` })),
];
const EXTRA = SESSIONS.slice(1);
/** The receiver's protocol for each session: n1's own (`n1`), then the extra ones (`x1`, ...). */
const PROTOCOLS = [NODE, ...EXTRA.map((_, i) => `x${i + 1}`)];

interface State {
  name: 'base' | 'sessions' | 'prefixes';
  sessions: number;
  prefixes: number;
}

const STATES: readonly State[] = [
  { name: 'base', sessions: 1, prefixes: 1 },
  { name: 'sessions', sessions: 1 + EXTRA_SESSIONS, prefixes: 1 },
  { name: 'prefixes', sessions: 1, prefixes: PREFIXES },
];

/** A process sending `state` to the router: its PID and how to end it. */
interface Sender {
  pid: number;
  stop(): Promise<void>;
}
type System = { label: string; start(state: State): Promise<Sender> };

function sessionsOf(state: State): BirdSession[] {
  return SESSIONS.slice(0, state.sessions);
}

const HERALD: System = {
  label: 'Herald',
  start: async (state) => {
    const spawned = await startHeraldSender(NODE, state.prefixes, sessionsOf(state));
    return { pid: spawned.record.pid, stop: () => killProc(spawned.record, 'SIGKILL') };
  },
};

const BIRD: System = {
  label: 'BIRD',
  start: async (state) => {
    const config = nodeBirdConfig(NODE, { prefixes: benchPrefixes(state.prefixes), sessions: sessionsOf(state) });
    const spawned = await startBirdWith(nodeBird(NODE), config);
    return { pid: spawned.record.pid, stop: () => stopBird(spawned) };
  },
};

/** The sender's RSS in MiB once the receiver holds all it sends and its memory has settled. */
async function residentIn(system: System, state: State): Promise<number> {
  for (const p of PROTOCOLS) await birdc(['enable', p]);
  const sender = await system.start(state);
  try {
    try {
      for (const p of PROTOCOLS.slice(0, state.sessions)) await waitForRouteCount(p, state.prefixes, 60_000);
    } catch (err) {
      console.error(`router:\n${await birdc(['show', 'protocols', 'all', 'x1'])}`);
      if (system === BIRD) console.error(`${NODE}'s BIRD:\n${await birdc(['show', 'protocols', 'all', 'uplink2'], nodeBird(NODE))}`);
      throw err;
    }
    await sleep(3000);
    const readings: number[] = [];
    for (let i = 0; i < 5; i++) {
      readings.push(residentMiB(sender.pid).rss);
      await sleep(500);
    }
    const rss = percentile(readings, 50);
    console.error(`  ${system.label}, ${state.name} (${state.sessions} sessions, ${state.prefixes} prefixes): RSS ${rss.toFixed(1)} MiB`);
    return rss;
  } finally {
    await sender.stop();
    // The receiver drops what the sender sent before the next state starts (a restart of every protocol).
    for (const p of PROTOCOLS) await birdc(['disable', p]);
  }
}

async function measure(system: System): Promise<Record<State['name'], number>> {
  const rss: Partial<Record<State['name'], number>> = {};
  for (const state of STATES) rss[state.name] = await residentIn(system, state);
  return { base: rss.base ?? NaN, sessions: rss.sessions ?? NaN, prefixes: rss.prefixes ?? NaN };
}

export const benchmark: Benchmark = {
  name: 'bgp-memory',
  needsRoot: true,
  async run(): Promise<Figure[]> {
    await down();
    await up();
    try {
      await ipBatch(nsOf(NODE), EXTRA.map((s) => `address add ${s.local}/24 dev ${HOST_IF}`));
      await ipBatch(nsOf('router'), EXTRA.map((s) => `address add ${s.neighbor}/24 dev ${HOST_IF}`));
      // The router's side of each extra session, as it sees it.
      const router = await startBird({ kernel: false, extraSessions: EXTRA.map((s) => ({ local: s.neighbor, neighbor: s.local })) });
      try {
        const h = await measure(HERALD);
        const b = await measure(BIRD);
        const anchor = 'BIRD 2 on the node sending the same, same run';
        const perSession = (r: typeof h): number => ((r.sessions - r.base) * 1024) / EXTRA_SESSIONS;
        const per10k = (r: typeof h): number => ((r.prefixes - r.base) * 10_000) / PREFIXES;
        return [
          // Herald's side is Node with the tsx loader here, not the speaker's footprint (l2-footprint, full-stack):
          // the base only frames the increments below.
          { name: 'bgp-memory: RSS of the sender, one session with one prefix (Herald: Node + tsx, not the speaker binary)', value: h.base, unit: 'MiB', anchor, anchorValue: b.base, ratio: ratio(h.base, b.base), target: '-' },
          {
            name: `bgp-memory: RSS per BGP session (${1 + EXTRA_SESSIONS} sessions against 1)`, value: perSession(h), unit: 'KiB',
            anchor, anchorValue: perSession(b), ratio: ratio(perSession(h), perSession(b)), target: '-',
          },
          {
            name: `bgp-memory: RSS per 10 000 advertised /32s (${PREFIXES} against 1)`, value: per10k(h), unit: 'MiB',
            anchor, anchorValue: per10k(b), ratio: ratio(per10k(h), per10k(b)), target: '-',
          },
        ];
      } finally {
        await stopBird(router);
      }
    } finally {
      await down();
    }
  },
};
