// NLRI prefixes (RFC 4271 §4.3 "Network Layer Reachability Information", RFC 4760 §5 for IPv6): a length in bits
// followed by just enough octets to hold it. Herald hands prefixes around in canonical CIDR text
// ("192.0.2.7/32", "2001:db8::/64") so that a later diff can key maps by them and logs can print them.
//
//   +---------------------------+
//   |   Length (1 octet)        |   0..32 for IPv4, 0..128 for IPv6
//   +---------------------------+
//   |   Prefix (variable)       |   ceil(Length / 8) octets; bits past Length are irrelevant (zeroed on decode)
//   +---------------------------+
import { formatIPv4, formatIPv6, writeIPv4, writeIPv6, type Family } from '../../../lib/ip/index.js';
import { ByteReader, type ByteWriter } from '../../../lib/wire/index.js';

/** A prefix in canonical CIDR text: the address with every bit past the length zero, RFC 5952 form for IPv6. */
export type Prefix = `${string}/${number}`;

const ADDRESS_OCTETS: Record<Family, number> = { 4: 4, 6: 16 };

export function prefixFamily(prefix: Prefix): Family {
  return prefix.includes(':') ? 6 : 4;
}

const DIGIT_0 = 0x30;

/** The decimal length after the slash (at most three digits, no leading zero), or -1. */
function lengthAfter(prefix: Prefix, slash: number): number {
  const digits = prefix.length - slash - 1;
  if (digits < 1 || digits > 3 || (digits > 1 && prefix.charCodeAt(slash + 1) === DIGIT_0)) return -1;
  let length = 0;
  for (let i = slash + 1; i < prefix.length; i++) {
    const digit = prefix.charCodeAt(i) - DIGIT_0;
    if (digit < 0 || digit > 9) return -1;
    length = length * 10 + digit;
  }
  return length;
}

/** Whether the octets of an address at `start` are zero past the first `length` bits. */
function hostBitsClear(octets: Uint8Array, start: number, width: number, length: number): boolean {
  const partial = length % 8;
  if (partial !== 0 && ((octets[start + (length >> 3)] ?? 0) & (0xff >> partial)) !== 0) return false;
  for (let octet = Math.ceil(length / 8); octet < width; octet++) {
    if (octets[start + octet] !== 0) return false;
  }
  return true;
}

/**
 * Writes one prefix's wire form at target[offset] and returns the offset after it. The target needs room
 * for the length octet and a whole address of the family: the address is written whole, and since its host
 * bits must be clear, the octets past the significant ones are zeros the next prefix may overwrite.
 * A prefix of another family or not canonical (a bad address, a length out of range, host bits set) is a
 * caller's bug, not bad input: it throws a RangeError (a TypeError for the address) at once.
 */
function writePrefixAt(target: Uint8Array, offset: number, prefix: Prefix, family: Family): number {
  if (prefixFamily(prefix) !== family) throw new RangeError(`prefix "${prefix}" is not IPv${family}`);
  const slash = prefix.lastIndexOf('/');
  if (slash < 0) throw new RangeError(`prefix "${prefix}" has no length`);
  const width = ADDRESS_OCTETS[family];
  const length = lengthAfter(prefix, slash);
  if (length < 0 || length > width * 8) throw new RangeError(`prefix "${prefix}" has no valid length`);
  if (family === 4) writeIPv4(prefix, target, offset + 1, slash);
  else writeIPv6(prefix, target, offset + 1, slash);
  if (!hostBitsClear(target, offset + 1, width, length)) throw new RangeError(`prefix "${prefix}" has host bits set`);
  target[offset] = length;
  return offset + 1 + Math.ceil(length / 8);
}

/** The wire form of one prefix (see writePrefixAt for what throws). */
export function encodePrefix(prefix: Prefix): Uint8Array {
  const family = prefixFamily(prefix);
  const target = new Uint8Array(1 + ADDRESS_OCTETS[family]);
  return target.slice(0, writePrefixAt(target, 0, prefix, family));
}

/** Prefixes of one family on the wire, back to back, and where each one ends (to split them between UPDATEs). */
export interface EncodedPrefixes {
  octets: Uint8Array;
  /** ends[i] is the offset in `octets` just past prefix i. */
  ends: Uint32Array;
}

/**
 * Encodes prefixes that must all be of `family` into one buffer: the way to encode many, with no array
 * per prefix (a v6 prefix in the IPv4 NLRI field is a caller's bug and throws).
 */
export function encodePrefixes(prefixes: readonly Prefix[], family: Family): EncodedPrefixes {
  const octets = new Uint8Array(prefixes.length * (1 + ADDRESS_OCTETS[family]));
  const ends = new Uint32Array(prefixes.length);
  let offset = 0;
  for (let i = 0; i < prefixes.length; i++) {
    offset = writePrefixAt(octets, offset, prefixes[i] as Prefix, family);
    ends[i] = offset;
  }
  return { octets: octets.subarray(0, offset), ends };
}

/** Writes prefixes that must all be of `family`. */
export function writePrefixes(writer: ByteWriter, prefixes: readonly Prefix[], family: Family): void {
  writer.bytes(encodePrefixes(prefixes, family).octets);
}

/**
 * Reads prefixes until `bytes` ends. A length beyond the family's width or a prefix cut short is not a
 * truncation of the message but an unparsable field: `invalid` builds the codec's error for it.
 */
export function readPrefixes(bytes: Uint8Array, family: Family, field: string, invalid: (message: string) => Error): Prefix[] {
  const reader = new ByteReader(bytes, { truncated: (t) => invalid(`${field}: ${t.message}`) });
  const width = ADDRESS_OCTETS[family];
  const prefixes: Prefix[] = [];
  while (reader.remaining > 0) {
    const at = reader.offset;
    const length = reader.u8(`${field} prefix length`);
    if (length > width * 8) throw invalid(`${field}: prefix length ${length} at offset ${at} exceeds ${width * 8}`);
    const octets = Math.ceil(length / 8);
    const address = new Uint8Array(width);
    address.set(reader.view(octets, `${field} prefix`));
    if (length % 8 !== 0) address[octets - 1] = (address[octets - 1] ?? 0) & (0xff << (8 - (length % 8)));
    prefixes.push(`${family === 4 ? formatIPv4(address) : formatIPv6(address)}/${length}`);
  }
  return prefixes;
}
