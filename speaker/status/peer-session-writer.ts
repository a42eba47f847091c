// Writes this node's entry in the status.nodes list of every BGPPeer it holds a session with (peer-session-plan.ts):
// its state, since when, and why it last went down. Sessions change on their own (not in the loop's passes), so the
// writer looks at the BGP driver's statuses every POLL_MS and writes only what changed, off the loop (pass-runner.ts).
//
// Several speakers write one object's list, so each write is a read, the list with only this node's entry changed,
// and a merge patch that carries the resourceVersion read: a speaker that wrote in between makes it a 409 Conflict,
// and the entry is written again on the fresh list. A stop removes this node's entries (briefly: a stop must not
// wait on the API). A node that crashed cannot: once its presence Lease lapses, one live speaker (the first by node
// name, peer-session-plan.ts pruningNode) lists the BGPPeers and removes the entries of nodes that are not live, with
// the same guarded read-and-patch, so it never undoes another speaker's write.
//
// That pruner judges liveness by its own view of the Leases, which can lag: a speaker that just started (or came
// back after its Lease lapsed) may have written its entry before the pruner saw its Lease, and lose it to the prune.
// Nothing tells that speaker, so every RESYNC_MS it forgets what it believes the API holds and reads its peers again
// (a GET per peer; a write only where its entry is missing or stale).
import { HttpMethod, type KubeConfig } from '@kubernetes/client-node';
import type { Clock, TimerHandle } from '../../lib/clock.js';
import { BGPPEER_PLURAL, GROUP, VERSION, type PeerSession } from '../../crds/v1beta1/index.js';
import { isConflict, isNotFound } from '../../lib/kube/errors.js';
import { apiJson, mergePatchRequest } from '../../lib/kube/request.js';
import type { Logger } from '../../lib/log.js';
import type { BgpPeerStatus } from '../bgp/mode-driver.js';
import { PassRunner } from './pass-runner.js';
import { pruningNode, sessionEntry, someoneLapsed, withOwnEntry, withoutLapsed } from './peer-session-plan.js';

const POLL_MS = 2_000;
const RESYNC_MS = 60_000;
/** Conflicting writes of other speakers retried at once within one pass, before the pass fails and backs off. */
const CONFLICT_ATTEMPTS = 4;
const STOP_BUDGET_MS = 2_000;

export interface PeerSessionWriterOptions {
  kubeConfig: KubeConfig;
  /** Where the BGPPeers are (herald-system). */
  namespace: string;
  node: string;
  clock: Clock;
  logger: Logger;
  /** The BGP driver's sessions now (mode-driver.ts statuses()); `name` is the BGPPeer's name. */
  statuses: () => readonly BgpPeerStatus[];
  /**
   * The nodes whose speakers are live by their presence Leases (the source's judgement, presence.ts), this one
   * included; empty while not known. Without it, no entry of another node is ever removed.
   */
  liveNodes?: () => readonly string[];
  pollMs?: number;
  /** How often this node's entries are read back from the API (RESYNC_MS). */
  resyncMs?: number;
}

interface PeerRead {
  metadata?: { name?: string; resourceVersion?: string };
  status?: { nodes?: PeerSession[] };
}

export class PeerSessionWriter {
  /** This node's entry per peer name, as it should be. */
  private want = new Map<string, PeerSession>();
  /** What the API holds of this node's entries, as far as this writer knows (JSON), by peer name. */
  private readonly written = new Map<string, string>();
  private timer: TimerHandle | null = null;
  private resyncTimer: TimerHandle | null = null;
  private stopped = false;
  /** The live nodes as last read; null before the first known set. */
  private live: ReadonlySet<string> | null = null;
  /** A node left the live set (or the first set came) and this node prunes: the next pass removes lapsed entries. */
  private pruneDue = false;
  private readonly runner: PassRunner;

  constructor(private readonly o: PeerSessionWriterOptions) {
    this.runner = new PassRunner(() => this.pass(), { clock: o.clock, logger: o.logger, failure: 'could not update BGPPeer session status; trying again' });
  }

  start(): void {
    this.poll();
    this.scheduleResync();
  }

  /** Removes this node's entries, waiting at most STOP_BUDGET_MS for the API. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    this.resyncTimer?.cancel();
    this.want = new Map();
    this.runner.kick();
    let timeout: TimerHandle | undefined;
    await Promise.race([this.runner.settled(), new Promise<void>((resolve) => { timeout = this.o.clock.setTimer(resolve, STOP_BUDGET_MS); })]);
    timeout?.cancel();
    void this.runner.stop(); // no retries after a stop; a pass still in flight ends on its own (request timeouts)
  }

  /** Resolves when the writes asked for so far are done or have failed once (tests). */
  settled(): Promise<void> {
    return this.runner.settled();
  }

  private poll(): void {
    if (this.stopped) return;
    this.refresh();
    this.timer = this.o.clock.setTimer(() => this.poll(), this.o.pollMs ?? POLL_MS);
  }

  /** Makes every entry this node wants pending again, so the next pass reads it back and restores it if it went. */
  private scheduleResync(): void {
    this.resyncTimer = this.o.clock.setTimer(() => {
      if (this.stopped) return;
      for (const name of this.want.keys()) this.written.delete(name);
      this.runner.kick();
      this.scheduleResync();
    }, this.o.resyncMs ?? RESYNC_MS);
  }

  private refresh(): void {
    const now = new Date(this.o.clock.wallMs()).toISOString();
    const next = new Map<string, PeerSession>();
    for (const s of this.o.statuses()) next.set(s.name, sessionEntry(this.o.node, s, this.want.get(s.name), now));
    this.want = next;
    this.notePresence();
    if (this.pending().length > 0 || this.pruneDue) this.runner.kick();
  }

  private notePresence(): void {
    const live = this.o.liveNodes?.() ?? [];
    if (live.length === 0) return;
    const now = new Set(live);
    if (someoneLapsed(this.live, now)) this.pruneDue = pruningNode(live) === this.o.node;
    this.live = now;
  }

  /** Peers whose entry in the API is not what this node wants (absent from `want`: to be removed). */
  private pending(): string[] {
    const names = new Set([...this.want.keys(), ...this.written.keys()]);
    return [...names].filter((name) => this.written.get(name) !== json(this.want.get(name)));
  }

  private async pass(): Promise<void> {
    for (const name of this.pending()) await this.writeOne(name, this.want.get(name) ?? null);
    if (this.pruneDue && !this.stopped) await this.prune();
  }

  private async writeOne(name: string, entry: PeerSession | null): Promise<void> {
    const found = await this.changeNodes(name, (nodes) => withOwnEntry(nodes, this.o.node, entry));
    if (!found || entry === null) this.written.delete(name); // a peer that is gone took its status with it
    else this.written.set(name, JSON.stringify(entry));
  }

  /** Removes, from every BGPPeer, the entries of nodes that are not live (this node is the one that prunes). */
  private async prune(): Promise<void> {
    const live = this.live;
    if (live === null) return;
    const list = await apiJson<{ items?: PeerRead[] }>(this.o.kubeConfig, { method: HttpMethod.GET, path: this.path() });
    for (const item of list.items ?? []) {
      const name = item.metadata?.name;
      if (name === undefined || withoutLapsed(item.status?.nodes, live) === null) continue;
      const lapsed = (item.status?.nodes ?? []).filter((n) => !live.has(n.node)).map((n) => n.node);
      await this.changeNodes(name, (nodes) => withoutLapsed(nodes, live));
      this.o.logger.info({ bgpPeer: name, nodes: lapsed }, 'removed the session entries of speakers whose presence Lease lapsed');
    }
    this.pruneDue = false;
  }

  /**
   * Reads the peer and patches its status.nodes to `change(nodes)` (no write when it returns null), guarded by the
   * resourceVersion read: another speaker's write in between is a 409, and the change is made again on the fresh
   * list. False when the peer does not exist.
   */
  private async changeNodes(name: string, change: (nodes: readonly PeerSession[] | undefined) => PeerSession[] | null): Promise<boolean> {
    const path = this.path(name);
    for (let attempt = 1; ; attempt++) {
      let peer: PeerRead;
      try {
        peer = await apiJson<PeerRead>(this.o.kubeConfig, { method: HttpMethod.GET, path });
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
      const nodes = change(peer.status?.nodes);
      if (nodes === null) return true;
      try {
        await apiJson(this.o.kubeConfig, mergePatchRequest(`${path}/status`, { metadata: { resourceVersion: peer.metadata?.resourceVersion }, status: { nodes } }));
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        if (!isConflict(err) || attempt >= CONFLICT_ATTEMPTS) throw err;
      }
    }
  }

  private path(name?: string): string {
    return `/apis/${GROUP}/${VERSION}/namespaces/${this.o.namespace}/${BGPPEER_PLURAL}${name === undefined ? '' : `/${name}`}`;
  }
}

const json = (entry: PeerSession | undefined): string | undefined => (entry === undefined ? undefined : JSON.stringify(entry));
