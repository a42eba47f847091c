import { API_VERSION, type L2Advertisement, type L2AdvertisementSpec } from '../../crds/v1beta1/index.js';
import { advertisementsFromResources } from './advertisements.js';

const ad = (name: string, spec?: L2AdvertisementSpec): L2Advertisement => ({
  apiVersion: API_VERSION, kind: 'L2Advertisement', metadata: { name, namespace: 'herald-system' }, ...(spec ? { spec } : {}),
});
const IN_WITHOUT_VALUES = { matchExpressions: [{ key: 'zone', operator: 'In' as const }] };

describe('advertisementsFromResources', () => {
  it('reads every field; no spec means every pool, node and Service; sorted by name', () => {
    const { advertisements, problems } = advertisementsFromResources([
      ad('b', {
        ipAddressPools: ['lan', 'lan'], interfaces: ['eth1', 'eth0'], ipAddressPoolSelectors: [{ matchLabels: { site: 'a' } }],
        nodeSelectors: [{ matchLabels: { l2: 'yes' } }], serviceSelectors: [{}],
        preferredNodeSelectors: [{ weight: 30, preference: { matchLabels: { zone: 'a' } } }],
      }),
      ad('a'),
    ]);
    expect(problems).toEqual([]);
    expect(advertisements.map((a) => ({ ...a, selectors: [a.poolSelectors, a.nodeSelectors, a.serviceSelectors].map((l) => l.length) }))).toEqual([
      expect.objectContaining({ name: 'a', poolNames: [], interfaces: [], preferredNodeSelectors: [], selectors: [0, 0, 0] }),
      expect.objectContaining({ name: 'b', poolNames: ['lan'], interfaces: ['eth0', 'eth1'], selectors: [1, 1, 1] }),
    ]);
    const [, b] = advertisements;
    const matches = (s: { ok: boolean } & ({ ok: true; matches: (l: Record<string, string>) => boolean } | { ok: false })) => s.ok && s.matches({ zone: 'a', l2: 'yes', site: 'a' });
    expect(b?.preferredNodeSelectors.map((p) => [p.weight, matches(p.preference)])).toEqual([[30, true]]);
    expect(b?.nodeSelectors.map(matches)).toEqual([true]);
  });

  it.each([
    ['ipAddressPoolSelectors', { ipAddressPoolSelectors: [{}, IN_WITHOUT_VALUES] }, 'ipAddressPoolSelectors[1]', 'selects no pool'],
    ['nodeSelectors', { nodeSelectors: [IN_WITHOUT_VALUES] }, 'nodeSelectors[0]', 'admits no node'],
    ['serviceSelectors', { serviceSelectors: [IN_WITHOUT_VALUES] }, 'serviceSelectors[0]', 'selects no Service'],
    ['preferredNodeSelectors', { preferredNodeSelectors: [{ weight: 5, preference: IN_WITHOUT_VALUES }] }, 'preferredNodeSelectors[0].preference', 'adds its weight to no node'],
  ])('a %s selector that does not compile is a problem naming the advertisement and the selector; it stays, unusable, and the other advertisement works on',
    (_field, spec: L2AdvertisementSpec, where, effect) => {
      const { advertisements, problems } = advertisementsFromResources([ad('bad', spec), ad('good', { nodeSelectors: [{}] })]);
      expect(advertisements.map((a) => a.name)).toEqual(['bad', 'good']);
      expect(problems).toEqual([{
        advertisement: 'bad', reason: 'InvalidSelector', value: '{"matchExpressions":[{"key":"zone","operator":"In"}]}',
        message: `L2Advertisement "bad": ${where} {"matchExpressions":[{"key":"zone","operator":"In"}]}: operator In on key "zone" needs at least one value; `
          + `until it is fixed that selector ${effect}, and the advertisement's other selectors work on`,
      }]);
      const bad = advertisements[0];
      const all = [...(bad?.poolSelectors ?? []), ...(bad?.nodeSelectors ?? []), ...(bad?.serviceSelectors ?? []), ...(bad?.preferredNodeSelectors ?? []).map((p) => p.preference)];
      expect(all.filter((s) => !s.ok)).toHaveLength(1);
    });

  it('several unusable selectors: the first is quoted, the rest counted; a long selector is clipped', () => {
    const long = { matchExpressions: [{ key: 'k'.repeat(300), operator: 'Exists' as const, values: ['v'] }] };
    const { problems } = advertisementsFromResources([ad('x', { nodeSelectors: [long], serviceSelectors: [IN_WITHOUT_VALUES, IN_WITHOUT_VALUES] })]);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.value).toHaveLength(120);
    expect(problems[0]?.message).toMatch(/^L2Advertisement "x": nodeSelectors\[0\] \{"matchExpressions":\[\{"key":"k+…: operator Exists on key "k+" takes no values \(and 2 more selectors it cannot use\); until it is fixed that selector admits no node/);
  });
});

it('problems come sorted by advertisement name, as the advertisements do, whatever order they are listed in', () => {
  const { problems } = advertisementsFromResources([ad('zeta', { nodeSelectors: [IN_WITHOUT_VALUES] }), ad('alpha', { serviceSelectors: [IN_WITHOUT_VALUES] })]);
  expect(problems.map((p) => p.advertisement)).toEqual(['alpha', 'zeta']);
});
