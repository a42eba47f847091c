// UPDATE path attributes (RFC 4271 §4.3, §5): the typed values Herald reads and writes, and their encoder.
// Decoding, with RFC 7606's verdict per attribute, is in attribute-decode.ts.
//
// Every attribute on the wire (RFC 4271 §4.3):
//   | Attr. Flags (1) | Attr. Type Code (1) | Attr. Length (1, or 2 if Extended Length) | Attr. Value |
//   Flags: O(ptional) 0x80, T(ransitive) 0x40, P(artial) 0x20, E(xtended Length) 0x10, low 4 bits unused.
import { ByteWriter } from '../../../lib/wire/index.js';
import { parseIPv4, type IPv4Address } from '../../../lib/ip/index.js';
import { ATTRIBUTE_FLAG, ATTRIBUTE_TYPE, AS_PATH_SEGMENT_MAX_ASES } from './constants.js';
import { writeMpReachValue, writeMpUnreachValue, type MpNextHop } from './mp-nlri.js';
import type { Prefix } from './prefixes.js';

/** RFC 4271 §4.3 (RFC 5065 for the confederation types): a segment type and its ASes in order. */
export interface AsPathSegment {
  /** AS_PATH_SEGMENT_TYPE. */
  type: number;
  asns: number[];
}

/** RFC 8092 §3: three 4-octet fields. */
export interface LargeCommunity {
  globalAdministrator: number;
  localData1: number;
  localData2: number;
}

export type PathAttribute =
  /** ORIGIN (RFC 4271 §5.1.1): ORIGIN.IGP, EGP or INCOMPLETE. */
  | { kind: 'origin'; origin: number }
  /** AS_PATH (RFC 4271 §5.1.2), 4-octet ASes when both sides sent the 4-octet AS capability (RFC 6793). */
  | { kind: 'asPath'; segments: AsPathSegment[] }
  /** NEXT_HOP (RFC 4271 §5.1.3), for the IPv4 NLRI field. */
  | { kind: 'nextHop'; nextHop: IPv4Address }
  /** MULTI_EXIT_DISC (RFC 4271 §5.1.4). */
  | { kind: 'multiExitDisc'; med: number }
  /** LOCAL_PREF (RFC 4271 §5.1.5), iBGP only. */
  | { kind: 'localPref'; localPref: number }
  /** ATOMIC_AGGREGATE (RFC 4271 §5.1.6): no value. */
  | { kind: 'atomicAggregate' }
  /** AGGREGATOR (RFC 4271 §5.1.7; RFC 6793 §3 widens the AS on 4-octet sessions). */
  | { kind: 'aggregator'; asn: number; address: IPv4Address }
  /** COMMUNITIES (RFC 1997): 32-bit values, usually written AS:value. */
  | { kind: 'communities'; communities: number[] }
  /** LARGE_COMMUNITY (RFC 8092). */
  | { kind: 'largeCommunities'; communities: LargeCommunity[] }
  /** MP_REACH_NLRI (RFC 4760 §3) for IPv4 or IPv6 unicast. */
  | { kind: 'mpReachNlri'; afi: number; safi: number; nextHop: MpNextHop; nlri: Prefix[] }
  /** MP_UNREACH_NLRI (RFC 4760 §4) for IPv4 or IPv6 unicast. */
  | { kind: 'mpUnreachNlri'; afi: number; safi: number; withdrawn: Prefix[] }
  /** Anything else, as received: its flags (Extended Length honoured), type code and value. */
  | { kind: 'raw'; flags: number; typeCode: number; value: Uint8Array };

export type PathAttributeKind = PathAttribute['kind'];

/** How the AS numbers in AS_PATH and AGGREGATOR are written: 4 octets unless a peer lacks RFC 6793. */
export interface CodecOptions {
  fourOctetAs: boolean;
}

export const DEFAULT_CODEC_OPTIONS: CodecOptions = { fourOctetAs: true };

const { OPTIONAL, TRANSITIVE, EXTENDED_LENGTH } = ATTRIBUTE_FLAG;

/** Type code and the Optional/Transitive flags each known attribute is sent with (RFC 4271 §5, RFC 4760, 1997, 8092). */
export const KNOWN_ATTRIBUTES: Readonly<Record<Exclude<PathAttributeKind, 'raw'>, { typeCode: number; flags: number }>> = {
  origin: { typeCode: ATTRIBUTE_TYPE.ORIGIN, flags: TRANSITIVE },
  asPath: { typeCode: ATTRIBUTE_TYPE.AS_PATH, flags: TRANSITIVE },
  nextHop: { typeCode: ATTRIBUTE_TYPE.NEXT_HOP, flags: TRANSITIVE },
  multiExitDisc: { typeCode: ATTRIBUTE_TYPE.MULTI_EXIT_DISC, flags: OPTIONAL },
  localPref: { typeCode: ATTRIBUTE_TYPE.LOCAL_PREF, flags: TRANSITIVE },
  atomicAggregate: { typeCode: ATTRIBUTE_TYPE.ATOMIC_AGGREGATE, flags: TRANSITIVE },
  aggregator: { typeCode: ATTRIBUTE_TYPE.AGGREGATOR, flags: OPTIONAL | TRANSITIVE },
  communities: { typeCode: ATTRIBUTE_TYPE.COMMUNITIES, flags: OPTIONAL | TRANSITIVE },
  largeCommunities: { typeCode: ATTRIBUTE_TYPE.LARGE_COMMUNITY, flags: OPTIONAL | TRANSITIVE },
  mpReachNlri: { typeCode: ATTRIBUTE_TYPE.MP_REACH_NLRI, flags: OPTIONAL },
  mpUnreachNlri: { typeCode: ATTRIBUTE_TYPE.MP_UNREACH_NLRI, flags: OPTIONAL },
};

export function attributeTypeCode(attribute: PathAttribute): number {
  return attribute.kind === 'raw' ? attribute.typeCode : KNOWN_ATTRIBUTES[attribute.kind].typeCode;
}

function writeAsPath(writer: ByteWriter, segments: readonly AsPathSegment[], options: CodecOptions): void {
  for (const segment of segments) {
    if (segment.asns.length === 0 || segment.asns.length > AS_PATH_SEGMENT_MAX_ASES) {
      throw new RangeError(`AS_PATH segment of ${segment.asns.length} ASes; a segment holds 1..${AS_PATH_SEGMENT_MAX_ASES}`);
    }
    writer.u8(segment.type).u8(segment.asns.length);
    for (const asn of segment.asns) {
      if (options.fourOctetAs) writer.u32(asn);
      else writer.u16(asn);
    }
  }
}

/* The value of each known attribute; the layouts are the RFC sections named on the PathAttribute union. */
function writeValue(writer: ByteWriter, attribute: PathAttribute, options: CodecOptions): void {
  switch (attribute.kind) {
    case 'origin': writer.u8(attribute.origin); return;
    case 'asPath': writeAsPath(writer, attribute.segments, options); return;
    case 'nextHop': writer.bytes(parseIPv4(attribute.nextHop)); return;
    case 'multiExitDisc': writer.u32(attribute.med); return;
    case 'localPref': writer.u32(attribute.localPref); return;
    case 'atomicAggregate': return;
    case 'aggregator':
      if (options.fourOctetAs) writer.u32(attribute.asn);
      else writer.u16(attribute.asn);
      writer.bytes(parseIPv4(attribute.address));
      return;
    case 'communities':
      for (const community of attribute.communities) writer.u32(community);
      return;
    case 'largeCommunities':
      for (const c of attribute.communities) writer.u32(c.globalAdministrator).u32(c.localData1).u32(c.localData2);
      return;
    case 'mpReachNlri': writeMpReachValue(writer, attribute); return;
    case 'mpUnreachNlri': writeMpUnreachValue(writer, attribute); return;
    case 'raw': writer.bytes(attribute.value); return;
  }
}

/**
 * One attribute, flags to value. The Extended Length bit is set when the value needs it (over 255 octets) and
 * kept when a raw attribute arrived with it; known attributes are otherwise sent with their fixed flags.
 */
export function encodeAttribute(attribute: PathAttribute, options: CodecOptions = DEFAULT_CODEC_OPTIONS): Uint8Array {
  const valueWriter = new ByteWriter();
  writeValue(valueWriter, attribute, options);
  const value = valueWriter.finish();
  const flags = attribute.kind === 'raw' ? attribute.flags : KNOWN_ATTRIBUTES[attribute.kind].flags;
  const writer = new ByteWriter(attributeHeaderLength(flags, value.length) + value.length);
  writeAttributeHeader(writer, flags, attributeTypeCode(attribute), value.length);
  return writer.bytes(value).finish();
}

function extendedLength(flags: number, valueLength: number): boolean {
  return (flags & EXTENDED_LENGTH) !== 0 || valueLength > 0xff;
}

/** Octets of flags, type and length for a value of `valueLength`: 3, or 4 with Extended Length. */
export function attributeHeaderLength(flags: number, valueLength: number): number {
  return extendedLength(flags, valueLength) ? 4 : 3;
}

/** Flags, type and length; the Extended Length bit is added when the value needs two length octets. */
export function writeAttributeHeader(writer: ByteWriter, flags: number, typeCode: number, valueLength: number): void {
  if (extendedLength(flags, valueLength)) writer.u8(flags | EXTENDED_LENGTH).u8(typeCode).u16(valueLength);
  else writer.u8(flags).u8(typeCode).u8(valueLength);
}
