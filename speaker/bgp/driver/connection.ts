// One pure BGP session (session/step.ts) and the one TCP connection it runs over: the thin I/O of STYLE.md §10.
// Every socket event, received message and timer expiry becomes a step(); every action the step returns is
// carried out here, in order: connect, write, close, arm and cancel timers. Nothing here decides anything.
//
// A socket belongs to the session from `connect` (or adopt) until the session's `close`: after that, nothing
// that socket does reaches the session (a late 'close' of a connection the session already dropped would
// otherwise count as the failure of the next one).
import { Socket } from 'node:net';
import type { Clock, TimerHandle } from '../../../lib/clock.js';
import { connectTcp } from '../../native/tcp-options.js';
import { MessageSplitter, encodeMessage } from '../messages/index.js';
import type { PeerTransport } from '../transport.js';
import { codecOptions, errorEvent, messageEvent, step, type SessionAction, type SessionEvent, type SessionState, type TimerName } from '../session/index.js';

/** The events the clock delivers, by timer (RFC 4271 §8.1.3 Events 9-11, 13). */
const TIMER_EVENT: Record<TimerName, SessionEvent> = {
  connectRetry: { kind: 'ConnectRetryTimer_Expires' },
  hold: { kind: 'HoldTimer_Expires' },
  keepalive: { kind: 'KeepaliveTimer_Expires' },
  idleHold: { kind: 'IdleHoldTimer_Expires' },
};

/** How long a closed connection may take to flush what was written before it is cut. */
const CLOSE_GRACE_MS = 2000;

/** What the outgoing connection is opened with: where, from where, and the kernel options of ../transport.ts. */
export interface ConnectOptions {
  host: string;
  port: number;
  localAddress?: string;
  transport?: PeerTransport;
}

/** How to open the outgoing connection; tests and main.ts may replace it. */
export type Connector = (options: ConnectOptions) => Socket;

/**
 * Through the addon (connectTcp): the MD5 key and the TTLs are set before the SYN, so the SYN is signed and
 * carries the session's TTL. A failure to set them (an old kernel without TCP_MD5SIG, say) is a failed
 * connection: the socket closes on the next turn and the session retries with backoff; the error is kept on it.
 */
export const tcpConnector: Connector = ({ host, port, localAddress, transport }) => {
  try {
    return connectTcp({
      host, port, ...(localAddress === undefined ? {} : { sourceAddress: localAddress }),
      ...(transport === undefined ? {} : { ttl: transport.ttl, minTtl: transport.minTtl, ...(transport.md5Key === undefined ? {} : { md5Key: transport.md5Key }) }),
    });
  } catch (err) {
    const failed = new Socket();
    process.nextTick(() => failed.destroy(err as Error));
    return failed;
  }
};

export interface ConnectionOptions {
  clock: Clock;
  connector: Connector;
  /** The source address of outgoing connections (BGPPeer sourceAddress); the kernel chooses when absent. */
  localAddress?: string;
  /** MD5 key and TTLs for outgoing connections; the kernel's defaults when absent. */
  transport?: PeerTransport;
  /** Told every action after it was carried out (logging, status, the peer's collision check). */
  onAction: (action: SessionAction, connection: Connection) => void;
  /** Told every event before it is stepped (received messages included: observers, tests). */
  onEvent?: (event: SessionEvent, connection: Connection) => void;
  /** Told after every step, once its actions are done. */
  onStep: (connection: Connection) => void;
}

export class Connection {
  private current: SessionState;
  private socket: Socket | null = null;
  private socketInbound = false;
  private splitter = new MessageSplitter();
  private readonly timers = new Map<TimerName, TimerHandle>();
  /** Steps run one at a time: an event raised while a step's actions run waits for them (a write error, say). */
  private readonly pending: { event: SessionEvent; notBeforeMs: number }[] = [];
  private stepping = false;
  /** Sockets closed by the session that have not finished closing yet, for stop() to wait on. */
  private readonly closing = new Set<Promise<void>>();

  constructor(initial: SessionState, private readonly options: ConnectionOptions) {
    this.current = initial;
  }

  get state(): SessionState {
    return this.current;
  }

  /** The connection the session holds was opened by the peer (adopt), not by us. */
  get inbound(): boolean {
    return this.socket !== null && this.socketInbound;
  }

  /** Where the connection goes, for logs: the peer's address and port as the socket knows them. */
  get remote(): string | null {
    return this.socket?.remoteAddress === undefined ? null : `${this.socket.remoteAddress}:${this.socket.remotePort ?? 0}`;
  }

  /**
   * Runs one event through the state machine and carries out what it asks. `notBeforeMs`: the step's time is at
   * least this (a timer's deadline: step() ignores an expiry before its deadline as stale, and a timer may fire
   * a fraction of a ms early on the monotonic clock).
   */
  feed(event: SessionEvent, notBeforeMs = 0): void {
    this.pending.push({ event, notBeforeMs });
    if (this.stepping) return;
    this.stepping = true;
    try {
      for (let next = this.pending.shift(); next !== undefined; next = this.pending.shift()) this.run(next.event, next.notBeforeMs);
    } finally {
      this.stepping = false;
    }
  }

  /**
   * An accepted connection becomes this session's (RFC 4271 Event 17). An outgoing attempt still pending is
   * dropped: the peer reached us first, and one connection per session is all the state machine tracks.
   */
  adopt(socket: Socket): void {
    this.dropSocket();
    this.attach(socket, true);
    this.feed({ kind: 'TcpConnectionConfirmed' });
  }

  /** Resolves once every socket this session closed has closed (after stop()). */
  async closed(): Promise<void> {
    await Promise.all([...this.closing]);
  }

  /** Cancels every timer and destroys the socket, without a word to the peer: for a process that is going away. */
  destroy(): void {
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
    this.dropSocket();
  }

  private run(event: SessionEvent, notBeforeMs: number): void {
    this.options.onEvent?.(event, this);
    const { state, actions } = step(this.current, event, Math.max(this.options.clock.monotonicMs(), notBeforeMs));
    this.current = state;
    for (const action of actions) {
      this.perform(action);
      this.options.onAction(action, this);
    }
    this.options.onStep(this);
  }

  private perform(action: SessionAction): void {
    switch (action.kind) {
      case 'connect':
        this.dropSocket();
        this.attach(this.options.connector({
          host: action.address, port: action.port, localAddress: this.options.localAddress, transport: this.options.transport,
        }), false);
        return;
      case 'send':
        this.write(encodeMessage(action.message, codecOptions(this.current)));
        return;
      case 'sendUpdates':
        for (const update of action.updates) this.write(update);
        return;
      case 'close':
        this.closeSocket();
        return;
      case 'armTimer':
        this.arm(action.timer, action.atMs);
        return;
      case 'cancelTimer':
        this.timers.get(action.timer)?.cancel();
        this.timers.delete(action.timer);
        return;
      default:
        return; // established, down, updateProblems, ignored: only reported (onAction)
    }
  }

  private arm(timer: TimerName, atMs: number): void {
    this.timers.get(timer)?.cancel();
    const { clock } = this.options;
    this.timers.set(timer, clock.setTimer(() => {
      this.timers.delete(timer);
      this.feed(TIMER_EVENT[timer], atMs);
    }, Math.max(0, atMs - clock.monotonicMs())));
  }

  private attach(socket: Socket, connected: boolean): void {
    this.socket = socket;
    this.socketInbound = connected;
    this.splitter = new MessageSplitter();
    socket.setNoDelay(true);
    const mine = (): boolean => this.socket === socket;
    if (!connected) socket.once('connect', () => { if (mine()) this.feed({ kind: 'Tcp_CR_Acked' }); });
    socket.on('data', (chunk: Buffer) => { if (mine()) this.receive(socket, chunk); });
    // 'error' is always followed by 'close'; the session hears of the failure once, from 'close'.
    socket.on('error', () => undefined);
    socket.once('close', () => {
      if (!mine()) return;
      this.socket = null;
      this.feed({ kind: 'TcpConnectionFails' });
    });
  }

  /** Cuts the stream into messages and steps each; stops at once if a message made the session drop the socket. */
  private receive(socket: Socket, chunk: Buffer): void {
    const { messages, error } = this.splitter.push(chunk);
    for (const message of messages) {
      if (this.socket !== socket) return;
      this.feed(messageEvent(message, codecOptions(this.current)));
    }
    if (error !== null && this.socket === socket) this.feed(errorEvent(error.notification));
  }

  private write(bytes: Uint8Array): void {
    if (this.socket === null || this.socket.destroyed) return;
    this.socket.write(bytes);
  }

  /** Closes after what was written (a NOTIFICATION before the close must reach the peer). */
  private closeSocket(): void {
    const socket = this.socket;
    if (socket === null) return;
    this.socket = null;
    const done = new Promise<void>((resolve) => {
      // A peer that never reads would keep a half-closed socket for ever: destroy it after a while.
      const timer = this.options.clock.setTimer(() => socket.destroy(), CLOSE_GRACE_MS);
      socket.once('close', () => {
        timer.cancel();
        resolve();
      });
      socket.end();
    });
    this.closing.add(done);
    void done.then(() => this.closing.delete(done));
  }

  private dropSocket(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
  }
}
