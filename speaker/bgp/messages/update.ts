// The UPDATE message (RFC 4271 §4.3) and its decoding under RFC 7606's revised error handling. A received
// UPDATE decodes to one of three outcomes:
//   accept           the UPDATE as sent, minus attributes RFC 7606 says to discard (listed in `discarded`),
//   treatAsWithdraw  an attribute error that withdraws every prefix the UPDATE names, reached or withdrawn,
//   (thrown)         a NotificationError: the errors that still reset the session (RFC 7606 §3, §5.3, §7.11).
//
//   +-----------------------------------------------------+
//   |   Withdrawn Routes Length (2 octets)                |
//   +-----------------------------------------------------+
//   |   Withdrawn Routes (variable)                       |   IPv4 prefixes
//   +-----------------------------------------------------+
//   |   Total Path Attribute Length (2 octets)            |
//   +-----------------------------------------------------+
//   |   Path Attributes (variable)                        |
//   +-----------------------------------------------------+
//   |   Network Layer Reachability Information (variable) |   IPv4 prefixes, to the end of the message
//   +-----------------------------------------------------+
import { ByteReader, type ByteWriter } from '../../../lib/wire/index.js';
import { decodeAttributeList, type AttributeProblem } from './attribute-list.js';
import { DEFAULT_CODEC_OPTIONS, encodeAttribute, type CodecOptions, type PathAttribute } from './attributes.js';
import { AFI, ATTRIBUTE_TYPE, MESSAGE_TYPE, SAFI, UPDATE_MESSAGE_ERROR } from './constants.js';
import { invalidNetworkField, malformedAttributeList } from './errors.js';
import { encodeMessage } from './header.js';
import { encodePrefixes, readPrefixes, type Prefix } from './prefixes.js';

export type { AttributeProblem } from './attribute-list.js';

export interface UpdateMessage {
  type: 'update';
  /** IPv4 prefixes withdrawn (other families withdraw in MP_UNREACH_NLRI). */
  withdrawnRoutes: Prefix[];
  pathAttributes: PathAttribute[];
  /** IPv4 prefixes reached through NEXT_HOP (other families reach in MP_REACH_NLRI). */
  nlri: Prefix[];
}

export type UpdateDecoding =
  | { action: 'accept'; update: UpdateMessage; discarded: AttributeProblem[] }
  /** RFC 7606 §2: handle as if every prefix in `withdrawn` had been withdrawn. */
  | { action: 'treatAsWithdraw'; withdrawn: Prefix[]; problems: AttributeProblem[] };

/** Decodes an UPDATE body (the octets after the header). Throws the NOTIFICATION for a session reset. */
export function decodeUpdate(body: Uint8Array, options: CodecOptions = DEFAULT_CODEC_OPTIONS): UpdateDecoding {
  // RFC 4271 §6.3: lengths that overrun the message are a Malformed Attribute List, whichever field they are.
  const input = new ByteReader(body, { truncated: (t) => malformedAttributeList(`UPDATE ${t.message}`) });
  const withdrawnBytes = input.view(input.u16('withdrawn routes length'), 'withdrawn routes');
  const attributeBytes = input.view(input.u16('total path attribute length'), 'path attributes');
  const nlriBytes = input.view(input.remaining, 'nlri');
  const withdrawnRoutes = readPrefixes(withdrawnBytes, 4, 'withdrawn routes', invalidNetworkField);
  const nlri = readPrefixes(nlriBytes, 4, 'nlri', invalidNetworkField);
  const list = decodeAttributeList(attributeBytes, options);
  const problems = [...list.problems, ...missingMandatory(list.seen, list.attributes, nlri)];
  const update: UpdateMessage = { type: 'update', withdrawnRoutes, pathAttributes: list.attributes, nlri };
  if (problems.some((p) => p.handling === 'treatAsWithdraw')) {
    return { action: 'treatAsWithdraw', withdrawn: everyPrefix(update), problems };
  }
  return { action: 'accept', update, discarded: problems };
}

/**
 * RFC 4271 §5: ORIGIN and AS_PATH come with any reachable prefix, NEXT_HOP with IPv4 NLRI (RFC 4760 §3 makes
 * it optional when MP_REACH_NLRI carries the routes). RFC 7606 §3 d: a missing one means treat-as-withdraw.
 */
function missingMandatory(seen: ReadonlySet<number>, attributes: readonly PathAttribute[], nlri: readonly Prefix[]): AttributeProblem[] {
  const reaches = nlri.length > 0 || attributes.some((a) => a.kind === 'mpReachNlri' && a.nlri.length > 0);
  if (!reaches) return [];
  const required: [number, string][] = [[ATTRIBUTE_TYPE.ORIGIN, 'ORIGIN'], [ATTRIBUTE_TYPE.AS_PATH, 'AS_PATH']];
  if (nlri.length > 0) required.push([ATTRIBUTE_TYPE.NEXT_HOP, 'NEXT_HOP']);
  return required.filter(([typeCode]) => !seen.has(typeCode)).map(([typeCode, name]) => ({
    typeCode,
    name,
    handling: 'treatAsWithdraw' as const,
    subcode: UPDATE_MESSAGE_ERROR.MISSING_WELL_KNOWN_ATTRIBUTE,
    reason: `${name} is missing from an UPDATE that reaches prefixes (RFC 4271 §5, RFC 7606 §3 d)`,
    data: Uint8Array.of(typeCode),
  }));
}

/** Every prefix an UPDATE names: withdrawn, reached, in both fields and both MP attributes. */
function everyPrefix(update: UpdateMessage): Prefix[] {
  const prefixes = [...update.withdrawnRoutes, ...update.nlri];
  for (const attribute of update.pathAttributes) {
    if (attribute.kind === 'mpReachNlri') prefixes.push(...attribute.nlri);
    if (attribute.kind === 'mpUnreachNlri') prefixes.push(...attribute.withdrawn);
  }
  return prefixes;
}

/** The UPDATE's body length and a writer for it, from already-encoded attributes. */
export function updateBody(withdrawn: readonly Prefix[], attributes: readonly Uint8Array[], nlri: readonly Prefix[]): { length: number; write: (writer: ByteWriter) => void } {
  const withdrawnOctets = encodePrefixes(withdrawn, 4).octets;
  const nlriOctets = encodePrefixes(nlri, 4).octets;
  const attributesLength = attributes.reduce((sum, a) => sum + a.length, 0);
  return {
    length: 2 + withdrawnOctets.length + 2 + attributesLength + nlriOctets.length,
    write: (writer) => {
      writer.u16(withdrawnOctets.length).bytes(withdrawnOctets);
      writer.u16(attributesLength);
      for (const attribute of attributes) writer.bytes(attribute);
      writer.bytes(nlriOctets);
    },
  };
}

/** Encodes an UPDATE; more than 4096 octets is a caller's bug (pack.ts splits large sets). */
export function encodeUpdate(update: UpdateMessage, options: CodecOptions = DEFAULT_CODEC_OPTIONS): Uint8Array {
  const attributes = update.pathAttributes.map((attribute) => encodeAttribute(attribute, options));
  const body = updateBody(update.withdrawnRoutes, attributes, update.nlri);
  return encodeMessage(MESSAGE_TYPE.UPDATE, body.length, body.write);
}

/**
 * RFC 4724 §2: the End-of-RIB marker. For IPv4 unicast an UPDATE with nothing in it; for any other family an
 * UPDATE whose only attribute is an empty MP_UNREACH_NLRI for that family.
 */
export function endOfRib(afi: number, safi: number): UpdateMessage {
  if (afi === AFI.IPV4 && safi === SAFI.UNICAST) return { type: 'update', withdrawnRoutes: [], pathAttributes: [], nlri: [] };
  return { type: 'update', withdrawnRoutes: [], pathAttributes: [{ kind: 'mpUnreachNlri', afi, safi, withdrawn: [] }], nlri: [] };
}

/** The family an End-of-RIB marker closes, or null if the UPDATE is not one. */
export function endOfRibFamily(update: UpdateMessage): { afi: number; safi: number } | null {
  if (update.withdrawnRoutes.length > 0 || update.nlri.length > 0) return null;
  const [only, ...others] = update.pathAttributes;
  if (only === undefined) return { afi: AFI.IPV4, safi: SAFI.UNICAST };
  if (others.length > 0 || only.kind !== 'mpUnreachNlri' || only.withdrawn.length > 0) return null;
  return { afi: only.afi, safi: only.safi };
}
