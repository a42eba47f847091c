// Neighbor Solicitation and Neighbor Advertisement (RFC 4861 §4.3, §4.4), as ICMPv6 bodies and as whole
// Ethernet frames. Frame decoding applies the checks of form RFC 4861 §7.1 makes on every node (hop limit
// 255, code 0, checksum, option lengths), ndpAddressProblem the ones on the addresses and options it
// carries; what to do with a valid message is the responder's decision.
import { ByteWriter } from '../../../lib/wire/index.js';
import { type IPv6Address, parseIPv6 } from '../../../lib/ip/index.js';
import { IPV6_UNSPECIFIED, isIPv6Multicast, isSolicitedNodeMulticast, type MacAddress } from './addresses.js';
import {
  ETHERTYPE_IPV6,
  ICMPV6_TYPE_NEIGHBOR_ADVERTISEMENT,
  ICMPV6_TYPE_NEIGHBOR_SOLICITATION,
  IP_PROTOCOL_ICMPV6,
  IPV6_LENGTH,
  NDP_HOP_LIMIT,
  NDP_OPTION_SOURCE_LINK_LAYER_ADDRESS,
} from './constants.js';
import { FrameError } from './errors.js';
import { decodeEthernet, encodeEthernet, type EthernetFrame } from './ethernet.js';
import { decodeIcmpv6, encodeIcmpv6, type Icmpv6Message } from './icmpv6.js';
import { decodeIpv6, encodeIpv6, type Ipv6Packet } from './ipv6.js';
import { decodeNdpOptions, type NdpOption, ndpOptionsLength, writeNdpOptions } from './ndp-options.js';
import { frameReader, readIPv6 } from './wire.js';

export interface NeighborSolicitation {
  kind: 'neighborSolicitation';
  targetAddress: IPv6Address;
  options: NdpOption[];
}

export interface NeighborAdvertisement {
  kind: 'neighborAdvertisement';
  /** R: the sender is a router. */
  router: boolean;
  /** S: sent in response to a Neighbor Solicitation. */
  solicited: boolean;
  /** O: override an existing cache entry's link-layer address. */
  override: boolean;
  targetAddress: IPv6Address;
  options: NdpOption[];
}

export type NdpMessage = NeighborSolicitation | NeighborAdvertisement;

const FLAG_ROUTER = 0x80000000;
const FLAG_SOLICITED = 0x40000000;
const FLAG_OVERRIDE = 0x20000000;
/** Reserved/flags word plus target address. */
const NDP_FIXED_LENGTH = 4 + IPV6_LENGTH;

/** Decodes an NS or NA from an ICMPv6 message; other types throw FrameError('wrongMessageType'). */
export function decodeNdp(message: Icmpv6Message): NdpMessage {
  if (message.type !== ICMPV6_TYPE_NEIGHBOR_SOLICITATION && message.type !== ICMPV6_TYPE_NEIGHBOR_ADVERTISEMENT) {
    throw new FrameError('wrongMessageType', `icmpv6 type ${message.type}, want 135 (NS) or 136 (NA)`);
  }
  if (message.code !== 0) throw new FrameError('badCode', `icmpv6 type ${message.type} code ${message.code}, want 0`);
  const reader = frameReader(message.body);
  const flags = reader.u32('ndp flags/reserved');
  const targetAddress = readIPv6(reader, 'ndp target address');
  const options = decodeNdpOptions(reader);
  if (message.type === ICMPV6_TYPE_NEIGHBOR_SOLICITATION) return { kind: 'neighborSolicitation', targetAddress, options };
  return {
    kind: 'neighborAdvertisement',
    router: (flags & FLAG_ROUTER) !== 0,
    solicited: (flags & FLAG_SOLICITED) !== 0,
    override: (flags & FLAG_OVERRIDE) !== 0,
    targetAddress,
    options,
  };
}

/*
 * Neighbor Solicitation, RFC 4861 §4.3 (ICMPv6 type 135, code 0), body after type/code/checksum:
 *   0               4                 20
 *   | reserved (0)  | target address  | options ...
 * Neighbor Advertisement, RFC 4861 §4.4 (ICMPv6 type 136, code 0):
 *   0                           4                 20
 *   | R:1 S:1 O:1 reserved:29   | target address  | options ...
 */
export function encodeNdp(message: NdpMessage): Icmpv6Message {
  const writer = new ByteWriter(NDP_FIXED_LENGTH + ndpOptionsLength(message.options));
  if (message.kind === 'neighborSolicitation') {
    writer.u32(0);
  } else {
    const { router, solicited, override } = message;
    writer.u32(((router ? FLAG_ROUTER : 0) | (solicited ? FLAG_SOLICITED : 0) | (override ? FLAG_OVERRIDE : 0)) >>> 0);
  }
  writer.bytes(parseIPv6(message.targetAddress));
  writeNdpOptions(writer, message.options);
  const type =
    message.kind === 'neighborSolicitation' ? ICMPV6_TYPE_NEIGHBOR_SOLICITATION : ICMPV6_TYPE_NEIGHBOR_ADVERTISEMENT;
  return { type, code: 0, body: writer.finish() };
}

export interface NdpFrame {
  ethernet: EthernetFrame;
  ipv6: Ipv6Packet;
  message: NdpMessage;
}

/**
 * Decodes a whole frame as received from an ETH_P_IPV6 socket into an NS or NA, applying RFC 4861 §7.1's
 * checks of its form: IPv6 next header 58, hop limit 255, ICMPv6 checksum, code 0, option lengths. The
 * checks on the addresses it carries are ndpAddressProblem's, so that any well-formed frame round-trips.
 */
export function decodeNdpFrame(bytes: Uint8Array): NdpFrame {
  const ethernet = decodeEthernet(bytes);
  if (ethernet.etherType !== ETHERTYPE_IPV6) {
    throw new FrameError('wrongEtherType', `ethertype 0x${ethernet.etherType.toString(16)}, want IPv6 0x86dd`);
  }
  const ipv6 = decodeIpv6(ethernet.payload);
  if (ipv6.nextHeader !== IP_PROTOCOL_ICMPV6) {
    throw new FrameError('wrongNextHeader', `ipv6 next header ${ipv6.nextHeader}, want ICMPv6 58`);
  }
  // The hop limit check comes before the checksum: it is cheaper and proves the sender is on-link.
  if (ipv6.hopLimit !== NDP_HOP_LIMIT) throw new FrameError('badHopLimit', `ipv6 hop limit ${ipv6.hopLimit}, want 255`);
  const icmp = decodeIcmpv6(ipv6.payload, ipv6.source, ipv6.destination);
  return { ethernet, ipv6, message: decodeNdp(icmp) };
}

/**
 * The checks of RFC 4861 §7.1.1 and §7.1.2 that look at the addresses and options of a decoded frame: a
 * message that fails one MUST be silently discarded. Answering would go wrong too: a multicast source
 * cannot be answered, and a duplicate address detection probe (source ::) carrying a link-layer option, or
 * sent anywhere but to the solicited-node group, is not one a conforming node sends. Returns the first
 * problem found, as the error decoding would have thrown, or undefined for a valid message.
 */
export function ndpAddressProblem(frame: NdpFrame): FrameError | undefined {
  const { ipv6, message } = frame;
  if (isIPv6Multicast(ipv6.source)) return new FrameError('multicastSource', `ipv6 source ${ipv6.source} is a multicast address`);
  if (isIPv6Multicast(message.targetAddress)) {
    return new FrameError('multicastTarget', `${message.kind} target ${message.targetAddress} is a multicast address`);
  }
  if (message.kind !== 'neighborSolicitation' || ipv6.source !== IPV6_UNSPECIFIED) return undefined;
  const sourceLinkLayer = message.options.some((o) => o.kind === 'sourceLinkLayerAddress' || (o.kind === 'raw' && o.type === NDP_OPTION_SOURCE_LINK_LAYER_ADDRESS));
  if (sourceLinkLayer) return new FrameError('dadWithSourceLinkLayer', 'a solicitation from :: carries a source link-layer address option');
  if (!isSolicitedNodeMulticast(ipv6.destination)) {
    return new FrameError('dadNotToSolicitedNode', `a solicitation from :: is sent to ${ipv6.destination}, not to a solicited-node group`);
  }
  return undefined;
}

/** Who sends an NDP frame to whom, at both layers. */
export interface NdpAddressing {
  ethernetSource: MacAddress;
  ethernetDestination: MacAddress;
  ipSource: IPv6Address;
  ipDestination: IPv6Address;
}

/** Encodes an NS or NA as a whole untagged Ethernet frame with hop limit 255 and a valid checksum. */
export function encodeNdpFrame(addressing: NdpAddressing, message: NdpMessage): Uint8Array {
  const { ethernetSource, ethernetDestination, ipSource, ipDestination } = addressing;
  const icmp = encodeIcmpv6(encodeNdp(message), ipSource, ipDestination);
  const ipv6 = encodeIpv6({
    trafficClass: 0,
    flowLabel: 0,
    nextHeader: IP_PROTOCOL_ICMPV6,
    hopLimit: NDP_HOP_LIMIT,
    source: ipSource,
    destination: ipDestination,
    payload: icmp,
  });
  return encodeEthernet({
    destination: ethernetDestination,
    source: ethernetSource,
    vlan: null,
    etherType: ETHERTYPE_IPV6,
    payload: ipv6,
  });
}
