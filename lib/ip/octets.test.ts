// Address octets and text (octets.ts): tables of spellings, the scanners against ipaddr.js on random text,
// and writing into a larger buffer.
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { canonicalIPv6, formatIPv4, formatIPv6, parseIPv4, parseIPv6, writeIPv4, writeIPv6 } from './index.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('IPv4 text', () => {
  test.each([
    ['0.0.0.0', '00000000'],
    ['192.0.2.1', 'c0000201'],
    ['255.255.255.255', 'ffffffff'],
    ['10.0.100.9', '0a006409'],
  ])('%s', (text, octets) => expect(hex(parseIPv4(text))).toBe(octets));

  test.each(['', '192.0.2', '192.0.2.1.1', '::1', '0x7f.0.0.1', '01.0.0.1', '1.00.0.1', '256.0.0.1', '1.2.3.1000', '1..2.3', '.1.2.3', '1.2.3.', ' 1.2.3.4', '1.2.3.4/32'])(
    'rejects %j', (text) => {
      expect(() => parseIPv4(text)).toThrow(new TypeError(`"${text}" is not an IPv4 address`));
    });

  test('format and parse are inverse', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (bytes) => {
      expect(parseIPv4(formatIPv4(bytes))).toEqual(bytes);
    }));
  });
});

describe('IPv6 text', () => {
  test.each([
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['0001:0db8:0000:0000:0000:0000:0000:000a', '1:db8::a'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['::192.0.2.1', '::c000:201'],
    ['1:2:3:4:5:6:192.0.2.1', '1:2:3:4:5:6:c000:201'],
    ['1::6:192.0.2.1', '1::6:c000:201'],
  ])('%s -> %s (RFC 5952)', (text, canonical) => expect(canonicalIPv6(text)).toBe(canonical));

  test.each([
    '', ':', ':::', '192.0.2.1', 'fe80::1%eth0', '2001:db8:::1', '1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::',
    '::1:2:3:4:5:6:7:8', '12345::', 'g::', ':1::', '1::2:', '1:2:3:4:5:6:7:', '1:2:3:4:5:6:7:192.0.2.1', '1:2:3:4:5:6::192.0.2.1',
    '::ffff:01.0.0.1', '::ffff:0x7f.0.0.1', '::ffff:1.2.3', '::1.2.3.4:5', '2001:db8::/64',
  ])('rejects %j', (text) => {
    expect(() => parseIPv6(text)).toThrow(new TypeError(`"${text}" is not an IPv6 address`));
  });

  test('format and parse are inverse', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
      expect(parseIPv6(formatIPv6(bytes))).toEqual(bytes);
    }));
  });

  /** Spellings of the same address: every group written out, with leading zeros, upper case, one run of zeros compressed. */
  const spelling = fc.tuple(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), fc.boolean(), fc.boolean(), fc.nat(8), fc.nat(8))
    .map(([groups, padded, upper, from, length]) => {
      const texts = groups.map((g) => g.toString(16).padStart(padded ? 4 : 1, '0'));
      const to = Math.min(8, from + length);
      const text = from < to && groups.slice(from, to).every((g) => g === 0)
        ? `${texts.slice(0, from).join(':')}::${texts.slice(to).join(':')}`
        : texts.join(':');
      return { groups, text: upper ? text.toUpperCase() : text };
    });

  test('any spelling parses to its groups, as ipaddr.js reads it', () => {
    fc.assert(fc.property(spelling, ({ groups, text }) => {
      const octets = parseIPv6(text);
      expect(Array.from({ length: 8 }, (_, i) => ((octets[2 * i] ?? 0) << 8) | (octets[2 * i + 1] ?? 0))).toEqual(groups);
      expect(Array.from(octets)).toEqual(ipaddr.IPv6.parse(text).toByteArray());
    }));
  });

  test('random text over the address alphabet: what parses, ipaddr.js reads the same; hex-only text ipaddr.js accepts parses', () => {
    const text = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.'.split(''), '::'), maxLength: 24 });
    fc.assert(fc.property(text, (candidate) => {
      let ours: Uint8Array | null = null;
      try {
        ours = parseIPv6(candidate);
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError);
      }
      const theirs = ipaddr.IPv6.isValid(candidate);
      if (ours !== null) expect(Array.from(ours)).toEqual(ipaddr.IPv6.parse(candidate).toByteArray());
      // Only the dotted tails differ: ipaddr.js also reads octal and hex parts there, Herald reads decimal only.
      if (theirs && !candidate.includes('.')) expect(ours).not.toBeNull();
    }), { numRuns: 20_000 });
  });
});

describe('writing into a larger buffer', () => {
  test('at an offset, up to `end` of the text, leaving the rest alone', () => {
    const target = new Uint8Array(24).fill(0xee);
    writeIPv6('2001:db8::7/128', target, 3, '2001:db8::7'.length);
    expect(hex(target)).toBe(`eeeeee${'20010db8000000000000000000000007'}eeeeeeeeee`);
    writeIPv4('192.0.2.1/32', target, 19, '192.0.2.1'.length);
    expect(hex(target.subarray(19))).toBe('c0000201ee');
  });

  test('the text quoted in the error is the address part only; no room is a RangeError', () => {
    expect(() => writeIPv4('10.0.0.256/32', new Uint8Array(4), 0, 10)).toThrow('"10.0.0.256" is not an IPv4 address');
    expect(() => writeIPv6('::', new Uint8Array(16), 1)).toThrow(RangeError);
    expect(() => writeIPv4('10.0.0.1', new Uint8Array(4), 1)).toThrow(RangeError);
  });
});

describe('formatting bytes of the wrong length', () => {
  test.each([
    ['an IPv4 address', formatIPv4, 4],
    ['an IPv6 address', formatIPv6, 16],
  ])('%s from one byte too few or too many is refused, naming both lengths', (what, format, length) => {
    for (const wrong of [length - 1, length + 1]) {
      expect(() => format(new Uint8Array(wrong))).toThrow(`${what} is ${length} bytes, got ${wrong}`);
    }
  });
});
