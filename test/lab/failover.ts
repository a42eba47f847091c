// One failover trial, the same for Herald and for keepalived: find who serves the VIP now (the client's
// view), wait a random part of the system's timer cycle (else trials phase-lock to the heartbeat and the
// spread disappears, LAB-NOTES), inject the fault, and time it to the first HTTP answer from another
// node, both instants on CLOCK_MONOTONIC. Then repair and wait until the system has settled again.
import { electOwner } from '../../speaker/election/index.js';
import { DEFAULT_INTERVAL_MS } from '../../speaker/membership/core/defaults.js';
import { findProc, sleep } from './exec.js';
import { linkDown, linkUp } from './lab.js';
import { crashKeepalivedNow, removeVip, vipHolders, startKeepalived, stopAllKeepalived, stopKeepalived, type VrrpSettings } from './keepalived.js';
import { monotonicMs, type HttpProber } from './probe.js';
import { flushNeigh } from './judges.js';
import { speakerRole, startSpeaker, stopSpeaker, waitForAnnouncement, waitForSpeakerQuorum, writeSpeakerConfig, type StartOptions } from './speakers.js';
import { NODES } from './topology.js';

export type FaultKind = 'kill' | 'link' | 'stop';

export const FAULT_WORDS: Record<FaultKind, string> = {
  kill: 'SIGKILL of the owner',
  link: "owner's link down",
  stop: 'graceful stop (SIGTERM)',
};

export interface L2System {
  readonly label: string;
  /** The heartbeat or advert period the fault must land at random points of, ms. */
  readonly cycleMs: number;
  start(): Promise<void>;
  /** Injects the fault on node and returns its monotonic time (taken just before, never flattering). */
  fault(node: string, kind: FaultKind): Promise<number>;
  /** Undoes the fault; resolves once the node runs again (not necessarily as owner). */
  repair(node: string, kind: FaultKind, prober?: HttpProber): Promise<void>;
  /** The node that should serve with every node healthy, when the system defines one. */
  expectedOwner(): string | undefined;
  /** The node that should take over from `failed`, when the system defines one. */
  expectedSuccessor(failed: string): string | undefined;
  stop(): Promise<void>;
}

export interface TrialResult {
  kind: FaultKind;
  from: string;
  to: string;
  expectedTo: string | undefined;
  /** Fault → first HTTP answer from another node, ms. */
  ms: number;
  faultAt: number;
}

export async function runTrial(system: L2System, prober: HttpProber, kind: FaultKind, timeoutMs = 15_000): Promise<TrialResult> {
  const from = await settledOwner(prober, system.expectedOwner(), timeoutMs);
  await sleep(Math.random() * system.cycleMs);
  const faultAt = await system.fault(from, kind);
  const hit = await prober.waitForSuccess(faultAt, (body) => body !== from, timeoutMs);
  await system.repair(from, kind, prober);
  const to = hit.body ?? '?';
  return { kind, from, to, expectedTo: system.expectedSuccessor(from), ms: hit.done - faultAt, faultAt };
}

/**
 * Waits until the client has been answered by one node (the expected one, if any) for 300 ms straight,
 * so a trial never starts in the middle of a handover.
 */
export async function settledOwner(prober: HttpProber, expected: string | undefined, timeoutMs: number): Promise<string> {
  const deadline = monotonicMs() + timeoutMs;
  for (;;) {
    const since = monotonicMs() - 300;
    const recent = prober.samples.filter((s) => s.done > since);
    const bodies = new Set(recent.map((s) => (s.ok ? s.body : undefined)));
    const [only] = bodies;
    if (recent.length >= 10 && bodies.size === 1 && only !== undefined && (expected === undefined || only === expected)) return only;
    if (monotonicMs() > deadline) throw new Error(`no settled owner within ${timeoutMs} ms (wanted ${expected ?? 'any'}; recent ${[...bodies].join(',')})`);
    await sleep(50);
  }
}

/** How a HeraldSystem's speakers learn the VIP and are (re)started: from a file, or through the API (cluster.ts). */
export interface SpeakerLauncher {
  readonly label: string;
  /** Makes the VIP known to speakers started from now on (writes the file; applies the objects). */
  prepare(vip: string): Promise<void>;
  start(node: string): void;
  /** Where the speakers' /metrics listen, for waitForAnnouncement. */
  readonly metricsHost?: (node: string) => string;
}

/**
 * Three speakers reading one file source that lists the VIP (extraArgs: more speaker flags; options: how they run,
 * e.g. from source).
 */
export function fileSpeakers(extraArgs: readonly string[] = [], options: StartOptions = {}): SpeakerLauncher {
  let configPath = '';
  return {
    label: 'Herald (defaults)',
    prepare: async (vip) => { configPath = writeSpeakerConfig({ ips: [{ ip: vip }] }); },
    start: (node) => startSpeaker(node, configPath, extraArgs, options),
  };
}

/** Herald with default settings: three speakers, launched from a file source unless told otherwise. */
export class HeraldSystem implements L2System {
  readonly label: string;
  readonly cycleMs = DEFAULT_INTERVAL_MS;

  constructor(private readonly vip: string, private readonly extraArgs: readonly string[] = [],
    private readonly launcher: SpeakerLauncher = fileSpeakers(extraArgs)) {
    this.label = launcher.label;
  }

  /**
   * Starts the three speakers and resolves once the elected owner announces the VIP and every speaker holds
   * quorum. The client's neighbour entry is flushed first: one left by the previous system (keepalived, an
   * earlier run) still points at a node whose kernel serves the VIP, so HTTP through it "settles" before any
   * speaker runs, and ARP requests sent then go unanswered (the footprint bench's lost requests, issue 8).
   */
  async start(): Promise<void> {
    await this.launcher.prepare(this.vip);
    await flushNeigh(this.vip);
    for (const node of NODES) this.launcher.start(node);
    const owner = this.expectedOwner();
    if (owner !== undefined && !this.extraArgs.includes('--metrics-port')) {
      await waitForAnnouncement(owner, this.vip, 30_000, this.launcher.metricsHost?.(owner));
      // Every speaker in the mesh before the first trial, as repair() waits for the restarted one: three starting
      // at once on two cores take seconds, and a first trial started while one is still loading times a mesh of two.
      for (const node of NODES) await waitForSpeakerQuorum(node, 60_000, this.launcher.metricsHost?.(node) ?? '127.0.0.1');
    }
  }

  async fault(node: string, kind: FaultKind): Promise<number> {
    const speaker = findProc(speakerRole(node));
    if (!speaker) throw new Error(`no speaker runs on ${node}`);
    const at = monotonicMs();
    this.linkDownAt = at;
    if (kind === 'link') await linkDown(node);
    else process.kill(speaker.pid, kind === 'kill' ? 'SIGKILL' : 'SIGTERM');
    return at;
  }

  async repair(node: string, kind: FaultKind, prober?: HttpProber): Promise<void> {
    if (kind === 'link') return this.repairLink(node, prober);
    await stopSpeaker(node, 'SIGKILL'); // already dying: wait for it to be gone
    this.launcher.start(node);
    // Back in the mesh before the next trial: a speaker still starting (loading and compiling its modules) takes a
    // core of the two here, and the next trial would time that contention along with the failover.
    if (!this.extraArgs.includes('--metrics-port')) await waitForSpeakerQuorum(node, 60_000, this.launcher.metricsHost?.(node) ?? '127.0.0.1');
  }

  /**
   * Link flaps the election should undo but did not: the node that owns the VIP by the election was
   * back on the segment and still did not win the client back within 3 s. Counted (the benchmark reports
   * it), then repaired by restarting that speaker so the next trial starts from a clean state.
   */
  linkReturnsMissed = 0;

  private linkDownAt = 0;

  private async repairLink(node: string, prober: HttpProber | undefined): Promise<void> {
    // A real link outage outlasts the failover; a flap of a few hundred ms may come and go between two
    // looks of the speaker's interface watcher. Keep the link down for a second in all.
    await sleep(Math.max(0, this.linkDownAt + 1000 - monotonicMs()));
    await linkUp(node);
    const owner = this.expectedOwner();
    if (!prober || owner !== node) return;
    const deadline = monotonicMs() + 3000;
    while (monotonicMs() < deadline) {
      if (prober.lastAnswer() === owner) return;
      await sleep(50);
    }
    this.linkReturnsMissed++;
    await stopSpeaker(node, 'SIGTERM');
    this.launcher.start(node);
  }

  expectedOwner(): string | undefined {
    return electOwner(this.vip, NODES.map((name) => ({ name })), new Set(NODES));
  }

  expectedSuccessor(failed: string): string | undefined {
    return electOwner(this.vip, NODES.map((name) => ({ name })), new Set(NODES.filter((n) => n !== failed)));
  }

  async stop(): Promise<void> {
    for (const node of NODES) await stopSpeaker(node, 'SIGTERM');
  }
}

async function waitForSingleMaster(vip: string, timeoutMs: number): Promise<void> {
  const deadline = monotonicMs() + timeoutMs;
  for (;;) {
    const holders = await vipHolders(vip);
    if (holders.length === 1) return;
    if (monotonicMs() > deadline) throw new Error(`keepalived: ${holders.length} masters hold ${vip} (${holders.join(',')}) after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** keepalived on every node, VRRP with nopreempt (see keepalived.ts): whoever took over keeps the VIP. */
export class KeepalivedSystem implements L2System {
  readonly label: string;
  readonly cycleMs: number;

  constructor(private readonly vip: string, private readonly settings: VrrpSettings) {
    this.label = `keepalived VRRPv${settings.version} advert_int ${settings.advertInt}`;
    this.cycleMs = settings.advertInt * 1000;
  }

  /**
   * Starts keepalived everywhere and resolves once one master holds the VIP. As for Herald, the client's
   * neighbour entry is flushed first: a stale one would let HTTP "settle" on a node that is not the
   * master (every node's kernel serves the VIP), and the trial would then fault a backup.
   */
  async start(): Promise<void> {
    await flushNeigh(this.vip);
    for (const node of NODES) startKeepalived(node, this.vip, this.settings);
    await waitForSingleMaster(this.vip, 10_000);
  }

  async fault(node: string, kind: FaultKind): Promise<number> {
    const at = monotonicMs();
    if (kind === 'kill') crashKeepalivedNow(node);
    else if (kind === 'link') await linkDown(node);
    else await stopKeepalived(node, 'SIGTERM');
    return at;
  }

  async repair(node: string, kind: FaultKind): Promise<void> {
    // A crashed or cut-off master keeps the VIP on its interface: remove it before it can answer again.
    if (kind === 'kill') await stopKeepalived(node, 'SIGKILL');
    await removeVip(node, this.vip);
    if (kind === 'link') await linkUp(node);
    else startKeepalived(node, this.vip, this.settings);
    // With nopreempt the node comes back as a backup; give it a few adverts to learn who is master, and
    // make sure only one master holds the VIP: a second silent master would never send the gratuitous ARP
    // the next trial waits for, and the trial would time the client's neighbour probes instead.
    await sleep(Math.max(300, 2 * this.cycleMs));
    await waitForSingleMaster(this.vip, 10_000);
  }

  expectedOwner(): undefined {
    return undefined;
  }

  expectedSuccessor(): undefined {
    return undefined;
  }

  stop(): Promise<void> {
    return stopAllKeepalived(this.vip);
  }
}
