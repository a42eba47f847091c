// A sorted array of distinct bigints: the allocated addresses of one pool and family. Lookups are
// binary searches; inserts shift the tail (a memmove, and allocation lowest-first mostly appends).

/** Index of the first element >= value (the length when none is). */
export function lowerBound(sorted: readonly bigint[], value: bigint, from = 0, to = sorted.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as bigint) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts value; returns false when it was already there. */
export function insertSorted(sorted: bigint[], value: bigint): boolean {
  const at = lowerBound(sorted, value);
  if (sorted[at] === value) return false;
  if (at === sorted.length) sorted.push(value);
  else sorted.splice(at, 0, value);
  return true;
}

/** Removes value; returns false when it was not there. */
export function removeSorted(sorted: bigint[], value: bigint): boolean {
  const at = lowerBound(sorted, value);
  if (sorted[at] !== value) return false;
  sorted.splice(at, 1);
  return true;
}
