// One BGPAdvertisement read on its own (communities, selectors, peers), the pools it announces, and the localPref
// rule between advertisements, as bgpConfigFromResources applies it.
import type { IPAddressPool, LabelSelector } from '../../crds/v1beta1/index.js';
import { advertisementModel, selectedPools } from './bgp-advertisements.js';
import { bgpConfigFromResources } from './bgp.js';
import { ad, community, peer, pool, resources } from './fixtures.js';

const labelled = (p: IPAddressPool, labels: Record<string, string>): IPAddressPool => ({ ...p, metadata: { ...p.metadata, labels } });
/** A selector that does not compile. */
const BROKEN: LabelSelector = { matchExpressions: [{ key: 'k', operator: 'In' }] };

describe('advertisementModel', () => {
  test('an alias resolves to its value; a community written twice (as an alias and as itself) is kept once', () => {
    const aliases = new Map([['gold', { kind: 'standard' as const, asn: 65000, value: 7 }]]);
    const { model, problems } = advertisementModel(ad('a', { communities: ['gold', 'large:1:2:3', '65000:7'] }), aliases);
    expect(problems).toEqual([]);
    expect(model.communities).toEqual([{ kind: 'standard', asn: 65000, value: 7 }, { kind: 'large', globalAdmin: 1, localData1: 2, localData2: 3 }]);
  });

  test('peers: each once, sorted; none given means every peer', () => {
    expect(advertisementModel(ad('a', { peers: ['y', 'x', 'y'] }), new Map()).model.peers).toEqual(['x', 'y']);
    expect(advertisementModel(ad('a'), new Map()).model.peers).toEqual([]);
  });

  test.each([
    ['ipAddressPoolSelectors', { ipAddressPoolSelectors: [BROKEN] }],
    ['nodeSelectors', { nodeSelectors: [BROKEN] }],
    ['serviceSelectors', { serviceSelectors: [{}, BROKEN] }],
  ])('a %s entry that does not compile is InvalidSelector on that entry', (field, spec) => {
    const index = field === 'serviceSelectors' ? 1 : 0;
    expect(advertisementModel(ad('a', spec), new Map()).problems).toEqual([expect.objectContaining({
      reason: 'InvalidSelector', field: `${field}[${index}]`, value: '{"matchExpressions":[{"key":"k","operator":"In"}]}',
      message: `BGPAdvertisement "a": ${field}[${index}] {"matchExpressions":[{"key":"k","operator":"In"}]}: operator In on key "k" needs at least one value; `
        + 'until it is fixed that selector matches nothing, and the other selectors work on',
    })]);
  });

  test.each([
    [2, '(and 1 more selector it cannot use)'],
    [3, '(and 2 more selectors it cannot use)'],
  ])('%d selectors that do not compile: one problem naming the first and counting the others', (n, more) => {
    const { problems } = advertisementModel(ad('a', { nodeSelectors: [BROKEN], serviceSelectors: Array<LabelSelector>(n - 1).fill(BROKEN) }), new Map());
    expect(problems).toHaveLength(1);
    expect(problems[0]?.field).toBe('nodeSelectors[0]');
    expect(problems[0]?.message).toContain(`needs at least one value ${more}; until it is fixed`);
  });
});

describe('selectedPools', () => {
  const pools = [labelled(pool('lan', ['192.0.2.0/24']), { zone: 'a' }), labelled(pool('dmz', ['198.51.100.0/24']), { zone: 'b' })];
  const selected = (spec: Parameters<typeof ad>[1]) => selectedPools(advertisementModel(ad('a', spec), new Map()).model, pools).map((p) => p.metadata.name);

  test.each([
    ['neither names nor selectors: every pool', {}, ['lan', 'dmz']],
    ['a name', { ipAddressPools: ['dmz'] }, ['dmz']],
    ['a selector', { ipAddressPoolSelectors: [{ matchLabels: { zone: 'b' } }] }, ['dmz']],
    ['a selector that matches no pool', { ipAddressPoolSelectors: [{ matchLabels: { zone: 'c' } }] }, []],
    ['a selector that does not compile matches nothing', { ipAddressPoolSelectors: [BROKEN] }, []],
    ['a name and a selector', { ipAddressPools: ['lan'], ipAddressPoolSelectors: [{ matchLabels: { zone: 'b' } }] }, ['lan', 'dmz']],
  ])('%s', (_what, spec, names) => {
    expect(selected(spec)).toEqual(names);
  });
});

describe('localPref between advertisements (bgpConfigFromResources)', () => {
  const pools = [pool('zeta', ['192.0.2.0/24']), pool('alpha', ['198.51.100.0/24'])];
  /** Each advertisement's problems as "name reason", and the advertisements left in the model. */
  const outcome = (...ads: ReturnType<typeof ad>[]) => {
    const config = bgpConfigFromResources(resources({ advertisements: ads, pools }));
    return { problems: config.problems.map((p) => `${p.name} ${p.reason}`), used: config.advertisements.map((a) => a.name) };
  };
  const CONFLICT = { problems: ['a LocalPrefConflict', 'b LocalPrefConflict'], used: [] };
  const NONE = { problems: [], used: ['a', 'b'] };

  test.each([
    ['one localPref and none', { localPref: 100 }, {}, NONE],
    ['the same localPref', { localPref: 100 }, { localPref: 100 }, NONE],
    ['peers given on one only (the other announces to every peer)', { localPref: 100, peers: ['x'] }, { localPref: 200 }, CONFLICT],
    ['peers given on the other only', { localPref: 100 }, { localPref: 200, peers: ['x'] }, CONFLICT],
    ['one peer in common', { localPref: 100, peers: ['x', 'y'] }, { localPref: 200, peers: ['x'] }, CONFLICT],
    ['pools that differ', { localPref: 100, ipAddressPools: ['zeta'] }, { localPref: 200, ipAddressPools: ['alpha'] }, NONE],
    ['an unusable selector on one (it stays, and so can conflict)', { localPref: 100, nodeSelectors: [BROKEN] }, { localPref: 200 },
      { problems: ['a LocalPrefConflict', 'a InvalidSelector', 'b LocalPrefConflict'], used: [] }],
    ['another problem on one (it is not used, so it conflicts with nothing)', { localPref: 100, communities: ['nope'] }, { localPref: 200 },
      { problems: ['a UnknownCommunity'], used: ['b'] }],
  ])('%s', (_what, a, b, expected) => {
    expect(outcome(ad('a', a), ad('b', b))).toEqual(expected);
  });

  test('the problem names the other advertisement and the first shared pool by name', () => {
    const config = bgpConfigFromResources(resources({ advertisements: [ad('a', { localPref: 100 }), ad('b', { localPref: 200 })], pools }));
    expect(config.problems[0]).toEqual({
      kind: 'BGPAdvertisement', name: 'a', reason: 'LocalPrefConflict', field: 'localPref', value: '100',
      message: 'BGPAdvertisement "a": localPref 100 contradicts localPref 200 of BGPAdvertisement "b": both announce the IPv4 addresses of IPAddressPool "alpha" '
        + 'as /32 prefixes to the same peers; give them one localPref, or different pools, aggregation lengths or peers',
    });
  });

  test('an advertisement with only an unusable selector is used; a problem of a peer of the same name leaves it alone', () => {
    const config = bgpConfigFromResources(resources({ advertisements: [ad('tor', { serviceSelectors: [BROKEN] })], peers: [peer('tor', { vrf: 'red' })] }));
    expect(config.problems.map((p) => `${p.kind} ${p.reason}`)).toEqual(['BGPPeer VRFNotSupported', 'BGPAdvertisement InvalidSelector']);
    expect(config.advertisements.map((a) => a.name)).toEqual(['tor']);
  });

  test('an alias defined in two Community objects cannot be used, and says why', () => {
    const config = bgpConfigFromResources(resources({
      advertisements: [ad('a', { communities: ['gold'] })],
      communities: [community('c1', { name: 'gold', value: '1:1' }), community('c2', { name: 'gold', value: '1:1' })],
    }));
    expect(config.problems.find((p) => p.kind === 'BGPAdvertisement')?.message)
      .toBe('BGPAdvertisement "a": communities[0]: Community alias "gold" cannot be used: it is defined in 2 Community objects');
  });
});
