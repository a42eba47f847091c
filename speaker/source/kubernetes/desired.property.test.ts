// The informers deliver objects in any order (Cilium's TestHappyPathPermutations): every permutation of every list
// of the view, and of the endpoints inside each slice, must give the identical result.
import fc from 'fast-check';
import { desiredAnnouncements } from './desired.js';
import { EXCLUDE_LABEL } from './eligibility.js';
import { advert, bgpView, node, pool, slice, speakerOn, svc } from './views.fixture.js';
import type { ClusterView } from './views.js';

const NODE_NAMES = ['n1', 'n2', 'n3', 'n4'];
const ADS = [
  advert('all'),
  advert('zone-a', { nodeSelectors: [{ matchLabels: { zone: 'a' } }], interfaces: ['eth1'], preferredNodeSelectors: [{ weight: 30, preference: { matchLabels: { zone: 'a' } } }] }),
  advert('lan-only', { ipAddressPools: ['lan'], interfaces: ['eth0'], preferredNodeSelectors: [{ weight: 10, preference: { matchLabels: { zone: 'b' } } }] }),
  advert('web', { serviceSelectors: [{ matchLabels: { app: 'web' } }], nodeSelectors: [{ matchLabels: { zone: 'b' } }] }),
  advert('broken', { serviceSelectors: [{ matchExpressions: [{ key: 'app', operator: 'In' }] }] }),
];
const BGP = bgpView({
  peers: [['r1', {}], ['r2', { peerAddress: '192.0.2.2', nodeSelectors: [{ matchLabels: { zone: 'b' } }] }], ['r6', { peerAddress: '2001:db8::1' }]],
  ads: [
    ['bgp-all', { communities: ['65000:1'] }],
    ['bgp-zone-b', { nodeSelectors: [{ matchLabels: { zone: 'b' } }], peers: ['r2'], communities: ['tag', 'large:1:2:3'], localPref: 200 }],
    ['bgp-dmz', { ipAddressPools: ['dmz'], serviceSelectors: [{ matchLabels: { app: 'db' } }] }],
    ['bgp-agg', { aggregationLength: 24 }],
  ],
  aliases: [{ name: 'tag', value: '65000:2' }],
});
const IPS = ['192.0.2.1', '192.0.2.2', '2001:db8::1', '2001:DB8::2', '198.51.100.7'];

const nodeArb = fc.record({ zone: fc.constantFrom('a', 'b'), unavailable: fc.boolean(), excluded: fc.boolean() });
const serviceArb = fc.record({
  ips: fc.subarray(IPS, { minLength: 1, maxLength: 2 }), local: fc.boolean(), app: fc.constantFrom('web', 'db'),
  annotated: fc.boolean(), endpoints: fc.subarray([...NODE_NAMES, 'gone'], { maxLength: 3 }), serving: fc.boolean(),
});
const viewArb = fc.record({
  nodes: fc.tuple(...NODE_NAMES.map(() => nodeArb)),
  speakers: fc.subarray(NODE_NAMES),
  ads: fc.subarray(ADS),
  services: fc.array(serviceArb, { minLength: 1, maxLength: 6 }),
  bgp: fc.option(fc.record({ peers: fc.subarray([...BGP.peers]), advertisements: fc.subarray([...BGP.advertisements]) }), { nil: undefined }),
}).map(({ nodes, speakers, ads, services, bgp }): ClusterView => ({
  ...(bgp ? { bgp } : {}),
  nodes: nodes.map((n, i) => node(NODE_NAMES[i] ?? '', { zone: n.zone, ...(n.excluded ? { [EXCLUDE_LABEL]: '' } : {}) }, n.unavailable)),
  speakers: speakers.map((n) => speakerOn(n, NODE_NAMES.indexOf(n))),
  advertisements: ads,
  pools: [pool('lan', ['192.0.2.0/24', '2001:db8::/64'], { site: 'home' }), pool('dmz', ['198.51.100.0/24'])],
  services: services.map((s, i) => svc(`s${i}`, s.ips, {
    externalTrafficPolicy: s.local ? 'Local' : 'Cluster', labels: { app: s.app }, pool: s.annotated ? 'lan' : undefined,
  })),
  endpointSlices: services.map((s, i) => slice(`s${i}`, [...s.endpoints.map((n) => (n === 'gone' ? undefined : n)), 'n1'], s.serving)),
}));

const shuffle = <T>(items: readonly T[]) => fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });
const permutationOf = (view: ClusterView) => fc.record({
  services: shuffle(view.services), nodes: shuffle(view.nodes), pools: shuffle(view.pools),
  advertisements: shuffle(view.advertisements), speakers: shuffle(view.speakers),
  ...(view.bgp ? { bgp: fc.record({ peers: shuffle(view.bgp.peers), advertisements: shuffle(view.bgp.advertisements) }) } : {}),
  endpointSlices: shuffle(view.endpointSlices).chain((slices) => fc.tuple(...slices.map((s) => shuffle(s.endpoints).map((endpoints) => ({ ...s, endpoints }))))),
});

test('every permutation of the inputs gives the identical result', () => {
  fc.assert(fc.property(viewArb.chain((view) => fc.tuple(fc.constant(view), permutationOf(view), fc.constantFrom(...NODE_NAMES))), ([view, permuted, self]) => {
    const options = { self, loadBalancerClass: undefined };
    expect(desiredAnnouncements(permuted, options)).toEqual(desiredAnnouncements(view, options));
  }), { numRuns: 300 });
});

test('the result is canonical: sorted, every IP either announced or explained, never both', () => {
  fc.assert(fc.property(viewArb, (view) => {
    const { desired, unannounced } = desiredAnnouncements(view, { self: 'n1', loadBalancerClass: undefined });
    const sorted = <T>(xs: readonly T[], key: (x: T) => string) => xs.map(key).join() === [...xs].map(key).sort().join();
    expect(sorted(desired.nodes, (n) => n.name)).toBe(true);
    for (const spec of desired.ips) {
      expect(sorted(spec.nodes, (n) => n.name)).toBe(true);
      expect(sorted(spec.services, (s) => s)).toBe(true);
      expect(spec.nodes.length).toBeGreaterThan(0);
      if (spec.modes.includes('bgp')) expect(sorted(spec.bgp?.nodes ?? [], (n) => n) && (spec.bgp?.nodes ?? []).length > 0).toBe(true);
      else expect(spec.bgp).toBeUndefined();
    }
    const announced = desired.ips.map((s) => s.ip);
    const explained = unannounced.map((u) => u.ip);
    expect(announced.filter((ip) => explained.includes(ip))).toEqual([]);
    const all = new Set(view.services.flatMap((s) => s.ingressIPs.map((ip) => ip.toLowerCase())));
    expect([...announced, ...explained].sort()).toEqual([...all].sort());
  }), { numRuns: 300 });
});
