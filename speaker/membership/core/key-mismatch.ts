// Whose heartbeat keys differ from ours. A speaker whose key is not its peers' (a key file or Secret edited
// without the three rotation steps, docs/layer2.md; a watch that lags during a rotation) sees nothing but
// silence: every beat fails the MAC. This judge tells that silence from a dead or cut-off peer, by what the
// receive gate (receive-gate.ts) already learns, so it costs no MAC of its own:
//
//   evidence   a datagram from a peer's listed address, in that peer's name, that passed every check before
//              the MAC (decode, admission, budget) and failed the MAC with every key: 'unauthenticated'. Only
//              while the peer is not alive (step.ts): one that authenticated within its dead time is plainly
//              readable, and what fails in its name meanwhile is forged or corrupt.
//   verdict    the peer's keys differ while, since the last message from it that did authenticate,
//              - at least MIN_FAILURES such datagrams came (one corrupted or forged datagram is not enough), and
//              - the first of them is at least windowMs old, windowMs = 1.5 × the slow interval: a peer with
//                our key beats us at least once per slow interval, so failures for longer than that without one
//                authenticated beat cannot be a healthy peer plus a few forgeries (and a peer on the slow beat
//                meets it with its third failing beat, 2 intervals after the first, with room for jitter), and
//              - the last of them is at most quietMs old: a peer that stopped sending (it died, or left the
//                mesh) no longer counts, so a survivor is judged by the ordinary rule again.
//   cleared    by an authenticated message from that peer (or the peer leaving the configuration).
//
// Failures arrive at least once per max(slow interval, 1 / budget refill) while a peer sends: each beat of one
// whose incarnation we never accepted is a new incarnation and draws a token of its address's budget (budget.ts:
// 2 per second against one slow beat per second; one that changed its keys without a restart sends
// continuations, each checked), so quietMs = deadAfter such gaps, as for a death.
// With the defaults: reported at the third failing beat, 2 s after the first on the slow beat (1.5 s on the fast
// one, whose first 8 failures come at once), forgotten 4 s after the last one.
//
// What it cannot know: the failures are unauthenticated by nature, so someone who can send from a peer's
// address can make a silent peer look mismatched (quorum.ts says what that costs: a lone survivor of two
// withdraws). Such a sender can as well answer ARP for every VIP itself.
import { DEFAULT_BUDGET, type BudgetConfig } from './budget.js';
import { quoteName } from './names.js';

/** MAC failures in a row (no authenticated message between them) before a peer's keys are said to differ. */
export const MIN_FAILURES = 3;

export interface KeyRule {
  minFailures: number;
  /** How long the failures must have lasted, from the first. */
  windowMs: number;
  /** How long after the last failure a peer still counts as sending. */
  quietMs: number;
}

/** The rule for a membership's intervals and its receive budget (see the comment above). */
export function keyRuleFor(c: { slowIntervalMs: number; deadAfter: number }, budget: BudgetConfig = DEFAULT_BUDGET): KeyRule {
  const slowestGapMs = Math.max(c.slowIntervalMs, 1000 / budget.perSecond);
  return { minFailures: MIN_FAILURES, windowMs: 1.5 * c.slowIntervalMs, quietMs: c.deadAfter * slowestGapMs };
}

/** The failures from one peer since its last authenticated message. */
export interface KeyEvidence {
  readonly failed: number;
  readonly firstFailedMs: number;
  readonly lastFailedMs: number;
}

/** Per peer with failures since its last authenticated message. */
export type KeyEvidenceMap = ReadonlyMap<string, KeyEvidence>;

export type KeyEvent =
  /** A datagram in `peer`'s name from its listed address passed every check before the MAC and failed it. */
  | { kind: 'unauthenticated'; peer: string }
  /** A message from `peer` passed the MAC. */
  | { kind: 'authenticated'; peer: string }
  /** The configured peers; evidence about any other is forgotten. */
  | { kind: 'peersChanged'; peers: ReadonlySet<string> };

/** A peer whose keys differ: `failed` datagrams from it failed the MAC over the last `forMs`. */
export interface KeyMismatch {
  peer: string;
  failed: number;
  forMs: number;
}

/** The evidence after one event. Pure; the map given is not changed. */
export function noteKeyEvent(evidence: KeyEvidenceMap, event: KeyEvent, nowMs: number, rule: KeyRule): KeyEvidenceMap {
  switch (event.kind) {
    case 'authenticated': {
      if (!evidence.has(event.peer)) return evidence;
      const next = new Map(evidence);
      next.delete(event.peer);
      return next;
    }
    case 'unauthenticated': {
      const was = evidence.get(event.peer);
      // After a quiet time the peer starts a new run: old failures say nothing about the key it has now.
      const fresh = was === undefined || nowMs - was.lastFailedMs > rule.quietMs;
      const next = new Map(evidence);
      next.set(event.peer, fresh
        ? { failed: 1, firstFailedMs: nowMs, lastFailedMs: nowMs }
        : { failed: was.failed + 1, firstFailedMs: was.firstFailedMs, lastFailedMs: nowMs });
      return next;
    }
    case 'peersChanged': {
      if ([...evidence.keys()].every((p) => event.peers.has(p))) return evidence;
      return new Map([...evidence].filter(([p]) => event.peers.has(p)));
    }
  }
}

/** The peers whose keys differ from ours at nowMs, by name. Pure. */
export function keyMismatches(evidence: KeyEvidenceMap, nowMs: number, rule: KeyRule): KeyMismatch[] {
  const out: KeyMismatch[] = [];
  for (const [peer, e] of evidence) {
    const lasted = nowMs - e.firstFailedMs;
    if (e.failed >= rule.minFailures && lasted >= rule.windowMs && nowMs - e.lastFailedMs <= rule.quietMs) {
      out.push({ peer, failed: e.failed, forMs: lasted });
    }
  }
  return out.sort((a, b) => (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0));
}

/**
 * What the log, /readyz and the event say: which peers, and where to look. `keysFrom` names where this
 * speaker's keys come from ("the Secret herald-system/herald-memberlist", "the key file /etc/herald/key").
 */
export function keyMismatchText(mismatches: readonly KeyMismatch[], keysFrom: string): string {
  const names = mismatches.map((m) => quoteName(m.peer)).join(', ');
  const one = mismatches.length === 1;
  return `heartbeat keys differ: every heartbeat from ${one ? 'node' : 'nodes'} ${names} fails authentication with every key this speaker holds; `
    + `check ${keysFrom} (every speaker must hold the same keys)`;
}
