// IP addresses as (family, bigint) pairs. Every pool computation in Herald is interval arithmetic on
// these numbers; nothing ever enumerates addresses, so an IPv6 /64 costs what an IPv4 /24 does.
import ipaddr from 'ipaddr.js';

/** An address family, as Herald computes with it. */
export type Family = 4 | 6;
/** A family as Kubernetes spells it (Service spec.ipFamilies) and as metrics label it; familyName converts. */
export type FamilyName = 'IPv4' | 'IPv6';
export const FAMILIES: readonly Family[] = [4, 6];

export interface Address {
  family: Family;
  value: bigint;
}

export const ADDRESS_BITS: Record<Family, number> = { 4: 32, 6: 128 };
export const MAX_VALUE: Record<Family, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };

// Strict dotted quad: Kubernetes rejects leading zeros (they were read as octal by some parsers) and
// ipaddr.js alone would accept forms like "10.1" or "0x0a.0.0.1".
const IPV4_STRICT = /^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$/;

export class AddressParseError extends Error {
  constructor(readonly input: string, reason: string) {
    super(`"${input}" is not an IP address: ${reason}`);
    this.name = 'AddressParseError';
  }
}

function bytesToBigint(bytes: readonly number[]): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

/** Parses a literal IPv4 or IPv6 address (no CIDR, no zone). Throws AddressParseError naming the input. */
export function parseAddress(input: string): Address {
  const text = input.trim();
  if (text.includes(':')) {
    if (text.includes('%')) throw new AddressParseError(input, 'zone indexes are not allowed');
    if (!ipaddr.IPv6.isValid(text)) throw new AddressParseError(input, 'invalid IPv6 syntax');
    return { family: 6, value: bytesToBigint(ipaddr.IPv6.parse(text).toByteArray()) };
  }
  if (!IPV4_STRICT.test(text)) throw new AddressParseError(input, 'expected a dotted quad like 192.0.2.1');
  const octets = text.split('.').map(Number);
  if (octets.some((o) => o > 255)) throw new AddressParseError(input, 'an octet is above 255');
  return { family: 4, value: bytesToBigint(octets) };
}

/** Like parseAddress, but returns undefined instead of throwing. */
export function tryParseAddress(input: string): Address | undefined {
  try {
    return parseAddress(input);
  } catch {
    return undefined;
  }
}

function bigintToBytes(value: bigint, length: number): number[] {
  const bytes = new Array<number>(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return bytes;
}

/** Canonical text: dotted quad for IPv4, RFC 5952 (lower case, longest zero run compressed) for IPv6. */
export function formatAddress(address: Address): string {
  const { family, value } = address;
  if (value < 0n || value > MAX_VALUE[family]) {
    throw new RangeError(`value ${value} is outside the IPv${family} address space`);
  }
  if (family === 4) return bigintToBytes(value, 4).join('.');
  return ipaddr.fromByteArray(bigintToBytes(value, 16)).toString();
}

/** Re-formats an address literal canonically ("2001:DB8:0::1" → "2001:db8::1"). */
export function canonicalAddress(input: string): string {
  return formatAddress(parseAddress(input));
}

export function familyName(family: Family): FamilyName {
  return family === 4 ? 'IPv4' : 'IPv6';
}

export function familyFromName(name: string): Family | undefined {
  if (name === 'IPv4') return 4;
  if (name === 'IPv6') return 6;
  return undefined;
}

export function sameAddress(a: Address, b: Address): boolean {
  return a.family === b.family && a.value === b.value;
}

/** Orders IPv4 before IPv6, then numerically. */
export function compareAddresses(a: Address, b: Address): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}
