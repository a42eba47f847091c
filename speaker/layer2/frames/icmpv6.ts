// ICMPv6 messages (RFC 4443 §2.1) and their checksum over the IPv6 pseudo-header (RFC 4443 §2.3,
// RFC 8200 §8.1). The checksum binds the message to its IPv6 source and destination, so both are inputs.
import { ByteWriter } from '../../../lib/wire/index.js';
import { type IPv6Address, parseIPv6 } from '../../../lib/ip/index.js';
import { IP_PROTOCOL_ICMPV6 } from './constants.js';
import { FrameError } from './errors.js';
import { frameReader } from './wire.js';

export interface Icmpv6Message {
  /** IANA "ICMPv6 Parameters" type. */
  type: number;
  code: number;
  /** The message body after the 4-byte type/code/checksum header. */
  body: Uint8Array;
}

const ICMPV6_HEADER_LENGTH = 4;
const PSEUDO_HEADER_LENGTH = 40;

/**
 * RFC 1071 Internet checksum of `message` preceded by the IPv6 pseudo-header:
 *   | source (16) | destination (16) | upper-layer length (4) | zero (3) | next header = 58 (1) |
 * Returns the one's-complement sum folded to 16 bits, complemented: write it into a message whose
 * checksum field is zero, or expect 0 when the message already carries its checksum.
 */
export function icmpv6Checksum(source: IPv6Address, destination: IPv6Address, message: Uint8Array): number {
  const pseudo = new ByteWriter(PSEUDO_HEADER_LENGTH)
    .bytes(parseIPv6(source))
    .bytes(parseIPv6(destination))
    .u32(message.length)
    .zeros(3)
    .u8(IP_PROTOCOL_ICMPV6)
    .finish();
  let sum = sumWords(pseudo, 0);
  sum = sumWords(message, sum);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Adds big-endian 16-bit words to `sum`; an odd last byte is padded with a zero byte (RFC 1071). */
function sumWords(bytes: Uint8Array, initial: number): number {
  let sum = initial;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  if (bytes.length % 2 === 1) sum += (bytes[bytes.length - 1] ?? 0) << 8;
  // Folding here keeps the sum far from 2^53 whatever the length.
  return (sum & 0xffff) + Math.floor(sum / 0x10000);
}

/** Decodes an ICMPv6 message, verifying its checksum against the IPv6 addresses it came with. */
export function decodeIcmpv6(bytes: Uint8Array, source: IPv6Address, destination: IPv6Address): Icmpv6Message {
  const reader = frameReader(bytes);
  const type = reader.u8('icmpv6 type');
  const code = reader.u8('icmpv6 code');
  const checksum = reader.u16('icmpv6 checksum');
  if (icmpv6Checksum(source, destination, bytes) !== 0) {
    const expected = icmpv6Checksum(source, destination, zeroChecksum(bytes));
    throw new FrameError(
      'badChecksum',
      `icmpv6 checksum 0x${checksum.toString(16)}, want 0x${expected.toString(16)} (${source} -> ${destination})`,
    );
  }
  return { type, code, body: reader.rest() };
}

function zeroChecksum(bytes: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[2] = 0;
  copy[3] = 0;
  return copy;
}

/*
 * ICMPv6 message, RFC 4443 §2.1:
 *   0      1      2          4
 *   | type | code | checksum | body ...
 * The checksum covers the pseudo-header (see icmpv6Checksum) and the whole message.
 */
export function encodeIcmpv6(message: Icmpv6Message, source: IPv6Address, destination: IPv6Address): Uint8Array {
  const bytes = new ByteWriter(ICMPV6_HEADER_LENGTH + message.body.length)
    .u8(message.type)
    .u8(message.code)
    .u16(0)
    .bytes(message.body)
    .finish();
  const checksum = icmpv6Checksum(source, destination, bytes);
  bytes[2] = checksum >>> 8;
  bytes[3] = checksum & 0xff;
  return bytes;
}
