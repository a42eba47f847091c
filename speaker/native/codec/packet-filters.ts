// The kernel filters on the speaker's packet sockets (bpf.ts says how they run). An ARP socket gets only
// ARP requests, an IPv6 socket only Neighbor Solicitations, and both only frames that arrived on the
// socket's own interface, untagged, addressed to this host, to broadcast or to a multicast group:
//
//   - Packet type (skb->pkt_type). A frame for another host's MAC (PACKET_OTHERHOST: a NIC in promiscuous
//     mode for a sniffer, a bridge port, a veth) is not a question put to this node, and a VLAN-tagged frame
//     the node has no VLAN device for is marked OTHERHOST by the kernel too (__netif_receive_skb_core).
//     Our own outgoing frames (PACKET_OUTGOING) never count.
//   - VLAN tag. A tag the kernel did not consume belongs to a VLAN this socket is not on; answering it
//     untagged would put the answer on the wrong VLAN. Priority-tagged frames (VLAN 0) count as untagged,
//     as they do for the kernel's own ARP.
//   - Interface (skb->dev->ifindex). The kernel also hands a socket bound to eth0 the frames of devices
//     stacked on eth0 (a VLAN device eth0.100, a macvlan) after it has moved them to that device; the
//     answer would leave through eth0, with eth0's MAC and no tag.
//
// Offsets into the frame are from the start of the Ethernet header: on a SOCK_RAW packet socket the kernel
// runs the filter on the whole frame, and any VLAN tag has been taken out of the bytes before it runs.
import { assemble, emit, ifEqual, ifGreater, label, loadByte, loadHalf, loadMetadata, accept, drop, SKF_AD, type BpfInstruction, type Step } from './bpf.js';

/** linux/if_packet.h: PACKET_HOST 0, PACKET_BROADCAST 1, PACKET_MULTICAST 2; above are OTHERHOST, OUTGOING, ... */
const PACKET_MULTICAST = 2;

/*
 * Frame offsets the programs read (untagged Ethernet, 14-byte header):
 *   ARP (RFC 826):  | eth (14) | htype (2) | ptype (2) | hlen | plen | oper (2) @20 | ...
 *   IPv6 (RFC 8200):| eth (14) | ver/tc/flow (4) | payload length (2) | next header @20 | hop limit @21 |
 *                   | src (16) | dst (16) | ICMPv6 type @54 | code | ...
 */
const ARP_OPER_OFFSET = 20;
const ARP_OPERATION_REQUEST = 1;
const IPV6_NEXT_HEADER_OFFSET = 20;
const IPV6_HOP_LIMIT_OFFSET = 21;
const ICMPV6_TYPE_OFFSET = 54;
/** IANA protocol numbers: ICMPv6. */
const NEXT_HEADER_ICMPV6 = 58;
/** RFC 4861 §4.3 Neighbor Solicitation. */
const ICMPV6_NEIGHBOR_SOLICITATION = 135;
/** RFC 4861 §7.1.1: a solicitation with any other hop limit did not come from the link and is invalid. */
const NDP_HOP_LIMIT = 255;

const DROP = 'drop';

/** The interface's index as the kernel numbers it: a positive 32-bit integer. */
function checkIfindex(ifindex: number): number {
  if (!Number.isInteger(ifindex) || ifindex < 1 || ifindex > 0x7fffffff) throw new RangeError(`ifindex ${ifindex} is not a kernel interface index`);
  return ifindex;
}

/** Packet type, tag and interface, as the file's header says; anything else jumps to the program's drop. */
function arrivedForUs(ifindex: number): Step[] {
  return [
    emit(loadMetadata(SKF_AD.PKTTYPE)),
    ifGreater(PACKET_MULTICAST, DROP, 'next'),
    emit(loadMetadata(SKF_AD.VLAN_TAG_PRESENT)),
    ifEqual(0, 'next', DROP),
    emit(loadMetadata(SKF_AD.IFINDEX)),
    ifEqual(checkIfindex(ifindex), 'next', DROP),
  ];
}

const finish = (checks: Step[]): BpfInstruction[] => assemble([...checks, emit(accept()), label(DROP), emit(drop())]);

/**
 * ARP requests only (operation 1) that arrived for us on `ifindex`: replies and everything else ARP carries
 * are dropped in the kernel. Gratuitous requests (sender = target) still pass; the responder drops those
 * as 'gratuitous'.
 */
export function arpRequestFilter(ifindex: number): BpfInstruction[] {
  return finish([...arrivedForUs(ifindex), emit(loadHalf(ARP_OPER_OFFSET)), ifEqual(ARP_OPERATION_REQUEST, 'next', DROP)]);
}

/**
 * Neighbor Solicitations only that arrived for us on `ifindex`: IPv6 next header ICMPv6 directly after the
 * fixed header, hop limit 255, ICMPv6 type 135. Everything else an ETH_P_IPV6 socket would see — pod
 * traffic, TCP, UDP, echo, router solicitations, advertisements, MLD — is dropped in the kernel.
 *
 * A solicitation behind extension headers (hop-by-hop, destination options) is dropped too, on purpose:
 * RFC 4861 defines none for NDP, no stack sends one (Linux, Windows, the BSDs and ndisc6 put ICMPv6 right
 * after the fixed header), RFC 6980 forbids fragmented NDP, and the responder's decoder reads ICMPv6 only
 * directly after the fixed header, so passing them would wake the speaker only to drop them. MLD reports,
 * which do carry a hop-by-hop header, are thereby dropped as well. The rest of RFC 4861 §7.1.1 (checksum,
 * options, the rules for solicitations from the unspecified address) needs the options parsed, which the
 * responder does (frames/ndp.ts).
 */
export function neighborSolicitationFilter(ifindex: number): BpfInstruction[] {
  return finish([
    ...arrivedForUs(ifindex),
    emit(loadByte(IPV6_NEXT_HEADER_OFFSET)),
    ifEqual(NEXT_HEADER_ICMPV6, 'next', DROP),
    emit(loadByte(IPV6_HOP_LIMIT_OFFSET)),
    ifEqual(NDP_HOP_LIMIT, 'next', DROP),
    emit(loadByte(ICMPV6_TYPE_OFFSET)),
    ifEqual(ICMPV6_NEIGHBOR_SOLICITATION, 'next', DROP),
  ]);
}

/** IEEE EtherTypes the speaker opens sockets for. */
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV6 = 0x86dd;

/** The program for a packet socket of `ethertype` bound to `ifindex`, or undefined where the speaker has none. */
export function filterFor(ethertype: number, ifindex: number): BpfInstruction[] | undefined {
  if (ethertype === ETHERTYPE_ARP) return arpRequestFilter(ifindex);
  if (ethertype === ETHERTYPE_IPV6) return neighborSolicitationFilter(ifindex);
  return undefined;
}
