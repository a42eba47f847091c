// Packing many prefixes that share one set of attributes into as few UPDATEs as fit in 4096 octets
// (RFC 4271 §4.1). This is what a declarative diff calls: "announce these prefixes with these attributes",
// "withdraw these". Each prefix is encoded once; the attributes are encoded once per call.
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
import { encodePrefix, prefixFamily, type Prefix } from './prefixes.js';

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

/** Encodes each prefix, checking its family. */
function encodePrefixes(family: Family, prefixes: readonly Prefix[]): Uint8Array[] {
  return prefixes.map((prefix) => {
    if (prefixFamily(prefix) !== family) throw new RangeError(`prefix "${prefix}" is not IPv${family}`);
    return encodePrefix(prefix);
  });
}

/** Splits encoded prefixes, in order, into runs of at most `budget` octets. */
function chunk(encoded: readonly Uint8Array[], budget: number): Uint8Array[][] {
  const runs: Uint8Array[][] = [];
  let run: Uint8Array[] = [];
  let used = 0;
  for (const prefix of encoded) {
    if (used + prefix.length > budget) {
      runs.push(run);
      run = [];
      used = 0;
    }
    run.push(prefix);
    used += prefix.length;
  }
  if (run.length > 0) runs.push(run);
  return runs;
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
  const encoded = encodePrefixes(announcement.family, announcement.prefixes);
  return announcement.family === 4 ? packIPv4(announcement.nextHop, shared, encoded, options) : packMpReach(announcement.nextHop, shared, encoded);
}

function packIPv4(nextHop: MpNextHop, shared: readonly Uint8Array[], encoded: readonly Uint8Array[], options: CodecOptions): Uint8Array[] {
  if (nextHop.linkLocal !== null) throw new RangeError(`an IPv4 NEXT_HOP has no link-local address (${nextHop.linkLocal})`);
  const attributes = [...shared, encodeAttribute({ kind: 'nextHop', nextHop: nextHop.global }, options)];
  const attributesLength = sum(attributes);
  return chunk(encoded, BODY_MAX - UPDATE_LENGTH_FIELDS - attributesLength).map((run) =>
    encodeMessage(MESSAGE_TYPE.UPDATE, UPDATE_LENGTH_FIELDS + attributesLength + sum(run), (writer) => {
      writer.u16(0).u16(attributesLength);
      writeAll(writer, attributes);
      writeAll(writer, run);
    }));
}

function packMpReach(nextHop: MpNextHop, shared: readonly Uint8Array[], encoded: readonly Uint8Array[]): Uint8Array[] {
  const sharedLength = sum(shared);
  const overhead = mpReachOverhead(nextHop);
  const { flags, typeCode } = KNOWN_ATTRIBUTES.mpReachNlri;
  return chunk(encoded, BODY_MAX - UPDATE_LENGTH_FIELDS - sharedLength - MP_HEADER_MAX - overhead).map((run) => {
    const valueLength = overhead + sum(run);
    const attributesLength = attributeHeaderLength(flags, valueLength) + valueLength + sharedLength;
    return encodeMessage(MESSAGE_TYPE.UPDATE, UPDATE_LENGTH_FIELDS + attributesLength, (writer) => {
      writer.u16(0).u16(attributesLength);
      writeAttributeHeader(writer, flags, typeCode, valueLength);
      writeMpReachValue(writer, { kind: 'mpReachNlri', afi: AFI.IPV6, safi: SAFI.UNICAST, nextHop, nlri: [] });
      writeAll(writer, run);
      writeAll(writer, shared);
    });
  });
}

/** UPDATEs that withdraw `prefixes`, each at most 4096 octets. */
export function packWithdrawals(family: Family, prefixes: readonly Prefix[]): Uint8Array[] {
  const encoded = encodePrefixes(family, prefixes);
  if (family === 4) {
    return chunk(encoded, BODY_MAX - UPDATE_LENGTH_FIELDS).map((run) =>
      encodeMessage(MESSAGE_TYPE.UPDATE, UPDATE_LENGTH_FIELDS + sum(run), (writer) => {
        writer.u16(sum(run));
        writeAll(writer, run);
        writer.u16(0);
      }));
  }
  const { flags, typeCode } = KNOWN_ATTRIBUTES.mpUnreachNlri;
  return chunk(encoded, BODY_MAX - UPDATE_LENGTH_FIELDS - MP_HEADER_MAX - MP_UNREACH_OVERHEAD).map((run) => {
    const valueLength = MP_UNREACH_OVERHEAD + sum(run);
    const attributesLength = attributeHeaderLength(flags, valueLength) + valueLength;
    return encodeMessage(MESSAGE_TYPE.UPDATE, UPDATE_LENGTH_FIELDS + attributesLength, (writer) => {
      writer.u16(0).u16(attributesLength);
      writeAttributeHeader(writer, flags, typeCode, valueLength);
      writer.u16(AFI.IPV6).u8(SAFI.UNICAST);
      writeAll(writer, run);
    });
  });
}
