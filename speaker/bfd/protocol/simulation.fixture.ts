// A pure simulated clock and wire for two BFD sessions, for the scenario tests: a tiny scheduler that plays the
// driver's part. It knows only what the actions say (sends, timers armed and cancelled), delivers each side's
// packets to the other through the real codec and reception checks after `delayMs`, and fires timers in time
// order. Test-only.
import { encodeControlPacket, type ControlPacket } from './packet.js';
import { receiveControlPacket } from './receive.js';
import { openSession, step } from './session.js';
import { detectionTimeMs, type BfdSession, type SessionAction, type SessionConfig, type SessionEvent, type StepResult } from './session-state.js';

export type SideName = 'a' | 'b';

export interface ActionEntry {
  atMs: number;
  side: SideName;
  action: SessionAction;
}

export interface Delivery {
  atMs: number;
  to: SideName;
  packet: ControlPacket;
  /** The receiver's detection time once it has taken the packet in. */
  detectionTimeMsAfter: number;
}

interface Side {
  session: BfdSession | undefined;
  transmitAtMs: number | undefined;
  detectAtMs: number | undefined;
  silent: boolean;
}

interface InFlight {
  atMs: number;
  to: SideName;
  bytes: Uint8Array;
  order: number;
}

const MAX_EVENTS = 1_000_000;

export class TwoSessions {
  nowMs = 0;
  readonly actions: ActionEntry[] = [];
  readonly deliveries: Delivery[] = [];
  /** Packets for which this returns true are lost on the wire. */
  lose: (from: SideName, packet: ControlPacket) => boolean = () => false;
  private readonly sides: Record<SideName, Side> = {
    a: { session: undefined, transmitAtMs: undefined, detectAtMs: undefined, silent: false },
    b: { session: undefined, transmitAtMs: undefined, detectAtMs: undefined, silent: false },
  };
  private inFlight: InFlight[] = [];
  private sent = 0;

  constructor(private readonly delayMs = 0.5) {}

  /** Opens a session on one side now (again: a restart, the old one forgotten). */
  open(side: SideName, config: SessionConfig, seed: number): this {
    const s = this.sides[side];
    Object.assign(s, { session: undefined, transmitAtMs: undefined, detectAtMs: undefined, silent: false });
    this.apply(side, openSession(config, this.nowMs, seed));
    return this;
  }

  session(side: SideName): BfdSession {
    const session = this.sides[side].session;
    if (session === undefined) throw new Error(`side ${side} has no session`);
    return session;
  }

  /** Hands an event to one side now, as the driver would for an operator's change. */
  inject(side: SideName, event: SessionEvent): this {
    this.apply(side, step(this.session(side), event, this.nowMs));
    return this;
  }

  /** The side's process stops: it sends nothing more and no timer fires; packets to it are lost. */
  silence(side: SideName): this {
    this.sides[side].silent = true;
    return this;
  }

  /** Runs every delivery and timer due up to and including endMs, in time order. */
  runUntil(endMs: number): this {
    for (let n = 0; n < MAX_EVENTS; n++) {
      const next = this.nextEvent();
      if (next === undefined || next.atMs > endMs) {
        this.nowMs = endMs;
        return this;
      }
      this.nowMs = next.atMs;
      next.run();
    }
    throw new Error(`more than ${MAX_EVENTS} events before ${endMs} ms: a timer loop?`);
  }

  /** The actions of one kind a side took, in order. */
  actionsOf<K extends SessionAction['kind']>(side: SideName, kind: K): (ActionEntry & { action: Extract<SessionAction, { kind: K }> })[] {
    return this.actions.filter((e): e is ActionEntry & { action: Extract<SessionAction, { kind: K }> } => e.side === side && e.action.kind === kind);
  }

  /** When a side sent, and what. */
  sends(side: SideName): { atMs: number; packet: ControlPacket }[] {
    return this.actionsOf(side, 'send').map((e) => ({ atMs: e.atMs, packet: e.action.packet }));
  }

  private nextEvent(): { atMs: number; run: () => void } | undefined {
    let best: { atMs: number; run: () => void } | undefined;
    const consider = (atMs: number | undefined, run: () => void) => {
      if (atMs !== undefined && (best === undefined || atMs < best.atMs)) best = { atMs, run };
    };
    const first = [...this.inFlight].sort((x, y) => x.atMs - y.atMs || x.order - y.order)[0];
    if (first) consider(first.atMs, () => this.deliver(first));
    for (const name of ['a', 'b'] as const) {
      const side = this.sides[name];
      if (side.silent || side.session === undefined) continue;
      consider(side.transmitAtMs, () => this.fire(name, 'transmitTimer'));
      consider(side.detectAtMs, () => this.fire(name, 'detectTimer'));
    }
    return best;
  }

  private fire(name: SideName, kind: 'transmitTimer' | 'detectTimer'): void {
    const side = this.sides[name];
    if (kind === 'transmitTimer') side.transmitAtMs = undefined;
    else side.detectAtMs = undefined;
    this.apply(name, step(this.session(name), { kind }, this.nowMs));
  }

  private deliver(packet: InFlight): void {
    this.inFlight = this.inFlight.filter((p) => p !== packet);
    const side = this.sides[packet.to];
    if (side.silent || side.session === undefined) return;
    const reception = receiveControlPacket(packet.bytes, 255);
    if (reception.kind === 'dropped') throw new Error(`a session sent a packet the other drops: ${reception.reason} (${reception.detail})`);
    this.apply(packet.to, step(side.session, { kind: 'received', packet: reception.packet }, this.nowMs));
    this.deliveries.push({ atMs: this.nowMs, to: packet.to, packet: reception.packet, detectionTimeMsAfter: detectionTimeMs(this.session(packet.to)) });
  }

  private apply(name: SideName, result: StepResult): void {
    const side = this.sides[name];
    side.session = result.state;
    for (const action of result.actions) {
      this.actions.push({ atMs: this.nowMs, side: name, action });
      switch (action.kind) {
        case 'send':
          if (!side.silent && !this.lose(name, action.packet)) {
            const to = name === 'a' ? 'b' : 'a';
            this.inFlight.push({ atMs: this.nowMs + this.delayMs, to, bytes: encodeControlPacket(action.packet), order: this.sent++ });
          }
          break;
        case 'armTransmitTimer': side.transmitAtMs = action.atMs; break;
        case 'cancelTransmitTimer': side.transmitAtMs = undefined; break;
        case 'armDetectTimer': side.detectAtMs = action.atMs; break;
        case 'cancelDetectTimer': side.detectAtMs = undefined; break;
        default: break;
      }
    }
  }
}
