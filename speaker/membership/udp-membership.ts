// UdpMembership: the thin driver around the pure membership core (core/). It owns the UDP socket, the
// HMAC keys and the one timer; every datagram and every wake-up becomes a step() of the core, and the
// driver carries out the actions (send, report a change). The constructor starts nothing (STYLE.md §12).
//
// Wiring from the speaker loop (loop/membership-link.ts), one way each: the loop tells membership the peers and
// which of them get fast beats (setPeers, setFastTargets: election/targets.ts, from the loop's plan), and
// membership tells the loop who is alive (onChange → an enqueued event). It never asks the loop anything.
//   m.onChange((alive, quorum) => loop.enqueue({ kind: 'membership', alive, quorum }));
//   await m.start();  ...  await m.stop() on SIGTERM (goodbye first).
//
// Under a flood: the kernel drops what comes from an address no peer is listed at (filtered-socket.ts, the
// default socket), every datagram that gets through passes receive-gate.ts (cheapest check first, a MAC only
// for what could be genuine), drops are counted exactly and logged at most once per reason per 10 s, and
// deadlines are judged only once the socket has been read dry (catch-up.ts), so a flood can cost CPU and
// delay the detection of a real death, but never make a live peer dead.
//
// Keys that differ: a datagram that passed every check before the MAC and failed it with every key is evidence
// for core/key-mismatch.ts (the MAC was computed anyway; none is added). onKeyMismatch, stats().keyMismatch, an
// error line per change and notReadyReason() report it; the split-brain rule (core/quorum.ts) acts on it.
import { randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import {
  DEFAULT_PORT, aliveSet, settlingOf, initialState, keyMismatchesOf, keyMismatchText, nextSendMs, nextWakeMs, nodeNameProblem, passLogGate, quorumOf, quoteName,
  sealHeartbeat, step,
  type GateState, type KeyMismatch, type MembershipAction, type MembershipEvent, type MembershipState, type QuorumDecision,
} from './core/index.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import { CatchUpProbe, setImmediateAfterIo } from './catch-up.js';
import { KeyRing } from './keys.js';
import { ReceiveGate } from './receive-gate.js';
import { allowPeerSources, filteredSocketFactory } from './filtered-socket.js';
import type { DatagramSocket, RemoteInfo, SourceFilterState } from './socket.js';
import type { KeyMismatchListener, MembershipListener, MembershipStats, PeerAddress, RejoinListener, UdpMembershipOptions } from './options.js';

export type { KeyMismatchListener, MembershipListener, MembershipStats, PeerAddress, RejoinListener, UdpMembershipOptions } from './options.js';

function randomIncarnation(): bigint {
  return randomBytes(8).readBigUInt64BE(0);
}

function keyList(key: Buffer | readonly Buffer[]): readonly Buffer[] {
  return Buffer.isBuffer(key) ? [key] : key;
}

export class UdpMembership {
  private keys: KeyRing;
  private readonly gate: ReceiveGate;
  private readonly probe: CatchUpProbe;
  private readonly clock: Clock;
  private readonly port: number;
  private readonly bindAddress: string;
  private readonly listeners: MembershipListener[] = [];
  private readonly rejoinListeners: RejoinListener[] = [];
  private readonly keyListeners: KeyMismatchListener[] = [];
  private rejoins = 0;
  private readonly packetDrops: Record<string, number> = {};
  private readonly logGates = new Map<string, GateState>();
  private peers: Map<string, PeerAddress>;
  private state: MembershipState | undefined;
  private socket: DatagramSocket | undefined;
  private timer: { cancel(): void } | undefined;
  private datagrams = 0;
  private sendErrors = 0;
  private behindTurns = 0;
  /** When a probe last found the socket read dry (catch-up.ts). */
  private caughtUpAtMs = 0;
  private pendingSends = new Set<Promise<void>>();
  private fastTargets: ReadonlySet<string> | 'all' = 'all';
  private filter: SourceFilterState | undefined;

  constructor(private readonly opts: UdpMembershipOptions) {
    const problem = nodeNameProblem(opts.nodeName);
    if (problem !== null) throw new Error(`membership: this node's ${problem}`);
    this.keys = new KeyRing(keyList(opts.key));
    this.gate = new ReceiveGate(this.keys, opts.budget);
    this.probe = new CatchUpProbe(opts.afterIo ?? setImmediateAfterIo, (caughtUp) => this.onProbe(caughtUp));
    this.clock = opts.clock ?? systemClock;
    this.port = opts.port ?? DEFAULT_PORT;
    this.bindAddress = opts.bindAddress ?? '::';
    this.peers = this.indexPeers(opts.peers);
  }

  /** Binds the socket and sends the first beats. Resolves once listening. */
  async start(): Promise<void> {
    if (this.socket) throw new Error(`membership "${this.opts.nodeName}" already started`);
    const socket = (this.opts.socketFactory ?? filteredSocketFactory)(isIPv4(this.bindAddress) ? 'udp4' : 'udp6');
    socket.onMessage((bytes, from) => this.onDatagram(bytes, from));
    socket.onError((err) => this.opts.logger?.error({ err }, 'membership socket error'));
    this.filterSources(socket); // before bind: nothing is queued unfiltered
    await socket.bind(this.port, this.bindAddress);
    this.socket = socket;
    const now = this.clock.monotonicMs();
    this.caughtUpAtMs = now;
    this.state = initialState({
      self: this.opts.nodeName, incarnation: this.opts.incarnation ?? randomIncarnation(),
      ...(this.opts.intervalMs !== undefined && { intervalMs: this.opts.intervalMs }),
      ...(this.opts.deadAfter !== undefined && { deadAfter: this.opts.deadAfter }),
      ...(this.opts.slowIntervalMs !== undefined && { slowIntervalMs: this.opts.slowIntervalMs }),
      ...(this.opts.maxClockSkewMs !== undefined && { maxClockSkewMs: this.opts.maxClockSkewMs }),
      ...(this.opts.settleMs !== undefined && { settleMs: this.opts.settleMs }),
      ...(this.opts.budget !== undefined && { budget: this.opts.budget }),
    }, [...this.peers.keys()], now);
    this.opts.logger?.info({ address: socket.address(), peers: this.peers.size, keys: this.keys.macs.length }, 'membership started');
    if (this.fastTargets !== 'all') this.apply({ kind: 'targetsChanged', fast: this.fastTargets });
    this.apply({ kind: 'tick' });
  }

  /** Says goodbye to every peer (they hand over at once), then closes the socket. */
  async stop(): Promise<void> {
    if (!this.socket || !this.state) return;
    this.apply({ kind: 'leave' });
    this.probe.stop();
    this.timer?.cancel();
    this.timer = undefined;
    await Promise.allSettled([...this.pendingSends]);
    await this.socket.close();
    this.socket = undefined;
  }

  /** Replaces the peer list (addresses may change; new peers start pending, removed ones are forgotten). */
  setPeers(peers: readonly PeerAddress[]): void {
    this.peers = this.indexPeers(peers);
    if (this.socket) this.filterSources(this.socket);
    if (this.state) this.apply({ kind: 'peersChanged', peers: [...this.peers.keys()] });
  }

  /**
   * Replaces the keys (a rotation step, docs/layer2.md): the first seals from now on, every one opens.
   * Throws, keeping the old keys, when one is too short.
   */
  setKeys(keys: readonly Buffer[]): void {
    const ring = new KeyRing(keys);
    ring.computed = this.keys.computed;
    this.keys = ring;
    this.gate.setKeys(ring);
    this.opts.logger?.info({ keys: keys.length }, 'heartbeat keys replaced');
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

  /** The alive speakers that may not be elected owner yet (core/state.ts settlingOf). */
  settling(): ReadonlySet<string> {
    return this.state ? settlingOf(this.state, this.clock.monotonicMs()) : new Set();
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

  /** Called when the peers whose keys differ from this node's change (each change is also an error log line). */
  onKeyMismatch(cb: KeyMismatchListener): void {
    this.keyListeners.push(cb);
  }

  /** The peers whose every beat fails the MAC (core/key-mismatch.ts), by name. */
  keyMismatch(): KeyMismatch[] {
    return this.state ? keyMismatchesOf(this.state, this.clock.monotonicMs()) : [];
  }

  /**
   * For readiness: why this speaker cannot take part in the mesh, or undefined. Said while the split-brain
   * rule withholds quorum because every peer that sends has other keys (core/quorum.ts, 'keyMismatch').
   */
  notReadyReason(): string | undefined {
    if (!this.state) return undefined;
    const now = this.clock.monotonicMs();
    if (quorumOf(this.state, now).reason !== 'keyMismatch') return undefined;
    return keyMismatchText(keyMismatchesOf(this.state, now), this.keysFrom());
  }

  stats(): MembershipStats {
    const c = this.state?.counters;
    const dropped: Record<string, number> = { ...this.packetDrops };
    for (const [reason, n] of Object.entries(c?.dropped ?? {})) dropped[reason] = (dropped[reason] ?? 0) + (n ?? 0);
    return {
      datagrams: this.datagrams, accepted: c?.accepted ?? 0, sent: c?.sent ?? 0, sendErrors: this.sendErrors, rejoins: this.rejoins,
      macs: this.keys.computed, behind: this.behindTurns, dropped,
      kernelDropped: this.socket?.kernelDrops?.() ?? 0,
      filteredAddresses: this.filter?.kind === 'filtered' ? this.filter.addresses : 0,
      keyMismatch: this.keyMismatch(),
    };
  }

  private keysFrom(): string {
    return this.opts.keysFrom ?? 'the heartbeat keys';
  }

  /** Tells the socket's kernel filter the peers' addresses (filtered-socket.ts); never fatal. */
  private filterSources(socket: DatagramSocket): void {
    this.filter = allowPeerSources(socket, [...this.peers.values()].map((p) => p.address), this.filter, this.opts.logger);
  }

  /** The bound address (after start). */
  address(): { address: string; port: number } | undefined {
    return this.socket?.address();
  }

  /** The usable peers; an entry the heartbeat cannot carry or reach is left out with an error, never thrown. */
  private indexPeers(peers: readonly PeerAddress[]): Map<string, PeerAddress> {
    const map = new Map<string, PeerAddress>();
    for (const p of peers) {
      if (p.name === this.opts.nodeName) continue;
      const problem = this.peerProblem(p);
      if (problem !== null) {
        this.opts.logger?.error({ peer: quoteName(p.name), problem }, 'membership: peer left out');
        continue;
      }
      map.set(p.name, p);
    }
    this.gate.setPeers([...map.values()]);
    return map;
  }

  private peerProblem(p: PeerAddress): string | null {
    const name = nodeNameProblem(p.name);
    if (name !== null) return name;
    if (!isIPv4(p.address) && !isIPv6(p.address)) return `address ${quoteName(p.address)} is not an IP literal`;
    if (isIPv4(this.bindAddress) && !isIPv4(p.address)) return `IPv6 address ${p.address} cannot be reached from a socket bound to ${this.bindAddress}`;
    if (isIPv6(this.bindAddress) && this.bindAddress !== '::' && !isIPv6(p.address)) {
      return `IPv4 address ${p.address} cannot be reached from a socket bound to ${this.bindAddress}`;
    }
    return null;
  }

  private onDatagram(bytes: Uint8Array, from: RemoteInfo): void {
    this.datagrams += 1;
    this.probe.noteDatagram();
    const state = this.state;
    if (!state) return;
    try {
      const passed = this.gate.check(bytes, from, state, this.clock.wallMs(), this.clock.monotonicMs());
      if (!passed.ok) {
        this.packetDrops[passed.reason] = (this.packetDrops[passed.reason] ?? 0) + 1;
        this.logDrop(passed.reason, () => ({ from: `${from.address}:${from.port}`, detail: passed.detail }));
        if (passed.peer !== undefined) this.apply({ kind: 'unauthenticated', from: passed.peer });
        return;
      }
      this.apply({ kind: 'received', message: passed.message, wallMs: this.clock.wallMs() });
    } catch (err) {
      // A bug must not take the read loop down: count it, log it loudly, keep reading.
      this.packetDrops.internalError = (this.packetDrops.internalError ?? 0) + 1;
      this.logDrop('internalError', () => ({ err }), 'error');
    }
  }

  /** A debug line per drop reason at most every LOG_WINDOW_MS, with the count left out since the last one. */
  private logDrop(reason: string, fields: () => Record<string, unknown>, level: 'debug' | 'error' = 'debug'): void {
    const logger = this.opts.logger;
    if (!logger) return;
    const gated = passLogGate(this.logGates.get(reason), this.clock.monotonicMs());
    this.logGates.set(reason, gated.state);
    if (gated.log === null) return;
    logger[level]({ reason, ...fields(), suppressed: gated.log.suppressed }, level === 'error' ? 'membership: error handling a datagram' : 'heartbeat dropped');
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
        this.logDrop(action.reason, () => ({ peer: action.from.slice(0, 40), detail: action.detail }));
        return;
      case 'rejoined':
        this.rejoins += 1;
        this.opts.logger?.info({ by: action.by, timesDeclaredDead: action.timesDeclaredDead }, 'a peer had declared this node dead');
        for (const cb of [...this.rejoinListeners]) cb(action.by);
        return;
      case 'keyMismatchChanged':
        this.reportKeyMismatch(action.mismatched);
        return;
      case 'aliveChanged':
        this.opts.logger?.info({ alive: [...action.alive], quorum: action.quorum, settling: [...action.settling] }, 'membership changed');
        for (const cb of [...this.listeners]) cb(action.alive, action.quorum.quorum, action.quorum, action.settling);
    }
  }

  /** One line per change of the peers whose keys differ: an error naming them, or that none differ any more. */
  private reportKeyMismatch(mismatched: readonly KeyMismatch[]): void {
    if (mismatched.length === 0) {
      this.opts.logger?.info('heartbeat keys agree again: every peer that sends authenticates');
    } else {
      const failed = Object.fromEntries(mismatched.map((m) => [m.peer, m.failed]));
      this.opts.logger?.error({ peers: mismatched.map((m) => m.peer), failed }, keyMismatchText(mismatched, this.keysFrom()));
    }
    for (const cb of [...this.keyListeners]) cb(mismatched);
  }

  private send(message: Extract<MembershipAction, { kind: 'send' }>['message']): void {
    const peer = this.peers.get(message.to);
    const socket = this.socket;
    if (!peer || !socket) return;
    let bytes: Uint8Array;
    try {
      bytes = sealHeartbeat({ ...message, sendTimeMs: Math.floor(this.clock.wallMs()) }, this.keys.signing);
    } catch (err) {
      // Names are checked before they get here; a value the codec still refuses costs this beat, not the process.
      this.sendErrors += 1;
      this.logDrop('sealFailed', () => ({ err, peer: quoteName(peer.name) }), 'error');
      return;
    }
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

  /**
   * The timer only starts a catch-up probe; the probe's answer is the tick (judge deadlines, send) or, while
   * a backlog lasts, 'behind' (send, judge nobody) once and again whenever a beat falls due.
   */
  private onProbe(caughtUp: boolean): void {
    if (!this.state) return;
    const now = this.clock.monotonicMs();
    if (caughtUp) {
      this.caughtUpAtMs = now;
      this.apply({ kind: 'tick' });
      return;
    }
    this.behindTurns += 1;
    const firstTurnBehind = this.state.deafSinceMs === undefined;
    const beatDue = (nextSendMs(this.state) ?? Number.POSITIVE_INFINITY) <= now;
    if (firstTurnBehind || beatDue) this.apply({ kind: 'behind', sinceMs: this.caughtUpAtMs });
  }

  private rearm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (!this.state) return;
    // While a probe runs it judges the deadlines; the timer is then only needed for beats falling due.
    const wake = this.probe.active ? nextSendMs(this.state) : nextWakeMs(this.state);
    if (wake === undefined) return;
    const delay = Math.max(0, wake - this.clock.monotonicMs());
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      // A probe already running will judge the deadlines (and send, when it answers this turn); behind a
      // backlog, a beat due meanwhile goes out now, with 'behind'.
      if (!this.probe.active) this.probe.probe();
      else if (this.state?.deafSinceMs !== undefined) this.apply({ kind: 'behind', sinceMs: this.caughtUpAtMs });
    }, delay);
  }
}
