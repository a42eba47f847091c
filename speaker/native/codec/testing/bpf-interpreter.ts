// For tests: the kernel's classic BPF interpreter (net/core/filter.c) for the instructions bpf.ts writes —
// absolute loads (of the packet, of its metadata, relative to the network header), AND, the jumps and
// return. A load outside what the packet holds ends the program with 0, as the kernel does. The lab tests
// (speaker/native/packet-socket.lab.test.ts, test/lab/) and the UDP socket test run the same programs in
// the real kernel; this one lets the unit tests walk every branch.
import { BPF, type BpfInstruction, SKF_AD, SKF_AD_OFF, SKF_NET_OFF } from '../bpf.js';

export interface BpfPacket {
  /** What offset 0 is: the whole frame on a packet socket, the UDP header onward on a UDP socket. */
  data: Uint8Array;
  /** The IP header and what follows, for SKF_NET_OFF loads; none: such loads end the program with 0. */
  network?: Uint8Array;
  pktType?: number;
  ifindex?: number;
  vlanTagPresent?: boolean;
}

const NO_VALUE = -1;

function readBytes(bytes: Uint8Array | undefined, at: number, size: number): number {
  if (bytes === undefined || at < 0 || at + size > bytes.length) return NO_VALUE;
  let value = 0;
  for (let i = 0; i < size; i++) value = value * 256 + (bytes[at + i] ?? 0);
  return value;
}

function metadata(packet: BpfPacket, field: number): number {
  switch (field) {
    case SKF_AD.PKTTYPE: return packet.pktType ?? 0;
    case SKF_AD.IFINDEX: return packet.ifindex ?? 0;
    case SKF_AD.VLAN_TAG_PRESENT: return packet.vlanTagPresent === true ? 1 : 0;
    default: throw new Error(`metadata field ${field} is not interpreted here`);
  }
}

function load(packet: BpfPacket, k: number, size: number): number {
  const signed = k | 0;
  if (signed >= 0) return readBytes(packet.data, signed, size);
  if (signed >= SKF_AD_OFF) return metadata(packet, signed - SKF_AD_OFF);
  if (signed >= SKF_NET_OFF && signed < SKF_NET_OFF + 0x10000) return readBytes(packet.network, signed - SKF_NET_OFF, size);
  return NO_VALUE;
}

const SIZE: Record<number, number> = { [BPF.B]: 1, [BPF.H]: 2, [BPF.W]: 4 };

export function runBpf(program: readonly BpfInstruction[], packet: BpfPacket): number {
  let a = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const ins = program[pc];
    if (ins === undefined) break;
    const { code, k } = ins;
    if ((code & 0x07) === BPF.LD && (code & 0xe0) === BPF.ABS) {
      a = load(packet, k, SIZE[code & 0x18] ?? 4);
      if (a === NO_VALUE) return 0;
    } else if (code === (BPF.ALU | BPF.AND | BPF.K)) {
      a = (a & k) >>> 0;
    } else if (code === (BPF.JMP | BPF.JA | BPF.K)) {
      pc += k;
    } else if (code === (BPF.JMP | BPF.JEQ | BPF.K)) {
      pc += a === k ? ins.jt : ins.jf;
    } else if (code === (BPF.JMP | BPF.JGT | BPF.K)) {
      pc += a > k ? ins.jt : ins.jf;
    } else if (code === (BPF.RET | BPF.K)) {
      return k;
    } else {
      throw new Error(`instruction ${pc}: opcode 0x${code.toString(16)} is not interpreted here`);
    }
  }
  throw new Error('fell off the end of the program');
}
