// Text forms of the link-layer addresses in frames, and the IPv6 multicast groups a layer 2 speaker joins.
// Codecs hand out and take canonical strings so that callers compare and log them directly: MACs as lowercase
// "aa:bb:cc:dd:ee:ff". Parsers accept any valid spelling and throw on anything else. IP addresses' octets and
// text (dotted quads, RFC 5952 IPv6) are lib/ip's, shared with the BGP codec.
import { formatIPv6, parseIPv6, type IPv6Address } from '../../../lib/ip/index.js';
import { MAC_LENGTH } from './constants.js';

/** A MAC address in canonical text form: six lowercase two-digit hex octets joined by ':'. */
export type MacAddress = `${string}:${string}:${string}:${string}:${string}:${string}`;

export const BROADCAST_MAC: MacAddress = 'ff:ff:ff:ff:ff:ff';
export const ZERO_MAC: MacAddress = '00:00:00:00:00:00';
export const IPV6_UNSPECIFIED: IPv6Address = '::';
/** RFC 4291 §2.7.1: the link-local all-nodes multicast group. */
export const IPV6_ALL_NODES: IPv6Address = 'ff02::1';

const MAC_PATTERN = /^[0-9a-f]{1,2}([:-])[0-9a-f]{1,2}(\1[0-9a-f]{1,2}){4}$/i;

/** Formats 6 bytes as a canonical MAC. */
export function formatMac(bytes: Uint8Array): MacAddress {
  if (bytes.length !== MAC_LENGTH) throw new RangeError(`a MAC address is 6 bytes, got ${bytes.length}`);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':') as MacAddress;
}

/** Parses "aa:bb:cc:dd:ee:ff" (or with '-', any case) into 6 bytes. */
export function parseMac(text: string): Uint8Array {
  if (!MAC_PATTERN.test(text)) throw new TypeError(`"${text}" is not a MAC address`);
  return Uint8Array.from(text.split(/[:-]/), (part) => parseInt(part, 16));
}

/** Normalizes any accepted MAC spelling to the canonical form. */
export function canonicalMac(text: string): MacAddress {
  return formatMac(parseMac(text));
}

/**
 * RFC 4291 §2.7.1: the solicited-node multicast group of an address is ff02::1:ff00:0/104 plus the address's
 * low 24 bits. A host that answers NS for an address must have joined that group.
 */
export function solicitedNodeMulticast(address: IPv6Address): IPv6Address {
  const bytes = parseIPv6(address);
  const group = parseIPv6('ff02::1:ff00:0');
  group.set(bytes.subarray(13), 13);
  return formatIPv6(group);
}

/** RFC 4291 §2.7: ff00::/8. Never a packet's source (RFC 4291 §2.7, RFC 8200 §3). */
export function isIPv6Multicast(address: IPv6Address): boolean {
  return parseIPv6(address)[0] === 0xff;
}

/** RFC 4291 §2.7.1: is `address` a solicited-node group, ff02::1:ffxx:xxxx? */
export function isSolicitedNodeMulticast(address: IPv6Address): boolean {
  const bytes = parseIPv6(address);
  return SOLICITED_NODE_PREFIX.every((b, i) => bytes[i] === b);
}

/** The first 104 bits of every solicited-node group, ff02:0:0:0:0:1:ff. */
const SOLICITED_NODE_PREFIX = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff] as const;

/**
 * RFC 2464 §7: an IPv6 multicast address maps to the Ethernet multicast MAC 33:33 followed by its low 32 bits.
 * For a solicited-node group that is 33:33:ff:xx:xx:xx, the MAC to pass to `PacketSocket.addMulticast`.
 */
export function ipv6MulticastMac(group: IPv6Address): MacAddress {
  const bytes = parseIPv6(group);
  if (bytes[0] !== 0xff) throw new TypeError(`"${group}" is not an IPv6 multicast address`);
  return formatMac(Uint8Array.of(0x33, 0x33, ...bytes.subarray(12)));
}

/** The Ethernet multicast MAC on which Neighbor Solicitations for `address` arrive. */
export function solicitedNodeMac(address: IPv6Address): MacAddress {
  return ipv6MulticastMac(solicitedNodeMulticast(address));
}
