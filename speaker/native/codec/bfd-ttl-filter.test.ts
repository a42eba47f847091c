import { checkProgram } from './bpf.js';
import { bfdTtlFilter } from './bfd-ttl-filter.js';
import { runBpf } from './testing/bpf-interpreter.js';

const UDP_HEADER = new Uint8Array([0xc0, 0x00, 0x0e, 0xc8, 0, 32, 0, 0]);

function ipv4Header(ttl: number): Uint8Array {
  const header = new Uint8Array(20);
  header.set([0x45, 0, 0, 52, 0, 0, 0x40, 0, ttl, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 11]);
  return header;
}

function ipv6Header(hopLimit: number): Uint8Array {
  const header = new Uint8Array(40);
  header.set([0x60, 0, 0, 0, 0, 32, 17, hopLimit]);
  return header;
}

const passes = (network: Uint8Array): boolean => runBpf(bfdTtlFilter(), { data: UDP_HEADER, network }) !== 0;

describe('bfdTtlFilter', () => {
  it('is a program the kernel accepts', () => {
    expect(() => checkProgram(bfdTtlFilter())).not.toThrow();
  });

  it.each([255, 254, 64, 1, 0])('passes an IPv4 datagram only with TTL 255 (TTL %i)', (ttl) => {
    expect(passes(ipv4Header(ttl))).toBe(ttl === 255);
  });

  it.each([255, 254, 64, 1, 0])('passes an IPv6 datagram only with Hop Limit 255 (hop limit %i)', (hopLimit) => {
    expect(passes(ipv6Header(hopLimit))).toBe(hopLimit === 255);
  });

  it('reads the TTL where each family keeps it, not the other family\'s offset', () => {
    // IPv4 with 255 where IPv6 keeps its hop limit (byte 7) and 64 as the TTL: dropped.
    const v4 = ipv4Header(64);
    v4[7] = 255;
    expect(passes(v4)).toBe(false);
    // IPv6 with 255 where IPv4 keeps its TTL (byte 8) and 64 as the hop limit: dropped.
    const v6 = ipv6Header(64);
    v6[8] = 255;
    expect(passes(v6)).toBe(false);
  });

  it('drops a header that is neither IPv4 nor IPv6', () => {
    const odd = ipv4Header(255);
    odd[0] = 0x55;
    expect(passes(odd)).toBe(false);
  });
});
