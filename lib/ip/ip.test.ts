import fc from 'fast-check';
import { canonicalAddress, formatAddress, parseAddress, tryParseAddress } from './address.js';
import { commonIntervals, compareIntervals, formatInterval, intervalSize, normalizeIntervals, parseAddressEntry, subtractIntervals, type Interval } from './interval.js';
import { countUsable, isUsable, nthUsable, rankUsable, type UsableSpan } from './usable.js';

describe('addresses', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['2001:DB8:0:0::1', '2001:db8::1'],
    ['::', '::'],
    ['0.0.0.0', '0.0.0.0'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
  ])('%s is canonically %s', (input, canonical) => {
    expect(canonicalAddress(input)).toBe(canonical);
  });

  it.each(['010.0.0.1', '10.1', '256.0.0.1', '1.2.3.4.5', 'fe80::1%eth0', '1::2::3', '', 'x'])('rejects %j, quoting it', (input) => {
    expect(() => parseAddress(input)).toThrow(`"${input}"`);
    expect(tryParseAddress(input)).toBeUndefined();
  });

  it('round-trips every IPv4 and IPv6 value', () => {
    fc.assert(fc.property(fc.ipV4(), (text) => formatAddress(parseAddress(text)) === text));
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (value) =>
      parseAddress(formatAddress({ family: 6, value })).value === value));
  });
});

describe('address entries', () => {
  it.each([
    ['192.0.2.0/24', 4, '192.0.2.0-192.0.2.255', 256n],
    ['192.0.2.7/24', 4, '192.0.2.0-192.0.2.255', 256n],
    ['192.0.2.10 - 192.0.2.20', 4, '192.0.2.10-192.0.2.20', 11n],
    ['192.0.2.5', 4, '192.0.2.5', 1n],
    ['2001:db8::/64', 6, '2001:db8::-2001:db8::ffff:ffff:ffff:ffff', 1n << 64n],
    ['::/0', 6, '::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 1n << 128n],
  ])('%s is an IPv%i interval %s of %s addresses', (text, family, shown, size) => {
    const parsed = parseAddressEntry(text);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.interval.family).toBe(family);
    expect(formatInterval(parsed.interval)).toBe(shown);
    expect(intervalSize(parsed.interval)).toBe(size);
  });

  it.each([
    ['192.0.2.0/33', 'InvalidCIDR'],
    ['192.0.2.0/', 'InvalidCIDR'],
    ['192.0.2.300/24', 'InvalidAddress'],
    ['192.0.2.20-192.0.2.10', 'ReversedRange'],
    ['192.0.2.1-2001:db8::1', 'MixedFamilyRange'],
    ['a-b-c', 'InvalidAddress'],
  ])('%s is refused as %s, quoting the value', (text, reason) => {
    const parsed = parseAddressEntry(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reason).toBe(reason);
    expect(parsed.message).toContain(text.split('/')[0]?.split('-')[0]?.trim());
  });

  it('normalizes overlapping and touching intervals into one', () => {
    const merged = normalizeIntervals([
      { family: 6, first: 5n, last: 9n }, { family: 4, first: 10n, last: 20n }, { family: 4, first: 21n, last: 25n }, { family: 4, first: 1n, last: 12n },
    ]);
    expect(merged).toEqual([{ family: 4, first: 1n, last: 25n }, { family: 6, first: 5n, last: 9n }]);
  });

  // Small intervals of both families, so the reference can walk them address by address.
  const lists = fc.array(fc.record({ family: fc.constantFrom(4 as const, 6 as const), first: fc.bigInt({ min: 0n, max: 200n }), len: fc.bigInt({ min: 0n, max: 40n }) })
    .map(({ family, first, len }): Interval => ({ family, first, last: first + len })), { maxLength: 5 }).map(normalizeIntervals);
  const members = (list: readonly Interval[]) => new Set(list.flatMap((iv) => {
    const out: string[] = [];
    for (let v = iv.first; v <= iv.last; v++) out.push(`${iv.family}:${v}`);
    return out;
  }));

  it('commonIntervals and subtractIntervals agree with sets of addresses, and stay sorted and merged', () => {
    fc.assert(fc.property(lists, lists, (a, b) => {
      const inB = members(b);
      const common = commonIntervals(a, b);
      const rest = subtractIntervals(a, b);
      expect(members(common)).toEqual(new Set([...members(a)].filter((x) => inB.has(x))));
      expect(members(rest)).toEqual(new Set([...members(a)].filter((x) => !inB.has(x))));
      expect(normalizeIntervals(rest)).toEqual(rest);
      expect(common.every((iv, i) => i === 0 || compareIntervals(common[i - 1] as Interval, iv) < 0)).toBe(true);
    }), { numRuns: 300 });
  });
});

describe('usable addresses with avoidBuggyIPs, in closed form', () => {
  // The reference: walk a small span address by address.
  const walk = (span: UsableSpan) => {
    const out: bigint[] = [];
    for (let v = span.first; v <= span.last; v++) if (!span.avoidBuggyIPs || (v % 256n !== 0n && v % 256n !== 255n)) out.push(v);
    return out;
  };
  const spans = fc.record({
    first: fc.bigInt({ min: 0n, max: 5000n }), length: fc.bigInt({ min: 0n, max: 1200n }), avoidBuggyIPs: fc.boolean(),
  }).map(({ first, length, avoidBuggyIPs }): UsableSpan => ({ family: 4, first, last: first + length, avoidBuggyIPs }));

  it('count, rank, nth and isUsable agree with a walk', () => {
    fc.assert(fc.property(spans, (span) => {
      const usable = walk(span);
      expect(countUsable(span)).toBe(BigInt(usable.length));
      const wrong = usable.findIndex((v, k) => nthUsable(span, BigInt(k)) !== v || rankUsable(span, v) !== BigInt(k) || !isUsable(span, v));
      expect(wrong).toBe(-1);
      expect(nthUsable(span, BigInt(usable.length))).toBeUndefined();
    }), { numRuns: 60 });
  });

  it('skips x.x.x.0 and x.x.x.255 only for IPv4', () => {
    const v4: UsableSpan = { family: 4, first: 0xc0000200n, last: 0xc00002ffn, avoidBuggyIPs: true };
    expect(countUsable(v4)).toBe(254n);
    expect(nthUsable(v4, 0n)).toBe(0xc0000201n);
    const v6: UsableSpan = { family: 6, first: 0n, last: 255n, avoidBuggyIPs: true };
    expect(countUsable(v6)).toBe(256n);
  });
});
