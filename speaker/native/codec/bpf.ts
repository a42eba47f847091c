// Classic BPF, as the kernel runs it on every packet before it queues the packet on a socket
// (SO_ATTACH_FILTER; linux/filter.h, Documentation/networking/filter.rst). A packet the program returns 0
// for is dropped in the kernel: it is never copied to user space and never wakes the speaker. Pure: the
// programs are data, written with the small assembler below (labels instead of hand-counted jump offsets)
// and encoded into the bytes the addon hands to setsockopt. The programs themselves live in
// packet-filters.ts (the ARP/NDP packet sockets) and heartbeat-filter.ts (the heartbeat UDP socket).
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
  LD: 0x00, ALU: 0x04, JMP: 0x05, RET: 0x06,
  W: 0x00, H: 0x08, B: 0x10,
  ABS: 0x20,
  AND: 0x50,
  JA: 0x00, JEQ: 0x10, JGT: 0x20,
  K: 0x00,
} as const;

/** linux/filter.h BPF_MAXINSNS: the kernel refuses longer programs. */
export const BPF_MAX_INSTRUCTIONS = 4096;
/** The return value that keeps the whole packet (the kernel trims a packet to what the program returns). */
export const KEEP_WHOLE_FRAME = 0xffffffff;
/** A conditional jump skips at most this many instructions (its offsets are 8-bit). */
export const MAX_CONDITIONAL_SKIP = 255;

/**
 * linux/filter.h: a load from SKF_AD_OFF + field reads the packet's metadata instead of its bytes; a load
 * from SKF_NET_OFF + offset reads relative to the network (IP) header, wherever the data starts.
 */
export const SKF_AD_OFF = -0x1000;
export const SKF_NET_OFF = -0x100000;
/** linux/filter.h SKF_AD_*: the metadata fields the programs read. */
export const SKF_AD = {
  /** skb->pkt_type: PACKET_HOST, PACKET_BROADCAST, ... (linux/if_packet.h). */
  PKTTYPE: 4,
  /** skb->dev->ifindex: the interface the packet is being delivered on. */
  IFINDEX: 8,
  /** 1 when the packet arrived with a VLAN tag the kernel has not consumed. */
  VLAN_TAG_PRESENT: 48,
} as const;

const instruction = (code: number, k: number, jt = 0, jf = 0): BpfInstruction => ({ code, jt, jf, k: k >>> 0 });
/** A = the byte at `offset` (negative offsets are SKF_* areas). */
export const loadByte = (offset: number): BpfInstruction => instruction(BPF.LD | BPF.B | BPF.ABS, offset);
/** A = the big-endian 16-bit value at `offset`. */
export const loadHalf = (offset: number): BpfInstruction => instruction(BPF.LD | BPF.H | BPF.ABS, offset);
/** A = the big-endian 32-bit value at `offset`. */
export const loadWord = (offset: number): BpfInstruction => instruction(BPF.LD | BPF.W | BPF.ABS, offset);
/** A = one metadata field (SKF_AD). */
export const loadMetadata = (field: number): BpfInstruction => loadWord(SKF_AD_OFF + field);
/** A &= k. */
export const and = (k: number): BpfInstruction => instruction(BPF.ALU | BPF.AND | BPF.K, k);
/** Skips `jt` instructions if A === k, else `jf`. */
export const jumpIfEqual = (k: number, jt: number, jf: number): BpfInstruction => instruction(BPF.JMP | BPF.JEQ | BPF.K, k, jt, jf);
export const accept = (): BpfInstruction => instruction(BPF.RET | BPF.K, KEEP_WHOLE_FRAME);
export const drop = (): BpfInstruction => instruction(BPF.RET | BPF.K, 0);

/*
 * The assembler. A program is a list of steps: plain instructions, labels (which take no room), and jumps
 * to a label or to the next instruction. assemble() turns the jumps into offsets. Jumps only go forward
 * (the kernel refuses loops); a conditional jump reaches at most 255 instructions, an unconditional one
 * (goTo) anywhere.
 */
export type Target = string | 'next';

export type Step =
  | { op: 'instruction'; instruction: BpfInstruction }
  | { op: 'label'; name: string }
  | { op: 'if'; test: 'equal' | 'greater'; k: number; then: Target; otherwise: Target }
  | { op: 'goto'; to: string };

export const emit = (ins: BpfInstruction): Step => ({ op: 'instruction', instruction: ins });
export const label = (name: string): Step => ({ op: 'label', name });
export const ifEqual = (k: number, then: Target, otherwise: Target): Step => ({ op: 'if', test: 'equal', k, then, otherwise });
export const ifGreater = (k: number, then: Target, otherwise: Target): Step => ({ op: 'if', test: 'greater', k, then, otherwise });
export const goTo = (to: string): Step => ({ op: 'goto', to });

/** How many instructions the steps assemble to (labels take none). */
export const instructionCount = (steps: readonly Step[]): number => steps.filter((s) => s.op !== 'label').length;

export function assemble(steps: readonly Step[]): BpfInstruction[] {
  const labels = new Map<string, number>();
  let at = 0;
  for (const step of steps) {
    if (step.op !== 'label') at++;
    else if (labels.has(step.name)) throw new RangeError(`BPF label "${step.name}" is defined twice`);
    else labels.set(step.name, at);
  }
  const program: BpfInstruction[] = [];
  for (const step of steps) {
    const pc = program.length;
    const skipTo = (target: Target): number => offset(target, pc, labels);
    if (step.op === 'instruction') program.push(step.instruction);
    else if (step.op === 'goto') program.push(instruction(BPF.JMP | BPF.JA | BPF.K, skipTo(step.to)));
    else if (step.op === 'if') {
      const code = BPF.JMP | (step.test === 'equal' ? BPF.JEQ : BPF.JGT) | BPF.K;
      program.push(instruction(code, step.k, conditional(skipTo(step.then), step.then), conditional(skipTo(step.otherwise), step.otherwise)));
    }
  }
  return program;
}

function offset(target: Target, pc: number, labels: ReadonlyMap<string, number>): number {
  if (target === 'next') return 0;
  const at = labels.get(target);
  if (at === undefined) throw new RangeError(`BPF label "${target}" is not defined`);
  if (at <= pc) throw new RangeError(`BPF instruction ${pc} jumps back to "${target}" (${at}): programs only jump forward`);
  return at - pc - 1;
}

function conditional(skip: number, target: Target): number {
  if (skip > MAX_CONDITIONAL_SKIP) throw new RangeError(`a conditional BPF jump to "${target}" skips ${skip} instructions, at most ${MAX_CONDITIONAL_SKIP}`);
  return skip;
}

/**
 * The checks the kernel makes before accepting a program (net/core/filter.c bpf_check_classic), for the
 * subset written here: a length it accepts, every jump landing inside the program, and a return at the
 * end. A program that fails them is a bug in the code that built it, so the error is thrown, not returned.
 */
export function checkProgram(program: readonly BpfInstruction[]): void {
  if (program.length === 0 || program.length > BPF_MAX_INSTRUCTIONS) {
    throw new RangeError(`a BPF program has 1..${BPF_MAX_INSTRUCTIONS} instructions, this one ${program.length}`);
  }
  program.forEach((ins, at) => {
    if ((ins.code & 0x07) !== BPF.JMP) return;
    const always = (ins.code & 0xf0) === BPF.JA;
    const furthest = at + 1 + (always ? ins.k : Math.max(ins.jt, ins.jf));
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
