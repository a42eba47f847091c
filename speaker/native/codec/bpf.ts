// Classic BPF programs the kernel runs on every frame before it queues the frame on a packet socket
// (SO_ATTACH_FILTER; linux/filter.h, Documentation/networking/filter.rst). A frame the program returns 0
// for is dropped in the kernel: it is never copied to user space and never wakes the speaker. Pure: the
// programs are data, encoded here into the bytes the addon hands to setsockopt.
//
// Offsets are from the start of the Ethernet header: on a SOCK_RAW packet socket the kernel runs the
// filter on the whole frame. A VLAN tag never shifts them: the kernel strips it (in hardware or in
// __netif_receive_skb) before frames reach a socket bound to one EtherType.
import { ByteWriter } from '../../../lib/wire/index.js';

/** One `struct sock_filter`: opcode, jump offsets if true / if false (instructions to skip), constant. */
export interface BpfInstruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** Opcode parts, linux/bpf_common.h. */
export const BPF = {
  LD: 0x00, JMP: 0x05, RET: 0x06,
  W: 0x00, H: 0x08, B: 0x10,
  ABS: 0x20,
  JEQ: 0x10,
  K: 0x00,
} as const;

/** linux/filter.h BPF_MAXINSNS: the kernel refuses longer programs. */
export const BPF_MAX_INSTRUCTIONS = 4096;
/** The return value that keeps the whole frame (the kernel trims a frame to what the program returns). */
export const KEEP_WHOLE_FRAME = 0xffffffff;

const instruction = (code: number, k: number, jt = 0, jf = 0): BpfInstruction => ({ code, jt, jf, k });
/** A = the byte at `offset`. */
export const loadByte = (offset: number): BpfInstruction => instruction(BPF.LD | BPF.B | BPF.ABS, offset);
/** A = the big-endian 16-bit value at `offset`. */
export const loadHalf = (offset: number): BpfInstruction => instruction(BPF.LD | BPF.H | BPF.ABS, offset);
/** Skips `jt` instructions if A === k, else `jf`. */
export const jumpIfEqual = (k: number, jt: number, jf: number): BpfInstruction => instruction(BPF.JMP | BPF.JEQ | BPF.K, k, jt, jf);
export const accept = (): BpfInstruction => instruction(BPF.RET | BPF.K, KEEP_WHOLE_FRAME);
export const drop = (): BpfInstruction => instruction(BPF.RET | BPF.K, 0);

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

/**
 * ARP requests only (operation 1): replies and everything else ARP carries are dropped in the kernel.
 * Gratuitous requests (sender = target) still pass; the responder drops those as 'gratuitous'.
 */
export const ARP_REQUESTS: readonly BpfInstruction[] = [
  loadHalf(ARP_OPER_OFFSET),
  jumpIfEqual(ARP_OPERATION_REQUEST, 0, 1),
  accept(),
  drop(),
];

/**
 * Neighbor Solicitations only: IPv6 next header ICMPv6 directly after the fixed header, hop limit 255,
 * ICMPv6 type 135. Everything else an ETH_P_IPV6 socket would see — pod traffic, TCP, UDP, echo, router
 * solicitations, advertisements, MLD — is dropped in the kernel.
 *
 * A solicitation behind extension headers (hop-by-hop, destination options) is dropped too, on purpose:
 * RFC 4861 defines none for NDP, no stack sends one (Linux, Windows, the BSDs and ndisc6 put ICMPv6 right
 * after the fixed header), RFC 6980 forbids fragmented NDP, and the responder's decoder reads ICMPv6 only
 * directly after the fixed header, so passing them would wake the speaker only to drop them. MLD reports,
 * which do carry a hop-by-hop header, are thereby dropped as well.
 */
export const NEIGHBOR_SOLICITATIONS: readonly BpfInstruction[] = [
  loadByte(IPV6_NEXT_HEADER_OFFSET),
  jumpIfEqual(NEXT_HEADER_ICMPV6, 0, 5),
  loadByte(IPV6_HOP_LIMIT_OFFSET),
  jumpIfEqual(NDP_HOP_LIMIT, 0, 3),
  loadByte(ICMPV6_TYPE_OFFSET),
  jumpIfEqual(ICMPV6_NEIGHBOR_SOLICITATION, 0, 1),
  accept(),
  drop(),
];

/** IEEE EtherTypes the speaker opens sockets for. */
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV6 = 0x86dd;

/** The program for a packet socket of `ethertype`, or undefined where the speaker has none. */
export function filterFor(ethertype: number): readonly BpfInstruction[] | undefined {
  if (ethertype === ETHERTYPE_ARP) return ARP_REQUESTS;
  if (ethertype === ETHERTYPE_IPV6) return NEIGHBOR_SOLICITATIONS;
  return undefined;
}

/**
 * The checks the kernel makes before accepting a program (net/core/filter.c bpf_check_classic), for the
 * subset written here: a length it accepts, every jump landing inside the program, and a return at the
 * end. A program that fails them is a bug in this file, so the error is thrown, not returned.
 */
export function checkProgram(program: readonly BpfInstruction[]): void {
  if (program.length === 0 || program.length > BPF_MAX_INSTRUCTIONS) {
    throw new RangeError(`a BPF program has 1..${BPF_MAX_INSTRUCTIONS} instructions, this one ${program.length}`);
  }
  program.forEach((ins, at) => {
    if ((ins.code & 0x07) !== BPF.JMP) return;
    const furthest = at + 1 + Math.max(ins.jt, ins.jf);
    if (furthest >= program.length) throw new RangeError(`BPF instruction ${at} jumps to ${furthest}, past the end (${program.length})`);
  });
  const last = program[program.length - 1];
  if (last === undefined || (last.code & 0x07) !== BPF.RET) throw new RangeError('a BPF program must end with a return');
}

/*
 * Encoding: `struct sock_filter` is { u16 code; u8 jt; u8 jf; u32 k; }, 8 bytes, in the host's byte order
 * (the kernel copies it as a C struct). Herald ships for amd64 and arm64, both little-endian; the caller
 * says which order the host uses.
 */
export function encodeProgram(program: readonly BpfInstruction[], littleEndian: boolean): Uint8Array {
  checkProgram(program);
  const writer = new ByteWriter(program.length * 8);
  for (const ins of program) {
    if (littleEndian) writer.u16le(ins.code);
    else writer.u16(ins.code);
    writer.u8(ins.jt).u8(ins.jf);
    if (littleEndian) writer.u32le(ins.k);
    else writer.u32(ins.k);
  }
  return writer.finish();
}
