// BGP memory (issue 10): what one more BGP session and 10 000 more advertised /32s cost, Herald's BGP speaker
// (bgp/herald-sender.ts on n1: BgpPeer, the speaker's node flags, its malloc trimming) beside BIRD 2 on n1 doing
// the same (nodeBirdConfig). Three states per system, each from a fresh process, read once the receiving BIRD
// holds everything it sends and 3 s more have passed (the trimmer runs every 2 s):
//  - base: one session, one prefix;
//  - sessions: 1 + EXTRA_SESSIONS sessions, one prefix each; per session = (sessions - base) / EXTRA_SESSIONS.
//    Each extra session is between an extra address of n1 (192.0.2.120-183) and one of the router's
//    (192.0.2.184-247; the lab uses .1, .10, .11-.13 and .100-.109): BIRD 2.0.12 holds one session per neighbor
//    address at a time, on either side (bgp-lab.ts extraSessions);
//  - prefixes: one session, PREFIXES /32s from 198.18.0.0/15 (RFC 2544; BIRD's tables only, bgp/prefixes.ts);
//    per 10 000 = (prefixes - base) / (PREFIXES / 10 000).
// Two measures of each state:
//  - RSS (VmRSS), the median of 5 readings 500 ms apart; for Herald each reading follows a full collection (the
//    heap probe) and 2.5 s for the trimmer, so V8's uncollected garbage does not count. A session costs tens of
//    KiB and RSS moves by a MiB between readings, hence 64 extra sessions: the difference is then several MiB.
//  - what each keeps by its own account: Herald's live JavaScript heap after a full collection; BIRD's `show
//    memory` total (effective, without its allocator's overhead). Neither sees the other's native side (Node's
//    socket handles, libc), RSS does.
// The speaker binary's own base (its sources, loop, metrics) is measured by l2-footprint and full-stack.
import { birdc, nodeBird, nodeBirdConfig, startBird, startBirdWith, stopBird, type BirdSession } from '../lab/bgp-lab.js';
import { killProc, sleep } from '../lab/exec.js';
import { down, ipBatch, up } from '../lab/lab.js';
import { HOST_IF, hostByName, nsOf, V4_PREFIX, v4Of } from '../lab/topology.js';
import { waitForRouteCount } from './bgp/bird-import.js';
import { birdMemoryTotal } from './bgp/bird-memory.js';
import { startHeraldSender } from './bgp/herald-process.js';
import { benchPrefixes } from './bgp/prefixes.js';
import { percentile, ratio, type Benchmark, type Figure } from './figure.js';
import { residentMiB } from './l2/proc.js';

const NODE = 'n1';
const EXTRA_SESSIONS = 64;
const PREFIXES = 100_000;
const ROUTER_V4 = v4Of(hostByName('router'));
/** n1's sessions as n1 sees them: its own address to the router's, then the extra pairs. */
const SESSIONS: readonly BirdSession[] = [
  { local: v4Of(hostByName(NODE)), neighbor: ROUTER_V4 },
  ...Array.from({ length: EXTRA_SESSIONS }, (_, i) => ({ local: `${V4_PREFIX}.${120 + i}`, neighbor: `${V4_PREFIX}.${120 + EXTRA_SESSIONS + i}` })),
];
const EXTRA = SESSIONS.slice(1);
/** The receiver's protocol for each session: n1's own (`n1`), then the extra ones (`x1`, ...). */
const PROTOCOLS = [NODE, ...EXTRA.map((_, i) => `x${i + 1}`)];

interface State {
  name: 'base' | 'sessions' | 'prefixes';
  sessions: number;
  prefixes: number;
}

const BASE: State = { name: 'base', sessions: 1, prefixes: 1 };

const STATES: readonly State[] = [
  BASE,
  { name: 'sessions', sessions: 1 + EXTRA_SESSIONS, prefixes: 1 },
  { name: 'prefixes', sessions: 1, prefixes: PREFIXES },
];

/** A process sending `state` to the router: its PID, how to end it, and its own account of what it keeps. */
interface Sender {
  pid: number;
  stop(): Promise<void>;
  /** Bytes: Herald's live heap after a full collection, BIRD's `show memory` total. */
  accounted(): Promise<number>;
  /** Before each RSS reading (Herald: a full collection, then time for the trimmer). */
  settle(): Promise<void>;
}

/** The two measures of one state, in MiB. */
interface Reading {
  rss: number;
  accounted: number;
}
type System = { label: string; warmUp: boolean; start(state: State): Promise<Sender> };

function sessionsOf(state: State): BirdSession[] {
  return SESSIONS.slice(0, state.sessions);
}

const HERALD: System = {
  label: 'Herald',
  warmUp: true,
  start: async (state) => {
    const spawned = await startHeraldSender(NODE, state.prefixes, sessionsOf(state), true);
    return {
      pid: spawned.record.pid, stop: () => killProc(spawned.record, 'SIGKILL'), accounted: () => spawned.liveHeap(),
      settle: async () => { await spawned.liveHeap(); await sleep(2500); },
    };
  },
};

const BIRD: System = {
  label: 'BIRD',
  warmUp: false,
  start: async (state) => {
    const config = nodeBirdConfig(NODE, { prefixes: benchPrefixes(state.prefixes), sessions: sessionsOf(state) });
    const spawned = await startBirdWith(nodeBird(NODE), config);
    return {
      pid: spawned.record.pid, stop: () => stopBird(spawned), settle: () => Promise.resolve(),
      accounted: async () => birdMemoryTotal(await birdc(['show', 'memory'], nodeBird(NODE))),
    };
  },
};

/** The sender's two measures once the receiver holds all it sends and its memory has settled. */
async function residentIn(system: System, state: State): Promise<Reading> {
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
      await sender.settle();
      readings.push(residentMiB(sender.pid).rss);
      await sleep(500);
    }
    const rss = percentile(readings, 50);
    const accounted = (await sender.accounted()) / 1024 ** 2;
    console.error(`  ${system.label}, ${state.name} (${state.sessions} sessions, ${state.prefixes} prefixes): RSS ${rss.toFixed(1)} MiB, `
      + `own account ${accounted.toFixed(2)} MiB (RSS readings ${readings.map((r) => r.toFixed(1)).join(' ')})`);
    return { rss, accounted };
  } finally {
    await sender.stop();
    // The receiver drops what the sender sent before the next state starts (a restart of every protocol).
    for (const p of PROTOCOLS) await birdc(['disable', p]);
  }
}

type Measured = Record<State['name'], Reading>;

async function measure(system: System): Promise<Measured> {
  // Herald's sender runs from TypeScript through tsx. The first sender of one run kept ~11 MiB more RSS than the
  // later ones (79.8 against 67-69 MiB), most likely tsx transforming files that had changed (later runs read its
  // cache): one run first, its figures dropped.
  if (system.warmUp) await residentIn(system, BASE);
  const read: Partial<Measured> = {};
  for (const state of STATES) read[state.name] = await residentIn(system, state);
  const missing = { rss: NaN, accounted: NaN };
  return { base: read.base ?? missing, sessions: read.sessions ?? missing, prefixes: read.prefixes ?? missing };
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
        const ownAnchor = "BIRD's show memory total, same run";
        type Measure = keyof Reading;
        const perSession = (r: Measured, m: Measure): number => ((r.sessions[m] - r.base[m]) * 1024) / EXTRA_SESSIONS;
        const per10k = (r: Measured, m: Measure): number => ((r.prefixes[m] - r.base[m]) * 10_000) / PREFIXES;
        const sessions = `${1 + EXTRA_SESSIONS} sessions against 1`;
        const prefixes = `${PREFIXES} against 1`;
        return [
          // Herald's side is Node with the tsx loader here, not the speaker's footprint (l2-footprint, full-stack):
          // the base only frames the increments below.
          { name: 'bgp-memory: RSS of the sender, one session with one prefix (Herald: Node + tsx, not the speaker binary)', value: h.base.rss, unit: 'MiB', anchor, anchorValue: b.base.rss, ratio: ratio(h.base.rss, b.base.rss), target: '-' },
          { name: `bgp-memory: RSS per BGP session (${sessions})`, value: perSession(h, 'rss'), unit: 'KiB',
            anchor, anchorValue: perSession(b, 'rss'), ratio: ratio(perSession(h, 'rss'), perSession(b, 'rss')), target: 'reported' },
          { name: `bgp-memory: per BGP session by its own account (Herald: live heap; ${sessions})`, value: perSession(h, 'accounted'), unit: 'KiB',
            anchor: ownAnchor, anchorValue: perSession(b, 'accounted'), ratio: ratio(perSession(h, 'accounted'), perSession(b, 'accounted')), target: 'reported' },
          { name: `bgp-memory: RSS per 10 000 advertised /32s (${prefixes})`, value: per10k(h, 'rss'), unit: 'MiB',
            anchor, anchorValue: per10k(b, 'rss'), ratio: ratio(per10k(h, 'rss'), per10k(b, 'rss')), target: 'reported' },
          { name: `bgp-memory: per 10 000 advertised /32s by its own account (Herald: live heap; ${prefixes})`, value: per10k(h, 'accounted'), unit: 'MiB',
            anchor: ownAnchor, anchorValue: per10k(b, 'accounted'), ratio: ratio(per10k(h, 'accounted'), per10k(b, 'accounted')), target: 'reported' },
        ];
      } finally {
        await stopBird(router);
      }
    } finally {
      await down();
    }
  },
};
