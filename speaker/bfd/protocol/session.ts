// The BFD session state machine, RFC 5880 §6.2 and §6.8, asynchronous mode, single hop:
// step(state, event, nowMs) → { state, actions } (STYLE.md §10). nowMs is the driver's monotonic clock in
// milliseconds. The driver owns the UDP sockets and two timers per session (transmit and detect): it does
// what the actions say, calls step when a timer fires, and hands it every packet receiveControlPacket accepts.
//
// RFC 5880 §6.2's state diagram, as the cases below handle it:
//   bfd.SessionState   event                                  new state (bfd.LocalDiag)
//   Down               received Sta Down                      Init
//   Down               received Sta Init                      Up
//   Init               received Sta Init or Up                Up
//   Init, Up           received Sta AdminDown                 Down (3, Neighbor Signaled Session Down)
//   Up                 received Sta Down                      Down (3)
//   Init, Up           detect timer: a Detection Time silent  Down (1, Control Detection Time Expired)
//   any                adminDown / adminUp (§6.8.16)          AdminDown (7 unless told) / Down
//
// Not implemented, by choice: Demand mode (§6.6: Herald never sets D, and a peer's D is recorded but changes
// nothing, so Herald keeps sending periodic packets a peer in Demand mode would do without; receiving them
// costs it nothing), the Echo function (§6.4: Required Min Echo RX Interval is always 0), and authentication
// (§6.7: a packet with the A bit set is discarded by receive.ts).
import { DIAGNOSTIC, type Diagnostic, type SessionState } from './constants.js';
import type { ControlPacket } from './packet.js';
import {
  checkTimers,
  packetToSend,
  detectAtMs,
  initialSession,
  sameIntervals,
  targetIntervals,
  transmitAllowed,
  transmitIntervalMs,
  type BfdSession,
  type Intervals,
  type SessionAction,
  type SessionConfig,
  type SessionEvent,
  type StepResult,
} from './session-state.js';
import { jitteredIntervalMs, nextRandom } from './timers.js';

/** bfd.SessionState becomes `to`; Up and leaving Up are reported, and LocalDiag is set. */
function changeState(s: BfdSession, to: SessionState, diagnostic: Diagnostic): StepResult {
  const from = s.sessionState;
  if (from === to) return { state: s, actions: [] };
  const actions: SessionAction[] = [{ kind: 'stateChanged', from, to, diagnostic }];
  if (to === 'Up') actions.push({ kind: 'sessionUp' });
  if (from === 'Up') actions.push({ kind: 'sessionDown', diagnostic });
  return { state: { ...s, sessionState: to, localDiag: diagnostic }, actions };
}

/**
 * §6.8.6, after the variables are updated: the three-way handshake and the peer's word that it is down.
 * (AdminDown was handled by the caller, which discards the packet.)
 */
function transition(s: BfdSession, received: SessionState): StepResult {
  // "If received state is AdminDown: If bfd.SessionState is not Down: Set bfd.LocalDiag to 3 (Neighbor
  // signaled session down), Set bfd.SessionState to Down"
  if (received === 'AdminDown') {
    return s.sessionState === 'Down' ? { state: s, actions: [] } : changeState(s, 'Down', DIAGNOSTIC.neighborSignaledSessionDown);
  }
  switch (s.sessionState) {
    // "If bfd.SessionState is Down: If received State is Down: Set bfd.SessionState to Init; Else if received
    // State is Init: Set bfd.SessionState to Up". LocalDiag keeps the reason the session went down until Up.
    case 'Down':
      if (received === 'Down') return changeState(s, 'Init', s.localDiag);
      if (received === 'Init') return changeState(s, 'Up', DIAGNOSTIC.noDiagnostic);
      return { state: s, actions: [] };
    // "Else if bfd.SessionState is Init: If received State is Init or Up: Set bfd.SessionState to Up"
    case 'Init':
      return received === 'Down' ? { state: s, actions: [] } : changeState(s, 'Up', DIAGNOSTIC.noDiagnostic);
    // "Else (bfd.SessionState is Up): If received State is Down: Set bfd.LocalDiag to 3 (Neighbor signaled
    // session down), Set bfd.SessionState to Down"
    case 'Up':
      return received === 'Down' ? changeState(s, 'Down', DIAGNOSTIC.neighborSignaledSessionDown) : { state: s, actions: [] };
    case 'AdminDown':
      throw new Error('bfd: transition() called in AdminDown, whose packets are discarded before it');
  }
}

/**
 * §6.8.3: "If either bfd.DesiredMinTxInterval is changed or bfd.RequiredMinRxInterval is changed, a Poll
 * Sequence MUST be initiated". While Up, "If bfd.DesiredMinTxInterval is increased ... the actual
 * transmission interval used MUST NOT change until the Poll Sequence ... has terminated", and "If
 * bfd.RequiredMinRxInterval is reduced ... the previous value ... MUST be used when calculating the Detection
 * Time". So until F the session uses the smaller Desired Min TX and the larger Required Min RX of old and new:
 * the directions the RFC does not hold back apply at once (the peer acts on them as soon as it reads our P).
 * One Poll Sequence at a time: a change made during one is polled when F has ended it.
 */
function settleIntervals(s: BfdSession): BfdSession {
  const target = targetIntervals(s);
  const changed = !sameIntervals(target, s.advertised);
  if (s.sessionState !== 'Up') {
    // Not Up, §6.8.3 holds nothing back (and the 1 s floor must apply at once); still announced by a Poll.
    if (!changed && sameIntervals(s.inEffect, target)) return s;
    return { ...s, advertised: target, inEffect: target, pollSequence: s.pollSequence || changed };
  }
  if (!changed || s.pollSequence) return s;
  const inEffect: Intervals = {
    desiredMinTxInterval: Math.min(s.inEffect.desiredMinTxInterval, target.desiredMinTxInterval),
    requiredMinRxInterval: Math.max(s.inEffect.requiredMinRxInterval, target.requiredMinRxInterval),
  };
  return { ...s, advertised: target, inEffect, pollSequence: true };
}

/** The next periodic transmission, jittered (§6.8.7), drawing from the session's generator. */
function scheduleNext(s: BfdSession, nowMs: number): BfdSession {
  const { value, seed } = nextRandom(s.random);
  return { ...s, random: seed, transmitAtMs: nowMs + jitteredIntervalMs(transmitIntervalMs(s), s.config.detectMult, value) };
}

/**
 * Keeps the transmit timer right after any change: stopped when §6.8.7 forbids sending, due at once when
 * sending (re)starts, and brought forward when the interval shrank below the time left (a peer that lowered
 * its detection time on our new values must not wait out the old, longer interval).
 */
function keepTransmitting(s: BfdSession, nowMs: number): BfdSession {
  if (!transmitAllowed(s, nowMs)) return s.transmitAtMs === undefined ? s : { ...s, transmitAtMs: undefined };
  if (s.transmitAtMs === undefined) return { ...s, transmitAtMs: nowMs };
  if (s.transmitAtMs > nowMs + transmitIntervalMs(s)) return scheduleNext(s, nowMs);
  return s;
}

/** Arm or cancel what moved between `before` and `after`. */
function timerActions(before: BfdSession, after: BfdSession): SessionAction[] {
  const actions: SessionAction[] = [];
  if (before.transmitAtMs !== after.transmitAtMs) {
    actions.push(after.transmitAtMs === undefined ? { kind: 'cancelTransmitTimer' } : { kind: 'armTransmitTimer', atMs: after.transmitAtMs });
  }
  const detectBefore = detectAtMs(before);
  const detectAfter = detectAtMs(after);
  if (detectBefore !== detectAfter) {
    actions.push(detectAfter === undefined ? { kind: 'cancelDetectTimer' } : { kind: 'armDetectTimer', atMs: detectAfter });
  }
  return actions;
}

function onReceived(s: BfdSession, packet: ControlPacket, nowMs: number): StepResult {
  // §6.8.6 "If the Your Discriminator field is nonzero, it MUST be used to select the session with which this
  // BFD packet is associated. If no session is found, the packet MUST be discarded." The driver selects; this
  // catches a packet it handed to the wrong session.
  const local = s.config.localDiscriminator;
  if (packet.yourDiscriminator !== 0 && packet.yourDiscriminator !== local) {
    const detail = `your discriminator ${packet.yourDiscriminator} is not this session's ${local}`;
    return { state: s, actions: [{ kind: 'dropped', reason: 'yourDiscriminatorMismatch', detail }] };
  }
  // §6.8.6 "Set bfd.RemoteDiscr to the value of My Discriminator. Set bfd.RemoteState to the value of the
  // State (Sta) field. Set bfd.RemoteDemandMode to the value of the Demand (D) bit. Set
  // bfd.RemoteMinRxInterval to the value of Required Min RX Interval." Then "Update the transmit interval"
  // (§6.8.2) and "Update the Detection Time" (§6.8.4): both follow from these fields and the arrival time.
  let next: BfdSession = {
    ...s,
    remoteDiscr: packet.myDiscriminator,
    remoteSessionState: packet.state,
    remoteDemandMode: packet.demand,
    remoteMinRxInterval: packet.requiredMinRxInterval,
    remoteDesiredMinTxInterval: packet.desiredMinTxInterval,
    remoteDetectMult: packet.detectMult,
    lastReceivedAtMs: nowMs,
  };
  // "If a Poll Sequence is being transmitted by the local system and the Final (F) bit in the received packet
  // is set, the Poll Sequence MUST be terminated." The new intervals now apply in full (§6.8.3).
  if (next.pollSequence && packet.final) next = { ...next, pollSequence: false, inEffect: next.advertised };
  // "If bfd.SessionState is AdminDown: Discard the packet"
  if (next.sessionState === 'AdminDown') {
    return { state: next, actions: [{ kind: 'dropped', reason: 'sessionAdminDown', detail: `packet in state ${packet.state} while AdminDown` }] };
  }
  const changed = transition(next, packet.state);
  // Going Up or leaving it changes the intervals to advertise; a Final below may carry the new ones (§6.8.3:
  // "the new parameter values MAY be carried in packets with the Final (F) bit set").
  const settled = settleIntervals(changed.state);
  // "If the Poll (P) bit is set, send a BFD Control packet to the remote system with the Poll (P) bit clear,
  // and the Final (F) bit set" - §6.8.7: "as soon as practicable, without respect to the transmission timer".
  // Demand mode (§6.8.6 "Check to see if Demand mode should become active or not"): never (see the top).
  if (packet.poll) changed.actions.push({ kind: 'send', packet: packetToSend(settled, { poll: false, final: true }) });
  return { state: settled, actions: changed.actions };
}

function onTransmitTimer(s: BfdSession, nowMs: number): StepResult {
  if (s.transmitAtMs === undefined) return { state: s, actions: [] };
  // A timer that fired early (or one replaced after it was queued): the deadline stands, armed again.
  if (nowMs < s.transmitAtMs) return { state: s, actions: [{ kind: 'armTransmitTimer', atMs: s.transmitAtMs }] };
  if (!transmitAllowed(s, nowMs)) return { state: { ...s, transmitAtMs: undefined }, actions: [] };
  // §6.5: "the Poll Sequence MUST be performed by setting the Poll (P) bit on those scheduled periodic
  // transmissions; additional packets MUST NOT be sent." A periodic packet never carries F.
  const packet = packetToSend(s, { poll: s.pollSequence, final: false });
  return { state: scheduleNext(s, nowMs), actions: [{ kind: 'send', packet }] };
}

function onDetectTimer(s: BfdSession, nowMs: number): StepResult {
  const at = detectAtMs(s);
  if (at === undefined) return { state: s, actions: [] };
  if (nowMs < at) return { state: s, actions: [{ kind: 'armDetectTimer', atMs: at }] };
  // §6.8.1 bfd.RemoteDiscr: "If a period of a Detection Time passes without the receipt of a valid,
  // authenticated BFD packet from the remote system, this variable MUST be set to zero."
  const silent: BfdSession = { ...s, remoteDiscr: 0, lastReceivedAtMs: undefined };
  // §6.8.4: "If Demand mode is not active, and a period of time equal to the Detection Time passes without
  // receiving a BFD Control packet from the remote system, and bfd.SessionState is Init or Up, the session has
  // gone down -- the local system MUST set bfd.SessionState to Down and bfd.LocalDiag to 1 (Control Detection
  // Time Expired)."
  if (s.sessionState === 'Init' || s.sessionState === 'Up') return changeState(silent, 'Down', DIAGNOSTIC.controlDetectionTimeExpired);
  return { state: silent, actions: [] };
}

// §6.8.16: "If enabling session: Set bfd.SessionState to Down. Else: Set bfd.SessionState to AdminDown, Set
// bfd.LocalDiag to an appropriate value". Packets still go out for a Detection Time as the peer reckons it
// (our Detect Mult times the slow interval), so it hears the change and goes Down with diagnostic 3.
function onAdminDown(s: BfdSession, diagnostic: Diagnostic, nowMs: number): StepResult {
  if (s.sessionState === 'AdminDown') return { state: s, actions: [] };
  const changed = changeState(s, 'AdminDown', diagnostic);
  const settled = settleIntervals(changed.state);
  const adminDownTransmitUntilMs = nowMs + s.config.detectMult * transmitIntervalMs(settled);
  return { state: { ...settled, adminDownTransmitUntilMs }, actions: changed.actions };
}

function onAdminUp(s: BfdSession): StepResult {
  if (s.sessionState !== 'AdminDown') return { state: s, actions: [] };
  const changed = changeState(s, 'Down', s.localDiag);
  return { state: { ...changed.state, adminDownTransmitUntilMs: undefined }, actions: changed.actions };
}

function onEvent(s: BfdSession, event: SessionEvent, nowMs: number): StepResult {
  switch (event.kind) {
    case 'received': return onReceived(s, event.packet, nowMs);
    case 'transmitTimer': return onTransmitTimer(s, nowMs);
    case 'detectTimer': return onDetectTimer(s, nowMs);
    case 'configure':
      checkTimers(event.timers);
      return { state: { ...s, config: { ...s.config, ...event.timers } }, actions: [] };
    case 'adminDown': return onAdminDown(s, event.diagnostic ?? DIAGNOSTIC.administrativelyDown, nowMs);
    case 'adminUp': return onAdminUp(s);
  }
}

/** Settles intervals and the transmit timer after a transition and appends the timer actions that moved. */
function finish(before: BfdSession, result: StepResult, nowMs: number): StepResult {
  const state = keepTransmitting(settleIntervals(result.state), nowMs);
  return { state, actions: [...result.actions, ...timerActions(before, state)] };
}

/** One transition. Pure: the state given is not changed. */
export function step(state: BfdSession, event: SessionEvent, nowMs: number): StepResult {
  return finish(state, onEvent(state, event, nowMs), nowMs);
}

/**
 * A new session in Down, as §6.8.1 initialises it: an active one sends its first packet at once (the transmit
 * timer is armed at nowMs), a passive one (§6.1) waits to hear the peer. `seed` seeds the jitter (the driver
 * draws it from a real random source; tests fix it).
 */
export function openSession(config: SessionConfig, nowMs: number, seed: number): StepResult {
  const initial = initialSession(config, seed);
  return finish(initial, { state: initial, actions: [] }, nowMs);
}
