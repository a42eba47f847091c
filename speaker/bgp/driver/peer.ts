// One BGP peer: the session the configuration asks for (`main`: it connects, or waits when passive) and, while
// main has a connection of its own or is opening one, a second session for a connection the peer opened to us
// (`extra`). Main in Connect must not drop its attempt for the peer's: the peer may have accepted it already
// and be doing the same with ours, and two sides that each keep only the other's connection keep neither.
// Two connections for one peering is a collision (RFC 4271 §6.8): after every step of either, the pure
// collisionVerdict says which one to close, and that one is fed OpenCollisionDump (Event 23).
//
// When the peer's connection wins, main stands down (ManualStop, so it does not reconnect and collide again)
// until that session ends; then main starts over. Received routes are stepped (the hold timer needs them) and
// dropped: Herald announces, it does not learn.
import type { Socket } from 'node:net';
import { systemClock, type Clock } from '../../../lib/clock.js';
import type { Logger } from '../../../lib/log.js';
import {
  collisionVerdict, initialState, type Advertisement, type FsmState, type Negotiated, type SessionAction, type SessionConfig, type SessionEvent,
} from '../session/index.js';
import type { PeerTransport } from '../transport.js';
import { Connection, tcpConnector, type Connector } from './connection.js';
import { describeAction, notificationText } from './describe.js';

export interface BgpPeerOptions {
  config: SessionConfig;
  logger: Logger;
  clock?: Clock;
  connector?: Connector;
  /** The source address of outgoing connections; the kernel's choice when absent. */
  localAddress?: string;
  /** MD5 key and TTLs (../transport.ts): outgoing connections are opened with them, the listener applies them. */
  transport?: PeerTransport;
}

/** What the peer's session looks like now, for status, metrics and tests. */
export interface PeerStatus {
  peer: string;
  fsm: FsmState;
  /** Prefixes the peer has been sent in the current session. */
  advertised: number;
  negotiated: Negotiated | null;
  /** The last reason the session went down, with its NOTIFICATION when there was one. */
  lastDown: { reason: string; detail: string; notification: string | null } | null;
  /** Times the session reached Established since start. */
  establishedCount: number;
  /** UPDATE messages handed to the peer's connections since start, End-of-RIB markers included (MetalLB's updates counter). */
  updatesSent: number;
}

export type PeerListener = (status: PeerStatus, action: SessionAction) => void;
/** Every event a session of this peer steps, received messages included (tests; a future learned-routes view). */
export type EventListener = (event: SessionEvent) => void;

export class BgpPeer {
  private readonly clock: Clock;
  private readonly main: Connection;
  private extra: Connection | null = null;
  /** Main stood down because the peer's own connection won a collision. */
  private mainStoodDown = false;
  private desired: readonly Advertisement[] = [];
  private lastDown: PeerStatus['lastDown'] = null;
  private establishedCount = 0;
  private updatesSent = 0;
  private readonly listeners: PeerListener[] = [];
  private readonly eventListeners: EventListener[] = [];

  constructor(private readonly options: BgpPeerOptions) {
    this.clock = options.clock ?? systemClock;
    this.main = this.connection(options.config);
  }

  get address(): string {
    return this.options.config.peerAddress;
  }

  get transport(): PeerTransport | undefined {
    return this.options.transport;
  }

  /** Told of every established and down (and, for tests, every other action). */
  onChange(listener: PeerListener): void {
    this.listeners.push(listener);
  }

  onEvent(listener: EventListener): void {
    this.eventListeners.push(listener);
  }

  /** RFC 4271 Event 1 (Event 4 when passive). */
  start(): void {
    this.main.feed({ kind: 'ManualStart' });
  }

  /**
   * RFC 4271 Event 2 on every session: a Cease (Administrative Shutdown) to an established peer, then close.
   * `graceful`: a planned restart where graceful restart was negotiated (the peer keeps our routes).
   */
  async stop(options: { graceful?: boolean; communication?: string } = {}): Promise<void> {
    const event: SessionEvent = { kind: 'ManualStop', ...options };
    const extra = this.extra;
    this.mainStoodDown = false;
    extra?.feed(event);
    this.main.feed(event);
    await Promise.all([this.main.closed(), extra?.closed()]);
    extra?.destroy();
    this.extra = null;
    this.main.destroy();
  }

  /**
   * BFD declared the path to the peer down (RFC 5882 §4.2): every session of this peer goes down at once
   * (RFC 4271 Event 8, a Cease with BFD Down) and restarts on its own after the idle hold, with backoff.
   */
  bfdDown(detail: string): void {
    const event: SessionEvent = { kind: 'AutomaticStop', cause: 'bfdDown', detail };
    this.extra?.feed(event);
    this.main.feed(event);
  }

  /** Drops every connection and timer without a word to the peer, as a killed process would (tests). */
  abort(): void {
    this.extra?.destroy();
    this.extra = null;
    this.main.destroy();
  }

  /** What the peer should have (STYLE.md §11); the session sends only the difference, once Established. */
  setAdvertisements(advertisements: readonly Advertisement[]): void {
    this.desired = advertisements;
    this.main.feed({ kind: 'SetAdvertisements', advertisements });
    this.extra?.feed({ kind: 'SetAdvertisements', advertisements });
  }

  /** A connection the peer opened to us (the listener matched its address). */
  accept(socket: Socket): void {
    const fsm = this.main.state.fsm;
    if (fsm === 'Active') {
      // Waiting, with no attempt of ours under way: the peer's connection becomes main's.
      this.main.adopt(socket);
      return;
    }
    if (this.extra !== null || fsm === 'Idle' || this.main.inbound) {
      // Idle: stopped or backing off (RFC 4271 §8.2.2 Idle refuses connections). A third connection, or a second
      // one while main carries one the peer opened: collision resolution is between the peer's connection and
      // ours (§6.8), and a passive session has none of ours; the established or older one stays.
      this.options.logger.debug({ peer: this.address, fsm }, 'refusing a connection from the peer');
      socket.destroy();
      return;
    }
    const extra = this.connection({ ...this.options.config, passive: true });
    this.extra = extra;
    extra.feed({ kind: 'ManualStart' });
    extra.feed({ kind: 'SetAdvertisements', advertisements: this.desired });
    extra.adopt(socket);
  }

  status(): PeerStatus {
    const extra = this.extra;
    const state = extra !== null && (this.mainStoodDown || extra.state.fsm === 'Established') ? extra.state : this.main.state;
    return {
      peer: this.address, fsm: state.fsm, advertised: state.advertised.size, negotiated: state.negotiated,
      lastDown: this.lastDown, establishedCount: this.establishedCount, updatesSent: this.updatesSent,
    };
  }

  private connection(config: SessionConfig): Connection {
    return new Connection(initialState(config), {
      clock: this.clock,
      connector: this.options.connector ?? tcpConnector,
      localAddress: this.options.localAddress,
      transport: this.options.transport,
      onAction: (action, connection) => this.reported(action, connection),
      onStep: (connection) => this.resolveCollision(connection),
      onEvent: (event) => { for (const listener of this.eventListeners) listener(event); },
    });
  }

  private reported(action: SessionAction, connection: Connection): void {
    const role = connection === this.main ? 'main' : 'accepted';
    const line = describeAction(action);
    if (line !== null) this.options.logger[line.level]({ peer: this.address, connection: role, ...line.fields }, line.message);
    if (action.kind === 'established') this.establishedCount++;
    if (action.kind === 'sendUpdates') this.updatesSent += action.updates.length;
    if (action.kind === 'send' && action.message.type === 'update') this.updatesSent++;
    if (action.kind === 'down') {
      this.lastDown = { reason: action.reason, detail: action.detail, notification: notificationText(action.notification) };
      if (connection === this.extra) this.extraEnded();
    }
    for (const listener of this.listeners) listener(this.status(), action);
  }

  /** The accepted connection's session ended (it never reconnects: the peer opened it). */
  private extraEnded(): void {
    const extra = this.extra;
    this.extra = null;
    extra?.destroy();
    if (this.mainStoodDown) {
      this.mainStoodDown = false;
      this.main.feed({ kind: 'ManualStart' });
    }
  }

  private resolveCollision(changed: Connection): void {
    const extra = this.extra;
    if (extra === null || (changed !== this.main && changed !== extra)) return;
    const dump = collisionVerdict(this.options.config.routerId, this.main.state, extra.state);
    if (dump === null) return;
    if (dump === 'incoming') {
      extra.feed({ kind: 'OpenCollisionDump' });
      return;
    }
    this.main.feed({ kind: 'OpenCollisionDump' });
    // Main is Idle now with its restart armed; it must not reconnect while the peer's connection carries the session.
    this.mainStoodDown = true;
    this.main.feed({ kind: 'ManualStop' });
  }
}
