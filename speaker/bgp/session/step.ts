// The BGP session state machine: step(state, event, nowMs) → { state, actions } (STYLE.md §10), after
// RFC 4271 §8.2.2, state by state, with the RFC's event numbers at each case. nowMs is the driver's monotonic
// clock. The driver owns the socket and the timers: it performs the actions in order and feeds back what
// happens as events (received.ts turns bytes into them).
//
// Where Herald departs from the RFC's text, the case says so. The main ones: a second connection is a second
// session held by the driver (collision.ts) rather than tracked inside this one; a failure in Connect counts
// towards the retry backoff; a session that fails restarts on its own after the IdleHoldTimer (RFC 4271
// §8.1.1's optional DampPeerOscillations, here the doubling retry delay), until ManualStop.
import { ERROR_CODE, OPEN_MESSAGE_ERROR, familyOf, type NotificationMessage, type OpenMessage } from '../messages/index.js';
import { advertisementMap, fullAnnouncement } from './adj-rib-out.js';
import { negotiate, type Negotiated } from './negotiate.js';
import type { SessionAction, SessionEvent, SessionState, TimerName } from './state.js';
import {
  BFD_DOWN,
  COLLISION_RESOLUTION,
  HOLD_TIMER_EXPIRED,
  administrativeShutdown,
  arm,
  armConnectRetry,
  cancel,
  connect,
  established,
  fsmError,
  openSent,
  restartHold,
  sendDiff,
  sendKeepalive,
  start,
  syncAdvertisements,
  toIdle,
  type Out,
} from './transitions.js';

export interface StepResult {
  state: SessionState;
  actions: SessionAction[];
}

const TIMER_OF: Partial<Record<SessionEvent['kind'], TimerName>> = {
  ConnectRetryTimer_Expires: 'connectRetry',
  HoldTimer_Expires: 'hold',
  KeepaliveTimer_Expires: 'keepalive',
  IdleHoldTimer_Expires: 'idleHold',
};

export function step(state: SessionState, event: SessionEvent, nowMs: number): StepResult {
  const out: Out = [];
  return { state: handle(state, event, nowMs, out), actions: out };
}

function handle(s: SessionState, e: SessionEvent, nowMs: number, out: Out): SessionState {
  if (e.kind === 'SetAdvertisements') return setAdvertisements(s, e.advertisements, nowMs, out);
  const timer = TIMER_OF[e.kind];
  if (timer !== undefined) {
    // A timer the state no longer runs, or one re-armed since the driver queued its expiry, is stale.
    const at = s.timers[timer];
    if (at === null || nowMs < at) {
      out.push({ kind: 'ignored', event: e.kind, why: at === null ? `${timer} timer is not running` : `${timer} timer was re-armed for ${at}` });
      return s;
    }
    s = { ...s, timers: { ...s.timers, [timer]: null } };
  }
  switch (s.fsm) {
    case 'Idle': return idle(s, e, nowMs, out);
    case 'Connect':
    case 'Active': return connecting(s, e, nowMs, out);
    case 'OpenSent': return openSentState(s, e, nowMs, out);
    case 'OpenConfirm': return openConfirm(s, e, nowMs, out);
    case 'Established': return establishedState(s, e, nowMs, out);
  }
}

/** Herald's declarative API: remembered always, sent only in Established (STYLE.md §11). */
function setAdvertisements(s: SessionState, advertisements: Extract<SessionEvent, { kind: 'SetAdvertisements' }>['advertisements'], nowMs: number, out: Out): SessionState {
  s = { ...s, desired: advertisementMap(advertisements) };
  return s.fsm === 'Established' && s.negotiated !== null ? syncAdvertisements(s, out, nowMs, s.negotiated) : s;
}

/** RFC 4271 §8.2.2 Idle. */
function idle(s: SessionState, e: SessionEvent, nowMs: number, out: Out): SessionState {
  switch (e.kind) {
    case 'ManualStart': // Event 1, or Event 4 with PassiveTcpEstablishment
      return start(s, out, nowMs, true);
    case 'IdleHoldTimer_Expires': // Event 13 → AutomaticStart (Event 3/5)
      return s.started ? start(s, out, nowMs, false) : s;
    case 'ManualStop': // Event 2: ignored in Idle, except that no automatic restart follows
      return cancel({ ...s, started: false, connectRetryCounter: 0 }, out, 'idleHold');
    case 'Tcp_CR_Acked': // Events 16, 17: "the local system refuses" (a connection from before a stop)
    case 'TcpConnectionConfirmed':
      out.push({ kind: 'close' });
      return s;
    default: // "Any other event ... is ignored"
      out.push({ kind: 'ignored', event: e.kind, why: 'the session is Idle' });
      return s;
  }
}

/** RFC 4271 §8.2.2 Connect and Active (without DelayOpen they differ only in whether a connection is out). */
function connecting(s: SessionState, e: SessionEvent, nowMs: number, out: Out): SessionState {
  switch (e.kind) {
    case 'ManualStart': // Event 1: ignored
      return s;
    case 'ManualStop': // Event 2: drop the connection, counter to zero, Idle
      return toIdle(s, out, nowMs, { reason: 'manualStop', detail: `ManualStop in ${s.fsm}`, failure: false, stop: true });
    case 'AutomaticStop': // Event 8: drop the attempt, counter incremented, Idle (restarts after the idle hold)
      return toIdle(s, out, nowMs, { reason: e.cause, detail: `${e.detail} in ${s.fsm}`, failure: true });
    case 'ConnectRetryTimer_Expires': // Event 9: drop the attempt and connect again (Connect → Connect, Active → Connect)
      // Herald: each expiry is a failed attempt, so the next wait is longer.
      return connect({ ...s, connectRetryCounter: s.connectRetryCounter + 1 }, out, nowMs);
    case 'Tcp_CR_Acked': // Event 16
    case 'TcpConnectionConfirmed': // Event 17
      return openSent(s, out, nowMs);
    case 'TcpConnectionFails': // Event 18: Idle (Herald counts it, for the backoff)
      return toIdle(s, out, nowMs, { reason: 'connectFailed', detail: `TCP connection failed in ${s.fsm}`, failure: true });
    default: // Events 10, 11, 13, 19, 21-28: Idle, counter incremented; no BGP connection to notify
      return toIdle(s, out, nowMs, { reason: 'fsmError', detail: `${e.kind} in ${s.fsm}`, failure: true });
  }
}

/** RFC 4271 §8.2.2 OpenSent. */
function openSentState(s: SessionState, e: SessionEvent, nowMs: number, out: Out): SessionState {
  switch (e.kind) {
    case 'BGPOpen': // Event 19
      return openReceived(s, e.open, nowMs, out);
    case 'TcpConnectionFails': // Event 18: close, restart ConnectRetryTimer, listen: Active
      s = cancel({ ...s, connected: false }, out, 'hold');
      out.push({ kind: 'close' });
      return { ...(s.config.passive ? s : armConnectRetry(s, out, nowMs)), fsm: 'Active' };
    default:
      return common(s, e, nowMs, out);
  }
}

/** Event 19 in OpenSent: negotiate; KEEPALIVE, both timers and OpenConfirm, or the OPEN error and Idle. */
function openReceived(s: SessionState, open: OpenMessage, nowMs: number, out: Out): SessionState {
  const result = negotiate(s.config, open);
  if ('refuse' in result) return toIdle(s, out, nowMs, { reason: 'openRejected', detail: result.reason, sent: result.refuse, failure: true });
  const negotiated = result.ok;
  s = cancel({ ...s, negotiated, fsm: 'OpenConfirm' }, out, 'connectRetry');
  s = sendKeepalive(s, out, nowMs, negotiated);
  // "If the negotiated hold time value is zero, then the HoldTimer and KeepaliveTimer are not started."
  return negotiated.holdTimeMs > 0 ? arm(s, out, 'hold', nowMs + negotiated.holdTimeMs) : cancel(s, out, 'hold');
}

/** RFC 4271 §8.2.2 OpenConfirm. */
function openConfirm(s: SessionState, e: SessionEvent, nowMs: number, out: Out): SessionState {
  const negotiated = s.negotiated;
  if (negotiated === null) throw new Error('OpenConfirm without a negotiated session');
  switch (e.kind) {
    case 'KeepaliveTimer_Expires': // Event 11
      return sendKeepalive(s, out, nowMs, negotiated);
    case 'KeepAliveMsg': // Event 26: Established
      return established(s, out, nowMs, negotiated);
    default:
      return common(s, e, nowMs, out);
  }
}

/** RFC 4271 §8.2.2 Established. */
function establishedState(s: SessionState, e: SessionEvent, nowMs: number, out: Out): SessionState {
  const negotiated = s.negotiated;
  if (negotiated === null) throw new Error('Established without a negotiated session');
  switch (e.kind) {
    case 'ManualStop': // Event 2
      return e.graceful === true && canStopGracefully(negotiated) ? gracefulStop(s, out, nowMs) : common(s, e, nowMs, out);
    case 'KeepaliveTimer_Expires': // Event 11
      return sendKeepalive(s, out, nowMs, negotiated);
    case 'KeepAliveMsg': // Event 26
      return restartHold(s, out, nowMs, negotiated);
    case 'UpdateMsg': { // Event 27: routes are not kept; RFC 7606 outcomes only reported
      const problems = e.decoding.action === 'accept' ? e.decoding.discarded : e.decoding.problems;
      if (problems.length > 0) out.push({ kind: 'updateProblems', treatAsWithdraw: e.decoding.action === 'treatAsWithdraw', problems });
      return restartHold(s, out, nowMs, negotiated);
    }
    case 'RouteRefreshMsg': // RFC 2918 §4: send the Adj-RIB-Out of that family again
      return routeRefresh(s, e.refresh.afi, e.refresh.safi, nowMs, out, negotiated);
    default:
      return common(s, e, nowMs, out);
  }
}

/** RFC 4724 §4: we advertised the capability, and the peer did (so it can keep our routes as a helper). */
function canStopGracefully(negotiated: Negotiated): boolean {
  return negotiated.gracefulRestart.ours && negotiated.gracefulRestart.peer !== null;
}

/** RFC 4724 §4: close TCP without a NOTIFICATION; the peer keeps our routes for our restart time. */
function gracefulStop(s: SessionState, out: Out, nowMs: number): SessionState {
  return toIdle(s, out, nowMs, { reason: 'gracefulStop', detail: 'planned restart: closed without NOTIFICATION (RFC 4724)', failure: false, stop: true, graceful: true });
}

function routeRefresh(s: SessionState, afi: number, safi: number, nowMs: number, out: Out, negotiated: Negotiated): SessionState {
  const family = familyOf(afi, safi);
  if (family === null || !negotiated.families.includes(family)) {
    out.push({ kind: 'ignored', event: 'RouteRefreshMsg', why: `AFI ${afi} SAFI ${safi} was not negotiated (RFC 2918 §4)` });
    return s;
  }
  return sendDiff(s, out, nowMs, negotiated, fullAnnouncement(s.advertised, family));
}

/** RFC 4271 §6.2/§8.2.2 Event 24: a NOTIFICATION with Unsupported Version Number does not count as a failure. */
function isVersionError(n: NotificationMessage): boolean {
  return n.code === ERROR_CODE.OPEN_MESSAGE && n.subcode === OPEN_MESSAGE_ERROR.UNSUPPORTED_VERSION_NUMBER;
}

/** What OpenSent, OpenConfirm and Established do alike (RFC 4271 §8.2.2, the same text in each state). */
function common(s: SessionState, e: SessionEvent, nowMs: number, out: Out): SessionState {
  const where = s.fsm;
  switch (e.kind) {
    case 'ManualStart': // Event 1: ignored
    case 'Tcp_CR_Acked': // Events 16, 17: a second connection; the driver runs it as its own session (collision.ts)
    case 'TcpConnectionConfirmed':
      out.push({ kind: 'ignored', event: e.kind, why: `${where} has a connection` });
      return s;
    case 'ManualStop': // Event 2: Cease, counter to zero, Idle
      return toIdle(s, out, nowMs, { reason: 'manualStop', detail: `ManualStop in ${where}`, sent: administrativeShutdown(e.communication), failure: false, stop: true });
    case 'AutomaticStop': // Event 8: Cease (RFC 9384 BFD Down), counter incremented, Idle
      return toIdle(s, out, nowMs, { reason: e.cause, detail: `${e.detail} in ${where}`, sent: BFD_DOWN, failure: true });
    case 'HoldTimer_Expires': // Event 10
      return toIdle(s, out, nowMs, { reason: 'holdTimerExpired', detail: `no message from the peer within the hold time in ${where}`, sent: HOLD_TIMER_EXPIRED, failure: true });
    case 'TcpConnectionFails': // Event 18 (OpenConfirm, Established)
      return toIdle(s, out, nowMs, { reason: 'tcpClosed', detail: `TCP connection closed in ${where}`, failure: true });
    case 'NotifMsg': // Events 24, 25
      return toIdle(s, out, nowMs, {
        reason: 'notificationReceived', detail: `NOTIFICATION ${e.notification.code}/${e.notification.subcode} received in ${where}`,
        received: e.notification, failure: !isVersionError(e.notification),
      });
    case 'BGPHeaderErr': // Event 21
    case 'BGPOpenMsgErr': // Event 22
    case 'UpdateMsgErr': // Event 28 (Established; elsewhere the RFC sends an FSM error, Herald the error itself)
      return toIdle(s, out, nowMs, { reason: 'messageError', detail: `${e.kind} ${e.notification.code}/${e.notification.subcode} in ${where}`, sent: e.notification, failure: true });
    case 'OpenCollisionDump': // Event 23
      return toIdle(s, out, nowMs, { reason: 'collision', detail: `connection collision resolved against this connection in ${where} (RFC 4271 §6.8)`, sent: COLLISION_RESOLUTION, failure: true });
    default: // Events 9, 11 (OpenSent), 13, 19 (not in OpenSent), 26 (OpenSent), 27 (not in Established): FSM Error (RFC 6608)
      return toIdle(s, out, nowMs, { reason: 'fsmError', detail: `unexpected ${e.kind} in ${where}`, sent: fsmError(where), failure: true });
  }
}
