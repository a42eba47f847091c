// The declarative diff (adj-rib-out.ts): tables, the encoding it leads to, and the property that applying a
// diff to the current set gives the desired one.
import fc from 'fast-check';
import { decodeMessage, type Prefix, type UpdateMessage } from '../messages/index.js';
import { arbitraryIPv4Prefix, arbitraryIPv6Prefix } from '../messages/test-helpers.js';
import { advertisementMap, attributesKey, diffAdvertisements, encodeDiff, pathAttributes, routeAttributes, type Advertisement, type AdvertisementDiff, type AdvertisementMap } from './adj-rib-out.js';

const adv = (prefix: string, extra: Partial<Advertisement> = {}): Advertisement => ({
  prefix: prefix as Prefix, nextHop: prefix.includes(':') ? '2001:db8::a' : '192.0.2.1', ...extra,
});
const map = (...advertisements: Advertisement[]): AdvertisementMap => advertisementMap(advertisements);

/** What the peer has after receiving the diff. */
function apply(current: AdvertisementMap, diff: AdvertisementDiff, desired: AdvertisementMap): Map<Prefix, string> {
  const view = new Map([...current].map(([p, a]) => [p, attributesKey(p.includes(':') ? 6 : 4, routeAttributes(a))]));
  for (const w of diff.withdrawals) for (const p of w.prefixes) view.delete(p);
  for (const g of diff.announcements) for (const p of g.prefixes) view.set(p, attributesKey(g.family, g.attributes));
  expect(view.size).toBe(desired.size);
  return view;
}

describe('diffAdvertisements', () => {
  test('new, gone, changed and unchanged prefixes', () => {
    const current = map(adv('10.0.0.1/32'), adv('10.0.0.2/32'), adv('10.0.0.3/32', { communities: [1] }), adv('2001:db8::1/128'));
    const desired = map(adv('10.0.0.1/32'), adv('10.0.0.3/32', { communities: [2] }), adv('10.0.0.4/32'), adv('2001:db8::2/128'));
    const diff = diffAdvertisements(current, desired);
    expect(diff.withdrawals).toEqual([{ family: 4, prefixes: ['10.0.0.2/32'] }, { family: 6, prefixes: ['2001:db8::1/128'] }]);
    expect(diff.announcements.map((g) => [g.family, g.attributes.communities, g.prefixes])).toEqual([
      [4, [2], ['10.0.0.3/32']], // groups in the order of their attribute keys
      [4, [], ['10.0.0.4/32']],
      [6, [], ['2001:db8::2/128']],
    ]);
  });

  test('prefixes with the same attributes share a group, whatever the order of communities', () => {
    const diff = diffAdvertisements(new Map(), map(adv('10.0.0.2/32', { communities: [2, 1] }), adv('10.0.0.1/32', { communities: [1, 2, 2] })));
    expect(diff.announcements).toEqual([{ family: 4, attributes: { nextHop: '192.0.2.1', localPref: 100, communities: [1, 2], largeCommunities: [] }, prefixes: ['10.0.0.1/32', '10.0.0.2/32'] }]);
  });

  test('nothing to do', () => {
    const same = map(adv('10.0.0.1/32', { localPref: 50 }));
    expect(diffAdvertisements(same, map(adv('10.0.0.1/32', { localPref: 50 })))).toEqual({ withdrawals: [], announcements: [] });
  });

  test('the same input in another order gives the same diff', () => {
    const list = [adv('10.0.0.9/32'), adv('10.0.0.1/32', { localPref: 5 }), adv('2001:db8::1/128'), adv('10.0.0.5/32')];
    expect(diffAdvertisements(new Map(), map(...list))).toEqual(diffAdvertisements(new Map(), map(...[...list].reverse())));
  });

  test('a prefix advertised twice is a caller\'s bug', () => {
    expect(() => map(adv('10.0.0.1/32'), adv('10.0.0.1/32'))).toThrow('advertised twice');
  });
});

describe('diffAdvertisements: what counts as a change', () => {
  const L1 = { globalAdministrator: 64512, localData1: 1, localData2: 2 };
  const L2 = { globalAdministrator: 64512, localData1: 1, localData2: 3 };

  test('the same attributes written another way are no change: order, repeats, [] for nothing, LOCAL_PREF 100 spelled out', () => {
    const current = map(adv('10.0.0.1/32', { communities: [1, 2] }), adv('10.0.0.2/32'), adv('10.0.0.3/32', { largeCommunities: [L1, L2] }));
    const desired = map(
      adv('10.0.0.1/32', { communities: [2, 1, 2] }),
      adv('10.0.0.2/32', { communities: [], largeCommunities: [], localPref: 100 }),
      adv('10.0.0.3/32', { largeCommunities: [L2, L1, L2] }),
    );
    expect(diffAdvertisements(current, desired)).toEqual({ withdrawals: [], announcements: [] });
  });

  test.each<[string, Partial<Advertisement>]>([
    ['the next hop changed', { nextHop: '192.0.2.2' }],
    ['LOCAL_PREF changed', { localPref: 101 }],
    ['a community added', { communities: [1, 2, 3] }],
    ['a community removed', { communities: [1] }],
    ['a large community changed', { largeCommunities: [{ ...L1, localData2: 9 }] }],
  ])('%s: announced again with the new attributes', (_, change) => {
    const before = adv('10.0.0.1/32', { communities: [1, 2], largeCommunities: [L1] });
    const diff = diffAdvertisements(map(before), map({ ...before, ...change }));
    expect(diff.withdrawals).toEqual([]);
    expect(diff.announcements).toEqual([{ family: 4, attributes: routeAttributes({ ...before, ...change }), prefixes: ['10.0.0.1/32'] }]);
  });

  test('attribute sets that alternate from one advertisement to the next still make one group each', () => {
    const list = Array.from({ length: 6 }, (_, i) => adv(`10.0.0.${i}/32`, { communities: i % 2 === 0 ? [2, 1] : [3] }));
    list.push(adv('10.0.0.9/32', { communities: [1, 2] }), adv('2001:db8::9/128', { communities: [1, 2] }));
    const diff = diffAdvertisements(new Map(), map(...list));
    expect(diff.announcements.map((g) => [g.family, g.attributes.communities, g.prefixes])).toEqual([
      [4, [1, 2], ['10.0.0.0/32', '10.0.0.2/32', '10.0.0.4/32', '10.0.0.9/32']],
      [4, [3], ['10.0.0.1/32', '10.0.0.3/32', '10.0.0.5/32']],
      [6, [1, 2], ['2001:db8::9/128']],
    ]);
  });

  test('as many prefixes as before, one gone and one new: the gone one is withdrawn', () => {
    const diff = diffAdvertisements(map(adv('10.0.0.1/32'), adv('10.0.0.2/32')), map(adv('10.0.0.1/32'), adv('10.0.0.3/32')));
    expect(diff.withdrawals).toEqual([{ family: 4, prefixes: ['10.0.0.2/32'] }]);
    expect(diff.announcements.map((g) => g.prefixes)).toEqual([['10.0.0.3/32']]);
  });

  test('prefixes come out in text order (UTF-16 code units), whatever order they came in', () => {
    const prefixes = ['10.0.0.2/32', '10.0.0.10/32', '2001:db8::a/128', '10.0.0.1/32', '2001:db8::1:0/128', '2001:db8::b/128'];
    const diff = diffAdvertisements(map(...prefixes.map((p) => adv(p))), new Map());
    expect(diff.withdrawals).toEqual([
      { family: 4, prefixes: ['10.0.0.1/32', '10.0.0.10/32', '10.0.0.2/32'] },
      { family: 6, prefixes: ['2001:db8::1:0/128', '2001:db8::a/128', '2001:db8::b/128'] },
    ]);
  });
});

describe('pathAttributes', () => {
  const attributes = routeAttributes(adv('10.0.0.1/32', { localPref: 300, communities: [9], largeCommunities: [{ globalAdministrator: 1, localData1: 2, localData2: 3 }] }));

  test('eBGP: our AS prepended, no LOCAL_PREF', () => {
    expect(pathAttributes(attributes, { localAsn: 64512, internal: false, fourOctetAs: true }).map((a) => a.kind)).toEqual(['origin', 'asPath', 'communities', 'largeCommunities']);
  });

  test('iBGP: empty AS_PATH and LOCAL_PREF', () => {
    const result = pathAttributes(attributes, { localAsn: 64512, internal: true, fourOctetAs: true });
    expect(result).toContainEqual({ kind: 'asPath', segments: [] });
    expect(result).toContainEqual({ kind: 'localPref', localPref: 300 });
  });

  test('a 4-octet AS to a 2-octet peer: AS_TRANS in AS_PATH, the real AS in AS4_PATH (RFC 6793 §4.2.2)', () => {
    const result = pathAttributes(attributes, { localAsn: 4_200_000_001, internal: false, fourOctetAs: false });
    expect(result).toContainEqual({ kind: 'asPath', segments: [{ type: 2, asns: [23456] }] });
    expect(result).toContainEqual({ kind: 'raw', flags: 0xc0, typeCode: 17, value: Uint8Array.of(2, 1, 0xfa, 0x56, 0xea, 0x01) });
  });
});

describe('encodeDiff', () => {
  test('withdrawals first, then one UPDATE per group, decodable as sent', () => {
    const diff = diffAdvertisements(map(adv('10.9.0.0/16'), adv('2001:db8:9::/48')), map(adv('10.0.0.1/32'), adv('2001:db8::1/128', { communities: [5] })));
    const updates = encodeDiff(diff, { localAsn: 64512, internal: false, fourOctetAs: true }).map((bytes) => {
      const decoded = decodeMessage(bytes);
      if (decoded.type !== 'update' || decoded.action !== 'accept') throw new Error('not an accepted UPDATE');
      return decoded.update;
    });
    expect(updates.map((u: UpdateMessage) => u.withdrawnRoutes)).toEqual([['10.9.0.0/16'], [], [], []]);
    expect(updates[1]?.pathAttributes[0]).toEqual({ kind: 'mpUnreachNlri', afi: 2, safi: 1, withdrawn: ['2001:db8:9::/48'] });
    expect(updates[2]?.nlri).toEqual(['10.0.0.1/32']);
    expect(updates[3]?.pathAttributes[0]).toMatchObject({ kind: 'mpReachNlri', nlri: ['2001:db8::1/128'] });
  });
});

describe('property: the diff turns current into desired', () => {
  const advertisement = fc.record({
    prefix: fc.oneof(arbitraryIPv4Prefix, arbitraryIPv6Prefix),
    localPref: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    communities: fc.option(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }), { nil: undefined }),
  }).map(({ prefix, localPref, communities }) => adv(prefix, { localPref, communities }));
  const set = fc.uniqueArray(advertisement, { selector: (a) => a.prefix, maxLength: 30 }).map((list) => map(...list));
  /** Drawn from a small pool so that current and desired overlap. */
  const pair = fc.uniqueArray(advertisement, { selector: (a) => a.prefix, maxLength: 30 }).chain((pool) =>
    fc.tuple(fc.subarray(pool), fc.subarray(pool), set).map(([a, b, extra]) => [map(...a), advertisementMap([...b.map((x) => ({ ...x, localPref: (x.localPref ?? 0) + 1 })), ...[...extra.values()].filter((e) => !b.some((x) => x.prefix === e.prefix))])] as const));

  test('applying withdrawals and announcements to current yields desired', () => {
    fc.assert(fc.property(fc.oneof(pair, fc.tuple(set, set)), ([current, desired]) => {
      const diff = diffAdvertisements(current, desired);
      const expected = new Map([...desired].map(([p, a]) => [p, attributesKey(p.includes(':') ? 6 : 4, routeAttributes(a))]));
      expect(apply(current, diff, desired)).toEqual(expected);
      // Minimal: nothing withdrawn that stays, nothing announced that the peer already has as is.
      for (const w of diff.withdrawals) for (const p of w.prefixes) expect(desired.has(p)).toBe(false);
      for (const g of diff.announcements) for (const p of g.prefixes) {
        const before = current.get(p);
        expect(before === undefined || attributesKey(g.family, routeAttributes(before)) !== attributesKey(g.family, g.attributes)).toBe(true);
      }
    }));
  });
});
