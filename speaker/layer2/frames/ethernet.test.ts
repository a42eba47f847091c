import fc from 'fast-check';
import { decodeEthernet, decodeIpv6, encodeEthernet, encodeIpv6, type EthernetFrame } from './index.js';
import { arbitraryIPv6, arbitraryMac, assertDecodesOrThrowsFrameError, withinLargerBuffer } from './test-helpers.js';

const arbitraryFrame: fc.Arbitrary<EthernetFrame> = fc.record({
  destination: arbitraryMac,
  source: arbitraryMac,
  vlan: fc.option(
    fc.record({ tpid: fc.constantFrom(0x8100, 0x88a8), pcp: fc.integer({ min: 0, max: 7 }), dei: fc.boolean(), vid: fc.integer({ min: 0, max: 4095 }) }),
    { nil: null },
  ),
  etherType: fc.integer({ min: 0x0600, max: 0xffff }).filter((t) => t !== 0x8100 && t !== 0x88a8),
  // At least 46 bytes, so no padding is added and decode(encode(x)) can equal x exactly.
  payload: fc.uint8Array({ minLength: 46, maxLength: 200 }),
});

describe('Ethernet', () => {
  test('decode(encode(frame)) deep-equals frame, also at an offset', () => {
    fc.assert(
      fc.property(arbitraryFrame, fc.nat(32), (frame, offset) => {
        const bytes = encodeEthernet(frame);
        expect(decodeEthernet(withinLargerBuffer(bytes, offset))).toEqual(frame);
        expect(encodeEthernet(decodeEthernet(bytes))).toEqual(bytes);
      }),
      { numRuns: 200 },
    );
  });

  test('a short payload is padded with zeros to 60 bytes', () => {
    const bytes = encodeEthernet({ destination: 'ff:ff:ff:ff:ff:ff', source: '02:00:00:00:00:01', vlan: null, etherType: 0x0806, payload: Uint8Array.of(1, 2, 3) });
    expect(bytes).toHaveLength(60);
    expect(Array.from(bytes.subarray(14, 18))).toEqual([1, 2, 3, 0]);
  });

  test('random bytes decode or throw FrameError', () => {
    assertDecodesOrThrowsFrameError(decodeEthernet, 40, 300);
  });
});

describe('IPv6 header', () => {
  test('decode(encode(packet)) deep-equals packet; bytes after the payload length are ignored', () => {
    fc.assert(
      fc.property(
        fc.record({
          trafficClass: fc.integer({ min: 0, max: 255 }),
          flowLabel: fc.integer({ min: 0, max: 0xfffff }),
          nextHeader: fc.integer({ min: 0, max: 255 }),
          hopLimit: fc.integer({ min: 0, max: 255 }),
          source: arbitraryIPv6,
          destination: arbitraryIPv6,
          payload: fc.uint8Array({ maxLength: 64 }),
        }),
        fc.nat(16),
        (packet, trailing) => {
          const bytes = encodeIpv6(packet);
          const padded = Uint8Array.of(...bytes, ...new Uint8Array(trailing));
          expect(decodeIpv6(padded)).toEqual(packet);
        },
      ),
      { numRuns: 200 },
    );
  });
});
