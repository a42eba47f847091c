// The internal model of Herald's configuration: what the allocator sees instead of CRD objects.
import type { Interval } from '../ip/index.js';
import type { LabelMatcher } from './selector.js';

export interface PoolAllocationModel {
  /** Lower is tried first; undefined sorts after every number. */
  priority: number | undefined;
  /** Empty: no constraint on the namespace's name. */
  namespaces: readonly string[];
  /** Empty: no constraint on the namespace's labels. */
  namespaceSelectors: readonly LabelMatcher[];
  /** Empty: no constraint on the Service's labels. */
  serviceSelectors: readonly LabelMatcher[];
}

export interface PoolModel {
  name: string;
  /** Sorted (IPv4 first), merged where entries overlapped or touched. */
  intervals: readonly Interval[];
  autoAssign: boolean;
  avoidBuggyIPs: boolean;
  /** Present when the pool has a serviceAllocation block. */
  allocation: PoolAllocationModel | undefined;
  /** Milliseconds since the epoch; Infinity when unknown (then it counts as the newest). */
  createdAtMs: number;
  generation: number | undefined;
}

export type PoolProblemReason =
  | 'InvalidAddress'
  | 'InvalidCIDR'
  | 'ReversedRange'
  | 'MixedFamilyRange'
  | 'EmptyAddresses'
  | 'InvalidSelector'
  | 'OverlapsPool';

export interface PoolProblem {
  pool: string;
  reason: PoolProblemReason;
  /** The offending value, quoted in the message too (an address entry, a selector, an overlapping range). */
  value: string;
  message: string;
  /** For OverlapsPool: the older pool that keeps the addresses. */
  otherPool?: string;
}

export interface Config {
  /** Usable pools, sorted by name. */
  pools: PoolModel[];
  problems: PoolProblem[];
}
