// Decoding one path attribute's value, and RFC 7606's verdict when it is malformed. RFC 4271 §6.3 reset the
// session for any attribute error; RFC 7606 §7 instead names, per attribute, the mildest handling that is safe:
//   treat-as-withdraw  the UPDATE's routes are withdrawn as if it had said so (ORIGIN, AS_PATH, NEXT_HOP, MED,
//                      LOCAL_PREF, COMMUNITIES, LARGE_COMMUNITY, ORIGINATOR_ID, CLUSTER_LIST, EXTENDED
//                      COMMUNITIES),
//   attribute discard  the attribute is dropped and the UPDATE used (ATOMIC_AGGREGATE, AGGREGATOR, and
//                      AS4_PATH / AS4_AGGREGATOR by RFC 6793 §6),
//   session reset      MP_REACH_NLRI and MP_UNREACH_NLRI (§7.11, §7.12): without their NLRI nothing can be withdrawn.
// Flags whose Optional or Transitive bit disagree with the attribute's are malformed too (RFC 7606 §3 c).
import { ByteReader } from '../../../lib/wire/index.js';
import { formatIPv4 } from '../../../lib/ip/index.js';
import type { AsPathSegment, CodecOptions, LargeCommunity, PathAttribute } from './attributes.js';
import { AS_PATH_SEGMENT_TYPE, ATTRIBUTE_FLAG, ATTRIBUTE_TYPE, ORIGIN, UPDATE_MESSAGE_ERROR } from './constants.js';
import { AttributeMalformed } from './errors.js';
import { decodeMpReach, decodeMpUnreach } from './mp-nlri.js';

export type MalformedHandling = 'treatAsWithdraw' | 'attributeDiscard' | 'sessionReset';

export interface AttributeSpec {
  name: string;
  /** The Optional and Transitive bits the attribute must carry (RFC 7606 §3 c checks only these two). */
  flags: number;
  onMalformed: MalformedHandling;
  decode(value: Uint8Array, flags: number, options: CodecOptions): PathAttribute;
}

const { OPTIONAL, TRANSITIVE } = ATTRIBUTE_FLAG;
const { ATTRIBUTE_LENGTH_ERROR, INVALID_ORIGIN_ATTRIBUTE, INVALID_NEXT_HOP_ATTRIBUTE, MALFORMED_AS_PATH } = UPDATE_MESSAGE_ERROR;

function lengthError(name: string, length: number, want: string): AttributeMalformed {
  return new AttributeMalformed(ATTRIBUTE_LENGTH_ERROR, `${name} length ${length}, want ${want}`);
}

function exactLength(name: string, value: Uint8Array, want: number): ByteReader {
  if (value.length !== want) throw lengthError(name, value.length, String(want));
  return new ByteReader(value);
}

function multipleOf(name: string, value: Uint8Array, unit: number): ByteReader {
  if (value.length === 0 || value.length % unit !== 0) throw lengthError(name, value.length, `a non-zero multiple of ${unit}`);
  return new ByteReader(value);
}

/** RFC 4271 §4.3 b, RFC 7606 §7.2: segments that overrun, are empty or have an undefined type are malformed. */
export function decodeAsPathSegments(value: Uint8Array, asWidth: 2 | 4, name = 'AS_PATH'): AsPathSegment[] {
  const input = new ByteReader(value, { truncated: (t) => new AttributeMalformed(MALFORMED_AS_PATH, `${name} ${t.message}`) });
  const segments: AsPathSegment[] = [];
  while (input.remaining > 0) {
    const type = input.u8(`${name} segment type`);
    const count = input.u8(`${name} segment length`);
    if (type < AS_PATH_SEGMENT_TYPE.AS_SET || type > AS_PATH_SEGMENT_TYPE.AS_CONFED_SET) {
      throw new AttributeMalformed(MALFORMED_AS_PATH, `${name} segment type ${type} is undefined`);
    }
    if (count === 0) throw new AttributeMalformed(MALFORMED_AS_PATH, `${name} segment of type ${type} is empty`);
    const asns: number[] = [];
    for (let i = 0; i < count; i++) asns.push(asWidth === 4 ? input.u32(`${name} AS`) : input.u16(`${name} AS`));
    segments.push({ type, asns });
  }
  return segments;
}

function decodeOrigin(value: Uint8Array): PathAttribute {
  const origin = exactLength('ORIGIN', value, 1).u8('ORIGIN');
  if (origin > ORIGIN.INCOMPLETE) throw new AttributeMalformed(INVALID_ORIGIN_ATTRIBUTE, `ORIGIN ${origin} is undefined`);
  return { kind: 'origin', origin };
}

/** RFC 4271 §6.3: a NEXT_HOP that cannot be a host's unicast address is syntactically incorrect. */
function decodeNextHop(value: Uint8Array): PathAttribute {
  const nextHop = formatIPv4(exactLength('NEXT_HOP', value, 4).view(4, 'NEXT_HOP'));
  if (nextHop === '0.0.0.0' || (value[0] ?? 0) >= 224) {
    throw new AttributeMalformed(INVALID_NEXT_HOP_ATTRIBUTE, `NEXT_HOP ${nextHop} is not a unicast address`);
  }
  return { kind: 'nextHop', nextHop };
}

function decodeAggregator(value: Uint8Array, options: CodecOptions): PathAttribute {
  const input = exactLength('AGGREGATOR', value, options.fourOctetAs ? 8 : 6);
  const asn = options.fourOctetAs ? input.u32('AGGREGATOR AS') : input.u16('AGGREGATOR AS');
  return { kind: 'aggregator', asn, address: formatIPv4(input.view(4, 'AGGREGATOR address')) };
}

function decodeCommunities(value: Uint8Array): PathAttribute {
  const input = multipleOf('COMMUNITIES', value, 4);
  const communities: number[] = [];
  while (input.remaining > 0) communities.push(input.u32('community'));
  return { kind: 'communities', communities };
}

function decodeLargeCommunities(value: Uint8Array): PathAttribute {
  const input = multipleOf('LARGE_COMMUNITY', value, 12);
  const communities: LargeCommunity[] = [];
  while (input.remaining > 0) {
    communities.push({ globalAdministrator: input.u32('global administrator'), localData1: input.u32('local data 1'), localData2: input.u32('local data 2') });
  }
  return { kind: 'largeCommunities', communities };
}

/** Attributes Herald only carries: checked as RFC 7606 asks, kept raw. */
function raw(typeCode: number, check: (value: Uint8Array) => void): AttributeSpec['decode'] {
  return (value, flags) => {
    check(value);
    return { kind: 'raw', flags, typeCode, value: Uint8Array.from(value) };
  };
}

const T = ATTRIBUTE_TYPE;

/** Every attribute Herald recognizes, by type code. An unknown one is kept raw if optional (RFC 4271 §5). */
export const ATTRIBUTE_SPECS: ReadonlyMap<number, AttributeSpec> = new Map<number, AttributeSpec>([
  [T.ORIGIN, { name: 'ORIGIN', flags: TRANSITIVE, onMalformed: 'treatAsWithdraw', decode: decodeOrigin }],
  [T.AS_PATH, { name: 'AS_PATH', flags: TRANSITIVE, onMalformed: 'treatAsWithdraw',
    decode: (value, _, options) => ({ kind: 'asPath', segments: decodeAsPathSegments(value, options.fourOctetAs ? 4 : 2) }) }],
  [T.NEXT_HOP, { name: 'NEXT_HOP', flags: TRANSITIVE, onMalformed: 'treatAsWithdraw', decode: decodeNextHop }],
  [T.MULTI_EXIT_DISC, { name: 'MULTI_EXIT_DISC', flags: OPTIONAL, onMalformed: 'treatAsWithdraw',
    decode: (value) => ({ kind: 'multiExitDisc', med: exactLength('MULTI_EXIT_DISC', value, 4).u32('MED') }) }],
  [T.LOCAL_PREF, { name: 'LOCAL_PREF', flags: TRANSITIVE, onMalformed: 'treatAsWithdraw',
    decode: (value) => ({ kind: 'localPref', localPref: exactLength('LOCAL_PREF', value, 4).u32('LOCAL_PREF') }) }],
  [T.ATOMIC_AGGREGATE, { name: 'ATOMIC_AGGREGATE', flags: TRANSITIVE, onMalformed: 'attributeDiscard',
    decode: (value) => (exactLength('ATOMIC_AGGREGATE', value, 0), { kind: 'atomicAggregate' }) }],
  [T.AGGREGATOR, { name: 'AGGREGATOR', flags: OPTIONAL | TRANSITIVE, onMalformed: 'attributeDiscard', decode: (value, _, options) => decodeAggregator(value, options) }],
  [T.COMMUNITIES, { name: 'COMMUNITIES', flags: OPTIONAL | TRANSITIVE, onMalformed: 'treatAsWithdraw', decode: decodeCommunities }],
  [T.ORIGINATOR_ID, { name: 'ORIGINATOR_ID', flags: OPTIONAL, onMalformed: 'treatAsWithdraw',
    decode: raw(T.ORIGINATOR_ID, (value) => exactLength('ORIGINATOR_ID', value, 4)) }],
  [T.CLUSTER_LIST, { name: 'CLUSTER_LIST', flags: OPTIONAL, onMalformed: 'treatAsWithdraw',
    decode: raw(T.CLUSTER_LIST, (value) => multipleOf('CLUSTER_LIST', value, 4)) }],
  [T.MP_REACH_NLRI, { name: 'MP_REACH_NLRI', flags: OPTIONAL, onMalformed: 'sessionReset', decode: (value, flags) => decodeMpReach(value, flags, T.MP_REACH_NLRI) }],
  [T.MP_UNREACH_NLRI, { name: 'MP_UNREACH_NLRI', flags: OPTIONAL, onMalformed: 'sessionReset', decode: (value, flags) => decodeMpUnreach(value, flags, T.MP_UNREACH_NLRI) }],
  [T.EXTENDED_COMMUNITIES, { name: 'EXTENDED_COMMUNITIES', flags: OPTIONAL | TRANSITIVE, onMalformed: 'treatAsWithdraw',
    decode: raw(T.EXTENDED_COMMUNITIES, (value) => multipleOf('EXTENDED_COMMUNITIES', value, 8)) }],
  [T.AS4_PATH, { name: 'AS4_PATH', flags: OPTIONAL | TRANSITIVE, onMalformed: 'attributeDiscard',
    decode: raw(T.AS4_PATH, (value) => decodeAsPathSegments(value, 4, 'AS4_PATH')) }],
  [T.AS4_AGGREGATOR, { name: 'AS4_AGGREGATOR', flags: OPTIONAL | TRANSITIVE, onMalformed: 'attributeDiscard',
    decode: raw(T.AS4_AGGREGATOR, (value) => exactLength('AS4_AGGREGATOR', value, 8)) }],
  [T.LARGE_COMMUNITY, { name: 'LARGE_COMMUNITY', flags: OPTIONAL | TRANSITIVE, onMalformed: 'treatAsWithdraw', decode: decodeLargeCommunities }],
]);
