// Address intervals: CIDRs and "first-last" ranges both become inclusive [first, last] bigint pairs.
import { ADDRESS_BITS, AddressParseError, formatAddress, parseAddress, type Address, type Family } from './address.js';

export interface Interval {
  family: Family;
  first: bigint;
  last: bigint;
}

export type IntervalProblemReason = 'InvalidAddress' | 'InvalidCIDR' | 'ReversedRange' | 'MixedFamilyRange';

export type IntervalParse =
  | { ok: true; interval: Interval }
  | { ok: false; reason: IntervalProblemReason; message: string };

function fail(reason: IntervalProblemReason, message: string): IntervalParse {
  return { ok: false, reason, message };
}

function parseOrFail(text: string): Address | IntervalParse {
  try {
    return parseAddress(text);
  } catch (err) {
    if (err instanceof AddressParseError) return fail('InvalidAddress', err.message);
    throw err;
  }
}

function isAddress(x: Address | IntervalParse): x is Address {
  return 'family' in x;
}

/** "192.0.2.0/24". Host bits are masked off, as MetalLB (Go's net.ParseCIDR) does, so "192.0.2.7/24" is the /24. */
export function parseCidr(text: string): IntervalParse {
  const [base = '', prefixText = '', ...extra] = text.trim().split('/');
  if (extra.length > 0 || !/^[0-9]{1,3}$/.test(prefixText)) {
    return fail('InvalidCIDR', `"${text}" is not a CIDR: the prefix length must be a number after one "/"`);
  }
  const address = parseOrFail(base);
  if (!isAddress(address)) return address;
  const bits = ADDRESS_BITS[address.family];
  const prefix = Number(prefixText);
  if (prefix > bits) return fail('InvalidCIDR', `"${text}": prefix length ${prefix} is above ${bits}`);
  const hostBits = BigInt(bits - prefix);
  const first = (address.value >> hostBits) << hostBits;
  return { ok: true, interval: { family: address.family, first, last: first + (1n << hostBits) - 1n } };
}

/** "192.0.2.10-192.0.2.20", inclusive; spaces around the dash are allowed. */
export function parseRange(text: string): IntervalParse {
  const parts = text.split('-');
  if (parts.length !== 2) return fail('InvalidAddress', `"${text}" is not a range: expected one "-" between two addresses`);
  const first = parseOrFail(parts[0] ?? '');
  if (!isAddress(first)) return first;
  const last = parseOrFail(parts[1] ?? '');
  if (!isAddress(last)) return last;
  if (first.family !== last.family) {
    return fail('MixedFamilyRange', `range "${text}" mixes IPv${first.family} and IPv${last.family}`);
  }
  if (first.value > last.value) return fail('ReversedRange', `range "${text}" is reversed: its first address is after its last`);
  return { ok: true, interval: { family: first.family, first: first.value, last: last.value } };
}

/** One entry of IPAddressPool.spec.addresses: a CIDR, a range, or (as MetalLB allows) a bare address. */
export function parseAddressEntry(text: string): IntervalParse {
  if (text.includes('/')) return parseCidr(text);
  if (text.includes('-')) return parseRange(text);
  const address = parseOrFail(text);
  if (!isAddress(address)) return address;
  return { ok: true, interval: { family: address.family, first: address.value, last: address.value } };
}

export function intervalSize(interval: Interval): bigint {
  return interval.last - interval.first + 1n;
}

export function intervalContains(interval: Interval, address: Address): boolean {
  return interval.family === address.family && interval.first <= address.value && address.value <= interval.last;
}

/** The common part of two intervals, or undefined when they are disjoint (or of different families). */
export function intersection(a: Interval, b: Interval): Interval | undefined {
  if (a.family !== b.family) return undefined;
  const first = a.first > b.first ? a.first : b.first;
  const last = a.last < b.last ? a.last : b.last;
  return first <= last ? { family: a.family, first, last } : undefined;
}

export function compareIntervals(a: Interval, b: Interval): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.first < b.first ? -1 : a.first > b.first ? 1 : 0;
}

/** Sorted (IPv4 first, then by start), with overlapping or touching intervals merged. */
export function normalizeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort(compareIntervals);
  const out: Interval[] = [];
  for (const next of sorted) {
    const prev = out[out.length - 1];
    if (prev && prev.family === next.family && next.first <= prev.last + 1n) {
      if (next.last > prev.last) prev.last = next.last;
    } else {
      out.push({ ...next });
    }
  }
  return out;
}

/** "192.0.2.0-192.0.2.255" (or a single address when first = last), for messages. */
export function formatInterval(interval: Interval): string {
  const first = formatAddress({ family: interval.family, value: interval.first });
  if (interval.first === interval.last) return first;
  return `${first}-${formatAddress({ family: interval.family, value: interval.last })}`;
}

/** The addresses both lists hold, for two lists sorted and merged by normalizeIntervals; a two-pointer walk. */
export function commonIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Interval;
    const y = b[j] as Interval;
    const common = intersection(x, y);
    if (common) out.push(common);
    // Advance whichever ends first (by family, then by last address): it can meet nothing further on.
    if (x.family !== y.family ? x.family < y.family : x.last < y.last) i++;
    else j++;
  }
  return out;
}

/** `intervals` without the addresses of `holes`; both sorted and merged by normalizeIntervals. */
export function subtractIntervals(intervals: readonly Interval[], holes: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const interval of intervals) {
    let first = interval.first;
    for (const hole of holes) {
      if (hole.family !== interval.family || hole.last < first) continue;
      if (hole.first > interval.last) break;
      if (hole.first > first) out.push({ family: interval.family, first, last: hole.first - 1n });
      first = hole.last + 1n;
      if (first > interval.last) break;
    }
    if (first <= interval.last) out.push({ family: interval.family, first, last: interval.last });
  }
  return out;
}
