// Pure: whether this speaker announces one IP now, or why not (STYLE.md §6). Each reason is logged
// with the ownership change and is a row of the table test.

export type NotAnnouncingReason =
  /** This node is not in the IP's eligible list. */
  | 'notEligible'
  /** This speaker hears too few peers: another one may have taken the IP (split-brain rule). */
  | 'noQuorum'
  /** The election gave the IP to another node. */
  | 'notOwner'
  /** No eligible node is alive, so there is no owner at all. */
  | 'noOwner'
  /** This node owns the IP but has no interface to announce it on. */
  | 'noInterface';

export type AnnounceDecision = 'announce' | NotAnnouncingReason;

export interface ShouldAnnounceInput {
  self: string;
  /** Whether this node is among the IP's eligible nodes. */
  eligible: boolean;
  /** The election's winner among alive eligible nodes, or null when none is alive. */
  owner: string | null;
  quorum: boolean;
  interfaces: readonly string[];
}

export function shouldAnnounce(input: ShouldAnnounceInput): AnnounceDecision {
  if (!input.eligible) return 'notEligible';
  // Quorum is checked before ownership: a cut-off speaker elects itself for everything, and that answer
  // is exactly the one not to trust.
  if (!input.quorum) return 'noQuorum';
  if (input.owner === null) return 'noOwner';
  if (input.owner !== input.self) return 'notOwner';
  if (input.interfaces.length === 0) return 'noInterface';
  return 'announce';
}
