// NLRI prefixes (RFC 4271 §4.3 "Network Layer Reachability Information", RFC 4760 §5 for IPv6): a length in bits
// followed by just enough octets to hold it. Herald hands prefixes around in canonical CIDR text
// ("192.0.2.7/32", "2001:db8::/64") so that a later diff can key maps by them and logs can print them.
//
//   +---------------------------+
//   |   Length (1 octet)        |   0..32 for IPv4, 0..128 for IPv6
//   +---------------------------+
//   |   Prefix (variable)       |   ceil(Length / 8) octets; bits past Length are irrelevant (zeroed on decode)
//   +---------------------------+
import type { Family } from '../../../lib/ip/index.js';
import { ByteReader, type ByteWriter } from '../../../lib/wire/index.js';
import { formatIPv4, formatIPv6, parseIPv6 } from '../../layer2/frames/addresses.js';

/** A prefix in canonical CIDR text: the address with every bit past the length zero, RFC 5952 form for IPv6. */
export type Prefix = `${string}/${number}`;

const ADDRESS_OCTETS: Record<Family, number> = { 4: 4, 6: 16 };

export function prefixFamily(prefix: Prefix): Family {
  return prefix.includes(':') ? 6 : 4;
}

/** Octets the prefix takes on the wire: the length octet and the significant address octets. */
export function encodedPrefixLength(prefix: Prefix): number {
  return 1 + Math.ceil(prefixLengthOf(prefix) / 8);
}

function prefixLengthOf(prefix: Prefix): number {
  return Number(prefix.slice(prefix.lastIndexOf('/') + 1));
}

/**
 * The wire form of one prefix. A prefix that is not canonical (a bad address, a length out of range, host
 * bits set) is a caller's bug, not bad input: it throws a RangeError at once.
 */
export function encodePrefix(prefix: Prefix): Uint8Array {
  const slash = prefix.lastIndexOf('/');
  if (slash < 0) throw new RangeError(`prefix "${prefix}" has no length`);
  const length = Number(prefix.slice(slash + 1));
  const address = prefixFamily(prefix) === 4 ? parseDottedQuad(prefix.slice(0, slash)) : parseIPv6(prefix.slice(0, slash));
  if (!Number.isInteger(length) || length < 0 || length > address.length * 8) {
    throw new RangeError(`prefix "${prefix}" has no valid length`);
  }
  const octets = Math.ceil(length / 8);
  const encoded = new Uint8Array(1 + octets);
  encoded[0] = length;
  encoded.set(address.subarray(0, octets), 1);
  if (!hostBitsClear(address, length)) throw new RangeError(`prefix "${prefix}" has host bits set`);
  return encoded;
}

function hostBitsClear(address: Uint8Array, length: number): boolean {
  const partial = length % 8;
  if (partial !== 0 && ((address[length >> 3] ?? 0) & (0xff >> partial)) !== 0) return false;
  for (let octet = Math.ceil(length / 8); octet < address.length; octet++) {
    if (address[octet] !== 0) return false;
  }
  return true;
}

const DECIMAL_OCTET = /^(0|[1-9][0-9]{0,2})$/;

/**
 * Dotted-quad IPv4 in four decimal parts, as parseIPv4 accepts, without its general parser: announcing
 * 100 000 /32s parses 100 000 addresses, and this is several times faster.
 */
function parseDottedQuad(text: string): Uint8Array {
  const parts = text.split('.');
  const octets = new Uint8Array(4);
  parts.forEach((part, i) => {
    const value = Number(part);
    if (!DECIMAL_OCTET.test(part) || value > 255) throw new TypeError(`"${text}" is not an IPv4 address`);
    octets[i] = value;
  });
  if (parts.length !== 4) throw new TypeError(`"${text}" is not an IPv4 address`);
  return octets;
}

/** Writes prefixes that must all be of `family` (a v6 prefix in the IPv4 NLRI field is a caller's bug). */
export function writePrefixes(writer: ByteWriter, prefixes: readonly Prefix[], family: Family): void {
  for (const prefix of prefixes) {
    if (prefixFamily(prefix) !== family) throw new RangeError(`prefix "${prefix}" is not IPv${family}`);
    writer.bytes(encodePrefix(prefix));
  }
}

/** Total wire length of a list of prefixes. */
export function encodedPrefixesLength(prefixes: readonly Prefix[]): number {
  let total = 0;
  for (const prefix of prefixes) total += encodedPrefixLength(prefix);
  return total;
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
