// Membership cost and detection time (issue #3 §5): heartbeat packets/s for 3, 10 and 100 nodes with the
// default cheap mesh (fast beats only to the successors of the IPs a node owns, slow beats to the rest),
// anchored on a full mesh at the same fast interval; how detection time and cost trade off as the interval
// changes; and a real UDP run on 127.0.0.1 that confirms the simulated count and measures detection.
//
// The simulation steps the real pure state machine (speaker/membership/core) of every node in simulated
// time, with 0.1 ms delivery and no loss; codec and HMAC are skipped there (they do not change counts).
// Each scenario has one IP per node, every node eligible for every IP, equal weights.
//
// Issue 12: what one junk datagram costs the receive path (ns, and HMAC objects made), against the receive
// path before it (a fresh HMAC over the raw key and a full check for every datagram) measured in the same
// run. Handler cost only: Node's own per-datagram work (recvmsg, the Buffer, the event) is the same for
// both and not in these figures.
import { createHmac } from 'node:crypto';
import { pino } from 'pino';
import { electOwners, heartbeatTargetsRanked, rankIps, rankNodes, type IpCandidates, type RankedIp } from '../../speaker/election/index.js';
import {
  DEFAULT_BUDGET, DEFAULT_DEAD_AFTER, DEFAULT_INTERVAL_MS, DEFAULT_SLOW_INTERVAL_MS, aliveSet, initialState, nextWakeMs, openHeartbeat, sealHeartbeat, step,
  type Heartbeat, type MembershipConfigInput, type MembershipEvent, type MembershipState,
} from '../../speaker/membership/core/index.js';
import { UdpMembership } from '../../speaker/membership/udp-membership.js';
import { dgramSocketFactory, type DatagramSocket, type RemoteInfo, type SocketFactory } from '../../speaker/membership/socket.js';
import { percentile, ratio, type Benchmark, type Figure } from './figure.js';

const LATENCY_MS = 0.1;
const WALL_BASE = 1_700_000_000_000;

/** Deterministic PRNG (mulberry32) so a run can be repeated; the seed is part of the output. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SimOptions {
  nodes: number;
  intervalMs?: number;
  deadAfter?: number;
  /** Full mesh instead of successor targets. */
  fullMesh?: boolean;
}

/** N state machines in simulated time. */
export class Simulation {
  readonly names: string[];
  readonly ips: IpCandidates[];
  private readonly ranked: RankedIp[];
  private readonly states = new Map<string, MembershipState>();
  /** Each node's next wake, cached after every step (recomputing it for all nodes per event is O(N²)). */
  private readonly wakes = new Map<string, number>();
  private readonly crashed = new Set<string>();
  private readonly queue: { at: number; message: Heartbeat }[] = [];
  private head = 0;
  now = 0;
  sent = 0;
  /** Every alive-set report: [time, observer, alive]. */
  readonly reports: { at: number; node: string; alive: ReadonlySet<string> }[] = [];

  constructor(private readonly opts: SimOptions) {
    this.names = Array.from({ length: opts.nodes }, (_, i) => `node-${i}`);
    this.ips = this.names.map((_, i) => ({ ip: `10.0.${i >> 8}.${i & 255}`, nodes: this.names.map((name) => ({ name })) }));
    this.ranked = rankIps(this.ips);
    for (const name of this.names) {
      const config: MembershipConfigInput = { self: name, incarnation: BigInt(this.names.indexOf(name) + 1) };
      if (opts.intervalMs !== undefined) config.intervalMs = opts.intervalMs;
      if (opts.deadAfter !== undefined) config.deadAfter = opts.deadAfter;
      this.states.set(name, initialState(config, this.names, 0));
    }
    for (const name of this.names) this.apply(name, { kind: 'tick' });
  }

  crash(name: string): void {
    this.crashed.add(name);
    this.wakes.delete(name);
  }

  private targets(name: string, alive: ReadonlySet<string>): ReadonlySet<string> | 'all' {
    return this.opts.fullMesh ? 'all' : heartbeatTargetsRanked(name, this.ranked, alive);
  }

  private apply(name: string, event: MembershipEvent): void {
    const state = this.states.get(name);
    if (!state || this.crashed.has(name)) return;
    const r = step(state, event, this.now);
    this.states.set(name, r.state);
    this.wakes.set(name, nextWakeMs(r.state) ?? Number.POSITIVE_INFINITY);
    for (const a of r.actions) {
      if (a.kind === 'send') {
        this.sent += 1;
        this.queue.push({ at: this.now + LATENCY_MS, message: { ...a.message, sendTimeMs: WALL_BASE + Math.floor(this.now) } });
      } else if (a.kind === 'aliveChanged') {
        this.reports.push({ at: this.now, node: name, alive: a.alive });
        this.apply(name, { kind: 'targetsChanged', fast: this.targets(name, a.alive) });
      }
    }
  }

  /** Advances simulated time to `untilMs`, delivering messages and waking nodes in time order. */
  run(untilMs: number): void {
    for (;;) {
      let wakeNode: string | undefined;
      let wake = Number.POSITIVE_INFINITY;
      for (const [name, w] of this.wakes) if (w < wake) [wake, wakeNode] = [w, name];
      const delivery = this.queue[this.head];
      const next = Math.min(wake, delivery?.at ?? Number.POSITIVE_INFINITY);
      if (next > untilMs) break;
      this.now = Math.max(this.now, next);
      if (delivery && delivery.at <= wake) {
        this.head += 1;
        this.apply(delivery.message.to, { kind: 'received', message: delivery.message, wallMs: WALL_BASE + this.now });
      } else if (wakeNode) {
        this.apply(wakeNode, { kind: 'tick' });
      }
    }
    this.now = untilMs;
  }

  alive(name: string): ReadonlySet<string> {
    const s = this.states.get(name);
    return s ? aliveSet(s) : new Set();
  }
}

/** Steady-state heartbeat packets/s of the whole cluster. */
export function packetsPerSecond(opts: SimOptions, windowMs = 4000): number {
  const sim = new Simulation(opts);
  sim.run(1000);
  const before = sim.sent;
  sim.run(1000 + windowMs);
  return ((sim.sent - before) * 1000) / windowMs;
}

function fullMeshPps(nodes: number, intervalMs: number): number {
  return (nodes * (nodes - 1) * 1000) / intervalMs;
}

/** Crash an IP's owner at a random point of the beat cycle; time until its heir no longer hears it. */
function simulatedDetection(intervalMs: number, deadAfter: number, trials: number, seed: number): number[] {
  const random = rng(seed);
  const times: number[] = [];
  for (let t = 0; t < trials; t++) {
    const sim = new Simulation({ nodes: 3, intervalMs, deadAfter });
    const crashAt = 1000 + random() * DEFAULT_SLOW_INTERVAL_MS;
    sim.run(crashAt);
    const ip = sim.ips[0];
    if (!ip) throw new Error('simulation has no IP');
    const owner = electOwners([ip], sim.alive(sim.names[0] ?? '')).get(ip.ip);
    const heir = rankNodes(ip.ip, ip.nodes).find((n) => n !== owner);
    if (!owner || !heir) throw new Error(`no owner/heir for ${ip.ip}`);
    sim.crash(owner);
    sim.run(crashAt + 10 * deadAfter * intervalMs);
    const seen = sim.reports.find((r) => r.node === heir && r.at >= crashAt && !r.alive.has(owner));
    if (!seen) throw new Error(`heir ${heir} never saw ${owner} die (interval ${intervalMs})`);
    times.push(seen.at - crashAt);
  }
  return times;
}

// ---- real UDP on 127.0.0.1 ----

const KEY = createHmac('sha256', 'bench').update('membership').digest();

function cuttableFactory(): { factory: SocketFactory; cut: () => void } {
  let cut = false;
  const factory: SocketFactory = (family) => {
    const real = dgramSocketFactory(family);
    return {
      ...real,
      send: (b, port, address) => (cut ? Promise.resolve() : real.send(b, port, address)),
      onMessage: (cb) => real.onMessage((b, from) => { if (!cut) cb(b, from); }),
    };
  };
  return { factory, cut: () => { cut = true; } };
}

async function realCluster(count: number): Promise<{ nodes: UdpMembership[]; cuts: (() => void)[]; ips: IpCandidates[] }> {
  const names = Array.from({ length: count }, (_, i) => `node-${i}`);
  const ips = names.map((_, i) => ({ ip: `10.0.0.${i}`, nodes: names.map((name) => ({ name })) }));
  const ranked = rankIps(ips);
  const cuts: (() => void)[] = [];
  const nodes = names.map((name) => {
    const { factory, cut } = cuttableFactory();
    cuts.push(cut);
    const m = new UdpMembership({ nodeName: name, bindAddress: '127.0.0.1', port: 0, peers: [], key: KEY, socketFactory: factory });
    // What the speaker loop does on every alive change: the fast targets from the election, told to membership.
    m.onChange((alive) => m.setFastTargets(heartbeatTargetsRanked(name, ranked, alive)));
    return m;
  });
  await Promise.all(nodes.map((n) => n.start()));
  const peers = nodes.map((n, i) => ({ name: names[i] ?? '', address: '127.0.0.1', port: n.address()?.port ?? 0 }));
  for (const n of nodes) n.setPeers(peers);
  await waitFor(() => nodes.every((n) => n.alive().size === count), 3000);
  return { nodes, cuts, ips };
}

async function waitFor(pred: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = performance.now();
  while (!pred()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`bench: condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function realPacketsPerSecond(count: number, windowMs: number): Promise<number> {
  const { nodes } = await realCluster(count);
  await new Promise((r) => setTimeout(r, 500));
  const sentNow = () => nodes.reduce((sum, n) => sum + n.stats().sent, 0);
  const before = sentNow();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, windowMs));
  const pps = ((sentNow() - before) * 1000) / (performance.now() - t0);
  await Promise.all(nodes.map((n) => n.stop()));
  return pps;
}

async function realDetection(trials: number): Promise<number[]> {
  const times: number[] = [];
  for (let t = 0; t < trials; t++) {
    const { nodes, cuts, ips } = await realCluster(3);
    const ip = ips[0];
    const names = ['node-0', 'node-1', 'node-2'];
    const owner = ip ? electOwners([ip], new Set(names)).get(ip.ip) : undefined;
    const heir = ip ? rankNodes(ip.ip, ip.nodes).find((n) => n !== owner) : undefined;
    const heirNode = nodes[names.indexOf(heir ?? '')];
    if (!owner || !heirNode) throw new Error('bench: no owner or heir');
    await new Promise((r) => setTimeout(r, 100 + Math.random() * DEFAULT_INTERVAL_MS));
    const t0 = performance.now();
    cuts[names.indexOf(owner)]?.();
    await waitFor(() => !heirNode.alive().has(owner), 3000);
    times.push(performance.now() - t0);
    await Promise.all(nodes.map((n) => n.stop()));
  }
  return times;
}

// ---- what a junk datagram costs (issue 12) ----

const JUNK_DATAGRAMS = 100_000;
const JUNK_RUNS = 5;
const STRANGER: RemoteInfo = { address: '192.0.2.99', port: 40000 };
const PEER: RemoteInfo = { address: '192.0.2.2', port: 7946 };

interface JunkCost {
  nsPerDatagram: number;
  hmacsPerDatagram: number;
}

/** Median ns per call of `handle` over JUNK_DATAGRAMS datagrams, and the HMACs `hmacs()` saw per datagram. */
function measure(datagrams: readonly Uint8Array[], handle: (bytes: Uint8Array) => void, hmacs: () => number): JunkCost {
  const runs: number[] = [];
  const before = hmacs();
  for (let run = 0; run < JUNK_RUNS; run++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < JUNK_DATAGRAMS; i++) handle(datagrams[i % datagrams.length] ?? new Uint8Array(0));
    runs.push(Number(process.hrtime.bigint() - t0) / JUNK_DATAGRAMS);
  }
  return { nsPerDatagram: percentile(runs, 50), hmacsPerDatagram: (hmacs() - before) / (JUNK_RUNS * JUNK_DATAGRAMS) };
}

/** The receive path before issue 12 (speaker/membership/udp-membership.ts then): its onDatagram, as it was. */
function previousReceivePath(key: Buffer): { handle: (bytes: Uint8Array) => void; hmacs: () => number } {
  const logger = pino({ level: 'warn' }); // debug lines off, as in production: the call and its object remain
  const drops: Record<string, number> = {};
  let hmacs = 0;
  const mac = (bytes: Uint8Array) => {
    hmacs += 1;
    return createHmac('sha256', key).update(bytes).digest();
  };
  return {
    hmacs: () => hmacs,
    handle: (bytes) => {
      const opened = openHeartbeat(bytes, mac);
      if (!opened.ok) {
        drops[opened.reason] = (drops[opened.reason] ?? 0) + 1;
        logger.debug({ reason: opened.reason, detail: opened.detail }, 'heartbeat dropped');
      }
    },
  };
}

/** This build's receive path: a started UdpMembership whose socket is a function call. */
async function currentReceivePath(key: Buffer, from: RemoteInfo): Promise<{ handle: (bytes: Uint8Array) => void; m: UdpMembership }> {
  let deliver: (bytes: Uint8Array, from: RemoteInfo) => void = () => undefined;
  const socket: DatagramSocket = {
    bind: async () => undefined, send: async () => undefined, onMessage: (cb) => { deliver = cb; }, onError: () => undefined,
    address: () => ({ address: '192.0.2.1', port: 7946 }), close: async () => undefined,
  };
  const m = new UdpMembership({
    nodeName: 'node-1', bindAddress: '192.0.2.1', key, peers: [{ name: 'node-2', address: PEER.address }], socketFactory: () => socket,
    logger: pino({ level: 'warn' }), slowIntervalMs: 3_600_000, intervalMs: 3_600_000,
  });
  await m.start();
  return { handle: (bytes) => deliver(bytes, from), m };
}

async function junkFigures(): Promise<Figure[]> {
  const key = createHmac('sha256', 'bench').update('junk').digest();
  const junk = Array.from({ length: 256 }, (_, i) => Buffer.alloc(64, i));
  const forgedRestarts = Array.from({ length: 256 }, (_, i) => sealHeartbeat({
    version: 2, uptimeMs: 0, type: 'beat', from: 'node-2', to: 'node-1', incarnation: BigInt(i + 1), sequence: 1, sendTimeMs: Date.now(), nextWithinMs: 50,
    timesDeclaredDead: 0,
  }, (bytes) => createHmac('sha256', 'not-the-key').update(bytes).digest()));
  const old = previousReceivePath(key);
  const before = measure(junk, old.handle, old.hmacs);
  const figures: Figure[] = [];
  const anchor = 'receive path before issue 12 (fresh HMAC, full check), same run';
  for (const [what, from, datagrams] of [
    ['64-byte junk from a stranger', STRANGER, junk], ['64-byte junk from a peer\'s address', PEER, junk],
    ['forged restarts from a peer\'s address', PEER, forgedRestarts],
  ] as const) {
    const current = await currentReceivePath(key, from);
    const after = measure(datagrams, current.handle, () => current.m.stats().macs);
    await current.m.stop();
    figures.push({
      name: `membership: cost of a datagram, ${what}`, value: after.nsPerDatagram, unit: 'ns', anchor, anchorValue: before.nsPerDatagram,
      ratio: ratio(after.nsPerDatagram, before.nsPerDatagram), target: 'ratio << 1',
    });
    figures.push({
      name: `membership: HMACs per datagram, ${what}`, value: after.hmacsPerDatagram, unit: 'HMAC', anchor, anchorValue: before.hmacsPerDatagram,
      ratio: ratio(after.hmacsPerDatagram, before.hmacsPerDatagram),
      target: datagrams === junk ? '0' : `<= ${DEFAULT_BUDGET.capacity} at once + ${DEFAULT_BUDGET.perSecond}/s per source`,
    });
  }
  return figures;
}

const TARGET_NOTE = 'detection + GARP + client within p50 < 250, p99 < 500 ms';

async function run(): Promise<Figure[]> {
  const figures: Figure[] = await junkFigures();
  for (const nodes of [3, 10, 100]) {
    const value = packetsPerSecond({ nodes });
    const anchorValue = fullMeshPps(nodes, DEFAULT_INTERVAL_MS);
    figures.push({
      name: `membership: heartbeats, ${nodes} nodes, defaults (sim)`, value, unit: 'pkt/s',
      anchor: `full mesh at ${DEFAULT_INTERVAL_MS} ms`, anchorValue, ratio: ratio(value, anchorValue), target: 'cheap at 100 nodes (ratio << 1)',
    });
  }
  const meshCheck = packetsPerSecond({ nodes: 10, fullMesh: true });
  figures.push({
    name: 'membership: full mesh, 10 nodes (sim, checks the formula)', value: meshCheck, unit: 'pkt/s',
    anchor: 'N(N-1)/interval', anchorValue: fullMeshPps(10, DEFAULT_INTERVAL_MS), ratio: ratio(meshCheck, fullMeshPps(10, DEFAULT_INTERVAL_MS)), target: 'ratio 1',
  });
  for (const intervalMs of [20, 50, 100, 200]) {
    const d = simulatedDetection(intervalMs, DEFAULT_DEAD_AFTER, 40, intervalMs);
    const cost = packetsPerSecond({ nodes: 100, intervalMs }, 2000);
    const tag = `interval ${intervalMs} ms × ${DEFAULT_DEAD_AFTER}`;
    figures.push({ name: `membership: detection p50, ${tag} (sim)`, value: percentile(d, 50), unit: 'ms', anchor: 'design bound deadAfter × interval', anchorValue: DEFAULT_DEAD_AFTER * intervalMs, ratio: ratio(percentile(d, 50), DEFAULT_DEAD_AFTER * intervalMs), target: TARGET_NOTE });
    figures.push({ name: `membership: detection max, ${tag} (sim)`, value: Math.max(...d), unit: 'ms', anchor: 'design bound deadAfter × interval', anchorValue: DEFAULT_DEAD_AFTER * intervalMs, ratio: ratio(Math.max(...d), DEFAULT_DEAD_AFTER * intervalMs), target: '<= 1' });
    figures.push({ name: `membership: cost, 100 nodes, ${tag} (sim)`, value: cost, unit: 'pkt/s', anchor: `full mesh at ${intervalMs} ms`, anchorValue: fullMeshPps(100, intervalMs), ratio: ratio(cost, fullMeshPps(100, intervalMs)), target: 'ratio << 1' });
  }
  const simulated10 = packetsPerSecond({ nodes: 10 });
  const real10 = await realPacketsPerSecond(10, 2000);
  figures.push({ name: 'membership: heartbeats, 10 nodes, real UDP 127.0.0.1', value: real10, unit: 'pkt/s', anchor: 'same, simulated', anchorValue: simulated10, ratio: ratio(real10, simulated10), target: 'ratio ≈ 1' });
  const real = await realDetection(20);
  const bound = DEFAULT_DEAD_AFTER * DEFAULT_INTERVAL_MS;
  figures.push({ name: 'membership: detection p50, defaults, real UDP, 20 crashes', value: percentile(real, 50), unit: 'ms', anchor: 'design bound deadAfter × interval', anchorValue: bound, ratio: ratio(percentile(real, 50), bound), target: TARGET_NOTE });
  figures.push({ name: 'membership: detection p99, defaults, real UDP, 20 crashes', value: percentile(real, 99), unit: 'ms', anchor: 'design bound deadAfter × interval', anchorValue: bound, ratio: ratio(percentile(real, 99), bound), target: TARGET_NOTE });
  return figures;
}

export const benchmark: Benchmark = { name: 'membership', run };
