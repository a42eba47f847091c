// The split-brain rule. Quote this block in docs/layer2.md.
//
// A speaker announces (keeps or takes any IP) only while it hears at least half of the known speakers,
// itself included: heard ≥ known / 2. Known speakers are the configured peers plus itself, minus the peers
// that said goodbye (a goodbye is authenticated and replay-protected, and a node that said it is leaving
// has already stopped announcing, so it cannot be on the other side of a split).
//
// Why half and not a strict majority: a strict majority makes a 2-node cluster drop every IP when either
// node dies. "At least half" keeps a 2-node cluster serving through a crash, at the price that if the two
// nodes lose each other while both stay up, both announce (the same trade every 2-node VRRP pair makes).
// From 3 nodes on, two sides of a split can never both hold half unless the split is exactly even.
//
//   1 node:                 hears 1 of 1       → announces (nobody else could take anything).
//   2 nodes, one dies:      hears 1 of 2       → announces (tie: availability wins, see above).
//   3 nodes, one dies:      hears 2 of 3       → announces.
//   3 nodes, isolated node: hears 1 of 3       → withdraws everything; the other two (2 of 3) take over. It hears
//                           its peers fall silent one by one, and while only the first is silent it would count
//                           2 of 3; that first one is a suspect, not dead, until a peer answers a ping (step.ts,
//                           the doubt), and with no answer it withdraws ('uncorroborated') instead of taking over.
//   3 nodes, two die:       hears 1 of 3       → withdraws everything. A lone survivor cannot tell "the
//                           others crashed" from "I am cut off", and announcing while cut off is what makes
//                           clients flap between two MACs. The way out is outside evidence: `confirmedDown`
//                           (e.g. the other nodes' Leases expired, or their Node objects gone NotReady, as the
//                           API server tells) removes those speakers from `known`, so the survivor then hears
//                           1 of 1 and announces again.
//   4 nodes split 2 / 2:    both sides hear 2 of 4 → both announce (an exact even split is the one case the
//                           rule cannot break without a tie-breaker; weights or an odd node count avoid it).
//   keys differ:            a speaker that hears no peer while a known peer is plainly up, sending beats it
//                           cannot authenticate (key-mismatch.ts), withdraws whatever the count says: it is on
//                           a mesh it cannot read, not beside dead peers. From 3 nodes on the count already says
//                           so (1 of 3); it matters for 2 nodes, where "half" would have both announce, and for
//                           a survivor whose other peers are confirmed down. A side that hears any peer is
//                           judged by the count: the odd one out withdraws, the others keep serving.
//
// While the speaker is starting (it has not yet heard every peer and the start grace has not passed) it
// does not announce at all: it cannot know yet who took its IPs while it was away.

/** Why a speaker may or may not announce. Each value is a log field and a test row. */
export type QuorumReason = 'alone' | 'majority' | 'half' | 'minority' | 'starting' | 'keyMismatch' | 'uncorroborated';

export interface QuorumDecision {
  quorum: boolean;
  reason: QuorumReason;
  /** Speakers heard, self included. */
  heard: number;
  /** Speakers the rule counts, self included. */
  known: number;
}

export interface QuorumInput {
  /** Every speaker this one knows of, itself included, minus those that said goodbye. */
  known: ReadonlySet<string>;
  /** The speakers it hears (alive), itself included. */
  alive: ReadonlySet<string>;
  /** Speakers known to be down from outside the mesh (API server); they stop counting as known. */
  confirmedDown?: ReadonlySet<string>;
  /** True while membership is still settling after start. */
  starting?: boolean;
  /** Peers that send beats this speaker cannot authenticate: their keys differ (key-mismatch.ts). */
  keyMismatch?: ReadonlySet<string>;
  /** Peers fell silent and too few of the others answered since: this speaker may be the one cut off (step.ts). */
  uncorroborated?: boolean;
}

/** The split-brain rule: may this speaker announce? Pure; see the comment block above. */
export function quorumDecision(input: QuorumInput): QuorumDecision {
  const down = input.confirmedDown ?? new Set<string>();
  const counted = [...input.known].filter((n) => !down.has(n) || input.alive.has(n));
  const known = counted.length;
  const heard = counted.filter((n) => input.alive.has(n)).length;
  const unreadable = counted.filter((n) => input.keyMismatch?.has(n) === true && !input.alive.has(n)).length;
  if (heard <= 1 && unreadable > 0) return { quorum: false, reason: 'keyMismatch', heard, known };
  if (input.starting) return { quorum: false, reason: 'starting', heard, known };
  const byCount = countDecision(heard, known);
  return byCount.quorum && input.uncorroborated ? { quorum: false, reason: 'uncorroborated', heard, known } : byCount;
}

function countDecision(heard: number, known: number): QuorumDecision {
  if (known <= 1) return { quorum: true, reason: 'alone', heard, known };
  if (2 * heard > known) return { quorum: true, reason: 'majority', heard, known };
  if (2 * heard === known) return { quorum: true, reason: 'half', heard, known };
  return { quorum: false, reason: 'minority', heard, known };
}
