import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { BPF, BPF_MAX_INSTRUCTIONS, checkProgram, type BpfInstruction } from './bpf.js';
import { heartbeatSourceFilter } from './heartbeat-filter.js';
import { runBpf } from './testing/bpf-interpreter.js';

const UDP_HEADER = new Uint8Array([0x1f, 0x0a, 0x1f, 0x0a, 0, 16, 0, 0]);

/** What a UDP socket's filter sees of a datagram from `source`: the UDP header, and the IP header behind SKF_NET_OFF. */
function datagramFrom(source: string): { data: Uint8Array; network: Uint8Array } {
  const bytes = ipaddr.parse(source).toByteArray();
  if (bytes.length === 4) {
    const header = new Uint8Array(20);
    header.set([0x45, 0, 0, 36, 0, 0, 0x40, 0, 64, 17], 0);
    header.set(bytes, 12);
    header.set([192, 0, 2, 11], 16);
    return { data: UDP_HEADER, network: header };
  }
  const header = new Uint8Array(40);
  header.set([0x60, 0, 0, 0, 0, 16, 17, 64], 0);
  header.set(bytes, 8);
  header.set(ipaddr.parse('2001:db8::11').toByteArray(), 24);
  return { data: UDP_HEADER, network: header };
}

function programFor(addresses: readonly string[]): BpfInstruction[] {
  const filter = heartbeatSourceFilter(addresses);
  if (filter.kind !== 'program') throw new Error(`${addresses.length} addresses: no program (${filter.instructions} instructions)`);
  return filter.program;
}

const passes = (program: readonly BpfInstruction[], source: string): boolean => runBpf(program, datagramFrom(source)) !== 0;

describe('heartbeatSourceFilter', () => {
  const peers = ['192.0.2.12', '192.0.2.13', '2001:db8:1::12', '::ffff:198.51.100.7'];
  const program = programFor(peers);

  it.each<[string, boolean]>([
    ['192.0.2.12', true],
    ['192.0.2.13', true],
    ['2001:db8:1::12', true],
    ['198.51.100.7', true], // listed IPv4-mapped, arrives with an IPv4 header on a dual-stack socket
    ['192.0.2.10', false], // the client: no peer is listed there
    ['192.0.2.112', false],
    ['2001:db8:1::13', false],
    ['2001:db8:2::12', false], // same last words, another prefix
    ['::ffff:192.0.2.12', false], // an IPv6 header claiming a mapped source: never a peer on the wire
  ])('a datagram from %s passes: %s', (source, expected) => {
    expect(passes(program, source)).toBe(expected);
  });

  it('drops what is neither IPv4 nor IPv6, and a datagram whose IP header is out of reach', () => {
    const { data, network } = datagramFrom('192.0.2.12');
    network[0] = 0x55;
    expect(runBpf(program, { data, network })).toBe(0);
    expect(runBpf(program, { data })).toBe(0);
  });

  it('with no peers, passes nothing', () => {
    const none = programFor([]);
    expect(passes(none, '192.0.2.12')).toBe(false);
    expect(passes(none, '2001:db8:1::12')).toBe(false);
  });

  it('counts each address once, however it is written', () => {
    expect(heartbeatSourceFilter(['2001:DB8::1', '2001:db8:0::1', '192.0.2.1', '::ffff:192.0.2.1'])).toMatchObject({ kind: 'program', addresses: 2 });
  });

  it.each(['n2', '192.0.2.300', '2001:db8::1/64', ''])('refuses "%s", naming it', (bad) => {
    expect(() => heartbeatSourceFilter(['192.0.2.12', bad])).toThrow(`heartbeat filter: "${bad}" is not an IP address`);
  });
});

describe('large meshes', () => {
  const v4 = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const v6 = (i: number): string => `2001:db8:${i % 7}::${((i * 7919) >>> 16).toString(16)}:${((i * 7919) & 0xffff).toString(16)}`;

  it('1 000 IPv4 peers: about two instructions each, every one passes, a neighbour does not', () => {
    const addresses = Array.from({ length: 1000 }, (_, i) => v4(i * 3));
    const program = programFor(addresses);
    expect(program.length).toBeLessThan(2 * 1000 + 16);
    expect(() => checkProgram(program)).not.toThrow();
    for (const a of addresses) expect(passes(program, a)).toBe(true);
    for (let i = 0; i < 1000; i++) expect(passes(program, v4(i * 3 + 1))).toBe(false);
  });

  it('600 IPv6 peers over several prefixes: far jumps are taken unconditionally, and every peer passes', () => {
    const addresses = Array.from({ length: 600 }, (_, i) => v6(i));
    const program = programFor(addresses);
    expect(() => checkProgram(program)).not.toThrow();
    expect(program.filter((ins) => ins.code === (BPF.JMP | BPF.JA)).length).toBeGreaterThan(1);
    for (const a of addresses) expect(passes(program, a)).toBe(true);
    expect(passes(program, '2001:db8:7::1')).toBe(false);
    expect(passes(program, v6(601))).toBe(false);
  });

  it('more than the kernel takes: no program, and how many instructions it would have needed', () => {
    const filter = heartbeatSourceFilter(Array.from({ length: 2100 }, (_, i) => v4(i)));
    expect(filter).toMatchObject({ kind: 'tooLarge', addresses: 2100 });
    expect(filter.kind === 'tooLarge' && filter.instructions).toBeGreaterThan(BPF_MAX_INSTRUCTIONS);
  });
});

describe('against random peer lists and sources', () => {
  const address = fc.oneof(
    fc.ipV4(),
    // Few prefixes, so that shared words (and the tree's branches) are common.
    fc.tuple(fc.constantFrom('2001:db8:1', '2001:db8:2', 'fe80:0:0'), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 3 }))
      .map(([prefix, low, mid]) => ipaddr.parse(`${prefix}::${mid}:${low.toString(16)}`).toString()),
  );

  it('passes a datagram exactly when its source is listed', () => {
    fc.assert(fc.property(fc.array(address, { maxLength: 60 }), fc.array(address, { maxLength: 20 }), (listed, others) => {
      const program = programFor(listed);
      const set = new Set(listed.map((a) => ipaddr.parse(a).toString()));
      for (const a of [...listed, ...others]) expect(passes(program, a)).toBe(set.has(ipaddr.parse(a).toString()));
    }), { numRuns: 300 });
  });
});
