// Ready-made frames for the announcer and the responder. Each returns the whole Ethernet frame to hand to
// PacketSocket.send(); the choices RFCs leave open are made here once, with the reason next to them.
import { canonicalIPv6, type IPv4Address, type IPv6Address } from '../../../lib/ip/index.js';
import { BROADCAST_MAC, IPV6_ALL_NODES, IPV6_UNSPECIFIED, ipv6MulticastMac, type MacAddress, ZERO_MAC } from './addresses.js';
import { type ArpPacket, encodeArp } from './arp.js';
import { ARP_OPERATION_REPLY, ARP_OPERATION_REQUEST, ETHERTYPE_ARP } from './constants.js';
import { encodeEthernet } from './ethernet.js';
import { encodeNdpFrame, type NdpFrame } from './ndp.js';
import { linkLayerAddress } from './ndp-options.js';

function arpFrame(destination: MacAddress, source: MacAddress, arp: ArpPacket): Uint8Array {
  return encodeEthernet({ destination, source, vlan: null, etherType: ETHERTYPE_ARP, payload: encodeArp(arp) });
}

/**
 * A gratuitous ARP in request form: sender IP = target IP = `ip`, target MAC zero, to broadcast.
 * Linux hosts with the default arp_accept=0 update an existing neighbour entry from the request form even
 * within the neighbour lock time, where they ignore the reply form (LAB-NOTES "ARP / NDP facts").
 */
export function gratuitousArp(mac: MacAddress, ip: IPv4Address): Uint8Array {
  return arpFrame(BROADCAST_MAC, mac, { oper: ARP_OPERATION_REQUEST, sha: mac, spa: ip, tha: ZERO_MAC, tpa: ip });
}

/**
 * The reply to an ARP request for one of our IPs (RFC 826 "Packet Reception"): we become the sender with
 * `mac` and the requested address, the requester becomes the target, sent unicast to its hardware address.
 */
export function arpReply(request: ArpPacket, mac: MacAddress): Uint8Array {
  return arpFrame(request.sha, mac, {
    oper: ARP_OPERATION_REPLY,
    sha: mac,
    spa: request.tpa,
    tha: request.sha,
    tpa: request.spa,
  });
}

/**
 * An unsolicited Neighbor Advertisement (RFC 4861 §7.2.6) for `ip`: override flag set so that neighbours
 * replace the old owner's MAC, solicited flag clear, to all-nodes ff02::1, with our MAC as the target
 * link-layer address option. The IPv6 source defaults to `ip` itself: the address moves with the VIP and
 * needs no link-local address on the interface; pass `ipSource` to use another interface address.
 */
export function unsolicitedNeighborAdvertisement(mac: MacAddress, ip: IPv6Address, ipSource: IPv6Address = ip): Uint8Array {
  return encodeNdpFrame(
    {
      ethernetSource: mac,
      ethernetDestination: ipv6MulticastMac(IPV6_ALL_NODES),
      ipSource: canonicalIPv6(ipSource),
      ipDestination: IPV6_ALL_NODES,
    },
    {
      kind: 'neighborAdvertisement',
      router: false,
      solicited: false,
      override: true,
      targetAddress: canonicalIPv6(ip),
      options: [{ kind: 'targetLinkLayerAddress', address: mac }],
    },
  );
}

/**
 * The answer to a Neighbor Solicitation for an address we own (RFC 4861 §7.2.4): solicited and override
 * flags, target = the solicitation's target, our MAC as target link-layer address, sent to the solicitor's
 * IPv6 address and to the MAC from its source link-layer option (else its Ethernet source). A solicitation
 * from the unspecified address (duplicate address detection) is answered to all-nodes with S clear.
 */
export function neighborAdvertisementReply(
  solicitation: NdpFrame,
  mac: MacAddress,
  ipSource: IPv6Address = solicitation.message.targetAddress,
): Uint8Array {
  const { ethernet, ipv6, message } = solicitation;
  const fromDad = ipv6.source === IPV6_UNSPECIFIED;
  const solicitorMac = linkLayerAddress(message.options, 'sourceLinkLayerAddress') ?? ethernet.source;
  return encodeNdpFrame(
    {
      ethernetSource: mac,
      ethernetDestination: fromDad ? ipv6MulticastMac(IPV6_ALL_NODES) : solicitorMac,
      ipSource: canonicalIPv6(ipSource),
      ipDestination: fromDad ? IPV6_ALL_NODES : ipv6.source,
    },
    {
      kind: 'neighborAdvertisement',
      router: false,
      solicited: !fromDad,
      override: true,
      targetAddress: message.targetAddress,
      options: [{ kind: 'targetLinkLayerAddress', address: mac }],
    },
  );
}
