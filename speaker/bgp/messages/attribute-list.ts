// Walking the Path Attributes field of an UPDATE (RFC 4271 §4.3) attribute by attribute, applying RFC 7606:
//   §3 c  Optional/Transitive flags that disagree with the attribute's: malformed, the attribute's own handling.
//   §3 g  MP_REACH_NLRI or MP_UNREACH_NLRI twice: session reset (Malformed Attribute List); any other
//         attribute twice: the later copies are discarded.
//   §4    an attribute that overruns the field, or a field that ends inside an attribute header:
//         treat-as-withdraw; the Total Path Attribute Length still locates the NLRI.
//   RFC 4271 §6.3: an unrecognized attribute with the Optional bit clear (claims to be well-known): session reset.
import { ByteReader } from '../../../lib/wire/index.js';
import { ATTRIBUTE_SPECS, type AttributeSpec, type MalformedHandling } from './attribute-decode.js';
import type { CodecOptions, PathAttribute } from './attributes.js';
import { ATTRIBUTE_FLAG, ATTRIBUTE_TYPE, UPDATE_MESSAGE_ERROR } from './constants.js';
import { AttributeMalformed, attributeSessionReset, malformedAttributeList, unrecognizedWellKnownAttribute } from './errors.js';

/** An attribute error RFC 7606 lets the session survive: what RFC 4271 §6.3 would have sent, and what is done instead. */
export interface AttributeProblem {
  typeCode: number;
  name: string;
  handling: Exclude<MalformedHandling, 'sessionReset'>;
  /** The UPDATE Message Error subcode RFC 4271 §6.3 names for it (for logs and counters). */
  subcode: number;
  reason: string;
  /** The attribute as received (flags, type, length, value), or the missing type code. */
  data: Uint8Array;
}

export interface AttributeList {
  attributes: PathAttribute[];
  problems: AttributeProblem[];
  /** Type codes present, malformed or not (for the missing-attribute check). */
  seen: Set<number>;
}

interface RawAttribute {
  flags: number;
  typeCode: number;
  value: Uint8Array;
  /** Flags to value, as received. */
  whole: Uint8Array;
}

const MP_TYPES: ReadonlySet<number> = new Set([ATTRIBUTE_TYPE.MP_REACH_NLRI, ATTRIBUTE_TYPE.MP_UNREACH_NLRI]);

/** Decodes the Path Attributes field; throws the NOTIFICATION only where RFC 7606 keeps the session reset. */
export function decodeAttributeList(bytes: Uint8Array, options: CodecOptions): AttributeList {
  const list: AttributeList = { attributes: [], problems: [], seen: new Set() };
  const input = new ByteReader(bytes, { truncated: () => new OverrunError() });
  while (input.remaining > 0) {
    const raw = readRawAttribute(input, bytes);
    if ('overrunAt' in raw) {
      list.problems.push(problem(0, 'attribute list', 'treatAsWithdraw', UPDATE_MESSAGE_ERROR.MALFORMED_ATTRIBUTE_LIST,
        `the attribute at offset ${raw.overrunAt} overruns the ${bytes.length}-octet attribute field (RFC 7606 §4)`, Uint8Array.from(bytes.subarray(raw.overrunAt))));
      break;
    }
    decodeOne(raw, list, options);
  }
  return list;
}

class OverrunError extends Error {}

/** The next attribute, or where the one that does not fit starts. */
function readRawAttribute(input: ByteReader, bytes: Uint8Array): RawAttribute | { overrunAt: number } {
  const start = input.offset;
  try {
    const flags = input.u8('attribute flags');
    const typeCode = input.u8('attribute type');
    const length = flags & ATTRIBUTE_FLAG.EXTENDED_LENGTH ? input.u16('attribute length') : input.u8('attribute length');
    const value = input.view(length, 'attribute value');
    return { flags, typeCode, value, whole: bytes.subarray(start, input.offset) };
  } catch (error) {
    if (!(error instanceof OverrunError)) throw error;
    return { overrunAt: start };
  }
}

function decodeOne(raw: RawAttribute, list: AttributeList, options: CodecOptions): void {
  const { flags, typeCode, value, whole } = raw;
  const spec = ATTRIBUTE_SPECS.get(typeCode);
  const name = spec?.name ?? `attribute ${typeCode}`;
  if (list.seen.has(typeCode)) {
    if (MP_TYPES.has(typeCode)) throw malformedAttributeList(`${name} appears more than once`);
    list.problems.push(problem(typeCode, name, 'attributeDiscard', UPDATE_MESSAGE_ERROR.MALFORMED_ATTRIBUTE_LIST,
      `${name} appears more than once; the later copy is discarded (RFC 7606 §3 g)`, Uint8Array.from(whole)));
    return;
  }
  list.seen.add(typeCode);
  if (spec === undefined) {
    if (!(flags & ATTRIBUTE_FLAG.OPTIONAL)) throw unrecognizedWellKnownAttribute(typeCode, Uint8Array.from(whole));
    list.attributes.push({ kind: 'raw', flags, typeCode, value: Uint8Array.from(value) });
    return;
  }
  const malformed = checkAndDecode(spec, flags, value, options);
  if (malformed instanceof AttributeMalformed) handleMalformed(spec, typeCode, malformed, whole, list);
  else list.attributes.push(malformed);
}

function checkAndDecode(spec: AttributeSpec, flags: number, value: Uint8Array, options: CodecOptions): PathAttribute | AttributeMalformed {
  const kindBits = flags & (ATTRIBUTE_FLAG.OPTIONAL | ATTRIBUTE_FLAG.TRANSITIVE);
  if (kindBits !== spec.flags) {
    return new AttributeMalformed(UPDATE_MESSAGE_ERROR.ATTRIBUTE_FLAGS_ERROR,
      `${spec.name} flags 0x${flags.toString(16)}: Optional/Transitive must be 0x${spec.flags.toString(16)} (RFC 7606 §3 c)`);
  }
  try {
    return spec.decode(value, flags, options);
  } catch (error) {
    if (error instanceof AttributeMalformed) return error;
    throw error;
  }
}

function handleMalformed(spec: AttributeSpec, typeCode: number, error: AttributeMalformed, whole: Uint8Array, list: AttributeList): void {
  const data = Uint8Array.from(whole);
  if (spec.onMalformed === 'sessionReset') throw attributeSessionReset(error.subcode, data, `${error.message} (RFC 7606 §7.11)`);
  list.problems.push(problem(typeCode, spec.name, spec.onMalformed, error.subcode, `${error.message} (RFC 7606 §7)`, data));
}

function problem(typeCode: number, name: string, handling: AttributeProblem['handling'], subcode: number, reason: string, data: Uint8Array): AttributeProblem {
  return { typeCode, name, handling, subcode, reason, data };
}
