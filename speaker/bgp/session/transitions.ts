// The pieces step.ts assembles its transitions from: timers, the NOTIFICATIONs the FSM sends, starting a
// connection, going to Idle, reaching Established and sending the adj-rib-out. Each takes the state and the
// list of actions being built and returns the next state; nothing outside the step sees the list until it
// is returned.
import type { Family } from '../../../lib/ip/index.js';
import { CEASE_SUBCODE, ERROR_CODE, SAFI, endOfRib, prefixFamily, shutdownNotification, type NotificationMessage, type Prefix } from '../messages/index.js';
import { diffAdvertisements, encodeDiff, isEmptyDiff, type Advertisement, type AdvertisementDiff, type AdvertisementMap } from './adj-rib-out.js';
import { nextRandomState, retryDelayMs, unitInterval } from './backoff.js';
import { OPEN_SENT_HOLD_MS } from './config.js';
import { afiOf, buildOpen, type Negotiated } from './negotiate.js';
import type { DownReason, FsmState, SessionAction, SessionState, TimerName } from './state.js';

export type Out = SessionAction[];

const EMPTY = new Uint8Array(0);

export function notification(code: number, subcode: number, data: Uint8Array = EMPTY): NotificationMessage {
  return { type: 'notification', code, subcode, data };
}

/** RFC 4271 §6.5. */
export const HOLD_TIMER_EXPIRED = notification(ERROR_CODE.HOLD_TIMER_EXPIRED, 0);
/** RFC 4271 §6.8: the connection closed to resolve a collision (subcode: RFC 4486 §4). */
export const COLLISION_RESOLUTION = notification(ERROR_CODE.CEASE, CEASE_SUBCODE.CONNECTION_COLLISION_RESOLUTION);
/** RFC 9384: the session went down because BFD did. */
export const BFD_DOWN = notification(ERROR_CODE.CEASE, CEASE_SUBCODE.BFD_DOWN);

/** RFC 6608 §4: the FSM Error subcode names the state that received the unexpected event. */
const FSM_ERROR_SUBCODE: Partial<Record<FsmState, number>> = { OpenSent: 1, OpenConfirm: 2, Established: 3 };

export function fsmError(state: FsmState): NotificationMessage {
  return notification(ERROR_CODE.FINITE_STATE_MACHINE, FSM_ERROR_SUBCODE[state] ?? 0);
}

/** RFC 4486 §4 Administrative Shutdown, with the operator's text when given (RFC 9003). */
export function administrativeShutdown(communication: string | undefined): NotificationMessage {
  if (communication === undefined) return notification(ERROR_CODE.CEASE, CEASE_SUBCODE.ADMINISTRATIVE_SHUTDOWN);
  return shutdownNotification(CEASE_SUBCODE.ADMINISTRATIVE_SHUTDOWN, communication);
}

export function arm(s: SessionState, out: Out, timer: TimerName, atMs: number): SessionState {
  out.push({ kind: 'armTimer', timer, atMs });
  return { ...s, timers: { ...s.timers, [timer]: atMs } };
}

export function cancel(s: SessionState, out: Out, timer: TimerName): SessionState {
  if (s.timers[timer] === null) return s;
  out.push({ kind: 'cancelTimer', timer });
  return { ...s, timers: { ...s.timers, [timer]: null } };
}

function cancelAll(s: SessionState, out: Out): SessionState {
  for (const timer of Object.keys(s.timers) as TimerName[]) s = cancel(s, out, timer);
  return s;
}

/** The retry delay for the current ConnectRetryCounter, drawing the jitter from the state's sequence. */
function retryDelay(s: SessionState): [number, SessionState] {
  const random = nextRandomState(s.random);
  return [retryDelayMs(s.config, s.connectRetryCounter, unitInterval(random)), { ...s, random }];
}

export function armConnectRetry(s: SessionState, out: Out, nowMs: number): SessionState {
  const [delay, next] = retryDelay(s);
  return arm(next, out, 'connectRetry', nowMs + delay);
}

/** Open a connection to the peer and wait ConnectRetryTime for it (RFC 4271 §8.2.2 Idle/Active → Connect). */
export function connect(s: SessionState, out: Out, nowMs: number): SessionState {
  if (s.connected) out.push({ kind: 'close' });
  out.push({ kind: 'connect', address: s.config.peerAddress, port: s.config.peerPort });
  return { ...armConnectRetry({ ...s, connected: true }, out, nowMs), fsm: 'Connect' };
}

/** Event 1/4 and the automatic restart: connect (Connect), or in passive mode listen (Active). */
export function start(s: SessionState, out: Out, nowMs: number, manual: boolean): SessionState {
  s = cancel({ ...s, started: true, connectRetryCounter: manual ? 0 : s.connectRetryCounter }, out, 'idleHold');
  return s.config.passive ? { ...s, fsm: 'Active' } : connect(s, out, nowMs);
}

/** Events 16/17 in Connect or Active: send OPEN, hold for the large initial value, OpenSent. */
export function openSent(s: SessionState, out: Out, nowMs: number): SessionState {
  s = cancel({ ...s, connected: true }, out, 'connectRetry');
  out.push({ kind: 'send', message: buildOpen(s.config, s.restarting) });
  return { ...arm(s, out, 'hold', nowMs + OPEN_SENT_HOLD_MS), fsm: 'OpenSent' };
}

export interface IdleCause {
  reason: DownReason;
  detail: string;
  /** The NOTIFICATION to send before closing. */
  sent?: NotificationMessage;
  received?: NotificationMessage;
  /** Increment ConnectRetryCounter (the backoff grows). */
  failure: boolean;
  /** ManualStop: no automatic restart, counter back to zero. */
  stop?: boolean;
  /** A graceful stop: the next OPEN sets the R bit. */
  graceful?: boolean;
}

/** Any transition to Idle: NOTIFICATION, close, every timer stopped, the down action, the automatic restart. */
export function toIdle(s: SessionState, out: Out, nowMs: number, cause: IdleCause): SessionState {
  if (cause.sent !== undefined) out.push({ kind: 'send', message: cause.sent });
  if (s.connected) out.push({ kind: 'close' });
  const wasEstablished = s.fsm === 'Established';
  const counter = cause.stop === true ? 0 : s.connectRetryCounter + (cause.failure ? 1 : 0);
  const last = cause.sent !== undefined ? { direction: 'sent' as const, message: cause.sent }
    : cause.received !== undefined ? { direction: 'received' as const, message: cause.received } : null;
  s = cancelAll(s, out);
  s = {
    ...s, fsm: 'Idle', connected: false, negotiated: null, advertised: new Map(), endOfRibSent: [],
    connectRetryCounter: counter, started: s.started && cause.stop !== true,
    restarting: s.restarting || cause.graceful === true, lastNotification: last ?? s.lastNotification,
  };
  let restartAtMs: number | null = null;
  if (s.started && s.config.passive) {
    // A passive session listens again at once: it initiates nothing, so there is nothing to back off.
    restartAtMs = nowMs;
    out.push({ kind: 'down', reason: cause.reason, detail: cause.detail, wasEstablished, notification: last, restartAtMs });
    return { ...s, fsm: 'Active' };
  }
  if (s.started) {
    const [delay, next] = retryDelay(s);
    restartAtMs = nowMs + delay;
    s = arm(next, out, 'idleHold', restartAtMs);
  }
  out.push({ kind: 'down', reason: cause.reason, detail: cause.detail, wasEstablished, notification: last, restartAtMs });
  return s;
}

/** Restart the HoldTimer on a KEEPALIVE or UPDATE (RFC 4271 §8.2.2 Established, Events 26-27). */
export function restartHold(s: SessionState, out: Out, nowMs: number, negotiated: Negotiated): SessionState {
  return negotiated.holdTimeMs > 0 ? arm(s, out, 'hold', nowMs + negotiated.holdTimeMs) : s;
}

/** Restart the KeepaliveTimer after sending a KEEPALIVE or UPDATE, unless the hold time is zero. */
export function restartKeepalive(s: SessionState, out: Out, nowMs: number, negotiated: Negotiated): SessionState {
  return negotiated.keepaliveMs > 0 ? arm(s, out, 'keepalive', nowMs + negotiated.keepaliveMs) : s;
}

export function sendKeepalive(s: SessionState, out: Out, nowMs: number, negotiated: Negotiated): SessionState {
  out.push({ kind: 'send', message: { type: 'keepalive' } });
  return restartKeepalive(s, out, nowMs, negotiated);
}

/**
 * What may be sent to this peer: the desired advertisements of the negotiated families. With both families
 * negotiated that is all of them, and the map itself (maps in the state are never changed, only replaced).
 */
function deliverable(desired: AdvertisementMap, families: readonly Family[]): AdvertisementMap {
  if (families.includes(4) && families.includes(6)) return desired;
  const result = new Map<Prefix, Advertisement>();
  for (const [prefix, advertisement] of desired) {
    if (families.includes(prefixFamily(prefix))) result.set(prefix, advertisement);
  }
  return result;
}

export function sendDiff(s: SessionState, out: Out, nowMs: number, negotiated: Negotiated, diff: AdvertisementDiff): SessionState {
  if (isEmptyDiff(diff)) return s;
  const updates = encodeDiff(diff, { localAsn: s.config.localAsn, internal: negotiated.internal, fourOctetAs: negotiated.fourOctetAs });
  const announced = diff.announcements.reduce((n, g) => n + g.prefixes.length, 0);
  const withdrawn = diff.withdrawals.reduce((n, w) => n + w.prefixes.length, 0);
  out.push({ kind: 'sendUpdates', updates, announced, withdrawn });
  return restartKeepalive(s, out, nowMs, negotiated);
}

/** Bring the peer's view to `desired` (Established only). */
export function syncAdvertisements(s: SessionState, out: Out, nowMs: number, negotiated: Negotiated): SessionState {
  const target = deliverable(s.desired, negotiated.families);
  s = sendDiff(s, out, nowMs, negotiated, diffAdvertisements(s.advertised, target));
  return { ...s, advertised: target };
}

/**
 * Event 26 in OpenConfirm (RFC 4271 §8.2.2): Established. The backoff starts over; every advertisement goes
 * out, then End-of-RIB for each negotiated family (RFC 4724 §2: after the initial update, restart or not).
 */
export function established(s: SessionState, out: Out, nowMs: number, negotiated: Negotiated): SessionState {
  s = restartHold({ ...s, fsm: 'Established', connectRetryCounter: 0 }, out, nowMs, negotiated);
  out.push({ kind: 'established', negotiated });
  s = syncAdvertisements(s, out, nowMs, negotiated);
  for (const family of negotiated.families) out.push({ kind: 'send', message: endOfRib(afiOf(family), SAFI.UNICAST) });
  return { ...s, restarting: false, endOfRibSent: negotiated.families };
}
