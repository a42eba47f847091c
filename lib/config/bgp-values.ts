// The values BGP objects carry as text: Go durations (metav1.Duration, as MetalLB writes "90s"), BGP communities
// (RFC 1997 standard "65000:100", RFC 8092 large "large:1:2:3"), and the widest CIDR block of a pool entry (what
// an aggregation length may not be shorter than). Pure parsers returning a value or why not.
import { ADDRESS_BITS, type Interval } from '../ip/index.js';

export type ValueParse<T> = { ok: true; value: T } | { ok: false; why: string };

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("90s", "1m30s", "500ms", "0") in milliseconds. */
export function parseDurationMs(text: string): ValueParse<number> {
  if (text === '0') return { ok: true, value: 0 };
  // \u00b5 is µ (Go's "µs"), escaped: one non-ASCII character in the speaker's bundle makes V8 hold its whole
  // source as two-byte text (test/packaging/bundle-ascii.test.ts).
  const part = /([0-9]+(?:\.[0-9]+)?)(ns|us|\u00b5s|ms|s|m|h)/y;
  let ms = 0;
  let at = 0;
  do { // at least one part: "" is no duration
    part.lastIndex = at;
    const m = part.exec(text);
    if (!m) return { ok: false, why: `"${text}" is not a duration (like "90s" or "1m30s")` };
    ms += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
    at = part.lastIndex;
  } while (at < text.length);
  return { ok: true, value: ms };
}

/** The longest TCP MD5 key Linux takes, in bytes (TCP_MD5SIG_MAXKEYLEN, include/uapi/linux/tcp.h). */
export const MD5_KEY_MAX_BYTES = 80;

/**
 * A BGP password as the kernel will take it for a TCP MD5 key (RFC 2385): not empty, and at most 80 bytes of
 * UTF-8. Bytes, not characters: "é" is two, so 80 characters may be too long. The value is never quoted back.
 */
export function parseMd5Password(text: string): ValueParse<string> {
  if (text === '') return { ok: false, why: 'the password is empty (leave it out for no TCP MD5 signature)' };
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MD5_KEY_MAX_BYTES) {
    return { ok: false, why: `the password is ${bytes} bytes of UTF-8 (${[...text].length} characters); the kernel takes a TCP MD5 key of at most ${MD5_KEY_MAX_BYTES} bytes` };
  }
  return { ok: true, value: text };
}

/** A community as it goes on the wire: a standard one (RFC 1997, two 16-bit halves) or a large one (RFC 8092). */
export type CommunityValue =
  | { kind: 'standard'; asn: number; value: number }
  | { kind: 'large'; globalAdmin: number; localData1: number; localData2: number };

const UINT16_MAX = 0xffff;
const UINT32_MAX = 0xffffffff;

/** Whether `text` is written as a community (digits and colons, or "large:"), rather than an alias's name. */
export function looksLikeCommunity(text: string): boolean {
  return /^[0-9]+:[0-9]+$/.test(text) || /^large:/i.test(text);
}

function part(text: string | undefined, max: number, what: string, whole: string): ValueParse<number> {
  if (text === undefined || !/^[0-9]{1,10}$/.test(text)) return { ok: false, why: `community "${whole}": ${what} "${text ?? ''}" is not a number` };
  const n = Number(text);
  return n <= max ? { ok: true, value: n } : { ok: false, why: `community "${whole}": ${what} ${text} is above ${max}` };
}

/** "65000:100" or "large:1:2:3"; each part in range, or why not, naming the part. */
export function parseCommunity(text: string): ValueParse<CommunityValue> {
  const fields = text.split(':');
  if (fields[0]?.toLowerCase() === 'large') {
    if (fields.length !== 4) return { ok: false, why: `community "${text}": a large community is "large:" and three numbers joined by ":"` };
    const parts = [['global administrator', fields[1]], ['local data part 1', fields[2]], ['local data part 2', fields[3]]] as const;
    const values: number[] = [];
    for (const [what, field] of parts) {
      const one = part(field, UINT32_MAX, what, text);
      if (!one.ok) return one;
      values.push(one.value);
    }
    const [globalAdmin = 0, localData1 = 0, localData2 = 0] = values;
    return { ok: true, value: { kind: 'large', globalAdmin, localData1, localData2 } };
  }
  if (fields.length !== 2) return { ok: false, why: `community "${text}": a standard community is two numbers joined by ":" (like 65000:100)` };
  const asn = part(fields[0], UINT16_MAX, 'the first half', text);
  if (!asn.ok) return asn;
  const value = part(fields[1], UINT16_MAX, 'the second half', text);
  if (!value.ok) return value;
  return { ok: true, value: { kind: 'standard', asn: asn.value, value: value.value } };
}

/** The community as Herald writes it back in messages ("65000:100", "large:1:2:3"). */
export function formatCommunity(c: CommunityValue): string {
  return c.kind === 'standard' ? `${c.asn}:${c.value}` : `large:${c.globalAdmin}:${c.localData1}:${c.localData2}`;
}

/**
 * The shortest prefix length among the CIDR blocks that exactly cover `interval` (a CIDR entry: its own length;
 * a range: its widest aligned block). MetalLB's aggregation check: an aggregation length shorter than this would
 * announce addresses outside the pool.
 */
export function widestBlockPrefix(interval: Interval): number {
  const bits = ADDRESS_BITS[interval.family];
  let widest = bits;
  let at = interval.first;
  while (at <= interval.last) {
    let size = 0;
    // Grow the block while it stays aligned at `at` and inside the interval.
    while (at % (1n << BigInt(size + 1)) === 0n && at + (1n << BigInt(size + 1)) - 1n <= interval.last) size++;
    widest = Math.min(widest, bits - size);
    at += 1n << BigInt(size);
  }
  return widest;
}
