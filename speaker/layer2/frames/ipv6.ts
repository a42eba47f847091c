// The IPv6 fixed header (RFC 8200 §3). Extension headers are not walked: NDP messages are sent without
// them, and a packet whose next header is not ICMPv6 is not one Herald answers.
import { ByteWriter } from '../../../lib/wire/index.js';
import { type IPv6Address, parseIPv6 } from '../../../lib/ip/index.js';
import { FrameError } from './errors.js';
import { frameReader, readIPv6 } from './wire.js';

export const IPV6_HEADER_LENGTH = 40;

export interface Ipv6Packet {
  /** 8 bits. */
  trafficClass: number;
  /** 20 bits. */
  flowLabel: number;
  /** IANA "Assigned Internet Protocol Numbers", e.g. IP_PROTOCOL_ICMPV6. */
  nextHeader: number;
  hopLimit: number;
  source: IPv6Address;
  destination: IPv6Address;
  /** Exactly "payload length" bytes; Ethernet padding after them is dropped. */
  payload: Uint8Array;
}

export function decodeIpv6(bytes: Uint8Array): Ipv6Packet {
  const reader = frameReader(bytes);
  const first = reader.u32('ipv6 version/class/flow');
  const version = first >>> 28;
  if (version !== 6) throw new FrameError('badVersion', `ip version ${version}, want 6`);
  const payloadLength = reader.u16('ipv6 payload length');
  const nextHeader = reader.u8('ipv6 next header');
  const hopLimit = reader.u8('ipv6 hop limit');
  const source = readIPv6(reader, 'ipv6 source');
  const destination = readIPv6(reader, 'ipv6 destination');
  const payload = reader.bytes(payloadLength, 'ipv6 payload');
  return {
    trafficClass: (first >>> 20) & 0xff,
    flowLabel: first & 0xfffff,
    nextHeader,
    hopLimit,
    source,
    destination,
    payload,
  };
}

/*
 * IPv6 fixed header, RFC 8200 §3 (40 bytes):
 *   0                   4                  6             7           8          24              40
 *   | ver:4 tc:8 flow:20 | payload length  | next header | hop limit | src (16) | dst (16)      | payload
 */
export function encodeIpv6(packet: Ipv6Packet): Uint8Array {
  const first = ((6 << 28) | ((packet.trafficClass & 0xff) << 20) | (packet.flowLabel & 0xfffff)) >>> 0;
  return new ByteWriter(IPV6_HEADER_LENGTH + packet.payload.length)
    .u32(first)
    .u16(packet.payload.length)
    .u8(packet.nextHeader)
    .u8(packet.hopLimit)
    .bytes(parseIPv6(packet.source))
    .bytes(parseIPv6(packet.destination))
    .bytes(packet.payload)
    .finish();
}
