// Test-only: pure sessions wired to each other through the real codec on a simulated clock. Every message a
// session sends is encoded (encodeMessage / the packed UPDATEs), cut into chunks, pushed through the receiver's
// MessageSplitter, decoded to an event (received.ts) and stepped. Timers are a map the clock runs down.
// This is what a driver does, without sockets or setTimeout. Not exported from index.ts.
import { MessageSplitter, decodeMessage, encodeMessage, type ReceivedMessage } from '../messages/index.js';
import { sessionConfig, type SessionConfig } from './config.js';
import { collisionVerdict } from './collision.js';
import { messageEvent, errorEvent } from './received.js';
import { codecOptions, initialState, type SessionAction, type SessionEvent, type SessionState, type TimerName } from './state.js';
import { step } from './step.js';

const TIMER_EVENT: Record<TimerName, SessionEvent> = {
  connectRetry: { kind: 'ConnectRetryTimer_Expires' },
  hold: { kind: 'HoldTimer_Expires' },
  keepalive: { kind: 'KeepaliveTimer_Expires' },
  idleHold: { kind: 'IdleHoldTimer_Expires' },
};

export interface Endpoint {
  name: string;
  state: SessionState;
  /** The endpoint at the other end of this connection. */
  peer: Endpoint | null;
  splitter: MessageSplitter;
  connected: boolean;
  timers: Map<TimerName, number>;
  /** Every action, with the time it was taken. */
  actions: { atMs: number; action: SessionAction }[];
  /** Every message received, decoded again for the test's assertions. */
  received: ReceivedMessage[];
  /** Drop everything this endpoint sends (a peer that hangs with TCP still open). */
  silent: boolean;
  /** Collision resolution, as a driver holding two sessions does it (collision.ts). */
  sibling: { role: 'outgoing' | 'incoming'; other: Endpoint } | null;
}

type Delivery = { atMs: number; seq: number; to: Endpoint; bytes?: Uint8Array; event?: SessionEvent };

export const A_CONFIG = sessionConfig({ localAsn: 64512, routerId: '10.0.0.1', peerAsn: { kind: 'fixed', asn: 64513 }, peerAddress: '10.0.0.2', seed: 11 });
export const B_CONFIG = sessionConfig({ localAsn: 64513, routerId: '10.0.0.2', peerAsn: { kind: 'fixed', asn: 64512 }, peerAddress: '10.0.0.1', passive: true, seed: 22 });

export class Simulation {
  nowMs = 0;
  latencyMs = 1;
  /** Octets per chunk handed to the splitter: messages straddle chunks. */
  chunkSize = 1000;
  private queue: Delivery[] = [];
  private seq = 0;

  endpoint(name: string, config: Partial<SessionConfig> & Pick<SessionConfig, 'localAsn' | 'routerId' | 'peerAsn' | 'peerAddress'>): Endpoint {
    return {
      name, state: initialState(sessionConfig(config)), peer: null, splitter: new MessageSplitter(), connected: false,
      timers: new Map(), actions: [], received: [], silent: false, sibling: null,
    };
  }

  /** Two ends of one connection path. */
  link(a: Endpoint, b: Endpoint): void {
    a.peer = b;
    b.peer = a;
  }

  feed(to: Endpoint, event: SessionEvent): void {
    const { state, actions } = step(to.state, event, this.nowMs);
    to.state = state;
    for (const action of actions) this.perform(to, action);
    this.resolveCollision(to);
  }

  /** Runs deliveries and timers in time order up to `untilMs`. */
  runUntil(untilMs: number): void {
    for (;;) {
      const next = this.next();
      if (next === null || next.atMs > untilMs) break;
      this.nowMs = next.atMs;
      next.run();
    }
    this.nowMs = untilMs;
  }

  run(forMs: number): void {
    this.runUntil(this.nowMs + forMs);
  }

  private next(): { atMs: number; run: () => void } | null {
    let best: { atMs: number; run: () => void } | null = null;
    const head = this.queue[0];
    if (head !== undefined) best = { atMs: head.atMs, run: () => this.deliver(this.queue.shift() as Delivery) };
    for (const endpoint of this.endpoints()) {
      for (const [timer, atMs] of endpoint.timers) {
        if (best === null || atMs < best.atMs) {
          best = { atMs, run: () => { endpoint.timers.delete(timer); this.feed(endpoint, TIMER_EVENT[timer]); } };
        }
      }
    }
    return best;
  }

  private readonly known = new Set<Endpoint>();

  private endpoints(): Endpoint[] {
    return [...this.known];
  }

  track(...endpoints: Endpoint[]): void {
    for (const e of endpoints) this.known.add(e);
  }

  private enqueue(to: Endpoint, item: { bytes?: Uint8Array; event?: SessionEvent }): void {
    this.queue.push({ atMs: this.nowMs + this.latencyMs, seq: this.seq++, to, ...item });
    this.queue.sort((x, y) => x.atMs - y.atMs || x.seq - y.seq);
  }

  private deliver(d: Delivery): void {
    if (d.event !== undefined) {
      if (d.event.kind === 'TcpConnectionConfirmed' || d.event.kind === 'Tcp_CR_Acked') {
        d.to.connected = true;
        d.to.splitter = new MessageSplitter();
      }
      if (d.event.kind === 'TcpConnectionFails') {
        if (!d.to.connected) return;
        d.to.connected = false;
      }
      this.feed(d.to, d.event);
      return;
    }
    if (!d.to.connected || d.bytes === undefined) return;
    for (let at = 0; at < d.bytes.length; at += this.chunkSize) {
      const { messages, error } = d.to.splitter.push(d.bytes.subarray(at, at + this.chunkSize));
      for (const message of messages) {
        if (!d.to.connected) return;
        try {
          d.to.received.push(decodeMessage(message, codecOptions(d.to.state)));
        } catch { /* the event below carries the error */ }
        this.feed(d.to, messageEvent(message, codecOptions(d.to.state)));
      }
      if (error !== null) {
        this.feed(d.to, errorEvent(error.notification));
        return;
      }
    }
  }

  private transmit(from: Endpoint, bytes: Uint8Array): void {
    if (from.silent || !from.connected || from.peer === null) return;
    this.enqueue(from.peer, { bytes });
  }

  private perform(from: Endpoint, action: SessionAction): void {
    from.actions.push({ atMs: this.nowMs, action });
    switch (action.kind) {
      case 'send':
        this.transmit(from, encodeMessage(action.message, codecOptions(from.state)));
        return;
      case 'sendUpdates':
        for (const update of action.updates) this.transmit(from, update);
        return;
      case 'connect': {
        const peer = from.peer;
        if (peer !== null && peer.state.fsm === 'Active') {
          this.enqueue(from, { event: { kind: 'Tcp_CR_Acked' } });
          this.enqueue(peer, { event: { kind: 'TcpConnectionConfirmed' } });
        } else {
          this.enqueue(from, { event: { kind: 'TcpConnectionFails' } });
          from.connected = true; // the attempt is "open" until it fails
        }
        return;
      }
      case 'close':
        if (from.connected && from.peer !== null && from.peer.connected) this.enqueue(from.peer, { event: { kind: 'TcpConnectionFails' } });
        from.connected = false;
        return;
      case 'armTimer':
        from.timers.set(action.timer, action.atMs);
        return;
      case 'cancelTimer':
        from.timers.delete(action.timer);
        return;
      default:
        return;
    }
  }

  private resolveCollision(changed: Endpoint): void {
    const sibling = changed.sibling;
    if (sibling === null) return;
    const [outgoing, incoming] = sibling.role === 'outgoing' ? [changed, sibling.other] : [sibling.other, changed];
    const dump = collisionVerdict(changed.state.config.routerId, outgoing.state, incoming.state);
    if (dump !== null) this.feed(dump === 'outgoing' ? outgoing : incoming, { kind: 'OpenCollisionDump' });
  }
}

/** The actions of one kind an endpoint took, in order. */
export function actionsOf<K extends SessionAction['kind']>(endpoint: Endpoint, kind: K): Extract<SessionAction, { kind: K }>[] {
  return endpoint.actions.map((a) => a.action).filter((a): a is Extract<SessionAction, { kind: K }> => a.kind === kind);
}

/** Messages of one type an endpoint received. */
export function receivedOf<T extends ReceivedMessage['type']>(endpoint: Endpoint, type: T): Extract<ReceivedMessage, { type: T }>[] {
  return endpoint.received.filter((m): m is Extract<ReceivedMessage, { type: T }> => m.type === type);
}

/** A and B (passive) linked, tracked and started. */
export function startedPair(a: Partial<SessionConfig> = {}, b: Partial<SessionConfig> = {}): { sim: Simulation; a: Endpoint; b: Endpoint } {
  const sim = new Simulation();
  const ea = sim.endpoint('A', { ...A_CONFIG, ...a });
  const eb = sim.endpoint('B', { ...B_CONFIG, ...b });
  sim.link(ea, eb);
  sim.track(ea, eb);
  sim.feed(eb, { kind: 'ManualStart' });
  sim.feed(ea, { kind: 'ManualStart' });
  return { sim, a: ea, b: eb };
}
