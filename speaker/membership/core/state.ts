// Membership state, its creation and the questions the driver asks of it. Transitions are in step.ts.
// Everything here is immutable: step() returns new objects and never edits the ones it was given.
import type { BudgetConfig } from './budget.js';
import { COLD_START_WINDOW_MS, CORROBORATE_WITHIN_INTERVALS, DEFAULT_DEAD_AFTER, DEFAULT_INTERVAL_MS, DEFAULT_MAX_CLOCK_SKEW_MS, DEFAULT_SETTLE_MS, DEFAULT_SLOW_INTERVAL_MS } from './defaults.js';
import { keyMismatches, keyRuleFor, type KeyEvidenceMap, type KeyMismatch, type KeyRule } from './key-mismatch.js';
import { PING_VERSION, type HeartbeatVersion } from './message.js';
import { quorumDecision, type QuorumDecision } from './quorum.js';

export interface MembershipConfig {
  /** This node's name, as peers address it. */
  self: string;
  /** Random per boot (the driver draws it); lets peers tell a restart from a replay. */
  incarnation: bigint;
  intervalMs: number;
  slowIntervalMs: number;
  deadAfter: number;
  maxClockSkewMs: number;
  /** When a peer's keys count as different from ours (key-mismatch.ts). */
  keyRule: KeyRule;
  /** How long a speaker that joins a running mesh stays settling (settlingOf); 0: never. */
  settleMs: number;
}

/**
 * pending: configured but not heard yet (dead for the election, waiting out the start grace);
 * alive: heard within its dead time; suspect: silent past its dead time, still alive for the election until the
 * doubt it opened is over (step.ts); dead: silent too long; left: said goodbye.
 */
export type PeerStatus = 'pending' | 'alive' | 'suspect' | 'dead' | 'left';

export interface PeerState {
  readonly name: string;
  readonly status: PeerStatus;
  /** The peer's current incarnation, once heard. */
  readonly incarnation: bigint | undefined;
  /** Highest sequence accepted in that incarnation (-1: none). */
  readonly lastSequence: number;
  /** alive: when it becomes dead; pending: when the start grace for it ends. */
  readonly deadlineMs: number;
  /** When the last message from it was accepted (undefined: never). */
  readonly heardAtMs: number | undefined;
  /** Past incarnations, newest last: messages from them are replays. */
  readonly retired: readonly bigint[];
  /** When this node owes the peer its next beat. */
  readonly nextSendAtMs: number;
  /** Wire version of the last message accepted from the peer (undefined: none yet, so write the newest). */
  readonly wireVersion: HeartbeatVersion | undefined;
  /** How often this node declared the peer's current incarnation dead; sent to it in every beat. */
  readonly timesDeclaredDead: number;
  /** The highest timesDeclaredDead the peer's current incarnation sent us: how often it had us dead. */
  readonly timesItDeclaredUsDead: number;
  /** When the peer's current incarnation began, on this node's clock (from its uptimeMs; version 3 only). */
  readonly startedAtMs: number | undefined;
}

/** Why the state machine refused an authenticated, well-formed message. */
export type StateDropReason = 'notForUs' | 'fromSelf' | 'unknownPeer' | 'replay' | 'stale' | 'leaving';

export interface MembershipCounters {
  readonly accepted: number;
  readonly sent: number;
  readonly dropped: Readonly<Partial<Record<StateDropReason, number>>>;
}

export interface MembershipState {
  readonly config: MembershipConfig;
  /** Last sequence number used in a message this node sent. */
  readonly sequence: number;
  /** Until then (or until every peer is heard) the node is starting and has no quorum. */
  readonly startingUntilMs: number;
  readonly peers: ReadonlyMap<string, PeerState>;
  /** Peers that get fast beats; 'all' is a full mesh. */
  readonly fast: ReadonlySet<string> | 'all';
  /** Speakers known down from outside the mesh (quorum.ts). */
  readonly confirmedDown: ReadonlySet<string>;
  readonly leaving: boolean;
  /**
   * Since when the driver may have missed datagrams (a backlog it has not read yet, which the kernel may
   * have overflowed): silence in that time is no evidence of a death. Cleared by the next tick, which is
   * taken only once the driver has caught up (step.ts, 'behind').
   */
  readonly deafSinceMs: number | undefined;
  /** MAC failures per peer since its last authenticated message (key-mismatch.ts). */
  readonly keyEvidence: KeyEvidenceMap;
  /**
   * Since when this node doubts that it is on the side that hears a quorum: a peer fell silent then, and not
   * enough peers have been heard since (corroborated). Undefined: no doubt. step.ts explains the rule.
   */
  readonly doubtSinceMs: number | undefined;
  /** When this node's incarnation began (its beats' uptimeMs count from here). */
  readonly startedAtMs: number;
  readonly counters: MembershipCounters;
  /**
   * What the last aliveChanged action said (or the initial view), and the peers the last keyMismatchChanged
   * action named, to report only real changes.
   */
  readonly reported: {
    readonly alive: ReadonlySet<string>; readonly quorum: QuorumDecision; readonly keyMismatch: readonly string[]; readonly settling: ReadonlySet<string>;
  };
}

/** `budget`: the receive path's (budget.ts), which paces how often a peer with another key is seen failing. */
export type MembershipConfigInput = Pick<MembershipConfig, 'self' | 'incarnation'> & Partial<MembershipConfig> & { budget?: BudgetConfig };

function validate<C extends Omit<MembershipConfig, 'keyRule'>>(c: C): C {
  const positive = (v: number, name: string) => {
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`membership ${name} must be > 0, got ${v}`);
  };
  positive(c.intervalMs, 'intervalMs');
  positive(c.slowIntervalMs, 'slowIntervalMs');
  positive(c.maxClockSkewMs, 'maxClockSkewMs');
  if (!Number.isInteger(c.deadAfter) || c.deadAfter < 1) throw new RangeError(`membership deadAfter must be an integer >= 1, got ${c.deadAfter}`);
  if (c.slowIntervalMs < c.intervalMs) throw new RangeError(`membership slowIntervalMs ${c.slowIntervalMs} < intervalMs ${c.intervalMs}`);
  if (c.self.length === 0) throw new RangeError('membership self name is empty');
  if (!Number.isFinite(c.settleMs) || c.settleMs < 0) throw new RangeError(`membership settleMs must be >= 0, got ${c.settleMs}`);
  return c;
}

/** How long a peer may stay unheard at start before it counts as dead. */
export function startGraceMs(c: MembershipConfig): number {
  return c.deadAfter * c.slowIntervalMs;
}

export function newPeer(name: string, nowMs: number, graceMs: number): PeerState {
  return { name, status: 'pending', incarnation: undefined, lastSequence: -1, deadlineMs: nowMs + graceMs, heardAtMs: undefined, retired: [],
    nextSendAtMs: nowMs, wireVersion: undefined, timesDeclaredDead: 0, timesItDeclaredUsDead: 0, startedAtMs: undefined };
}

/** A fresh state: every peer pending, first beats due at once. */
export function initialState(input: MembershipConfigInput, peers: readonly string[], nowMs: number): MembershipState {
  const { budget, keyRule, ...given } = input;
  const timing = validate({
    intervalMs: DEFAULT_INTERVAL_MS, slowIntervalMs: DEFAULT_SLOW_INTERVAL_MS, deadAfter: DEFAULT_DEAD_AFTER,
    maxClockSkewMs: DEFAULT_MAX_CLOCK_SKEW_MS, settleMs: DEFAULT_SETTLE_MS, ...given,
  });
  const config: MembershipConfig = { ...timing, keyRule: keyRule ?? keyRuleFor(timing, budget) };
  const grace = startGraceMs(config);
  const map = new Map<string, PeerState>();
  for (const p of peers) if (p !== config.self) map.set(p, newPeer(p, nowMs, grace));
  const state: Omit<MembershipState, 'reported'> = {
    config, sequence: 0, startingUntilMs: nowMs + grace, peers: map, fast: 'all', confirmedDown: new Set(),
    leaving: false, deafSinceMs: undefined, keyEvidence: new Map(), doubtSinceMs: undefined, startedAtMs: nowMs, counters: { accepted: 0, sent: 0, dropped: {} },
  };
  const placeholder = { alive: new Set<string>(), quorum: { quorum: false, reason: 'starting', heard: 0, known: 0 }, keyMismatch: [], settling: new Set<string>() } as const;
  const full: MembershipState = { ...state, reported: placeholder };
  return { ...full, reported: { alive: aliveSet(full), quorum: quorumOf(full, nowMs), keyMismatch: [], settling: settlingOf(full, nowMs) } };
}

/** Heard within its dead time, or a suspect whose death is not judged yet: alive for the election and the count. */
export const countsAlive = (p: PeerState): boolean => p.status === 'alive' || p.status === 'suspect';

/** The nodes heard, self included (self is alive until it leaves). */
export function aliveSet(s: MembershipState): Set<string> {
  const alive = new Set<string>(s.leaving ? [] : [s.config.self]);
  for (const p of s.peers.values()) if (countsAlive(p)) alive.add(p.name);
  return alive;
}

/** A peer that can answer a ping (message.ts): it spoke version 4 or newer last. Older builds cannot be asked. */
export const answersPings = (p: PeerState): boolean => (p.wireVersion ?? 0) >= PING_VERSION;

/**
 * Whether, since `sinceMs`, this node has heard enough peers to hold a quorum by them alone (self included): each
 * alive peer heard since then counts, and so does one that cannot be pinged (an older build, judged by its deadline
 * as before). A node cut off from the others hears nobody after its first peer falls silent, so it never is.
 */
export function corroborated(s: MembershipState, sinceMs: number): boolean {
  return quorumBy(s, (p) => (p.heardAtMs ?? -Infinity) >= sinceMs || !answersPings(p));
}

/** Whether the doubt can still end well: all the alive peers (not the suspects) answering would corroborate it. */
export function corroborable(s: MembershipState): boolean {
  return quorumBy(s, () => true);
}

/** The quorum held by self and the alive peers (suspects excluded) that `counts` accepts. */
function quorumBy(s: MembershipState, counts: (p: PeerState) => boolean): boolean {
  const heard = new Set<string>([s.config.self]);
  for (const p of s.peers.values()) if (p.status === 'alive' && counts(p)) heard.add(p.name);
  return quorumDecision({ known: knownSet(s), alive: heard, confirmedDown: s.confirmedDown }).quorum;
}

/** How long a doubt may wait for answers before this node's suspects are dead and it counts as cut off. */
export const corroborateWithinMs = (c: MembershipConfig): number => CORROBORATE_WITHIN_INTERVALS * c.intervalMs;

/** The speakers the quorum counts: self and every peer that has not said goodbye. */
export function knownSet(s: MembershipState): Set<string> {
  const known = new Set<string>([s.config.self]);
  for (const p of s.peers.values()) if (p.status !== 'left') known.add(p.name);
  return known;
}

/**
 * The alive speakers that may not be elected owner yet: each one whose incarnation began less than settleMs ago
 * and more than COLD_START_WINDOW_MS after the earliest alive speaker's (it joined a mesh that ran before it; a
 * restart, a DaemonSet update). Speakers that start within the window are one cold start and none of them settles,
 * so no IP moves as they finish starting one by one. Computed from the start times every speaker's heartbeats carry
 * (uptimeMs), so every node gets the same set up to a one-way delay. Empty while any alive peer speaks an older
 * version (no uptime): it would elect the newcomer at once, and the owners would disagree.
 */
export function settlingOf(s: MembershipState, nowMs: number): Set<string> {
  const settling = new Set<string>();
  if (s.leaving || s.config.settleMs === 0) return settling;
  const starts: [string, number][] = [[s.config.self, s.startedAtMs]];
  for (const p of s.peers.values()) {
    if (!countsAlive(p)) continue;
    if (p.startedAtMs === undefined) return settling;
    starts.push([p.name, p.startedAtMs]);
  }
  const earliest = Math.min(...starts.map(([, at]) => at));
  for (const [name, at] of starts) {
    if (nowMs - at < s.config.settleMs && at - earliest > COLD_START_WINDOW_MS) settling.add(name);
  }
  return settling;
}

export function isStarting(s: MembershipState, nowMs: number): boolean {
  if (nowMs >= s.startingUntilMs) return false;
  for (const p of s.peers.values()) if (p.status === 'pending') return true;
  return false;
}

/** The peers whose keys differ from this node's at nowMs (key-mismatch.ts), by name. */
export function keyMismatchesOf(s: MembershipState, nowMs: number): KeyMismatch[] {
  return s.keyEvidence.size === 0 ? [] : keyMismatches(s.keyEvidence, nowMs, s.config.keyRule);
}

/**
 * The split-brain decision for this state (quorum.ts). A leaving node never has quorum, nor one whose doubt outlived
 * its suspects without being corroborated (step.ts).
 */
export function quorumOf(s: MembershipState, nowMs: number): QuorumDecision {
  const keyMismatch = new Set(keyMismatchesOf(s, nowMs).map((m) => m.peer));
  const uncorroborated = s.doubtSinceMs !== undefined && !hasSuspects(s) && !corroborated(s, s.doubtSinceMs);
  const decision = quorumDecision({
    known: knownSet(s), alive: aliveSet(s), confirmedDown: s.confirmedDown, starting: isStarting(s, nowMs), keyMismatch, uncorroborated,
  });
  return s.leaving ? { ...decision, quorum: false } : decision;
}

export function hasSuspects(s: MembershipState): boolean {
  for (const p of s.peers.values()) if (p.status === 'suspect') return true;
  return false;
}

/** The earliest beat due, or undefined when none is (leaving, no peers). */
export function nextSendMs(s: MembershipState): number | undefined {
  if (s.leaving) return undefined;
  let due = Number.POSITIVE_INFINITY;
  for (const p of s.peers.values()) due = Math.min(due, p.nextSendAtMs);
  return Number.isFinite(due) ? due : undefined;
}

/**
 * When the driver must next call step(tick): the earliest send, deadline, end of a settling reported, or end of the
 * wait for a doubt's answers; undefined when leaving. (The end of the start grace needs no wake of its own: it is the
 * deadline of the peers still pending.)
 */
export function nextWakeMs(s: MembershipState): number | undefined {
  if (s.leaving) return undefined;
  let wake = Number.POSITIVE_INFINITY;
  for (const p of s.peers.values()) {
    wake = Math.min(wake, p.nextSendAtMs);
    if (p.status === 'alive' || p.status === 'pending') wake = Math.min(wake, p.deadlineMs);
  }
  if (s.doubtSinceMs !== undefined && hasSuspects(s)) wake = Math.min(wake, s.doubtSinceMs + corroborateWithinMs(s.config));
  for (const name of s.reported.settling) {
    const at = name === s.config.self ? s.startedAtMs : s.peers.get(name)?.startedAtMs;
    if (at !== undefined) wake = Math.min(wake, at + s.config.settleMs);
  }
  return Number.isFinite(wake) ? wake : undefined;
}
