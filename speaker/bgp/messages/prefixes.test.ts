// NLRI prefixes (prefixes.ts): the wire form of one prefix, many prefixes in one buffer, and what a caller's
// bug looks like.
import fc from 'fast-check';
import { encodePrefix, encodePrefixes, readPrefixes, writePrefixes, type Prefix } from './prefixes.js';
import { ByteWriter } from '../../../lib/wire/index.js';
import { arbitraryIPv4Prefix, arbitraryIPv6Prefix } from './test-helpers.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const invalid = (message: string): Error => new Error(message);

test.each<[Prefix, string]>([
  ['0.0.0.0/0', '00'],
  ['10.0.0.0/8', '080a'],
  ['198.51.100.0/23', '17c63364'],
  ['192.0.2.7/32', '20c0000207'],
  ['::/0', '00'],
  ['2001:db8::/32', '2020010db8'],
  ['2001:db8:8000::/33', '2120010db880'],
  ['2001:db8::7/128', '8020010db8000000000000000000000007'],
  ['::ffff:192.0.2.1/128', '8000000000000000000000ffffc0000201'],
])('%s -> %s', (prefix, wire) => {
  expect(hex(encodePrefix(prefix))).toBe(wire);
  expect(hex(encodePrefixes([prefix], prefix.includes(':') ? 6 : 4).octets)).toBe(wire);
});

test.each<[string, string, string]>([
  ['no length', '10.0.0.0', 'prefix "10.0.0.0" has no length'],
  ['an empty length', '10.0.0.0/', 'prefix "10.0.0.0/" has no valid length'],
  ['a length past the family', '10.0.0.0/33', 'prefix "10.0.0.0/33" has no valid length'],
  ['an IPv6 length past 128', '2001:db8::/129', 'prefix "2001:db8::/129" has no valid length'],
  ['a length with a leading zero', '10.0.0.0/08', 'prefix "10.0.0.0/08" has no valid length'],
  ['a length that is not a number', '10.0.0.0/8a', 'prefix "10.0.0.0/8a" has no valid length'],
  ['a negative length', '10.0.0.0/-1', 'prefix "10.0.0.0/-1" has no valid length'],
  ['host bits set in the last octet', '198.51.101.0/23', 'prefix "198.51.101.0/23" has host bits set'],
  ['host bits set past the length', '10.0.0.1/8', 'prefix "10.0.0.1/8" has host bits set'],
  ['IPv6 host bits set', '2001:db8::1/64', 'prefix "2001:db8::1/64" has host bits set'],
  ['a bad IPv4 address', '10.0.0.256/32', '"10.0.0.256" is not an IPv4 address'],
  ['a bad IPv6 address', '2001:db8:::/48', '"2001:db8:::" is not an IPv6 address'],
])('a caller bug throws at once: %s', (_, prefix, message) => {
  expect(() => encodePrefix(prefix as Prefix)).toThrow(message);
});

test('many prefixes: one buffer, each ending where `ends` says, equal to encoding them one by one', () => {
  fc.assert(fc.property(fc.oneof(
    fc.array(arbitraryIPv4Prefix, { maxLength: 40 }).map((prefixes) => [4, prefixes] as const),
    fc.array(arbitraryIPv6Prefix, { maxLength: 40 }).map((prefixes) => [6, prefixes] as const),
  ), ([family, prefixes]) => {
    const { octets, ends } = encodePrefixes(prefixes, family);
    const one = prefixes.map(encodePrefix);
    expect(hex(octets)).toBe(one.map(hex).join(''));
    let end = 0;
    expect(Array.from(ends)).toEqual(one.map((p) => (end += p.length)));
    expect(readPrefixes(octets, family, 'nlri', invalid)).toEqual(prefixes);
  }));
});

test('a prefix of the other family among many is a caller bug, naming it', () => {
  expect(() => encodePrefixes(['10.0.0.0/8', '2001:db8::/32'], 4)).toThrow('prefix "2001:db8::/32" is not IPv4');
  expect(() => encodePrefixes(['2001:db8::/32', '10.0.0.0/8'], 6)).toThrow('prefix "10.0.0.0/8" is not IPv6');
  const writer = new ByteWriter();
  writePrefixes(writer, ['10.0.0.0/8', '192.0.2.0/24'], 4);
  expect(hex(writer.finish())).toBe('080a' + '18c00002');
});
