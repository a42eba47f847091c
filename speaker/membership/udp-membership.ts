// UdpMembership: the thin driver around the pure membership core (core/). It owns the UDP socket, the
// HMAC key and the one timer; every datagram and every wake-up becomes a step() of the core, and the
// driver carries out the actions (send, report a change). The constructor starts nothing (STYLE.md §12).
//
// Wiring from the speaker loop (loop/membership-port.ts), one way each: the loop tells membership the peers and
// which of them get fast beats (setPeers, setFastTargets: election/targets.ts, from the loop's plan), and
// membership tells the loop who is alive (onChange → an enqueued event). It never asks the loop anything.
//   m.onChange((alive, quorum) => loop.enqueue({ kind: 'membership', alive, quorum }));
//   await m.start();  ...  await m.stop() on SIGTERM (goodbye first).
import { createHmac, randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { Logger } from '../../lib/log.js';
import {
  DEFAULT_PORT, aliveSet, initialState, nextWakeMs, openHeartbeat, quorumOf, sealHeartbeat, step,
  type MacFunction, type MembershipAction, type MembershipEvent, type MembershipState, type QuorumDecision,
} from './core/index.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import { dgramSocketFactory, type DatagramSocket, type SocketFactory } from './socket.js';

export interface PeerAddress {
  name: string;
  /** IPv4 or IPv6 literal. */
  address: string;
  /** Default: the membership port. */
  port?: number;
}

export interface UdpMembershipOptions {
  nodeName: string;
  /** Default '::' (dual-stack, reaches IPv4 and IPv6 peers); an IPv4 literal opens an IPv4-only socket. */
  bindAddress?: string;
  /** Default 7946. 0 picks a free port (tests). */
  port?: number;
  peers: readonly PeerAddress[];
  /** Shared HMAC-SHA256 key, at least 16 bytes (from the cluster Secret). */
  key: Buffer;
  /** Fast beat interval (default 50 ms, see core/defaults.ts). */
  intervalMs?: number;
  /** Missed intervals before a peer is dead (default 4). */
  deadAfter?: number;
  /** Slow beat interval for peers outside fastTargets (default 1000 ms). */
  slowIntervalMs?: number;
  maxClockSkewMs?: number;
  logger?: Logger;
  socketFactory?: SocketFactory;
  clock?: Clock;
  /** Default: 64 random bits. Tests fix it to replay a "previous boot". */
  incarnation?: bigint;
}

export type MembershipListener = (alive: ReadonlySet<string>, quorum: boolean, decision: QuorumDecision) => void;

/** Called with the peer that had declared this node dead and now hears it again (core/step.ts 'rejoined'). */
export type RejoinListener = (by: string) => void;

export interface MembershipStats {
  /** Datagrams read from the socket. */
  datagrams: number;
  /** Messages that changed the state (authenticated, fresh, for us, from a known peer). */
  accepted: number;
  sent: number;
  sendErrors: number;
  /** Times a peer told this node it had declared it dead (each one re-sends the gratuitous bursts). */
  rejoins: number;
  /** Refused datagrams by reason: short, badMac, truncated, badMagic, ..., replay, stale, unknownPeer, ... */
  dropped: Record<string, number>;
}

const MIN_KEY_BYTES = 16;

function randomIncarnation(): bigint {
  return randomBytes(8).readBigUInt64BE(0);
}

export class UdpMembership {
  private readonly mac: MacFunction;
  private readonly clock: Clock;
  private readonly port: number;
  private readonly bindAddress: string;
  private readonly listeners: MembershipListener[] = [];
  private readonly rejoinListeners: RejoinListener[] = [];
  private rejoins = 0;
  private readonly packetDrops: Record<string, number> = {};
  private peers: Map<string, PeerAddress>;
  private state: MembershipState | undefined;
  private socket: DatagramSocket | undefined;
  private timer: { cancel(): void } | undefined;
  private datagrams = 0;
  private sendErrors = 0;
  private pendingSends = new Set<Promise<void>>();
  private fastTargets: ReadonlySet<string> | 'all' = 'all';

  constructor(private readonly opts: UdpMembershipOptions) {
    if (opts.key.length < MIN_KEY_BYTES) throw new Error(`membership key is ${opts.key.length} bytes; need at least ${MIN_KEY_BYTES}`);
    const key = Buffer.from(opts.key);
    this.mac = (bytes) => createHmac('sha256', key).update(bytes).digest();
    this.clock = opts.clock ?? systemClock;
    this.port = opts.port ?? DEFAULT_PORT;
    this.bindAddress = opts.bindAddress ?? '::';
    this.peers = this.indexPeers(opts.peers);
  }

  /** Binds the socket and sends the first beats. Resolves once listening. */
  async start(): Promise<void> {
    if (this.socket) throw new Error(`membership "${this.opts.nodeName}" already started`);
    const socket = (this.opts.socketFactory ?? dgramSocketFactory)(isIPv4(this.bindAddress) ? 'udp4' : 'udp6');
    socket.onMessage((bytes) => this.onDatagram(bytes));
    socket.onError((err) => this.opts.logger?.error({ err }, 'membership socket error'));
    await socket.bind(this.port, this.bindAddress);
    this.socket = socket;
    this.state = initialState({
      self: this.opts.nodeName, incarnation: this.opts.incarnation ?? randomIncarnation(),
      ...(this.opts.intervalMs !== undefined && { intervalMs: this.opts.intervalMs }),
      ...(this.opts.deadAfter !== undefined && { deadAfter: this.opts.deadAfter }),
      ...(this.opts.slowIntervalMs !== undefined && { slowIntervalMs: this.opts.slowIntervalMs }),
      ...(this.opts.maxClockSkewMs !== undefined && { maxClockSkewMs: this.opts.maxClockSkewMs }),
    }, [...this.peers.keys()], this.clock.monotonicMs());
    this.opts.logger?.info({ address: socket.address(), peers: this.peers.size }, 'membership started');
    if (this.fastTargets !== 'all') this.apply({ kind: 'targetsChanged', fast: this.fastTargets });
    this.apply({ kind: 'tick' });
  }

  /** Says goodbye to every peer (they hand over at once), then closes the socket. */
  async stop(): Promise<void> {
    if (!this.socket || !this.state) return;
    this.apply({ kind: 'leave' });
    this.timer?.cancel();
    this.timer = undefined;
    await Promise.allSettled([...this.pendingSends]);
    await this.socket.close();
    this.socket = undefined;
  }

  /** Replaces the peer list (addresses may change; new peers start pending, removed ones are forgotten). */
  setPeers(peers: readonly PeerAddress[]): void {
    this.peers = this.indexPeers(peers);
    if (this.state) this.apply({ kind: 'peersChanged', peers: [...this.peers.keys()] });
  }

  /**
   * The peers that get fast beats (the others get slow ones); until this is called, every peer does (a full
   * mesh). The loop works them out from the election on every change of the IPs or the alive set.
   */
  setFastTargets(targets: Iterable<string>): void {
    this.fastTargets = new Set(targets);
    if (this.state) this.apply({ kind: 'targetsChanged', fast: this.fastTargets });
  }

  /** The nodes this speaker hears, itself included (empty after stop, before start only itself). */
  alive(): ReadonlySet<string> {
    return this.state ? aliveSet(this.state) : new Set([this.opts.nodeName]);
  }

  /** The split-brain rule (core/quorum.ts): may this speaker announce? */
  hasQuorum(): boolean {
    return this.quorum().quorum;
  }

  quorum(): QuorumDecision {
    if (!this.state) return { quorum: false, reason: 'starting', heard: 1, known: this.peers.size + 1 };
    return quorumOf(this.state, this.clock.monotonicMs());
  }

  /** Called after every change of the alive set or the quorum decision. Returns an unsubscribe function. */
  onChange(cb: MembershipListener): () => void {
    this.listeners.push(cb);
    return () => {
      const at = this.listeners.indexOf(cb);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  /** Called when a peer says it had declared this node dead (a flap this node may not have noticed). */
  onRejoined(cb: RejoinListener): void {
    this.rejoinListeners.push(cb);
  }

  stats(): MembershipStats {
    const c = this.state?.counters;
    const dropped: Record<string, number> = { ...this.packetDrops };
    for (const [reason, n] of Object.entries(c?.dropped ?? {})) dropped[reason] = (dropped[reason] ?? 0) + (n ?? 0);
    return { datagrams: this.datagrams, accepted: c?.accepted ?? 0, sent: c?.sent ?? 0, sendErrors: this.sendErrors, rejoins: this.rejoins, dropped };
  }

  /** The bound address (after start). */
  address(): { address: string; port: number } | undefined {
    return this.socket?.address();
  }

  private indexPeers(peers: readonly PeerAddress[]): Map<string, PeerAddress> {
    const map = new Map<string, PeerAddress>();
    for (const p of peers) {
      if (!isIPv4(p.address) && !isIPv6(p.address)) throw new Error(`peer "${p.name}": address "${p.address}" is not an IP literal`);
      if (p.name !== this.opts.nodeName) map.set(p.name, p);
    }
    return map;
  }

  private onDatagram(bytes: Uint8Array): void {
    this.datagrams += 1;
    try {
      const opened = openHeartbeat(bytes, this.mac);
      if (!opened.ok) {
        this.packetDrops[opened.reason] = (this.packetDrops[opened.reason] ?? 0) + 1;
        this.opts.logger?.debug({ reason: opened.reason, detail: opened.detail }, 'heartbeat dropped');
        return;
      }
      this.apply({ kind: 'received', message: opened.message, wallMs: this.clock.wallMs() });
    } catch (err) {
      // A bug must not take the read loop down: count it, log it loudly, keep reading.
      this.packetDrops.internalError = (this.packetDrops.internalError ?? 0) + 1;
      this.opts.logger?.error({ err }, 'membership: error handling a datagram');
    }
  }

  private apply(event: MembershipEvent): void {
    if (!this.state) return;
    const result = step(this.state, event, this.clock.monotonicMs());
    this.state = result.state;
    for (const action of result.actions) this.perform(action);
    this.rearm();
  }

  private perform(action: MembershipAction): void {
    switch (action.kind) {
      case 'send': return this.send(action.message);
      case 'dropped':
        this.opts.logger?.debug({ reason: action.reason, from: action.from, detail: action.detail }, 'heartbeat refused');
        return;
      case 'rejoined':
        this.rejoins += 1;
        this.opts.logger?.info({ by: action.by, timesDeclaredDead: action.timesDeclaredDead }, 'a peer had declared this node dead');
        for (const cb of [...this.rejoinListeners]) cb(action.by);
        return;
      case 'aliveChanged':
        this.opts.logger?.info({ alive: [...action.alive], quorum: action.quorum }, 'membership changed');
        for (const cb of [...this.listeners]) cb(action.alive, action.quorum.quorum, action.quorum);
    }
  }

  private send(message: Extract<MembershipAction, { kind: 'send' }>['message']): void {
    const peer = this.peers.get(message.to);
    const socket = this.socket;
    if (!peer || !socket) return;
    const bytes = sealHeartbeat({ ...message, sendTimeMs: Math.floor(this.clock.wallMs()) }, this.mac);
    const sending = socket.send(bytes, peer.port ?? this.port, this.destination(peer.address)).catch((err: unknown) => {
      this.sendErrors += 1;
      this.opts.logger?.debug({ err, peer: peer.name }, 'heartbeat send failed');
    });
    this.pendingSends.add(sending);
    void sending.finally(() => this.pendingSends.delete(sending));
  }

  /** A dual-stack IPv6 socket reaches an IPv4 peer through its IPv4-mapped address. */
  private destination(address: string): string {
    return isIPv4(address) && !isIPv4(this.bindAddress) ? `::ffff:${address}` : address;
  }

  private rearm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    const wake = this.state ? nextWakeMs(this.state) : undefined;
    if (wake === undefined) return;
    const delay = Math.max(0, wake - this.clock.monotonicMs());
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      this.apply({ kind: 'tick' });
    }, delay);
  }
}
