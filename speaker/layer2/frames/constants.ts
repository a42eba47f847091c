// Protocol numbers used by the layer 2 codecs, named after the IANA registry each one comes from.

/** IANA "IEEE 802 Numbers", EtherTypes. */
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100; // IEEE 802.1Q customer tag
export const ETHERTYPE_QINQ = 0x88a8; // IEEE 802.1ad service tag
export const ETHERTYPE_IPV6 = 0x86dd;

/** IANA "Address Resolution Protocol (ARP) Parameters", Hardware Types. */
export const ARP_HARDWARE_ETHERNET = 1;
/** IANA "Address Resolution Protocol (ARP) Parameters", Operation Codes. */
export const ARP_OPERATION_REQUEST = 1;
export const ARP_OPERATION_REPLY = 2;

/** IANA "Assigned Internet Protocol Numbers". */
export const IP_PROTOCOL_ICMPV6 = 58;

/** IANA "ICMPv6 Parameters", ICMPv6 "type" Numbers. */
export const ICMPV6_TYPE_NEIGHBOR_SOLICITATION = 135;
export const ICMPV6_TYPE_NEIGHBOR_ADVERTISEMENT = 136;

/** IANA "IPv6 Neighbor Discovery Option Formats". */
export const NDP_OPTION_SOURCE_LINK_LAYER_ADDRESS = 1;
export const NDP_OPTION_TARGET_LINK_LAYER_ADDRESS = 2;

/** RFC 4861 §7.1: NDP messages are sent, and must arrive, with the IPv6 hop limit at 255. */
export const NDP_HOP_LIMIT = 255;

/** IEEE 802.3: smallest frame on the wire without the FCS; shorter frames are padded with zeros. */
export const ETHERNET_MIN_FRAME_LENGTH = 60;
export const ETHERNET_HEADER_LENGTH = 14;
export const MAC_LENGTH = 6;
export const IPV4_LENGTH = 4;
export const IPV6_LENGTH = 16;
