// Pure: what to do with one frame received on an interface while announcing: the reply to send, or why
// none is sent (STYLE.md §6, §9). Every dropped frame has a reason, counted by the announcer.
import {
  ARP_OPERATION_REQUEST,
  arpReply,
  decodeArpFrame,
  decodeNdpFrame,
  ETHERNET_HEADER_LENGTH,
  ETHERTYPE_IPV6,
  formatMac,
  FrameError,
  ICMPV6_TYPE_NEIGHBOR_SOLICITATION,
  IP_PROTOCOL_ICMPV6,
  type MacAddress,
  ndpAddressProblem,
  neighborAdvertisementReply,
} from '../frames/index.js';
import type { PacketType } from '../../native/packet-socket.js';

export type DropReason =
  /**
   * Addressed to another host's MAC, or tagged for a VLAN this node has no device for: the kernel marks
   * both PACKET_OTHERHOST. Not a question put to this node on this interface; answered, the reply would go
   * out untagged. (The kernel filter drops these already; this covers a socket opened without it.)
   */
  | 'otherHost'
  /** A frame that is not an ARP request or Neighbor Solicitation: replies, NAs, other IPv6 traffic. */
  | 'notRequest'
  /** A gratuitous ARP (sender IP = target IP): an announcement by someone else, not a question. */
  | 'gratuitous'
  /** Asks for an IP this node does not announce. */
  | 'notOwned'
  /** Asks for an IP this node announces, but on another interface. */
  | 'wrongInterface'
  /** Our own frame, seen again on the socket (AF_PACKET also delivers outgoing frames). */
  | 'fromSelf'
  /** Could not be decoded (truncated, bad checksum, bad hop limit, ...). */
  | 'malformed'
  /**
   * Decoded, but RFC 4861 §7.1.1 says to discard it (frames/ndp.ts ndpAddressProblem): a multicast source
   * or target, or a duplicate address detection probe (source ::) with a source link-layer option or not
   * sent to a solicited-node group.
   */
  | 'invalid';

export type ResponderResult = { kind: 'reply'; ip: string; frame: Uint8Array } | { kind: 'drop'; reason: DropReason };

export interface ResponderContext {
  ifname: string;
  mac: MacAddress;
  /** For each IP this node announces, the interfaces it is announced on. */
  owned: ReadonlyMap<string, ReadonlySet<string>>;
}

const drop = (reason: DropReason): ResponderResult => ({ kind: 'drop', reason });

/** How a frame reached the socket (sll_pkttype): only what was sent to this host, broadcast or multicast is a question to us. */
const forUs = (packetType: PacketType): boolean => packetType !== 'otherhost';

export function respondToArp(bytes: Uint8Array, ctx: ResponderContext, packetType: PacketType): ResponderResult {
  if (!forUs(packetType)) return drop('otherHost');
  let frame;
  try {
    frame = decodeArpFrame(bytes);
  } catch (err) {
    if (err instanceof FrameError) return drop(err.reason === 'wrongEtherType' ? 'notRequest' : 'malformed');
    throw err;
  }
  const { ethernet, arp } = frame;
  if (ethernet.source === ctx.mac || arp.sha === ctx.mac) return drop('fromSelf');
  if (arp.oper !== ARP_OPERATION_REQUEST) return drop('notRequest');
  if (arp.spa === arp.tpa) return drop('gratuitous');
  const where = ownership(arp.tpa, ctx);
  if (where !== 'here') return drop(where);
  // A probe (RFC 5227, sender IP 0.0.0.0) is answered too: it is someone about to take our address.
  return { kind: 'reply', ip: arp.tpa, frame: arpReply(arp, ctx.mac) };
}

/*
 * Offsets in an untagged IPv6 frame, for the cheap check below: ethertype at 12, IPv6 next header at
 * 14 + 6, ICMPv6 type at 14 + 40. An ETH_P_IPV6 socket sees every IPv6 packet on the link (TCP too),
 * and decoding each one fully only to drop it would cost the speaker CPU on a busy node.
 */
const OFFSET_ETHERTYPE = 12;
const OFFSET_NEXT_HEADER = 20;
const OFFSET_ICMPV6_TYPE = 54;

export function respondToNdp(bytes: Uint8Array, ctx: ResponderContext, packetType: PacketType): ResponderResult {
  if (!forUs(packetType)) return drop('otherHost');
  if (bytes.length >= ETHERNET_HEADER_LENGTH && formatMac(bytes.subarray(6, 12)) === ctx.mac) return drop('fromSelf');
  if (isOtherIpv6Traffic(bytes)) return drop('notRequest');
  let frame;
  try {
    frame = decodeNdpFrame(bytes);
  } catch (err) {
    if (!(err instanceof FrameError)) throw err;
    const other = err.reason === 'wrongEtherType' || err.reason === 'wrongNextHeader' || err.reason === 'wrongMessageType';
    return drop(other ? 'notRequest' : 'malformed');
  }
  if (frame.message.kind !== 'neighborSolicitation') return drop('notRequest');
  if (ndpAddressProblem(frame) !== undefined) return drop('invalid');
  const target = frame.message.targetAddress;
  const where = ownership(target, ctx);
  if (where !== 'here') return drop(where);
  return { kind: 'reply', ip: target, frame: neighborAdvertisementReply(frame, ctx.mac) };
}

function isOtherIpv6Traffic(bytes: Uint8Array): boolean {
  if (bytes.length <= OFFSET_ICMPV6_TYPE) return false; // short: let the decoder name what is missing
  const etherType = ((bytes[OFFSET_ETHERTYPE] ?? 0) << 8) | (bytes[OFFSET_ETHERTYPE + 1] ?? 0);
  if (etherType !== ETHERTYPE_IPV6) return false; // tagged: the full decoder handles the tag
  return bytes[OFFSET_NEXT_HEADER] !== IP_PROTOCOL_ICMPV6 || bytes[OFFSET_ICMPV6_TYPE] !== ICMPV6_TYPE_NEIGHBOR_SOLICITATION;
}

function ownership(ip: string, ctx: ResponderContext): 'here' | 'notOwned' | 'wrongInterface' {
  const interfaces = ctx.owned.get(ip);
  if (interfaces === undefined) return 'notOwned';
  return interfaces.has(ctx.ifname) ? 'here' : 'wrongInterface';
}
