// MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760 §3, §4): routes of other address families, here IPv6 unicast
// (and IPv4 unicast, which peers may also send this way). An IPv6 next hop is 16 octets, global, or 32:
// global then link-local (RFC 2545 §3). An IPv4 family may carry an IPv6 next hop (RFC 8950 §3).
// Families Herald does not speak decode to raw attributes: their NLRI cannot be parsed, only carried.
//
// RFC 7606 §7.11: a malformed MP attribute resets the session (its NLRI cannot be trusted to withdraw),
// so every failure here is an Optional Attribute Error (RFC 4760 §7).
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6, type Family } from '../../../lib/ip/index.js';
import { ByteReader, type ByteWriter } from '../../../lib/wire/index.js';
import type { PathAttribute } from './attributes.js';
import { AFI, SAFI, UPDATE_MESSAGE_ERROR } from './constants.js';
import { AttributeMalformed } from './errors.js';
import { readPrefixes, writePrefixes } from './prefixes.js';

/** The next hop of MP_REACH_NLRI: a global address, and for IPv6 optionally a link-local one after it. */
export interface MpNextHop {
  global: string;
  linkLocal: string | null;
}

/** The family of a supported AFI/SAFI pair, or null. */
export function familyOf(afi: number, safi: number): Family | null {
  if (safi !== SAFI.UNICAST) return null;
  if (afi === AFI.IPV4) return 4;
  if (afi === AFI.IPV6) return 6;
  return null;
}

function supportedFamily(afi: number, safi: number): Family {
  const family = familyOf(afi, safi);
  if (family === null) throw new RangeError(`AFI ${afi} SAFI ${safi} is not a family Herald encodes; send it as a raw attribute`);
  return family;
}

function malformed(message: string): AttributeMalformed {
  return new AttributeMalformed(UPDATE_MESSAGE_ERROR.OPTIONAL_ATTRIBUTE_ERROR, message);
}

function mpReader(value: Uint8Array, name: string): ByteReader {
  return new ByteReader(value, { truncated: (t) => malformed(`${name} ${t.message}`) });
}

function readNextHop(input: ByteReader, afi: number): MpNextHop {
  const length = input.u8('MP_REACH_NLRI next hop length');
  const bytes = input.view(length, 'MP_REACH_NLRI next hop');
  if (length === 4 && afi === AFI.IPV4) return { global: formatIPv4(bytes), linkLocal: null };
  if (length === 16) return { global: formatIPv6(bytes), linkLocal: null };
  if (length === 32) return { global: formatIPv6(bytes.subarray(0, 16)), linkLocal: formatIPv6(bytes.subarray(16)) };
  throw malformed(`MP_REACH_NLRI next hop of ${length} octets for AFI ${afi} (RFC 4760 §3, RFC 2545 §3, RFC 7606 §7.11)`);
}

/** Decodes an MP_REACH_NLRI value; `flags` are kept if the family is not one Herald speaks. */
export function decodeMpReach(value: Uint8Array, flags: number, typeCode: number): PathAttribute {
  const input = mpReader(value, 'MP_REACH_NLRI');
  const afi = input.u16('MP_REACH_NLRI afi');
  const safi = input.u8('MP_REACH_NLRI safi');
  const family = familyOf(afi, safi);
  if (family === null) return { kind: 'raw', flags, typeCode, value: Uint8Array.from(value) };
  const nextHop = readNextHop(input, afi);
  input.skip(1, 'MP_REACH_NLRI reserved');
  const nlri = readPrefixes(input.view(input.remaining, 'MP_REACH_NLRI nlri'), family, 'MP_REACH_NLRI nlri', malformed);
  return { kind: 'mpReachNlri', afi, safi, nextHop, nlri };
}

/** Decodes an MP_UNREACH_NLRI value; `flags` are kept if the family is not one Herald speaks. */
export function decodeMpUnreach(value: Uint8Array, flags: number, typeCode: number): PathAttribute {
  const input = mpReader(value, 'MP_UNREACH_NLRI');
  const afi = input.u16('MP_UNREACH_NLRI afi');
  const safi = input.u8('MP_UNREACH_NLRI safi');
  const family = familyOf(afi, safi);
  if (family === null) return { kind: 'raw', flags, typeCode, value: Uint8Array.from(value) };
  const withdrawn = readPrefixes(input.view(input.remaining, 'MP_UNREACH_NLRI withdrawn'), family, 'MP_UNREACH_NLRI withdrawn', malformed);
  return { kind: 'mpUnreachNlri', afi, safi, withdrawn };
}

function nextHopBytes(nextHop: MpNextHop): Uint8Array {
  if (!nextHop.global.includes(':')) {
    if (nextHop.linkLocal !== null) throw new RangeError(`next hop ${nextHop.global} is IPv4 and cannot have a link-local ${nextHop.linkLocal}`);
    return parseIPv4(nextHop.global);
  }
  if (nextHop.linkLocal === null) return parseIPv6(nextHop.global);
  return Uint8Array.of(...parseIPv6(nextHop.global), ...parseIPv6(nextHop.linkLocal));
}

/** Octets of an MP_REACH_NLRI value without its NLRI: AFI, SAFI, next hop length, next hop, reserved. */
export function mpReachOverhead(nextHop: MpNextHop): number {
  return 2 + 1 + 1 + nextHopBytes(nextHop).length + 1;
}

/*
 * MP_REACH_NLRI, RFC 4760 §3:
 *   | AFI (2) | SAFI (1) | Length of Next Hop (1) | Next Hop (4, 16 or 32) | Reserved (1) = 0 | NLRI (variable) |
 */
export function writeMpReachValue(writer: ByteWriter, attribute: Extract<PathAttribute, { kind: 'mpReachNlri' }>): void {
  const nextHop = nextHopBytes(attribute.nextHop);
  writer.u16(attribute.afi).u8(attribute.safi).u8(nextHop.length).bytes(nextHop).u8(0);
  writePrefixes(writer, attribute.nlri, supportedFamily(attribute.afi, attribute.safi));
}

/*
 * MP_UNREACH_NLRI, RFC 4760 §4:
 *   | AFI (2) | SAFI (1) | Withdrawn Routes (variable) |
 */
export function writeMpUnreachValue(writer: ByteWriter, attribute: Extract<PathAttribute, { kind: 'mpUnreachNlri' }>): void {
  writer.u16(attribute.afi).u8(attribute.safi);
  writePrefixes(writer, attribute.withdrawn, supportedFamily(attribute.afi, attribute.safi));
}
