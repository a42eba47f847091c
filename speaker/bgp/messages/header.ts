// The BGP message header (RFC 4271 §4.1) and its checks (§6.1), in the order the RFC lists them.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                                                               |
//   +                                                               +
//   |                           Marker (16 octets of 0xff)          |
//   +                                                               +
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |          Length (19..4096)    |      Type     |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { ByteWriter } from '../../../lib/wire/index.js';
import {
  BGP_HEADER_LENGTH,
  BGP_MARKER_LENGTH,
  BGP_MAX_MESSAGE_LENGTH,
  FIXED_MESSAGE_LENGTH,
  MIN_MESSAGE_LENGTH,
} from './constants.js';
import { badMessageLength, badMessageType, connectionNotSynchronized } from './errors.js';

export interface MessageHeader {
  /** The whole message's length, header included. */
  length: number;
  /** IANA "BGP Message Types" (MESSAGE_TYPE). */
  type: number;
}

/**
 * Reads and checks the first 19 octets of `bytes` (RFC 4271 §6.1): marker, length in 19..4096, a known type,
 * and a length that type can have. Throws the Message Header Error NOTIFICATION otherwise.
 */
export function decodeHeader(bytes: Uint8Array): MessageHeader {
  if (bytes.length < BGP_HEADER_LENGTH) throw badMessageLength(bytes.length, `bytes cannot hold the ${BGP_HEADER_LENGTH}-byte header`);
  for (let i = 0; i < BGP_MARKER_LENGTH; i++) {
    if (bytes[i] !== 0xff) throw connectionNotSynchronized();
  }
  const length = ((bytes[16] ?? 0) << 8) | (bytes[17] ?? 0);
  const type = bytes[18] ?? 0;
  if (length < BGP_HEADER_LENGTH || length > BGP_MAX_MESSAGE_LENGTH) {
    throw badMessageLength(length, `is outside ${BGP_HEADER_LENGTH}..${BGP_MAX_MESSAGE_LENGTH}`);
  }
  const minimum = MIN_MESSAGE_LENGTH[type];
  if (minimum === undefined) throw badMessageType(type);
  const fixed = FIXED_MESSAGE_LENGTH[type];
  if (fixed !== undefined && length !== fixed) throw badMessageLength(length, `is not ${fixed}, the length of a type ${type} message`);
  if (length < minimum) throw badMessageLength(length, `is below ${minimum}, the minimum for a type ${type} message`);
  return { length, type };
}

/**
 * A whole message: the header, then what `writeBody` writes, which must be exactly `bodyLength` octets
 * (the fixed-length writer throws otherwise). A message over 4096 octets is an encoder's bug: RangeError.
 */
export function encodeMessage(type: number, bodyLength: number, writeBody: (writer: ByteWriter) => void): Uint8Array {
  const length = BGP_HEADER_LENGTH + bodyLength;
  if (length > BGP_MAX_MESSAGE_LENGTH) throw new RangeError(`type ${type} message of ${length} bytes exceeds ${BGP_MAX_MESSAGE_LENGTH}`);
  const writer = new ByteWriter(length);
  for (let i = 0; i < BGP_MARKER_LENGTH; i++) writer.u8(0xff);
  writer.u16(length).u8(type);
  writeBody(writer);
  return writer.finish();
}
