// The membership state machine: step(state, event, nowMs) → { state, actions } (STYLE.md §10).
// nowMs is the driver's monotonic clock; wall-clock time only enters with a received message (wallMs),
// for the freshness check of a new incarnation. The driver owns the socket, the MAC and the timer: it
// calls step on every authenticated datagram, on every one that failed only the MAC (key-mismatch.ts), and
// at nextWakeMs(state).
//
// Silence counts only while the node listens. A peer is declared dead on a tick, and a tick means "the
// driver has handled every datagram that reached it before nowMs". When it cannot say that (its socket
// holds a backlog it has not read, which a flood may have overflowed, so a peer's beat may be lost or still
// queued behind junk), it sends 'behind' instead: beats still go out, nobody is judged, and the time from
// `sinceMs` until it catches up is added to the deadline of every peer not heard since (deafness). A flood
// can so delay the detection of a real death by as long as it outruns the speaker; it cannot cause one.
//
// A death is judged in two steps (the doubt). A peer silent past its deadline becomes a suspect: still alive for
// the election, so nobody's IPs move yet, and this node pings every other alive peer that can answer (message.ts).
// Once it has heard enough of them since the silence began to hold a quorum by them alone (state.ts corroborated),
// the suspects are dead and their IPs move, one round trip after the deadline. When no such answer comes within
// CORROBORATE_WITHIN_INTERVALS fast intervals, or none can any more (too few alive peers are left to ask), the
// suspects are dead too but this node has no quorum ('uncorroborated') until enough peers are heard again: it is
// most likely the one cut off, declaring its peers dead one by one, and must neither take the first one's IPs nor
// keep its own while the others take them over.
import { misaddressed, refusal } from './admission.js';
import { MAX_PROMISED_INTERVAL_MS, RETIRED_INCARNATIONS_KEPT } from './defaults.js';
import { noteKeyEvent, type KeyEvent, type KeyMismatch } from './key-mismatch.js';
import { HEARTBEAT_VERSION, type Heartbeat } from './message.js';
import {
  quorumOf, aliveSet, answersPings, corroborable, corroborated, corroborateWithinMs, hasSuspects, isStarting, keyMismatchesOf, newPeer,
  settlingOf, startGraceMs,
  type MembershipState, type PeerState, type StateDropReason,
} from './state.js';
import type { QuorumDecision } from './quorum.js';

export type MembershipEvent =
  /** An authenticated, decoded beat or goodbye; wallMs is the receiver's wall clock at receipt. */
  | { kind: 'received'; message: Heartbeat; wallMs: number }
  /**
   * A datagram in the name of peer `from`, from its listed address, passed every check before the MAC and
   * failed the MAC with every key (receive-gate.ts): evidence that its keys differ (key-mismatch.ts).
   */
  | { kind: 'unauthenticated'; from: string }
  /** Time passed and every datagram received before nowMs has been handled: deadlines and due beats. */
  | { kind: 'tick' }
  /**
   * Time passed but the driver may not have read (or the kernel may have dropped) datagrams since sinceMs:
   * due beats only, nobody is judged; the deafness is made good on the next tick.
   */
  | { kind: 'behind'; sinceMs: number }
  /** The configured peer list changed (names; self is ignored if present). */
  | { kind: 'peersChanged'; peers: readonly string[] }
  /** Which peers get fast beats ('all': full mesh). */
  | { kind: 'targetsChanged'; fast: ReadonlySet<string> | 'all' }
  /** Speakers known down from outside the mesh (quorum.ts). */
  | { kind: 'confirmedDown'; nodes: ReadonlySet<string> }
  /** Planned stop: say goodbye to everyone and go quiet. */
  | { kind: 'leave' };

/** A message to send; the driver stamps sendTimeMs with its wall clock, seals and sends it. */
export type OutgoingMessage = Omit<Heartbeat, 'sendTimeMs'>;

export type MembershipAction =
  | { kind: 'send'; message: OutgoingMessage }
  /** The alive set, the quorum decision or the settling speakers (state.ts settlingOf) changed. */
  | { kind: 'aliveChanged'; alive: ReadonlySet<string>; quorum: QuorumDecision; settling: ReadonlySet<string> }
  /**
   * A peer had declared this node dead and hears it again (its timesDeclaredDead went up). Whatever it
   * took over meanwhile it gives back by the election, but clients it sent gratuitous frames to still
   * point at it: the speaker re-sends its own gratuitous burst for every IP it owns.
   */
  | { kind: 'rejoined'; by: string; timesDeclaredDead: number }
  /** A message was refused; for the driver's log (the counter is already in the state). */
  | { kind: 'dropped'; reason: StateDropReason; from: string; detail: string }
  /** The peers whose keys differ from this node's changed (key-mismatch.ts); empty: none differ any more. */
  | { kind: 'keyMismatchChanged'; mismatched: KeyMismatch[] };

export interface StepResult {
  state: MembershipState;
  actions: MembershipAction[];
}

function setPeer(s: MembershipState, p: PeerState): MembershipState {
  const peers = new Map(s.peers);
  peers.set(p.name, p);
  return { ...s, peers };
}

function intervalFor(s: MembershipState, peer: string): number {
  return s.fast === 'all' || s.fast.has(peer) ? s.config.intervalMs : s.config.slowIntervalMs;
}

function drop(s: MembershipState, reason: StateDropReason, from: string, detail: string): StepResult {
  const dropped = { ...s.counters.dropped, [reason]: (s.counters.dropped[reason] ?? 0) + 1 };
  return { state: { ...s, counters: { ...s.counters, dropped } }, actions: [{ kind: 'dropped', reason, from, detail }] };
}

function accept(p: PeerState, m: Heartbeat, nowMs: number): PeerState {
  if (p.incarnation === m.incarnation) {
    const timesItDeclaredUsDead = Math.max(p.timesItDeclaredUsDead, m.timesDeclaredDead);
    return {
      ...p, lastSequence: m.sequence, wireVersion: m.version, timesItDeclaredUsDead, heardAtMs: nowMs,
      startedAtMs: startOf(m, nowMs),
    };
  }
  const retired = p.incarnation === undefined ? p.retired : [...p.retired, p.incarnation].slice(-RETIRED_INCARNATIONS_KEPT);
  // A new life of the peer: our count of its deaths starts over, and its count of ours is taken as it
  // stands (it says nothing about a flap we could still repair).
  return {
    ...p, incarnation: m.incarnation, lastSequence: m.sequence, retired, wireVersion: m.version,
    timesDeclaredDead: 0, timesItDeclaredUsDead: m.timesDeclaredDead, heardAtMs: nowMs, startedAtMs: startOf(m, nowMs),
  };
}

/** When the sender's incarnation began on this node's clock, from the uptime it says (version 3). */
const startOf = (m: Heartbeat, nowMs: number): number | undefined => (m.version >= 3 ? nowMs - m.uptimeMs : undefined);

/** The rejoined action when an accepted message says, for the first time, that its sender had us dead. */
function rejoined(before: PeerState, m: Heartbeat): MembershipAction[] {
  if (before.incarnation !== m.incarnation || m.timesDeclaredDead <= before.timesItDeclaredUsDead) return [];
  return [{ kind: 'rejoined', by: m.from, timesDeclaredDead: m.timesDeclaredDead }];
}

function onReceived(s: MembershipState, m: Heartbeat, wallMs: number, nowMs: number): StepResult {
  const refused = misaddressed(s, m) ?? refusal(s, m, wallMs);
  if (refused) return drop(s, refused[0], m.from, refused[1]);
  const peer = s.peers.get(m.from);
  if (peer === undefined) return drop(s, 'unknownPeer', m.from, `"${m.from}" is not a configured peer`);
  const keyEvidence = noteKeys(s, { kind: 'authenticated', peer: m.from }, nowMs);
  let p = accept(peer, m, nowMs);
  if (m.type === 'goodbye') {
    p = { ...p, status: 'left' };
  } else {
    const promised = Math.min(Math.max(m.nextWithinMs, 1), MAX_PROMISED_INTERVAL_MS);
    const revived = p.status !== 'alive';
    // A peer that comes (back) to life gets a beat at once, so a restarted node learns the alive set in
    // one round trip instead of waiting for our next slow beat; so does one that pings (it is in doubt and
    // waits for our word). A ping is authenticated like any beat, so only a key holder can ask for answers.
    const answerNow = revived || m.type === 'ping';
    p = { ...p, status: 'alive', deadlineMs: nowMs + s.config.deadAfter * promised, nextSendAtMs: answerNow ? nowMs : p.nextSendAtMs };
  }
  const next = setPeer({ ...s, keyEvidence }, p);
  return { state: { ...next, counters: { ...next.counters, accepted: next.counters.accepted + 1 } }, actions: rejoined(peer, m) };
}

/**
 * The driver caught up after being behind since s.deafSinceMs: every peer still waiting for a beat gets the
 * deaf time after its last accepted message added to its deadline (a peer heard after the deafness began
 * lost only the part after that), and the start grace is extended the same way.
 */
function makeGoodDeafness(s: MembershipState, nowMs: number): MembershipState {
  const since = s.deafSinceMs;
  if (since === undefined) return s;
  const peers = new Map(s.peers);
  for (const p of s.peers.values()) {
    if (p.status !== 'alive' && p.status !== 'pending') continue;
    const deaf = nowMs - Math.max(since, p.heardAtMs ?? since);
    if (deaf > 0) peers.set(p.name, { ...p, deadlineMs: p.deadlineMs + deaf });
  }
  const startingUntilMs = s.startingUntilMs > since ? s.startingUntilMs + (nowMs - since) : s.startingUntilMs;
  return { ...s, peers, startingUntilMs, deafSinceMs: undefined };
}

function onBehind(s: MembershipState, sinceMs: number, nowMs: number): StepResult {
  const deafSinceMs = Math.min(s.deafSinceMs ?? sinceMs, sinceMs, nowMs);
  return sendDue({ ...s, deafSinceMs }, nowMs);
}

/**
 * Peers past their deadline: a pending one (never heard, nothing of it to take over) is dead; an alive one becomes
 * a suspect and opens a doubt, if none is open, with a ping due at once to every alive peer that can answer one.
 */
function expire(s: MembershipState, nowMs: number): MembershipState {
  let peers: Map<string, PeerState> | undefined;
  let suspected = false;
  for (const p of s.peers.values()) {
    if ((p.status === 'alive' || p.status === 'pending') && p.deadlineMs <= nowMs) {
      peers ??= new Map(s.peers);
      suspected ||= p.status === 'alive';
      peers.set(p.name, { ...p, status: p.status === 'alive' ? 'suspect' : 'dead' });
    }
  }
  if (peers === undefined) return s;
  if (!suspected || s.doubtSinceMs !== undefined) return { ...s, peers };
  for (const p of peers.values()) if (p.status === 'alive' && answersPings(p)) peers.set(p.name, { ...p, nextSendAtMs: nowMs });
  return { ...s, peers, doubtSinceMs: nowMs };
}

/** Every suspect is dead: a death after a life, which the peer is told of (timesDeclaredDead) when heard again. */
function declareSuspectsDead(s: MembershipState): MembershipState {
  const peers = new Map(s.peers);
  for (const p of s.peers.values()) if (p.status === 'suspect') peers.set(p.name, { ...p, status: 'dead', timesDeclaredDead: p.timesDeclaredDead + 1 });
  return { ...s, peers };
}

/**
 * Ends the doubt once enough peers were heard since it began (the suspects are dead, the quorum is judged as ever).
 * Declares the suspects dead and keeps the doubt (no quorum until it ends) when no answer can end it any more (too
 * few alive peers are left to ask) or, on a tick, when the wait for answers is over.
 */
function judgeDoubt(s: MembershipState, nowMs: number, judging: boolean): MembershipState {
  if (s.doubtSinceMs === undefined) return s;
  if (corroborated(s, s.doubtSinceMs)) return { ...declareSuspectsDead(s), doubtSinceMs: undefined };
  if (!hasSuspects(s)) return s;
  const waitOver = judging && nowMs >= s.doubtSinceMs + corroborateWithinMs(s.config);
  return waitOver || !corroborable(s) ? declareSuspectsDead(s) : s;
}

/** While in doubt, an alive peer not heard since it began is pinged, every fast interval, until it answers. */
function owesPing(s: MembershipState, p: PeerState): boolean {
  return s.doubtSinceMs !== undefined && p.status === 'alive' && answersPings(p) && (p.heardAtMs ?? -Infinity) < s.doubtSinceMs;
}

/** Sends every beat due now, or due soon enough to share this wake-up (a beat early is always safe). */
function sendDue(s: MembershipState, nowMs: number): StepResult {
  const slack = Math.floor(s.config.intervalMs / 5);
  const actions: MembershipAction[] = [];
  let peers: Map<string, PeerState> | undefined;
  let sequence = s.sequence;
  for (const p of s.peers.values()) {
    if (p.nextSendAtMs > nowMs + slack) continue;
    peers ??= new Map(s.peers);
    const promise = intervalFor(s, p.name);
    sequence += 1;
    const ping = owesPing(s, p);
    actions.push({ kind: 'send', message: ping ? { ...beat(s, p, sequence, promise, nowMs), type: 'ping' } : beat(s, p, sequence, promise, nowMs) });
    peers.set(p.name, { ...p, nextSendAtMs: nowMs + (ping ? Math.min(promise, s.config.intervalMs) : promise) });
  }
  if (peers === undefined) return { state: s, actions };
  return { state: { ...s, peers, sequence, counters: { ...s.counters, sent: s.counters.sent + actions.length } }, actions };
}

/** A beat to `to`, in the newest version unless `to` last spoke an older one (an older build). */
function beat(s: MembershipState, to: PeerState, sequence: number, nextWithinMs: number, nowMs: number): OutgoingMessage {
  const common = { type: 'beat', from: s.config.self, to: to.name, incarnation: s.config.incarnation, sequence, nextWithinMs } as const;
  if (to.wireVersion === 1) return { ...common, version: 1, timesDeclaredDead: 0, uptimeMs: 0 };
  if (to.wireVersion === 2) return { ...common, version: 2, timesDeclaredDead: to.timesDeclaredDead, uptimeMs: 0 };
  const version = to.wireVersion === 3 ? 3 : HEARTBEAT_VERSION;
  return { ...common, version, timesDeclaredDead: to.timesDeclaredDead, uptimeMs: nowMs - s.startedAtMs };
}

/**
 * A node that has finished starting (it heard every peer it had, or its start grace ran out) never starts again: a peer
 * added later (a speaker back from a restart, a new node) comes as pending and counts as known but unheard, as any
 * silent peer does. Were it to make this node "starting" again within its own start grace, a node restarted moments
 * before in a rolling update would drop every IP it holds the moment the next one's presence Lease came back.
 */
function onPeersChanged(s: MembershipState, names: readonly string[], nowMs: number): MembershipState {
  const wanted = new Set(names.filter((n) => n !== s.config.self));
  const peers = new Map<string, PeerState>();
  for (const n of wanted) peers.set(n, s.peers.get(n) ?? newPeer(n, nowMs, startGraceMs(s.config)));
  // Without peers yet (the speakers' list not known when membership started), nothing has been heard: still starting.
  const started = !isStarting(s, nowMs) && (s.peers.size > 0 || nowMs >= s.startingUntilMs);
  const startingUntilMs = started ? Math.min(s.startingUntilMs, nowMs) : s.startingUntilMs;
  return { ...s, peers, startingUntilMs, keyEvidence: noteKeys(s, { kind: 'peersChanged', peers: wanted }, nowMs) };
}

function noteKeys(s: MembershipState, e: KeyEvent, nowMs: number): MembershipState['keyEvidence'] {
  return noteKeyEvent(s.keyEvidence, e, nowMs, s.config.keyRule);
}

/**
 * Evidence of a peer's different key. Ignored from anyone not configured (the gate lets none through), and
 * from a peer still alive: it authenticated within its dead time, so what fails now in its name is forged or
 * corrupt (a flood from its address, docs/layer2.md) or a key change its death will soon make plain.
 */
function onUnauthenticated(s: MembershipState, from: string, nowMs: number): StepResult {
  const peer = s.peers.get(from);
  if (peer === undefined || peer.status === 'alive') return { state: s, actions: [] };
  return { state: { ...s, keyEvidence: noteKeys(s, { kind: 'unauthenticated', peer: from }, nowMs) }, actions: [] };
}

function onTargetsChanged(s: MembershipState, fast: ReadonlySet<string> | 'all', nowMs: number): MembershipState {
  const peers = new Map(s.peers);
  for (const p of s.peers.values()) {
    const wasFast = s.fast === 'all' || s.fast.has(p.name);
    const isFast = fast === 'all' || fast.has(p.name);
    // Promoted peers get a fast beat now; demoted ones still get the beat promised them, then slow ones.
    if (isFast && !wasFast) peers.set(p.name, { ...p, nextSendAtMs: Math.min(p.nextSendAtMs, nowMs) });
  }
  return { ...s, fast, peers };
}

function onLeave(s: MembershipState, nowMs: number): StepResult {
  if (s.leaving) return { state: s, actions: [] };
  const actions: MembershipAction[] = [];
  let sequence = s.sequence;
  for (const p of s.peers.values()) {
    sequence += 1;
    actions.push({ kind: 'send', message: { ...beat(s, p, sequence, 0, nowMs), type: 'goodbye' } });
  }
  const counters = { ...s.counters, sent: s.counters.sent + actions.length };
  return { state: { ...s, sequence, leaving: true, counters }, actions };
}

function transition(s: MembershipState, e: MembershipEvent, nowMs: number): StepResult {
  if (s.leaving && e.kind !== 'leave') return { state: s, actions: [] };
  switch (e.kind) {
    case 'received': return onReceived(s, e.message, e.wallMs, nowMs);
    case 'unauthenticated': return onUnauthenticated(s, e.from, nowMs);
    case 'tick': return sendDue(judgeDoubt(expire(makeGoodDeafness(s, nowMs), nowMs), nowMs, true), nowMs);
    case 'behind': return onBehind(s, e.sinceMs, nowMs);
    case 'peersChanged': return sendDue(onPeersChanged(s, e.peers, nowMs), nowMs);
    case 'targetsChanged': return sendDue(onTargetsChanged(s, e.fast, nowMs), nowMs);
    case 'confirmedDown': return { state: { ...s, confirmedDown: new Set(e.nodes) }, actions: [] };
    case 'leave': return onLeave(s, nowMs);
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/**
 * keyMismatchChanged when the peers whose keys differ are not those last reported (time alone can change them);
 * nothing once leaving.
 */
function reportKeys(result: StepResult, nowMs: number): StepResult {
  const was = result.state.reported;
  if (result.state.leaving || (was.keyMismatch.length === 0 && result.state.keyEvidence.size === 0)) return result;
  const mismatched = keyMismatchesOf(result.state, nowMs);
  const names = mismatched.map((m) => m.peer);
  if (names.length === was.keyMismatch.length && names.every((n, i) => n === was.keyMismatch[i])) return result;
  result.actions.push({ kind: 'keyMismatchChanged', mismatched });
  return { state: { ...result.state, reported: { ...was, keyMismatch: names } }, actions: result.actions };
}

/**
 * One transition. Appends keyMismatchChanged when the peers whose keys differ changed, then aliveChanged when
 * the alive set, the quorum decision or the settling speakers (time alone can end a settling) moved. Pure.
 */
export function step(state: MembershipState, event: MembershipEvent, nowMs: number): StepResult {
  const moved = transition(state, event, nowMs);
  // Any event may bring the answer a doubt waits for (a beat, a peer list or outside evidence that shrinks `known`).
  const result = reportKeys({ ...moved, state: judgeDoubt(moved.state, nowMs, false) }, nowMs);
  const alive = aliveSet(result.state);
  const quorum = quorumOf(result.state, nowMs);
  const settling = settlingOf(result.state, nowMs);
  const was = result.state.reported;
  if (sameSet(was.alive, alive) && was.quorum.quorum === quorum.quorum && was.quorum.reason === quorum.reason && sameSet(was.settling, settling)) return result;
  result.actions.push({ kind: 'aliveChanged', alive, quorum, settling });
  return { state: { ...result.state, reported: { ...was, alive, quorum, settling } }, actions: result.actions };
}
