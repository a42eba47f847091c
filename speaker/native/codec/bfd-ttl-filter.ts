// The kernel filter on the BFD Control socket (bpf.ts says how filters run): a datagram passes only when it
// arrived with IP TTL (IPv4) or Hop Limit (IPv6) 255. RFC 5881 §5 has single-hop BFD discard every other
// packet, which is what makes a session impossible to spoof from off the link: a router decrements the TTL,
// so nothing sent from farther away can arrive with 255 (the GTSM idea, RFC 5082). node:dgram cannot see a
// datagram's TTL, so the check is moved into the kernel, where it also costs a flood nothing in JavaScript.
//
// On a UDP socket the program sees the IP header at SKF_NET_OFF; a dual-stack IPv6 socket receives IPv4
// datagrams with their IPv4 header, so the version nibble decides where the TTL is.
//
//   IPv4 (RFC 791):  | version/IHL @0 | TOS @1 | length @2 | id @4 | flags/fragment @6 | TTL @8 | ...
//   IPv6 (RFC 8200): | version/class @0 | ... | payload length @4 | next header @6 | hop limit @7 | ...
import { accept, and, assemble, drop, emit, ifEqual, label, loadByte, SKF_NET_OFF, type BpfInstruction } from './bpf.js';

const VERSION_MASK = 0xf0;
const VERSION_4 = 0x40;
const VERSION_6 = 0x60;
const IPV4_TTL_OFFSET = 8;
const IPV6_HOP_LIMIT_OFFSET = 7;
/** RFC 5881 §5: the only TTL or Hop Limit a single-hop BFD packet may arrive with. */
export const SINGLE_HOP_TTL = 255;

/** The program for the BFD Control socket: TTL or Hop Limit 255 passes, anything else (or no IP) is dropped. */
export function bfdTtlFilter(): BpfInstruction[] {
  return assemble([
    emit(loadByte(SKF_NET_OFF)),
    emit(and(VERSION_MASK)),
    ifEqual(VERSION_4, 'v4', 'next'),
    ifEqual(VERSION_6, 'v6', 'next'),
    emit(drop()),
    label('v4'),
    emit(loadByte(SKF_NET_OFF + IPV4_TTL_OFFSET)),
    ifEqual(SINGLE_HOP_TTL, 'pass', 'next'),
    emit(drop()),
    label('v6'),
    emit(loadByte(SKF_NET_OFF + IPV6_HOP_LIMIT_OFFSET)),
    ifEqual(SINGLE_HOP_TTL, 'pass', 'next'),
    emit(drop()),
    label('pass'),
    emit(accept()),
  ]);
}
