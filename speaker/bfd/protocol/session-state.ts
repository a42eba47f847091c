// A BFD session's state (RFC 5880 §6.8.1's variables, named as there), what happens to it and what it asks
// the driver to do, and the values derived from it. The transitions are in session.ts. Everything here is
// immutable: step() returns new objects and never edits the ones it was given.
import { DIAGNOSTIC, SLOW_DESIRED_MIN_TX_INTERVAL, type Diagnostic, type SessionState } from './constants.js';
import type { ControlPacket } from './packet.js';
import { toMs } from './timers.js';

/** The timers an operator sets (a BFDProfile). Intervals are microseconds, as on the wire. */
export interface SessionTimers {
  /** bfd.DesiredMinTxInterval while Up (not Up it is at least 1 s, §6.8.3). Nonzero (§4.1: zero is reserved). */
  desiredMinTxInterval: number;
  /** bfd.RequiredMinRxInterval; 0 asks the peer to send nothing (§6.8.1). */
  requiredMinRxInterval: number;
  /** bfd.DetectMult, 1-255. */
  detectMult: number;
}

export interface SessionConfig extends SessionTimers {
  /** bfd.LocalDiscr: nonzero and unique among this system's sessions (§6.8.1); the driver picks it. */
  localDiscriminator: number;
  /** §6.1 Passive role: send nothing until the peer has been heard. */
  passive: boolean;
}

/** The two intervals a Poll Sequence negotiates (§6.8.3), microseconds. */
export interface Intervals {
  desiredMinTxInterval: number;
  requiredMinRxInterval: number;
}

export interface BfdSession {
  readonly config: SessionConfig;
  /** bfd.SessionState. */
  readonly sessionState: SessionState;
  /** bfd.RemoteSessionState: the state the peer last reported. */
  readonly remoteSessionState: SessionState;
  /** bfd.RemoteDiscr: 0 until heard, and again after a Detection Time of silence (§6.8.1). */
  readonly remoteDiscr: number;
  /** bfd.LocalDiag: why the session last left Up (or was taken down). */
  readonly localDiag: Diagnostic;
  /** bfd.RemoteMinRxInterval, µs: 1 until heard (§6.8.1). */
  readonly remoteMinRxInterval: number;
  /** The peer's last Desired Min TX Interval, µs (§6.8.4's "last received Desired Min TX Interval"). */
  readonly remoteDesiredMinTxInterval: number;
  /** The peer's last Detect Mult (§6.8.4). */
  readonly remoteDetectMult: number;
  /** bfd.RemoteDemandMode: recorded for logs only; Herald does not run Demand mode (session.ts). */
  readonly remoteDemandMode: boolean;
  /** bfd.DesiredMinTxInterval and bfd.RequiredMinRxInterval: what our packets carry. */
  readonly advertised: Intervals;
  /**
   * What our own transmit interval and detection time use. Equal to `advertised` except during a Poll
   * Sequence while Up, when §6.8.3 holds back a raised Desired Min TX and a lowered Required Min RX.
   */
  readonly inEffect: Intervals;
  /** A Poll Sequence is running: periodic packets carry P until one with F arrives (§6.5). */
  readonly pollSequence: boolean;
  /** When the last packet was accepted (undefined: never, or not since the last Detection Time ran out). */
  readonly lastReceivedAtMs: number | undefined;
  /** When the next periodic packet is due (undefined: none is, §6.8.7). */
  readonly transmitAtMs: number | undefined;
  /** In AdminDown, until when packets still go out to tell the peer (§6.8.16). */
  readonly adminDownTransmitUntilMs: number | undefined;
  /** The jitter generator's seed (timers.ts nextRandom). */
  readonly random: number;
}

export type SessionEvent =
  /** A packet receiveControlPacket accepted and the driver demultiplexed to this session. */
  | { kind: 'received'; packet: ControlPacket }
  /** The transmit timer armed by the last armTransmitTimer fired. */
  | { kind: 'transmitTimer' }
  /** The detect timer armed by the last armDetectTimer fired. */
  | { kind: 'detectTimer' }
  /** The operator changed the timers (§6.8.3: a Poll Sequence announces them). */
  | { kind: 'configure'; timers: SessionTimers }
  /** §6.8.16: take the session administratively down (diagnostic default 7, Administratively Down). */
  | { kind: 'adminDown'; diagnostic?: Diagnostic }
  /** §6.8.16: enable it again. */
  | { kind: 'adminUp' };

/** Why the session discarded a packet receiveControlPacket had accepted. */
export type BfdSessionDropReason =
  | 'yourDiscriminatorMismatch' // §6.8.6: Your Discriminator selects a session, and it is not this one
  | 'sessionAdminDown'; // §6.8.6 "If bfd.SessionState is AdminDown: Discard the packet"

export type SessionAction =
  /** Encode (encodeControlPacket) and send to the peer, from the session's source port, TTL 255. */
  | { kind: 'send'; packet: ControlPacket }
  /** (Re)arm the one transmit timer at this monotonic time; it replaces any armed before. */
  | { kind: 'armTransmitTimer'; atMs: number }
  | { kind: 'cancelTransmitTimer' }
  /** (Re)arm the one detect timer at this monotonic time; it replaces any armed before. */
  | { kind: 'armDetectTimer'; atMs: number }
  | { kind: 'cancelDetectTimer' }
  /** bfd.SessionState changed; for the log. */
  | { kind: 'stateChanged'; from: SessionState; to: SessionState; diagnostic: Diagnostic }
  /** The session reached Up: the path works both ways. */
  | { kind: 'sessionUp' }
  /** The session left Up; `diagnostic` says why (1: detection time expired, 3: the peer said Down, 7: admin). */
  | { kind: 'sessionDown'; diagnostic: Diagnostic }
  /** A packet was discarded; for the driver's counter and log. */
  | { kind: 'dropped'; reason: BfdSessionDropReason; detail: string };

export interface StepResult {
  state: BfdSession;
  actions: SessionAction[];
}

/** Throws at once on timers no session can run with: the configuration layer should have refused them. */
export function checkTimers(timers: SessionTimers): void {
  const { desiredMinTxInterval, requiredMinRxInterval, detectMult } = timers;
  if (!Number.isInteger(desiredMinTxInterval) || desiredMinTxInterval < 1 || desiredMinTxInterval > 0xffffffff) {
    throw new RangeError(`bfd desired min tx interval ${desiredMinTxInterval} µs is not in 1..${0xffffffff}`);
  }
  if (!Number.isInteger(requiredMinRxInterval) || requiredMinRxInterval < 0 || requiredMinRxInterval > 0xffffffff) {
    throw new RangeError(`bfd required min rx interval ${requiredMinRxInterval} µs is not in 0..${0xffffffff}`);
  }
  if (!Number.isInteger(detectMult) || detectMult < 1 || detectMult > 0xff) {
    throw new RangeError(`bfd detect mult ${detectMult} is not in 1..255`);
  }
}

/** The intervals the session should advertise now: §6.8.3's 1 s floor on Desired Min TX while not Up. */
export function targetIntervals(s: BfdSession): Intervals {
  const { desiredMinTxInterval, requiredMinRxInterval } = s.config;
  if (s.sessionState === 'Up') return { desiredMinTxInterval, requiredMinRxInterval };
  return { desiredMinTxInterval: Math.max(desiredMinTxInterval, SLOW_DESIRED_MIN_TX_INTERVAL), requiredMinRxInterval };
}

export function sameIntervals(a: Intervals, b: Intervals): boolean {
  return a.desiredMinTxInterval === b.desiredMinTxInterval && a.requiredMinRxInterval === b.requiredMinRxInterval;
}

/**
 * §6.8.7: the transmit interval is "the larger of bfd.DesiredMinTxInterval and bfd.RemoteMinRxInterval"
 * (before jitter), in ms.
 */
export function transmitIntervalMs(s: BfdSession): number {
  return toMs(Math.max(s.inEffect.desiredMinTxInterval, s.remoteMinRxInterval));
}

/**
 * §6.8.4: "the Detection Time calculated in the local system is equal to the value of Detect Mult received
 * from the remote system, multiplied by the agreed transmit interval of the remote system (the greater of
 * bfd.RequiredMinRxInterval and the last received Desired Min TX Interval)", in ms.
 */
export function detectionTimeMs(s: BfdSession): number {
  return s.remoteDetectMult * toMs(Math.max(s.inEffect.requiredMinRxInterval, s.remoteDesiredMinTxInterval));
}

/** When the peer's silence runs out: a Detection Time after the last accepted packet (none in AdminDown). */
export function detectAtMs(s: BfdSession): number | undefined {
  if (s.sessionState === 'AdminDown' || s.lastReceivedAtMs === undefined) return undefined;
  return s.lastReceivedAtMs + detectionTimeMs(s);
}

/** Whether periodic packets go out now, by §6.8.7's "MUST NOT" rules (and §6.8.16 for AdminDown). */
export function transmitAllowed(s: BfdSession, nowMs: number): boolean {
  // "A system MUST NOT transmit BFD Control packets if bfd.RemoteDiscr is zero and the system is taking the
  // Passive role."
  if (s.config.passive && s.remoteDiscr === 0) return false;
  // "A system MUST NOT periodically transmit BFD Control packets if bfd.RemoteMinRxInterval is zero."
  if (s.remoteMinRxInterval === 0) return false;
  // §6.8.16: "BFD Control packets SHOULD be transmitted for at least a Detection Time after transitioning to
  // AdminDown state", and then Herald stops.
  if (s.sessionState === 'AdminDown') return s.adminDownTransmitUntilMs !== undefined && nowMs < s.adminDownTransmitUntilMs;
  return true;
}

/**
 * §6.8.7 "Contents of transmitted packets". C is clear (Herald's BFD runs in its control-plane process), A
 * is clear (no authentication), D is clear (bfd.DemandMode is 0), M is clear, and the Required Min Echo RX
 * Interval is 0 (no Echo function).
 */
export function packetToSend(s: BfdSession, bits: { poll: boolean; final: boolean }): ControlPacket {
  return {
    diagnostic: s.localDiag,
    state: s.sessionState,
    poll: bits.poll,
    final: bits.final,
    controlPlaneIndependent: false,
    demand: false,
    multipoint: false,
    detectMult: s.config.detectMult,
    myDiscriminator: s.config.localDiscriminator,
    yourDiscriminator: s.remoteDiscr,
    desiredMinTxInterval: s.advertised.desiredMinTxInterval,
    requiredMinRxInterval: s.advertised.requiredMinRxInterval,
    requiredMinEchoRxInterval: 0,
  };
}

/** A session as §6.8.1 initialises its variables: Down, nothing heard, nothing scheduled yet. */
export function initialSession(config: SessionConfig, seed: number): BfdSession {
  checkTimers(config);
  if (!Number.isInteger(config.localDiscriminator) || config.localDiscriminator < 1 || config.localDiscriminator > 0xffffffff) {
    throw new RangeError(`bfd local discriminator ${config.localDiscriminator} is not in 1..${0xffffffff} (§6.8.1: nonzero)`);
  }
  const session: BfdSession = {
    config: { ...config },
    sessionState: 'Down',
    remoteSessionState: 'Down',
    remoteDiscr: 0,
    localDiag: DIAGNOSTIC.noDiagnostic,
    remoteMinRxInterval: 1,
    remoteDesiredMinTxInterval: 0,
    remoteDetectMult: 0,
    remoteDemandMode: false,
    advertised: { desiredMinTxInterval: 0, requiredMinRxInterval: 0 },
    inEffect: { desiredMinTxInterval: 0, requiredMinRxInterval: 0 },
    pollSequence: false,
    lastReceivedAtMs: undefined,
    transmitAtMs: undefined,
    adminDownTransmitUntilMs: undefined,
    random: seed >>> 0,
  };
  const intervals = targetIntervals(session);
  return { ...session, advertised: intervals, inEffect: intervals };
}
