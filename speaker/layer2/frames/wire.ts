// The frame codecs' side of lib/wire: a reader whose reads past the end throw FrameError('truncated') (the
// responder counts it as a drop, never an exception in the read loop), and the address fields frames carry.
import { ByteReader, type TruncationError } from '../../../lib/wire/index.js';
import { formatIPv4, formatIPv6, type IPv4Address, type IPv6Address } from '../../../lib/ip/index.js';
import { formatMac, type MacAddress } from './addresses.js';
import { IPV4_LENGTH, IPV6_LENGTH, MAC_LENGTH } from './constants.js';
import { FrameError } from './errors.js';

const truncated: TruncationError = (truncation) => new FrameError('truncated', truncation.message);

/** A bounds-checked reader over a frame, a packet or a message body; a short read throws FrameError('truncated'). */
export function frameReader(bytes: Uint8Array): ByteReader {
  return new ByteReader(bytes, { truncated });
}

export function readMac(reader: ByteReader, field: string): MacAddress {
  return formatMac(reader.view(MAC_LENGTH, field));
}

export function readIPv4(reader: ByteReader, field: string): IPv4Address {
  return formatIPv4(reader.view(IPV4_LENGTH, field));
}

export function readIPv6(reader: ByteReader, field: string): IPv6Address {
  return formatIPv6(reader.view(IPV6_LENGTH, field));
}
