// Which addresses of an interval may be given out, in closed form. With avoidBuggyIPs, IPv4 addresses
// ending in .0 or .255 are skipped (some old clients treat them as broadcast); counting, ranking and
// picking the k-th usable address are all O(1) arithmetic, never a walk over the interval.
import type { Interval } from './interval.js';

export interface UsableSpan extends Interval {
  avoidBuggyIPs: boolean;
}

function skipsBuggy(span: UsableSpan): boolean {
  return span.avoidBuggyIPs && span.family === 4;
}

/** Buggy addresses (x mod 256 is 0 or 255) in [0, n): two per full /24 block, plus the .0 of a started one. */
function buggyBelow(n: bigint): bigint {
  const r = n % 256n;
  return (n / 256n) * 2n + (r >= 1n ? 1n : 0n);
}

export function isBuggy(value: bigint): boolean {
  const r = value % 256n;
  return r === 0n || r === 255n;
}

export function isUsable(span: UsableSpan, value: bigint): boolean {
  if (value < span.first || value > span.last) return false;
  return !(skipsBuggy(span) && isBuggy(value));
}

/** Usable addresses in [span.first, x), for x in [first, last + 1]. */
export function rankUsable(span: UsableSpan, x: bigint): bigint {
  const all = x - span.first;
  return skipsBuggy(span) ? all - (buggyBelow(x) - buggyBelow(span.first)) : all;
}

export function countUsable(span: UsableSpan): bigint {
  return rankUsable(span, span.last + 1n);
}

/** The k-th (0-based) usable address of the span, or undefined when it has k or fewer. */
export function nthUsable(span: UsableSpan, k: bigint): bigint | undefined {
  if (k < 0n) return undefined;
  let value: bigint;
  if (skipsBuggy(span)) {
    // Usable addresses below x = 256q + r (1 <= r <= 255) number 254q + (r - 1): invert that.
    const target = span.first - buggyBelow(span.first) + k;
    value = (target / 254n) * 256n + (target % 254n) + 1n;
  } else {
    value = span.first + k;
  }
  return value <= span.last ? value : undefined;
}
