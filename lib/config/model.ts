// The internal model of Herald's configuration: what the allocator sees instead of CRD objects.
import type { Interval } from '../ip/index.js';
import type { SelectorCompile } from './selector.js';

export interface PoolAllocationModel {
  /** Lower is tried first; undefined sorts after every number. */
  priority: number | undefined;
  /** Empty: no constraint on the namespace's name. */
  namespaces: readonly string[];
  /** Empty: no constraint on the namespace's labels. A selector that does not compile (InvalidSelector) stays in
   *  its place: what it would have matched is unknown, so a Service only it could admit gets nothing new. */
  namespaceSelectors: readonly SelectorCompile[];
  /** Empty: no constraint on the Service's labels. Unusable selectors as above. */
  serviceSelectors: readonly SelectorCompile[];
}

/** Addresses this pool shares with another usable pool. */
export interface PoolOverlap {
  /** The other pool. */
  pool: string;
  /** The addresses both pools list, sorted and merged. */
  intervals: readonly Interval[];
}

export interface PoolModel {
  name: string;
  /** Sorted (IPv4 first), merged where entries overlapped or touched. */
  intervals: readonly Interval[];
  autoAssign: boolean;
  avoidBuggyIPs: boolean;
  /** Present when the pool has a serviceAllocation block. */
  allocation: PoolAllocationModel | undefined;
  generation: number | undefined;
  /** Every other usable pool it shares addresses with, by name. Those addresses are withheld from new
   *  allocations in both pools; Services already holding them keep them. */
  overlaps: readonly PoolOverlap[];
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
  /** The offending value, quoted in the message too (an address entry, a selector, the overlapping ranges). */
  value: string;
  message: string;
  /** For OverlapsPool: the pools it overlaps, by name. */
  otherPools?: readonly string[];
}

export interface Config {
  /** Usable pools, sorted by name. A pool with an OverlapsPool problem is among them (see PoolModel.overlaps), and
   *  so is one with an InvalidSelector problem (see PoolAllocationModel): neither mistake takes an address away. */
  pools: PoolModel[];
  /** Every problem found, possibly several per pool. A pool with an address problem is left out of `pools`. */
  problems: PoolProblem[];
}
