// Shared test helpers for the frame codecs: fast-check arbitraries that produce canonical values (so that
// decode(encode(x)) can deep-equal x) and an assertion on FrameError reasons. Test-only; not exported
// from index.ts.
import fc from 'fast-check';
import { formatIPv4, formatIPv6 } from '../../../lib/ip/index.js';
import { formatMac, type MacAddress } from './addresses.js';
import type { ArpPacket } from './arp.js';
import { FrameError, type FrameErrorReason } from './errors.js';
import type { NdpMessage } from './ndp.js';
import type { NdpOption } from './ndp-options.js';

export const arbitraryMac: fc.Arbitrary<MacAddress> = fc
  .uint8Array({ minLength: 6, maxLength: 6 })
  .map((bytes) => formatMac(bytes));
export const arbitraryIPv4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((bytes) => formatIPv4(bytes));
export const arbitraryIPv6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => formatIPv6(bytes));

export const arbitraryArp: fc.Arbitrary<ArpPacket> = fc.record({
  oper: fc.integer({ min: 0, max: 0xffff }),
  sha: arbitraryMac,
  spa: arbitraryIPv4,
  tha: arbitraryMac,
  tpa: arbitraryIPv4,
});

// Raw option types avoid 1 and 2 only when the data is 6 bytes long: a 6-byte type-1 option *is* a source
// link-layer address and decodes as one.
const arbitraryRawOption: fc.Arbitrary<NdpOption> = fc
  .record({ type: fc.integer({ min: 0, max: 255 }), units: fc.integer({ min: 1, max: 3 }) })
  .chain(({ type, units }) =>
    fc.uint8Array({ minLength: units * 8 - 2, maxLength: units * 8 - 2 }).map((data) => ({ kind: 'raw' as const, type, data })),
  )
  .filter((option) => !((option.type === 1 || option.type === 2) && option.data.length === 6));

const arbitraryOption: fc.Arbitrary<NdpOption> = fc.oneof(
  arbitraryMac.map((address) => ({ kind: 'sourceLinkLayerAddress' as const, address })),
  arbitraryMac.map((address) => ({ kind: 'targetLinkLayerAddress' as const, address })),
  arbitraryRawOption,
);

export const arbitraryNdpMessage: fc.Arbitrary<NdpMessage> = fc.oneof(
  fc.record({
    kind: fc.constant('neighborSolicitation' as const),
    targetAddress: arbitraryIPv6,
    options: fc.array(arbitraryOption, { maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant('neighborAdvertisement' as const),
    router: fc.boolean(),
    solicited: fc.boolean(),
    override: fc.boolean(),
    targetAddress: arbitraryIPv6,
    options: fc.array(arbitraryOption, { maxLength: 3 }),
  }),
);

/** The same bytes as a view `offset` bytes into a larger buffer with garbage around them. */
export function withinLargerBuffer(bytes: Uint8Array, offset: number): Uint8Array {
  const larger = new Uint8Array(offset + bytes.length + 7).fill(0xa5);
  larger.set(bytes, offset);
  return larger.subarray(offset, offset + bytes.length);
}

export function expectFrameError(decode: () => unknown, reason: FrameErrorReason): void {
  let thrown: unknown = null;
  try {
    decode();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(FrameError);
  expect((thrown as FrameError).reason).toBe(reason);
}

/** Property: any byte string of up to `maxLength` bytes either decodes or throws a FrameError, never anything else. */
export function assertDecodesOrThrowsFrameError(decode: (bytes: Uint8Array) => unknown, maxLength: number, numRuns: number): void {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength }), (bytes) => {
      try {
        decode(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(FrameError);
      }
    }),
    { numRuns },
  );
}
