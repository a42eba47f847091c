import {
  accept,
  and,
  assemble,
  BPF,
  type BpfInstruction,
  checkProgram,
  drop,
  emit,
  encodeProgram,
  goTo,
  ifEqual,
  ifGreater,
  instructionCount,
  jumpIfEqual,
  label,
  loadByte,
  loadHalf,
  loadMetadata,
  loadWord,
  SKF_AD,
  SKF_NET_OFF,
  type Step,
} from './bpf.js';
import { runBpf } from './testing/bpf-interpreter.js';

describe('the instructions', () => {
  it('write negative offsets (SKF_* areas) as the kernel reads them: a u32', () => {
    expect(loadMetadata(SKF_AD.PKTTYPE)).toEqual({ code: BPF.LD | BPF.W | BPF.ABS, jt: 0, jf: 0, k: 0xfffff004 });
    expect(loadByte(SKF_NET_OFF)).toEqual({ code: BPF.LD | BPF.B | BPF.ABS, jt: 0, jf: 0, k: 0xfff00000 });
    expect(loadWord(SKF_NET_OFF + 12).k).toBe(0xfff0000c);
    expect(and(0xf0)).toEqual({ code: 0x54, jt: 0, jf: 0, k: 0xf0 });
  });
});

describe('assemble', () => {
  it('turns labels into forward offsets; "next" is 0', () => {
    const program = assemble([
      emit(loadByte(0)),
      ifEqual(1, 'next', 'no'),
      ifGreater(0, 'yes', 'no'),
      label('yes'),
      emit(accept()),
      label('no'),
      emit(drop()),
    ]);
    expect(program.map(({ code, jt, jf }) => [code, jt, jf])).toEqual([
      [BPF.LD | BPF.B | BPF.ABS, 0, 0], [BPF.JMP | BPF.JEQ, 0, 2], [BPF.JMP | BPF.JGT, 0, 1], [BPF.RET, 0, 0], [BPF.RET, 0, 0],
    ]);
  });

  it('jumps unconditionally as far as needed (BPF_JA carries a 32-bit offset)', () => {
    const filler = Array.from({ length: 300 }, () => emit(loadByte(0)));
    const program = assemble([goTo('end'), ...filler, label('end'), emit(accept())]);
    expect(program[0]).toEqual({ code: BPF.JMP | BPF.JA, jt: 0, jf: 0, k: 300 });
    expect(runBpf(program, { data: new Uint8Array(0) })).toBe(0xffffffff); // the loads past the end are skipped
  });

  it.each<[string, Step[], string]>([
    ['a label defined twice', [label('x'), label('x'), emit(drop())], 'BPF label "x" is defined twice'],
    ['a jump to a missing label', [ifEqual(1, 'nowhere', 'next'), emit(drop())], 'BPF label "nowhere" is not defined'],
    ['a jump backwards', [label('top'), emit(loadByte(0)), goTo('top'), emit(drop())], 'BPF instruction 1 jumps back to "top" (0)'],
    ['a conditional jump past 255 instructions', [ifEqual(1, 'far', 'next'), ...Array.from({ length: 256 }, () => emit(drop())), label('far'), emit(drop())],
      'a conditional BPF jump to "far" skips 256 instructions, at most 255'],
  ])('refuses %s', (_, steps, message) => {
    expect(() => assemble(steps)).toThrow(message);
  });

  it('counts instructions, not labels', () => {
    expect(instructionCount([label('a'), emit(drop()), goTo('a'), label('b')])).toBe(2);
  });
});

describe('checkProgram (what the kernel would refuse)', () => {
  it.each<[string, BpfInstruction[], string]>([
    ['an empty program', [], '1..4096 instructions, this one 0'],
    ['a conditional jump past the end', [loadByte(0), jumpIfEqual(1, 0, 2), accept()], 'instruction 1 jumps to 4, past the end (3)'],
    ['an unconditional jump past the end', [{ code: BPF.JMP | BPF.JA, jt: 0, jf: 0, k: 1 }, accept()], 'instruction 0 jumps to 2, past the end (2)'],
    ['no return at the end', [accept(), loadHalf(0)], 'must end with a return'],
    ['more than 4096 instructions', Array.from({ length: 4097 }, () => drop()), 'this one 4097'],
  ])('refuses %s', (_, program, message) => {
    expect(() => checkProgram(program)).toThrow(message);
  });

  it('accepts a jump that lands on the last instruction', () => {
    expect(() => checkProgram([{ code: BPF.JMP | BPF.JA, jt: 0, jf: 0, k: 1 }, drop(), accept()])).not.toThrow();
  });
});

describe('encodeProgram', () => {
  it('writes struct sock_filter in the host order the caller names', () => {
    const program = [loadHalf(20), jumpIfEqual(1, 0, 1), accept(), drop()];
    expect(Buffer.from(encodeProgram(program, true)).toString('hex')).toBe(
      '2800000014000000' + '1500000101000000' + '06000000ffffffff' + '0600000000000000',
    );
    expect(Buffer.from(encodeProgram(program, false)).toString('hex')).toBe(
      '0028000000000014' + '0015000100000001' + '00060000ffffffff' + '0006000000000000',
    );
  });

  it('encodes 8 bytes per instruction, and checks the program first', () => {
    expect(encodeProgram([loadMetadata(SKF_AD.IFINDEX), drop()], true)).toHaveLength(16);
    expect(() => encodeProgram([], true)).toThrow('this one 0');
  });
});
