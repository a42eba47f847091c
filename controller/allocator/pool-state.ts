// One usable pool and the addresses allocated from it. The lowest free address is found by binary search
// over the sorted allocated addresses inside each interval, in O(intervals × log allocated): the pool's
// size never enters, so a /64 allocates as fast as a /16.
//
// Addresses the pool shares with another pool (PoolModel.overlaps) are withheld: still the pool's (a Service
// may keep one it holds), but never handed out anew. The search runs over the pool's intervals minus them.
import type { PoolModel } from '../../lib/config/index.js';
import {
  countUsable, formatAddress, intervalContains, isUsable, normalizeIntervals, nthUsable, rankUsable, subtractIntervals,
  type Address, type Family, type Interval, type UsableSpan,
} from '../../lib/ip/index.js';
import { insertSorted, lowerBound, removeSorted } from './sorted.js';

export interface FamilyUsage {
  /** Usable addresses (after avoidBuggyIPs), exact. */
  total: bigint;
  /** Distinct addresses held by at least one Service. */
  inUse: number;
  /** Addresses that may be handed out now: neither held nor withheld by an overlap. */
  available: bigint;
}

export class PoolState {
  private readonly spans: Record<Family, UsableSpan[]> = { 4: [], 6: [] };
  /** The spans without the withheld addresses: where new allocations are searched. */
  private readonly givable: Record<Family, UsableSpan[]> = { 4: [], 6: [] };
  private readonly used: Record<Family, bigint[]> = { 4: [], 6: [] };
  private readonly totals: Record<Family, bigint> = { 4: 0n, 6: 0n };

  constructor(readonly model: PoolModel) {
    const withheld = normalizeIntervals(model.overlaps.flatMap((o) => o.intervals));
    const span = (interval: Interval): UsableSpan => ({ ...interval, avoidBuggyIPs: model.avoidBuggyIPs });
    for (const interval of model.intervals) {
      this.spans[interval.family].push(span(interval));
      this.totals[interval.family] += countUsable(span(interval));
    }
    for (const interval of subtractIntervals(model.intervals, withheld)) this.givable[interval.family].push(span(interval));
  }

  get name(): string {
    return this.model.name;
  }

  hasFamily(family: Family): boolean {
    return this.spans[family].length > 0;
  }

  /** In one of the pool's intervals and not skipped by avoidBuggyIPs. */
  contains(address: Address): boolean {
    return this.spans[address.family].some((span) => isUsable(span, address.value));
  }

  markUsed(address: Address): void {
    if (!this.contains(address)) throw new Error(`pool "${this.name}" cannot hold "${formatAddress(address)}": not a usable address of it`);
    insertSorted(this.used[address.family], address.value);
  }

  markFree(address: Address): void {
    removeSorted(this.used[address.family], address.value);
  }

  /** The other pools that also list this address (it is withheld from new allocations), by name. */
  overlapsAt(address: Address): string[] {
    return this.model.overlaps.filter((o) => o.intervals.some((i) => intervalContains(i, address))).map((o) => o.pool);
  }

  usage(family: Family): FamilyUsage {
    const used = this.used[family];
    let available = 0n;
    for (const span of this.givable[family]) {
      const held = lowerBound(used, span.last + 1n) - lowerBound(used, span.first);
      available += countUsable(span) - BigInt(held);
    }
    return { total: this.totals[family], inUse: used.length, available };
  }

  /** The lowest usable address of the family that nobody holds and no overlap withholds, or undefined. */
  firstFree(family: Family): bigint | undefined {
    const used = this.used[family];
    for (const span of this.givable[family]) {
      const lo = lowerBound(used, span.first);
      const hi = lowerBound(used, span.last + 1n, lo);
      if (BigInt(hi - lo) >= countUsable(span)) continue;
      return nthUsable(span, BigInt(firstGap(used, span, lo, hi)));
    }
    return undefined;
  }
}

/**
 * used[lo..hi) are distinct usable addresses of the span, sorted, so rank(used[lo+k]) >= k, and
 * rank(used[lo+k]) - k never decreases. The first k where rank(used[lo+k]) > k (or k = hi - lo) is the
 * rank of the lowest free address: a binary search.
 */
function firstGap(used: readonly bigint[], span: UsableSpan, lo: number, hi: number): number {
  let a = 0;
  let b = hi - lo;
  while (a < b) {
    const k = (a + b) >>> 1;
    if (rankUsable(span, used[lo + k] as bigint) > BigInt(k)) b = k;
    else a = k + 1;
  }
  return a;
}
