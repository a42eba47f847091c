// The edges of address arithmetic a user meets: the reason quoted in an InvalidRequest or pool message, the last
// address of a family and of a prefix, which addresses an interval holds, and exact results where a wrong answer
// (an empty interval left in a list, a negative rank) would still hold the same set of addresses.
import {
  AddressParseError, compareAddresses, familyFromName, formatAddress, MAX_VALUE, parseAddress, sameAddress, type Address,
} from './address.js';
import { compareIntervals, intervalContains, parseAddressEntry, subtractIntervals, type Interval } from './interval.js';
import { nthUsable } from './usable.js';

const v4 = (value: bigint): Address => ({ family: 4, value });
const v6 = (value: bigint): Address => ({ family: 6, value });

describe('address messages and limits', () => {
  it.each([
    ['192.0.2.300', '"192.0.2.300" is not an IP address: an octet is above 255'],
    ['192.0.2', '"192.0.2" is not an IP address: expected a dotted quad like 192.0.2.1'],
    ['fe80::1%eth0', '"fe80::1%eth0" is not an IP address: zone indexes are not allowed'],
    ['2001:db8::g', '"2001:db8::g" is not an IP address: invalid IPv6 syntax'],
  ])('%s is refused with the reason a user reads: %s', (input, message) => {
    let thrown: unknown;
    try {
      parseAddress(input);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AddressParseError);
    expect([(thrown as AddressParseError).name, (thrown as AddressParseError).message, (thrown as AddressParseError).input]).toEqual(['AddressParseError', message, input]);
  });

  it('formats the last address of each family, and refuses a value past it or below zero, naming it', () => {
    expect([MAX_VALUE[4], MAX_VALUE[6]]).toEqual([0xffffffffn, (1n << 128n) - 1n]);
    expect(formatAddress(v4(MAX_VALUE[4]))).toBe('255.255.255.255');
    expect(formatAddress(v6(MAX_VALUE[6]))).toBe('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
    expect(() => formatAddress(v4(1n << 32n))).toThrow(new RangeError('value 4294967296 is outside the IPv4 address space'));
    expect(() => formatAddress(v6(1n << 128n))).toThrow(RangeError);
    expect(() => formatAddress(v4(-1n))).toThrow('value -1 is outside the IPv4 address space');
  });

  it('family names: only the two Kubernetes spellings', () => {
    expect(['IPv4', 'IPv6', 'ipv6', 'IPv5', ''].map(familyFromName)).toEqual([4, 6, undefined, undefined, undefined]);
  });

  it('the same number in two families is two addresses; IPv4 sorts first, then by value', () => {
    expect([sameAddress(v4(1n), v6(1n)), sameAddress(v4(1n), v4(2n)), sameAddress(v6(7n), v6(7n))]).toEqual([false, false, true]);
    const sorted = [v6(1n), v4(9n), v4(2n), v6(0n), v4(9n)].sort(compareAddresses);
    expect(sorted.map(formatAddress)).toEqual(['0.0.0.2', '0.0.0.9', '0.0.0.9', '::', '::1']);
    expect([compareAddresses(v4(3n), v4(3n)), compareAddresses(v4(3n), v4(4n)), compareAddresses(v4(4n), v4(3n))]).toEqual([0, -1, 1]);
    expect(Math.sign(compareAddresses(v6(0n), v4(5n)))).toBe(1);
  });
});

describe('interval edges', () => {
  it.each([
    ['192.0.2.1/32', '192.0.2.1', '192.0.2.1'],
    ['2001:db8::1/128', '2001:db8::1', '2001:db8::1'],
    ['0.0.0.0/0', '0.0.0.0', '255.255.255.255'],
  ])('%s, the longest and shortest prefixes, is %s-%s', (text, first, last) => {
    const parsed = parseAddressEntry(text);
    if (!parsed.ok) throw new Error(parsed.message);
    const { family, first: low, last: high } = parsed.interval;
    expect([formatAddress({ family, value: low }), formatAddress({ family, value: high })]).toEqual([first, last]);
  });

  it.each(['192.0.2.0/x24', '192.0.2.0/24x', '192.0.2.0/1234', '192.0.2.0/24/8', '2001:db8::/129'])('%s is not a CIDR', (text) => {
    const parsed = parseAddressEntry(text);
    expect(parsed.ok ? 'parsed' : parsed.reason).toBe('InvalidCIDR');
  });

  it('an interval holds its two ends and what lies between, of its own family only', () => {
    const interval: Interval = { family: 4, first: 10n, last: 20n };
    const holds = [9n, 10n, 15n, 20n, 21n].map((value) => intervalContains(interval, v4(value)));
    expect(holds).toEqual([false, true, true, true, false]);
    expect(intervalContains(interval, v6(15n))).toBe(false);
  });

  it('intervals order by family, then by first address', () => {
    const at = (family: 4 | 6, first: bigint): Interval => ({ family, first, last: first + 5n });
    expect([compareIntervals(at(4, 1n), at(4, 2n)), compareIntervals(at(4, 2n), at(4, 1n)), compareIntervals(at(4, 2n), at(4, 2n))]).toEqual([-1, 1, 0]);
    expect(Math.sign(compareIntervals(at(6, 0n), at(4, 9n)))).toBe(1);
  });

  it.each<[string, Interval[], Interval[]]>([
    ['a hole at the start', [{ family: 4, first: 0n, last: 3n }], [{ family: 4, first: 4n, last: 10n }]],
    ['a hole at the end', [{ family: 4, first: 8n, last: 10n }], [{ family: 4, first: 0n, last: 7n }]],
    ['a hole in the middle', [{ family: 4, first: 3n, last: 5n }], [{ family: 4, first: 0n, last: 2n }, { family: 4, first: 6n, last: 10n }]],
    ['a hole covering it all', [{ family: 4, first: 0n, last: 10n }], []],
  ])('subtracting %s leaves exactly the rest, no empty intervals', (_story, holes, rest) => {
    expect(subtractIntervals([{ family: 4, first: 0n, last: 10n }], holes)).toEqual(rest);
  });

  it('there is no usable address before the first', () => {
    expect(nthUsable({ family: 4, first: 10n, last: 20n, avoidBuggyIPs: false }, -1n)).toBeUndefined();
  });
});
