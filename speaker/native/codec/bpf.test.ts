import fc from 'fast-check';
import {
  accept,
  ARP_REQUESTS,
  BPF,
  type BpfInstruction,
  checkProgram,
  drop,
  encodeProgram,
  filterFor,
  jumpIfEqual,
  KEEP_WHOLE_FRAME,
  loadByte,
  loadHalf,
  NEIGHBOR_SOLICITATIONS,
} from './bpf.js';
import { captured, type CapturedFrame } from './frame-captures.fixture.js';

/**
 * The kernel's classic BPF interpreter (net/core/filter.c) for the instructions bpf.ts writes: absolute
 * loads, jump-if-equal and return. A load past the end of the frame ends the program with 0, as the kernel
 * does. The lab test (packet-socket.lab.test.ts) runs the same programs in the real kernel.
 */
function run(program: readonly BpfInstruction[], frame: Uint8Array): number {
  let a = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const ins = program[pc]!;
    switch (ins.code) {
      case BPF.LD | BPF.B | BPF.ABS:
        if (ins.k + 1 > frame.length) return 0;
        a = frame[ins.k]!;
        break;
      case BPF.LD | BPF.H | BPF.ABS:
        if (ins.k + 2 > frame.length) return 0;
        a = (frame[ins.k]! << 8) | frame[ins.k + 1]!;
        break;
      case BPF.JMP | BPF.JEQ | BPF.K:
        pc += a === ins.k ? ins.jt : ins.jf;
        break;
      case BPF.RET | BPF.K:
        return ins.k;
      default:
        throw new Error(`instruction ${pc}: opcode 0x${ins.code.toString(16)} is not interpreted here`);
    }
  }
  throw new Error('fell off the end of the program');
}

const passes = (program: readonly BpfInstruction[], name: CapturedFrame): boolean => run(program, captured(name)) !== 0;

describe('ARP_REQUESTS, on frames captured in the lab', () => {
  it.each<[CapturedFrame, boolean]>([
    ['arpRequest', true],
    ['gratuitousArpRequest', true], // a request; the responder drops it as 'gratuitous'
    ['arpReply', false],
  ])('%s passes: %s', (name, expected) => {
    expect(passes(ARP_REQUESTS, name)).toBe(expected);
  });

  it('keeps the whole frame it passes', () => {
    expect(run(ARP_REQUESTS, captured('arpRequest'))).toBe(KEEP_WHOLE_FRAME);
  });
});

describe('NEIGHBOR_SOLICITATIONS, on frames captured in the lab', () => {
  it.each<[CapturedFrame, boolean]>([
    ['solicitation', true],
    ['solicitationFromLinkLocal', true],
    ['unicastSolicitation', true], // NUD probes are answered too
    ['advertisement', false],
    ['routerSolicitation', false], // ICMPv6 with hop limit 255, but type 133
    ['mldReport', false], // a hop-by-hop header before ICMPv6
    ['echoRequest', false],
    ['udp', false],
  ])('%s passes: %s', (name, expected) => {
    expect(passes(NEIGHBOR_SOLICITATIONS, name)).toBe(expected);
  });

  it('drops a solicitation whose hop limit is not 255 (RFC 4861 §7.1.1: not from the link)', () => {
    const forwarded = captured('solicitation');
    forwarded[21] = 64;
    expect(run(NEIGHBOR_SOLICITATIONS, forwarded)).toBe(0);
  });

  it('drops a frame too short to hold the ICMPv6 type', () => {
    expect(run(NEIGHBOR_SOLICITATIONS, captured('solicitation').subarray(0, 54))).toBe(0);
  });
});

describe('the programs against random frames', () => {
  it('pass exactly what their definition says, never more', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), (frame) => {
      const isRequest = frame.length >= 22 && frame[20] === 0 && frame[21] === 1;
      const isSolicitation = frame.length >= 55 && frame[20] === 58 && frame[21] === 255 && frame[54] === 135;
      expect(run(ARP_REQUESTS, frame) !== 0).toBe(isRequest);
      expect(run(NEIGHBOR_SOLICITATIONS, frame) !== 0).toBe(isSolicitation);
    }), { numRuns: 2000 });
  });
});

describe('filterFor', () => {
  it('has a program for ARP and IPv6 sockets, none for others', () => {
    expect(filterFor(0x0806)).toBe(ARP_REQUESTS);
    expect(filterFor(0x86dd)).toBe(NEIGHBOR_SOLICITATIONS);
    expect(filterFor(0x0800)).toBeUndefined();
  });
});

describe('checkProgram (what the kernel would refuse)', () => {
  it('accepts both programs', () => {
    expect(() => checkProgram(ARP_REQUESTS)).not.toThrow();
    expect(() => checkProgram(NEIGHBOR_SOLICITATIONS)).not.toThrow();
  });

  it.each<[string, BpfInstruction[], string]>([
    ['an empty program', [], '1..4096 instructions, this one 0'],
    ['a jump past the end', [loadByte(0), jumpIfEqual(1, 0, 2), accept()], 'instruction 1 jumps to 4, past the end (3)'],
    ['no return at the end', [accept(), loadHalf(0)], 'must end with a return'],
  ])('refuses %s', (_, program, message) => {
    expect(() => checkProgram(program)).toThrow(message);
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

  it('encodes 8 bytes per instruction', () => {
    expect(encodeProgram(NEIGHBOR_SOLICITATIONS, true)).toHaveLength(NEIGHBOR_SOLICITATIONS.length * 8);
  });
});
