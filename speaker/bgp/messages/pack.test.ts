// Packing prefixes that share attributes into as few UPDATEs as fit in 4096 octets (pack.ts).
import fc from 'fast-check';
import {
  decodeMessage,
  encodeMessage,
  encodePrefix,
  packAnnouncements,
  packWithdrawals,
  type Announcement,
  type PathAttribute,
  type Prefix,
  type UpdateMessage,
} from './index.js';
import { arbitraryIPv4Prefix, arbitraryIPv6Prefix } from './test-helpers.js';

const SHARED: PathAttribute[] = [
  { kind: 'origin', origin: 0 },
  { kind: 'asPath', segments: [{ type: 2, asns: [4200000001] }] },
  { kind: 'communities', communities: [0xfde90064] },
  { kind: 'largeCommunities', communities: [{ globalAdministrator: 4200000001, localData1: 1, localData2: 2 }] },
];

const v4 = (count: number): Prefix[] => Array.from({ length: count }, (_, i) => `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}/32` as Prefix);
const v6 = (count: number): Prefix[] => Array.from({ length: count }, (_, i) => `2001:db8::${(i + 1).toString(16)}/128` as Prefix);

function decodeAll(messages: Uint8Array[]): UpdateMessage[] {
  return messages.map((bytes) => {
    expect(bytes.length).toBeLessThanOrEqual(4096);
    const decoded = decodeMessage(bytes);
    if (decoded.type !== 'update' || decoded.action !== 'accept') throw new Error('not an accepted UPDATE');
    expect(decoded.discarded).toEqual([]);
    expect(encodeMessage(decoded.update)).toEqual(bytes); // what the packer writes is what encodeUpdate writes
    return decoded.update;
  });
}

test('10 000 IPv4 /32s: full UPDATEs of NLRI behind one NEXT_HOP, in order', () => {
  const prefixes = v4(10_000);
  const messages = packAnnouncements({ family: 4, nextHop: { global: '192.0.2.10', linkLocal: null }, attributes: SHARED, prefixes });
  const updates = decodeAll(messages);
  expect(updates.flatMap((u) => u.nlri)).toEqual(prefixes);
  for (const u of updates) expect(u.pathAttributes).toEqual([...SHARED, { kind: 'nextHop', nextHop: '192.0.2.10' }]);
  // 23 octets of header and lengths and 42 of attributes leave 4031 for 5-octet prefixes: 806 per UPDATE.
  expect(updates.map((u) => u.nlri.length)).toEqual([...Array<number>(12).fill(806), 10_000 - 12 * 806]);
  expect(messages[0]?.length).toBe(4096 - 1);
});

test('10 000 IPv6 /128s: MP_REACH_NLRI first, with the link-local next hop', () => {
  const prefixes = v6(10_000);
  const announcement: Announcement = { family: 6, nextHop: { global: '2001:db8::a', linkLocal: 'fe80::a' }, attributes: SHARED, prefixes };
  const updates = decodeAll(packAnnouncements(announcement));
  const reached = updates.flatMap((u) => {
    const [first] = u.pathAttributes;
    expect(first).toMatchObject({ kind: 'mpReachNlri', afi: 2, safi: 1, nextHop: { global: '2001:db8::a', linkLocal: 'fe80::a' } });
    expect(u.pathAttributes.slice(1)).toEqual(SHARED);
    return first?.kind === 'mpReachNlri' ? first.nlri : [];
  });
  expect(reached).toEqual(prefixes);
  // 35 octets of shared attributes, 4 of MP_REACH_NLRI header, 37 before its NLRI: 3997 octets, 235 /128s.
  expect(updates.map((u) => u.pathAttributes[0]?.kind === 'mpReachNlri' && u.pathAttributes[0].nlri.length)).toEqual([...Array<number>(42).fill(235), 10_000 - 42 * 235]);
});

test('withdrawals: the Withdrawn Routes field for IPv4, MP_UNREACH_NLRI for IPv6', () => {
  const v4Updates = decodeAll(packWithdrawals(4, v4(2000)));
  expect(v4Updates.flatMap((u) => u.withdrawnRoutes)).toEqual(v4(2000));
  expect(v4Updates.map((u) => u.withdrawnRoutes.length)).toEqual([814, 814, 372]); // (4096 - 23) / 5
  const v6Updates = decodeAll(packWithdrawals(6, v6(1000)));
  expect(v6Updates.flatMap((u) => u.pathAttributes.flatMap((a) => (a.kind === 'mpUnreachNlri' ? a.withdrawn : [])))).toEqual(v6(1000));
  expect(v6Updates.map((u) => u.pathAttributes.length)).toEqual([1, 1, 1, 1, 1]);
});

test('a small set fits one UPDATE with a one-octet attribute length; nothing to send is no UPDATE', () => {
  const [only, ...rest] = packAnnouncements({ family: 6, nextHop: { global: '2001:db8::a', linkLocal: null }, attributes: SHARED, prefixes: v6(3) });
  expect(rest).toEqual([]);
  expect(only?.[23]).toBe(0x80); // MP_REACH_NLRI flags: optional, no Extended Length for 72 octets
  expect(packWithdrawals(4, [])).toEqual([]);
});

test.each<[string, Partial<Announcement>, string]>([
  ['a v6 prefix in an IPv4 announcement', { prefixes: ['2001:db8::/32'] }, 'prefix "2001:db8::/32" is not IPv4'],
  ['host bits set', { prefixes: ['10.0.0.1/8'] }, 'prefix "10.0.0.1/8" has host bits set'],
  ['NEXT_HOP among the shared attributes', { attributes: [{ kind: 'nextHop', nextHop: '192.0.2.1' }] }, 'may not include nextHop'],
])('a caller bug throws at once: %s', (_, override, message) => {
  const announcement: Announcement = { family: 4, nextHop: { global: '192.0.2.10', linkLocal: null }, attributes: SHARED, prefixes: v4(1), ...override };
  expect(() => packAnnouncements(announcement)).toThrow(message);
});

describe('property: whatever is packed, every UPDATE fits and every prefix goes out exactly once, in order', () => {
  /** ORIGIN and AS_PATH, and communities of any count, so that the room left for prefixes varies. */
  const attributeSets = fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 80 }).map((communities): PathAttribute[] =>
    [...SHARED.slice(0, 2), ...(communities.length > 0 ? [{ kind: 'communities' as const, communities }] : [])]);
  const family = fc.constantFrom<4 | 6>(4, 6);
  /**
   * Enough prefixes to fill several UPDATEs; lengths from /0 to full, so prefixes take 1 to 17 octets. Lists
   * this long take minutes to shrink, so a failure is reported as found (endOnFailure).
   */
  const prefixes = (f: 4 | 6) => fc.uniqueArray(f === 4 ? arbitraryIPv4Prefix : arbitraryIPv6Prefix, { minLength: 800, maxLength: 2500 });

  function reached(update: UpdateMessage): Prefix[] {
    return [...update.nlri, ...update.pathAttributes.flatMap((a) => (a.kind === 'mpReachNlri' ? a.nlri : []))];
  }
  function withdrawn(update: UpdateMessage): Prefix[] {
    return [...update.withdrawnRoutes, ...update.pathAttributes.flatMap((a) => (a.kind === 'mpUnreachNlri' ? a.withdrawn : []))];
  }
  /** Greedy: an UPDATE other than the last had no room for the first prefix of the next one. */
  function expectFull(messages: Uint8Array[], runs: Prefix[][]): void {
    messages.slice(0, -1).forEach((bytes, i) => {
      const next = runs[i + 1]?.[0];
      if (next === undefined) throw new Error('an UPDATE without prefixes');
      expect(bytes.length + encodePrefix(next).length).toBeGreaterThan(4096);
    });
  }

  test('announcements', () => {
    fc.assert(fc.property(family.chain((f) => fc.tuple(fc.constant(f), prefixes(f), attributeSets)), ([f, list, attributes]) => {
      const nextHop = f === 4 ? { global: '192.0.2.10', linkLocal: null } : { global: '2001:db8::a', linkLocal: 'fe80::a' };
      const messages = packAnnouncements({ family: f, nextHop, attributes, prefixes: list });
      const runs = decodeAll(messages).map(reached);
      expect(runs.flat()).toEqual(list);
      expectFull(messages, runs);
    }), { numRuns: 25, endOnFailure: true });
  });

  test('withdrawals', () => {
    fc.assert(fc.property(family.chain((f) => fc.tuple(fc.constant(f), prefixes(f))), ([f, list]) => {
      const messages = packWithdrawals(f, list);
      const runs = decodeAll(messages).map(withdrawn);
      expect(runs.flat()).toEqual(list);
      expectFull(messages, runs);
    }), { numRuns: 25, endOnFailure: true });
  });
});
