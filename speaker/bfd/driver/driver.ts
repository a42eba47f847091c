// The BFD driver (STYLE.md §10): the thin I/O around the pure session of ../session.ts. It owns the UDP
// sockets (sockets.ts) and two timers per session, hands every accepted packet and every timer to step(), and
// does what the actions say. Everything RFC 5880 decides is decided there; here is only where packets go.
//
// One receiving socket per local address, on the Control port, shared by every session from that address; one
// sending socket per session, on its own source port (RFC 5881 §4). A packet is handed to the session its Your
// Discriminator names, or while that is still zero, to the session with the packet's source address (§6.8.6).
import type { Socket } from 'node:dgram';
import ipaddr from 'ipaddr.js';
import { systemClock, type Clock, type TimerHandle } from '../../../lib/clock.js';
import type { Logger } from '../../../lib/log.js';
import { loadAddon } from '../../native/addon.js';
import { SINGLE_HOP_TTL } from '../../native/codec/bfd-ttl-filter.js';
import { BFD_CONTROL_PORT, diagnosticName, type Diagnostic, type SessionState } from '../protocol/constants.js';
import { encodeControlPacket, type ControlPacket } from '../protocol/packet.js';
import { receiveControlPacket } from '../protocol/receive.js';
import { openSession, step } from '../protocol/session.js';
import { packetToSend, sameIntervals, type BfdSession, type SessionTimers, type StepResult } from '../protocol/session-state.js';
import { sourcePortFor } from '../protocol/timers.js';
import { familyOf, openControlReceiver, openSender } from './sockets.js';

export interface BfdPeerConfig {
  peerAddress: string;
  /** The node's address on the link to the peer: the receiving socket's and the sending socket's. */
  localAddress: string;
  /** A BFDProfile's timers, microseconds as on the wire. */
  timers: SessionTimers;
  passive: boolean;
}

export interface BfdSessionChange {
  peerAddress: string;
  from: SessionState;
  to: SessionState;
  diagnostic: Diagnostic;
}

export interface BfdDriverOptions {
  logger: Logger;
  clock?: Clock;
  /** The Control port, 3784 (RFC 5881 §4); tests give another so that parallel runs do not collide. */
  controlPort?: number;
  /** A random number in (0, 1): jitter seeds and source ports. */
  random?: () => number;
  /** Every state change of every session (the BGP driver listens for Up and for leaving Up). */
  onChange?: (change: BfdSessionChange) => void;
}

export interface BfdSessionView {
  peerAddress: string;
  localAddress: string;
  state: SessionState;
  remoteState: SessionState;
  /** Why the session last left Up, by name (RFC 5880 §4.1). */
  diagnostic: string;
}

interface Session {
  config: BfdPeerConfig;
  state: BfdSession;
  sender: Socket;
  transmit: TimerHandle | undefined;
  detect: TimerHandle | undefined;
  closed: boolean;
}

interface Receiver {
  socket: Socket;
  fd: number;
}

/** How many source ports are tried before a session gives up on finding a free one. */
const SOURCE_PORT_ATTEMPTS = 16;

const key = (address: string): string => ipaddr.process(address).toString();

export class BfdDriver {
  readonly stats = { sent: 0, received: 0, sendErrors: 0, dropped: {} as Record<string, number> };
  private readonly sessions = new Map<string, Session>();
  private readonly byDiscriminator = new Map<number, Session>();
  private readonly receivers = new Map<string, Promise<Receiver>>();
  private readonly clock: Clock;
  private readonly random: () => number;
  private nextDiscriminator: number;

  constructor(private readonly o: BfdDriverOptions) {
    this.clock = o.clock ?? systemClock;
    this.random = o.random ?? Math.random;
    // §6.8.1: nonzero and unique per session of this system; a random start keeps a restarted speaker's
    // sessions from reusing the numbers its peers still hold for the old ones.
    this.nextDiscriminator = 1 + Math.floor(this.random() * 0x7fff_ffff);
  }

  /** Starts a session with the peer, or gives a running one new timers (a Poll Sequence announces them). */
  async addPeer(config: BfdPeerConfig): Promise<void> {
    const existing = this.sessions.get(key(config.peerAddress));
    if (existing !== undefined) {
      const { timers } = config;
      existing.config = config;
      if (!sameIntervals(existing.state.config, timers) || existing.state.config.detectMult !== timers.detectMult) {
        this.apply(existing, step(existing.state, { kind: 'configure', timers }, this.clock.monotonicMs()));
      }
      return;
    }
    if (familyOf(config.peerAddress) !== familyOf(config.localAddress)) {
      throw new RangeError(`bfd: peer ${config.peerAddress} and local address ${config.localAddress} are of different families`);
    }
    await this.receiver(config.localAddress);
    const sender = await this.openSenderOnFreePort(config.localAddress);
    const localDiscriminator = this.takeDiscriminator();
    const seed = Math.floor(this.random() * 0xffff_ffff);
    const opened = openSession({ ...config.timers, localDiscriminator, passive: config.passive }, this.clock.monotonicMs(), seed);
    const session: Session = { config, state: opened.state, sender, transmit: undefined, detect: undefined, closed: false };
    this.sessions.set(key(config.peerAddress), session);
    this.byDiscriminator.set(localDiscriminator, session);
    this.o.logger.info({ peer: config.peerAddress, local: config.localAddress, sourcePort: sender.address().port, passive: config.passive }, 'bfd session opened');
    this.apply(session, opened);
  }

  /**
   * Ends the session with the peer: AdminDown, and one packet saying so (§6.8.16), so the peer takes its
   * session down at once with "neighbor signaled session down" instead of waiting a Detection Time.
   */
  async removePeer(peerAddress: string): Promise<void> {
    const session = this.sessions.get(key(peerAddress));
    if (session === undefined) return;
    const down = step(session.state, { kind: 'adminDown' }, this.clock.monotonicMs());
    session.state = down.state;
    await this.sendNow(session, packetToSend(session.state, { poll: false, final: false }));
    this.forget(session);
    await new Promise<void>((resolve) => session.sender.close(() => resolve()));
    this.o.logger.info({ peer: peerAddress }, 'bfd session removed');
  }

  /** Every session as it stands, for metrics, status and logs. */
  views(): BfdSessionView[] {
    return [...this.sessions.values()].map((s) => ({
      peerAddress: s.config.peerAddress, localAddress: s.config.localAddress, state: s.state.sessionState,
      remoteState: s.state.remoteSessionState, diagnostic: diagnosticName(s.state.localDiag),
    }));
  }

  /** Datagrams the kernel dropped for the receiving sockets: TTL other than 255, or a full buffer. */
  async kernelDrops(): Promise<number> {
    let total = 0;
    for (const receiver of this.receivers.values()) total += loadAddon().socketDrops((await receiver).fd);
    return total;
  }

  async close(): Promise<void> {
    for (const session of [...this.sessions.values()]) await this.removePeer(session.config.peerAddress);
    for (const receiver of this.receivers.values()) {
      const { socket } = await receiver;
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    }
    this.receivers.clear();
  }

  private receiver(localAddress: string): Promise<Receiver> {
    const k = key(localAddress);
    let receiver = this.receivers.get(k);
    if (receiver === undefined) {
      receiver = openControlReceiver(localAddress, this.o.controlPort ?? BFD_CONTROL_PORT).then((r) => {
        r.socket.on('message', (bytes, from) => this.onDatagram(bytes, from.address));
        r.socket.on('error', (err) => this.o.logger.error({ err, local: localAddress }, 'bfd receiving socket failed'));
        return r;
      });
      this.receivers.set(k, receiver);
      receiver.catch(() => this.receivers.delete(k));
    }
    return receiver;
  }

  private async openSenderOnFreePort(localAddress: string): Promise<Socket> {
    for (let attempt = 1; ; attempt++) {
      const port = sourcePortFor(this.random());
      try {
        return await openSender(localAddress, port);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= SOURCE_PORT_ATTEMPTS) {
          throw new Error(`bfd: no source port for ${localAddress} (last tried ${port}): ${(err as Error).message}`, { cause: err });
        }
      }
    }
  }

  private takeDiscriminator(): number {
    while (this.byDiscriminator.has(this.nextDiscriminator) || this.nextDiscriminator === 0) {
      this.nextDiscriminator = (this.nextDiscriminator + 1) >>> 0;
    }
    const taken = this.nextDiscriminator;
    this.nextDiscriminator = (taken + 1) >>> 0;
    return taken;
  }

  private onDatagram(bytes: Uint8Array, fromAddress: string): void {
    // The kernel filter passed only TTL 255, so the TTL check of receive.ts is told what the kernel saw.
    const reception = receiveControlPacket(bytes, SINGLE_HOP_TTL);
    if (reception.kind === 'dropped') return this.drop(reception.reason, reception.detail, fromAddress);
    const { packet } = reception;
    const session = packet.yourDiscriminator !== 0
      ? this.byDiscriminator.get(packet.yourDiscriminator)
      : this.sessions.get(key(fromAddress));
    if (session === undefined) return this.drop('noSession', `your discriminator ${packet.yourDiscriminator}`, fromAddress);
    if (key(fromAddress) !== key(session.config.peerAddress)) {
      return this.drop('wrongSource', `session with ${session.config.peerAddress}`, fromAddress);
    }
    this.stats.received++;
    this.apply(session, step(session.state, { kind: 'received', packet }, this.clock.monotonicMs()));
  }

  private drop(reason: string, detail: string, from: string): void {
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
    this.o.logger.debug({ reason, detail, from }, 'bfd packet dropped');
  }

  private apply(session: Session, result: StepResult): void {
    if (session.closed) return;
    session.state = result.state;
    const now = this.clock.monotonicMs();
    for (const action of result.actions) {
      switch (action.kind) {
        case 'send': void this.sendNow(session, action.packet); break;
        case 'armTransmitTimer':
          session.transmit?.cancel();
          session.transmit = this.clock.setTimer(() => this.fire(session, 'transmitTimer'), Math.max(0, action.atMs - now));
          break;
        case 'cancelTransmitTimer': session.transmit?.cancel(); session.transmit = undefined; break;
        case 'armDetectTimer':
          session.detect?.cancel();
          session.detect = this.clock.setTimer(() => this.fire(session, 'detectTimer'), Math.max(0, action.atMs - now));
          break;
        case 'cancelDetectTimer': session.detect?.cancel(); session.detect = undefined; break;
        case 'stateChanged': {
          const { from, to, diagnostic } = action;
          const level = to === 'Down' && from === 'Up' ? 'warn' : 'info';
          this.o.logger[level]({ peer: session.config.peerAddress, from, to, diagnostic: diagnosticName(diagnostic) }, 'bfd session state changed');
          this.o.onChange?.({ peerAddress: session.config.peerAddress, from, to, diagnostic });
          break;
        }
        case 'dropped': this.drop(action.reason, action.detail, session.config.peerAddress); break;
        case 'sessionUp': case 'sessionDown': break; // reported with stateChanged, which says from where to where
      }
    }
  }

  private fire(session: Session, kind: 'transmitTimer' | 'detectTimer'): void {
    if (kind === 'transmitTimer') session.transmit = undefined;
    else session.detect = undefined;
    this.apply(session, step(session.state, { kind }, this.clock.monotonicMs()));
  }

  private sendNow(session: Session, packet: ControlPacket): Promise<void> {
    const bytes = encodeControlPacket(packet);
    return new Promise((resolve) => {
      session.sender.send(bytes, this.o.controlPort ?? BFD_CONTROL_PORT, session.config.peerAddress, (err) => {
        if (err) {
          this.stats.sendErrors++;
          this.o.logger.warn({ err, peer: session.config.peerAddress }, 'bfd send failed');
        } else this.stats.sent++;
        resolve();
      });
    });
  }

  private forget(session: Session): void {
    session.closed = true;
    session.transmit?.cancel();
    session.detect?.cancel();
    this.sessions.delete(key(session.config.peerAddress));
    this.byDiscriminator.delete(session.state.config.localDiscriminator);
  }
}

/** Whether a change is the session leaving Up: the moment the BGP session it guards must go down (issue 10 §2). */
export function leftUp(change: BfdSessionChange): boolean {
  return change.from === 'Up' && change.to !== 'Up';
}
