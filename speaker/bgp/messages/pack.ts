// Packing many prefixes that share one set of attributes into as few UPDATEs as fit in 4096 octets
// (RFC 4271 §4.1). This is what a declarative diff calls: "announce these prefixes with these attributes",
// "withdraw these". The prefixes are encoded once, back to back into one buffer, and each UPDATE copies its
// run of them in one piece; the attributes are encoded once per call.
//
// IPv4 routes go in the NLRI field with a NEXT_HOP attribute; IPv6 routes go in MP_REACH_NLRI, written as the
// first attribute (RFC 7606 §5.1) so a receiver that finds a later attribute malformed still knows what to
// withdraw. Withdrawals go in the Withdrawn Routes field (IPv4) or an MP_UNREACH_NLRI (IPv6).
import type { Family } from '../../../lib/ip/index.js';
import type { ByteWriter } from '../../../lib/wire/index.js';
import { attributeHeaderLength, DEFAULT_CODEC_OPTIONS, encodeAttribute, KNOWN_ATTRIBUTES, writeAttributeHeader, type CodecOptions, type PathAttribute } from './attributes.js';
import { AFI, BGP_HEADER_LENGTH, BGP_MAX_MESSAGE_LENGTH, MESSAGE_TYPE, SAFI } from './constants.js';
import { encodeMessage } from './header.js';
import { mpReachOverhead, writeMpReachValue, type MpNextHop } from './mp-nlri.js';
import { encodePrefixes, type EncodedPrefixes, type Prefix } from './prefixes.js';

export interface Announcement {
  family: Family;
  /** An IPv4 address for family 4 (sent as NEXT_HOP); for family 6 a global IPv6 address and optionally a link-local one. */
  nextHop: MpNextHop;
  /** What every prefix shares: ORIGIN, AS_PATH, MED, LOCAL_PREF, communities... never NEXT_HOP or MP_*. */
  attributes: PathAttribute[];
  prefixes: Prefix[];
}

/** Withdrawn Routes Length and Total Path Attribute Length. */
const UPDATE_LENGTH_FIELDS = 4;
/** An attribute header with two length octets, the most an MP attribute's header can take. */
const MP_HEADER_MAX = 4;
/** AFI and SAFI, at the start of MP_UNREACH_NLRI. */
const MP_UNREACH_OVERHEAD = 3;
const BODY_MAX = BGP_MAX_MESSAGE_LENGTH - BGP_HEADER_LENGTH;

/**
 * Splits encoded prefixes, in order, into runs of at most `budget` octets, each a view of `encoded.octets`
 * (nothing is copied until an UPDATE is written).
 */
function runs(encoded: EncodedPrefixes, budget: number): Uint8Array[] {
  const result: Uint8Array[] = [];
  let start = 0;
  let previous = 0;
  for (const end of encoded.ends) {
    if (end - start > budget) {
      result.push(encoded.octets.subarray(start, previous));
      start = previous;
    }
    previous = end;
  }
  if (previous > start) result.push(encoded.octets.subarray(start, previous));
  return result;
}

const sum = (parts: readonly Uint8Array[]): number => parts.reduce((total, part) => total + part.length, 0);
const writeAll = (writer: ByteWriter, parts: readonly Uint8Array[]): void => parts.forEach((part) => writer.bytes(part));

/** UPDATEs that announce `prefixes` with one attribute set, each at most 4096 octets. */
export function packAnnouncements(announcement: Announcement, options: CodecOptions = DEFAULT_CODEC_OPTIONS): Uint8Array[] {
  for (const attribute of announcement.attributes) {
    if (attribute.kind === 'nextHop' || attribute.kind === 'mpReachNlri' || attribute.kind === 'mpUnreachNlri') {
      throw new RangeError(`announcement attributes may not include ${attribute.kind}: the packer writes it`);
    }
  }
  const shared = announcement.attributes.map((attribute) => encodeAttribute(attribute, options));
  const encoded = encodePrefixes(announcement.prefixes, announcement.family);
  return announcement.family === 4 ? packIPv4(announcement.nextHop, shared, encoded, options) : packMpReach(announcement.nextHop, shared, encoded);
}

function packIPv4(nextHop: MpNextHop, shared: readonly Uint8Array[], encoded: EncodedPrefixes, options: CodecOptions): Uint8Array[] {
  if (nextHop.linkLocal !== null) throw new RangeError(`an IPv4 NEXT_HOP has no link-local address (${nextHop.linkLocal})`);
  const attributes = [...shared, encodeAttribute({ kind: 'nextHop', nextHop: nextHop.global }, options)];
  const attributesLength = sum(attributes);
  return runs(encoded, BODY_MAX - UPDATE_LENGTH_FIELDS - attributesLength).map((run) =>
    encodeMessage(MESSAGE_TYPE.UPDATE, UPDATE_LENGTH_FIELDS + attributesLength + run.length, (writer) => {
      writer.u16(0).u16(attributesLength);
      writeAll(writer, attributes);
      writer.bytes(run);
    }));
}

function packMpReach(nextHop: MpNextHop, shared: readonly Uint8Array[], encoded: EncodedPrefixes): Uint8Array[] {
  const sharedLength = sum(shared);
  const overhead = mpReachOverhead(nextHop);
  const { flags, typeCode } = KNOWN_ATTRIBUTES.mpReachNlri;
  return runs(encoded, BODY_MAX - UPDATE_LENGTH_FIELDS - sharedLength - MP_HEADER_MAX - overhead).map((run) => {
    const valueLength = overhead + run.length;
    const attributesLength = attributeHeaderLength(flags, valueLength) + valueLength + sharedLength;
    return encodeMessage(MESSAGE_TYPE.UPDATE, UPDATE_LENGTH_FIELDS + attributesLength, (writer) => {
      writer.u16(0).u16(attributesLength);
      writeAttributeHeader(writer, flags, typeCode, valueLength);
      writeMpReachValue(writer, { kind: 'mpReachNlri', afi: AFI.IPV6, safi: SAFI.UNICAST, nextHop, nlri: [] });
      writer.bytes(run);
      writeAll(writer, shared);
    });
  });
}

/** UPDATEs that withdraw `prefixes`, each at most 4096 octets. */
export function packWithdrawals(family: Family, prefixes: readonly Prefix[]): Uint8Array[] {
  const encoded = encodePrefixes(prefixes, family);
  if (family === 4) {
    return runs(encoded, BODY_MAX - UPDATE_LENGTH_FIELDS).map((run) =>
      encodeMessage(MESSAGE_TYPE.UPDATE, UPDATE_LENGTH_FIELDS + run.length, (writer) => {
        writer.u16(run.length).bytes(run).u16(0);
      }));
  }
  const { flags, typeCode } = KNOWN_ATTRIBUTES.mpUnreachNlri;
  return runs(encoded, BODY_MAX - UPDATE_LENGTH_FIELDS - MP_HEADER_MAX - MP_UNREACH_OVERHEAD).map((run) => {
    const valueLength = MP_UNREACH_OVERHEAD + run.length;
    const attributesLength = attributeHeaderLength(flags, valueLength) + valueLength;
    return encodeMessage(MESSAGE_TYPE.UPDATE, UPDATE_LENGTH_FIELDS + attributesLength, (writer) => {
      writer.u16(0).u16(attributesLength);
      writeAttributeHeader(writer, flags, typeCode, valueLength);
      writer.u16(AFI.IPV6).u8(SAFI.UNICAST).bytes(run);
    });
  });
}
