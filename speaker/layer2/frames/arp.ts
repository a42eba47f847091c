// ARP for Ethernet and IPv4 (RFC 826). Other hardware or protocol types are not Herald's business and
// decode to a FrameError, which the responder counts as a drop reason.
import { ByteWriter } from '../../../lib/wire/index.js';
import { type IPv4Address, parseIPv4 } from '../../../lib/ip/index.js';
import { type MacAddress, parseMac } from './addresses.js';
import {
  ARP_HARDWARE_ETHERNET,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  IPV4_LENGTH,
  MAC_LENGTH,
} from './constants.js';
import { FrameError } from './errors.js';
import { decodeEthernet, type EthernetFrame } from './ethernet.js';
import { frameReader, readIPv4, readMac } from './wire.js';

/**
 * An ARP packet for Ethernet/IPv4. htype, ptype, hlen and plen are fixed for this pair (1, 0x0800, 6, 4):
 * the decoder checks them and the encoder writes them, so they are not fields here.
 */
export interface ArpPacket {
  /** ar$op: ARP_OPERATION_REQUEST or ARP_OPERATION_REPLY (other codes are kept as numbers). */
  oper: number;
  /** ar$sha, sender hardware address. */
  sha: MacAddress;
  /** ar$spa, sender protocol address. */
  spa: IPv4Address;
  /** ar$tha, target hardware address (zero in a request). */
  tha: MacAddress;
  /** ar$tpa, target protocol address. */
  tpa: IPv4Address;
}

export const ARP_PACKET_LENGTH = 28;

/** Decodes an ARP packet (the Ethernet payload); trailing padding is ignored. */
export function decodeArp(bytes: Uint8Array): ArpPacket {
  const reader = frameReader(bytes);
  const htype = reader.u16('arp htype');
  const ptype = reader.u16('arp ptype');
  const hlen = reader.u8('arp hlen');
  const plen = reader.u8('arp plen');
  if (htype !== ARP_HARDWARE_ETHERNET || hlen !== MAC_LENGTH) {
    throw new FrameError('unsupportedHardware', `arp htype ${htype} hlen ${hlen}, want Ethernet (1, 6)`);
  }
  if (ptype !== ETHERTYPE_IPV4 || plen !== IPV4_LENGTH) {
    throw new FrameError('unsupportedProtocol', `arp ptype 0x${ptype.toString(16)} plen ${plen}, want IPv4 (0x0800, 4)`);
  }
  return {
    oper: reader.u16('arp oper'),
    sha: readMac(reader, 'arp sha'),
    spa: readIPv4(reader, 'arp spa'),
    tha: readMac(reader, 'arp tha'),
    tpa: readIPv4(reader, 'arp tpa'),
  };
}

/*
 * ARP for Ethernet/IPv4, RFC 826 (28 bytes):
 *   0       2       4      5      6      8          14         18         24         28
 *   | htype | ptype | hlen | plen | oper | sha (6)  | spa (4)  | tha (6)  | tpa (4)  |
 *     = 1    =0x0800  = 6    = 4
 */
export function encodeArp(packet: ArpPacket): Uint8Array {
  return new ByteWriter(ARP_PACKET_LENGTH)
    .u16(ARP_HARDWARE_ETHERNET)
    .u16(ETHERTYPE_IPV4)
    .u8(MAC_LENGTH)
    .u8(IPV4_LENGTH)
    .u16(packet.oper)
    .bytes(parseMac(packet.sha))
    .bytes(parseIPv4(packet.spa))
    .bytes(parseMac(packet.tha))
    .bytes(parseIPv4(packet.tpa))
    .finish();
}

export interface ArpFrame {
  ethernet: EthernetFrame;
  arp: ArpPacket;
}

/** Decodes a whole frame as received from an ETH_P_ARP socket. */
export function decodeArpFrame(bytes: Uint8Array): ArpFrame {
  const ethernet = decodeEthernet(bytes);
  if (ethernet.etherType !== ETHERTYPE_ARP) {
    throw new FrameError('wrongEtherType', `ethertype 0x${ethernet.etherType.toString(16)}, want ARP 0x0806`);
  }
  return { ethernet, arp: decodeArp(ethernet.payload) };
}
