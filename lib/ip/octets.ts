// IP addresses as the octets a packet carries, and their text forms: what the wire codecs (ARP/NDP frames,
// rtnetlink, BGP) hand out and take. Text is canonical on the way out (dotted quad; RFC 5952 for IPv6) and
// any valid spelling on the way in; anything else throws a TypeError quoting the text.
//
// The parsers are hand-written scanners over character codes rather than regular expressions: a BGP speaker
// announcing 100 000 prefixes parses 100 000 addresses, and `writeIPv4`/`writeIPv6` write them straight into
// the caller's buffer, without a string or array per address.
import ipaddr from 'ipaddr.js';

/** An IPv4 address in dotted-quad form. */
export type IPv4Address = string;
/** An IPv6 address in RFC 5952 text form. */
export type IPv6Address = string;

export const IPV4_OCTETS = 4;
export const IPV6_OCTETS = 16;

const DOT = 0x2e;
const COLON = 0x3a;
const DIGIT_0 = 0x30;

/** The value of a hexadecimal digit's character code, or -1. */
function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20; // 'A'..'F' -> 'a'..'f'
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * Scans text[start..end) as four decimal parts 0..255 without leading zeros (what Kubernetes accepts; no
 * octal, hex or shortened forms) into target[offset..offset+4). False if it is anything else.
 */
function scanIPv4(text: string, start: number, end: number, target: Uint8Array, offset: number): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === DOT) {
      if (digits === 0 || part === 3) return false;
      target[offset + part++] = value;
      value = 0;
      digits = 0;
      continue;
    }
    const digit = code - DIGIT_0;
    if (digit < 0 || digit > 9 || (digits > 0 && value === 0)) return false;
    value = value * 10 + digit;
    digits++;
    if (value > 255) return false;
  }
  if (digits === 0 || part !== 3) return false;
  target[offset + 3] = value;
  return true;
}

/**
 * Scans text[start..end) as an IPv6 address (RFC 4291 §2.2: eight groups of 1-4 hex digits, one "::" for a
 * run of zero groups, optionally a dotted quad for the last 32 bits; no zone) into target[offset..offset+16).
 * Groups are written as they come; the ones after a "::" are moved to the end once their count is known.
 */
function scanIPv6(text: string, start: number, end: number, target: Uint8Array, offset: number): boolean {
  let group = 0;
  let gap = -1;
  let i = start;
  if (end - start >= 2 && text.charCodeAt(i) === COLON && text.charCodeAt(i + 1) === COLON) {
    gap = 0;
    i += 2;
  }
  while (i < end) {
    const groupStart = i;
    let value = 0;
    while (i < end && i - groupStart < 4) {
      const digit = hexValue(text.charCodeAt(i));
      if (digit < 0) break;
      value = value * 16 + digit;
      i++;
    }
    if (i < end && text.charCodeAt(i) === DOT) {
      if (group > 6 || !scanIPv4(text, groupStart, end, target, offset + group * 2)) return false;
      group += 2;
      break;
    }
    if (i === groupStart || group === 8) return false;
    target[offset + group * 2] = value >> 8;
    target[offset + group * 2 + 1] = value & 0xff;
    group++;
    if (i === end) break;
    if (text.charCodeAt(i) !== COLON) return false;
    i++;
    if (i < end && text.charCodeAt(i) === COLON) {
      if (gap >= 0) return false;
      gap = group;
      i++;
    } else if (i === end) {
      return false;
    }
  }
  if (gap < 0) return group === 8;
  if (group > 7) return false;
  // The groups after "::" move to the end, last octet first (they only ever move right), and zeros fill the gap.
  const shift = IPV6_OCTETS - group * 2;
  for (let at = offset + group * 2 - 1; at >= offset + gap * 2; at--) target[at + shift] = target[at] ?? 0;
  for (let at = offset + gap * 2; at < offset + gap * 2 + shift; at++) target[at] = 0;
  return true;
}

/** Writes the IPv4 address in text[0..end) as 4 octets at target[offset]; throws a TypeError if it is none. */
export function writeIPv4(text: string, target: Uint8Array, offset: number, end = text.length): void {
  if (offset + IPV4_OCTETS > target.length) throw new RangeError(`no room for an IPv4 address at offset ${offset} of ${target.length}`);
  if (!scanIPv4(text, 0, end, target, offset)) throw new TypeError(`"${text.slice(0, end)}" is not an IPv4 address`);
}

/** Writes the IPv6 address in text[0..end) as 16 octets at target[offset]; throws a TypeError if it is none. */
export function writeIPv6(text: string, target: Uint8Array, offset: number, end = text.length): void {
  if (offset + IPV6_OCTETS > target.length) throw new RangeError(`no room for an IPv6 address at offset ${offset} of ${target.length}`);
  if (!scanIPv6(text, 0, end, target, offset)) throw new TypeError(`"${text.slice(0, end)}" is not an IPv6 address`);
}

export function parseIPv4(text: string): Uint8Array {
  const octets = new Uint8Array(IPV4_OCTETS);
  writeIPv4(text, octets, 0);
  return octets;
}

export function parseIPv6(text: string): Uint8Array {
  const octets = new Uint8Array(IPV6_OCTETS);
  writeIPv6(text, octets, 0);
  return octets;
}

export function formatIPv4(bytes: Uint8Array): IPv4Address {
  if (bytes.length !== IPV4_OCTETS) throw new RangeError(`an IPv4 address is 4 bytes, got ${bytes.length}`);
  return bytes.join('.');
}

export function formatIPv6(bytes: Uint8Array): IPv6Address {
  if (bytes.length !== IPV6_OCTETS) throw new RangeError(`an IPv6 address is 16 bytes, got ${bytes.length}`);
  return ipaddr.fromByteArray(Array.from(bytes)).toString();
}

/** Normalizes any accepted IPv6 spelling to RFC 5952 form. */
export function canonicalIPv6(text: string): IPv6Address {
  return formatIPv6(parseIPv6(text));
}
