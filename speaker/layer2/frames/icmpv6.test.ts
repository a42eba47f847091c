// The ICMPv6 checksum (RFC 4443 §2.3 over RFC 1071's one's-complement sum) for any message length, odd ones included,
// and with sums that carry more than once: checked against a one-line reference sum over the whole pseudo-header.
import fc from 'fast-check';
import { parseIPv6 } from '../../../lib/ip/index.js';
import { decodeIcmpv6, encodeIcmpv6, icmpv6Checksum } from './index.js';
import { arbitraryIPv6 } from './test-helpers.js';

/** RFC 1071, literally: 16-bit big-endian words (an odd last byte padded with zero), end-around carry, complement. */
function referenceChecksum(source: string, destination: string, message: Uint8Array): number {
  const length = message.length;
  const pseudo = [...parseIPv6(source), ...parseIPv6(destination), length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff, 0, 0, 0, 58];
  const bytes = [...pseudo, ...message, ...(message.length % 2 === 1 ? [0] : [])];
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) + (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

test('the checksum is RFC 1071\'s for every length, odd ones and long runs of 0xff included', () => {
  const message = fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.integer({ min: 1, max: 200 }).map((n) => new Uint8Array(n).fill(0xff)));
  fc.assert(fc.property(arbitraryIPv6, arbitraryIPv6, message, (source, destination, bytes) => {
    expect(icmpv6Checksum(source, destination, bytes)).toBe(referenceChecksum(source, destination, bytes));
  }), { numRuns: 300 });
});

test('a message of odd length round-trips through its checksum; its last byte is covered', () => {
  const source = 'fe80::1';
  const destination = 'ff02::1';
  const encoded = encodeIcmpv6({ type: 128, code: 0, body: Uint8Array.from([1, 2, 3]) }, source, destination);
  expect(decodeIcmpv6(encoded, source, destination).body).toEqual(Uint8Array.from([1, 2, 3]));
  const changed = Uint8Array.from(encoded);
  changed[encoded.length - 1] = 4;
  expect(() => decodeIcmpv6(changed, source, destination)).toThrow(/^badChecksum: /);
});
