// The announcement function, rule by rule: each row names the rule it pins and would fail without it.
import { desiredAnnouncements, type DesiredOptions } from './desired.js';
import { EXCLUDE_LABEL } from './eligibility.js';
import { advert, cluster, node, pool, slice, speakerOn, svc } from './views.fixture.js';
import type { ClusterView } from './views.js';

const SELF: DesiredOptions = { self: 'n1', loadBalancerClass: undefined };
const IP = '192.0.2.10';
const web = (extra: Parameters<typeof svc>[2] = {}) => svc('web', IP, extra);
const everywhere = slice('web', ['n1', 'n2', 'n3']);

/** What became of IP: "n1:0 n2:0" (eligible nodes and weights), a reason, or "absent" when it is not Herald's. */
function outcome(view: ClusterView, options: DesiredOptions = SELF, ip = IP): string {
  const { desired, unannounced } = desiredAnnouncements(view, options);
  const spec = desired.ips.find((s) => s.ip === ip);
  if (spec) return spec.nodes.map((n) => `${n.name}:${n.weight}`).join(' ');
  return unannounced.find((u) => u.ip === ip)?.reason ?? 'absent';
}

describe('which Services and IPs', () => {
  test.each<[string, Partial<ClusterView>, DesiredOptions, string]>([
    ['a LoadBalancer Service with a serving endpoint is announced from every node', { services: [web()], endpointSlices: [everywhere] }, SELF, 'n1:0 n2:0 n3:0'],
    ['type ClusterIP is not Herald\'s', { services: [web({ type: 'ClusterIP' })], endpointSlices: [everywhere] }, SELF, 'absent'],
    ['a Service being deleted is withdrawn', { services: [web({ deleting: true })], endpointSlices: [everywhere] }, SELF, 'absent'],
    ['another loadBalancerClass is not Herald\'s', { services: [web({ loadBalancerClass: 'other.example/lb' })], endpointSlices: [everywhere] }, SELF, 'absent'],
    ['Herald with a class serves only Services of that class', { services: [web()], endpointSlices: [everywhere] },
      { self: 'n1', loadBalancerClass: 'herald.dev/lan' }, 'absent'],
    ['... and does serve them', { services: [web({ loadBalancerClass: 'herald.dev/lan' })], endpointSlices: [everywhere] },
      { self: 'n1', loadBalancerClass: 'herald.dev/lan' }, 'n1:0 n2:0 n3:0'],
    ['an ingress entry that is not an IP is passed over', { services: [web({ ingressIPs: ['not-an-ip'] })], endpointSlices: [everywhere] }, SELF, 'absent'],
  ])('%s', (_rule, parts, options, expected) => {
    expect(outcome(cluster(parts), options)).toBe(expected);
  });
});

describe('the IP\'s pool', () => {
  test.each<[string, Partial<ClusterView>, string]>([
    ['the pool annotation names the pool', { services: [web()], endpointSlices: [everywhere] }, 'n1:0 n2:0 n3:0'],
    ['the annotation names a pool that does not exist: NoPool', { services: [web({ pool: 'gone' })], endpointSlices: [everywhere] }, 'NoPool'],
    ['the annotation wins over the addresses (pool "other" holds the IP, only "lan" is advertised)',
      { services: [web()], endpointSlices: [everywhere], pools: [pool('lan', ['203.0.113.0/24']), pool('other', ['192.0.2.0/24'])],
        advertisements: [advert('lan', { ipAddressPools: ['lan'] })] }, 'n1:0 n2:0 n3:0'],
    ['no annotation: the pool whose addresses hold the IP', { services: [web({ pool: undefined })], endpointSlices: [everywhere],
      advertisements: [advert('lan', { ipAddressPools: ['lan'] })] }, 'n1:0 n2:0 n3:0'],
    ['a pool with an entry that does not parse is not a pool', { services: [web()], endpointSlices: [everywhere],
      pools: [pool('lan', ['192.0.2.0/24', '192.0.2.300'])] }, 'NoPool'],
  ])('%s', (_rule, parts, expected) => {
    expect(outcome(cluster(parts))).toBe(expected);
  });

  test('an IP in no pool is unannounced with NoPool', () => {
    const view = cluster({ services: [web({ pool: undefined, ingressIPs: ['203.0.113.1'] })], endpointSlices: [everywhere] });
    expect(desiredAnnouncements(view, SELF).unannounced).toEqual([{
      ip: '203.0.113.1', services: ['default/web'], reason: 'NoPool', message: '203.0.113.1 of Service default/web is in no valid IPAddressPool',
    }]);
  });
});

describe('which advertisements apply', () => {
  const withAds = (...advertisements: ReturnType<typeof advert>[]) => cluster({ services: [web({ labels: { tier: 'web' } })], endpointSlices: [everywhere], advertisements });
  test.each<[string, ClusterView, string]>([
    ['none exists: NoAdvertisement', withAds(), 'NoAdvertisement'],
    ['ipAddressPools names the pool', withAds(advert('a', { ipAddressPools: ['lan'] })), 'n1:0 n2:0 n3:0'],
    ['ipAddressPools names another pool', withAds(advert('a', { ipAddressPools: ['other'] })), 'NoAdvertisement'],
    ['ipAddressPoolSelectors match the pool\'s labels', withAds(advert('a', { ipAddressPoolSelectors: [{ matchLabels: { site: 'home' } }] })), 'n1:0 n2:0 n3:0'],
    ['ipAddressPoolSelectors do not match', withAds(advert('a', { ipAddressPoolSelectors: [{ matchLabels: { site: 'office' } }] })), 'NoAdvertisement'],
    ['names or selectors: either selects (a name of another pool, a matching selector)',
      withAds(advert('a', { ipAddressPools: ['other'], ipAddressPoolSelectors: [{ matchLabels: { site: 'home' } }] })), 'n1:0 n2:0 n3:0'],
    ['serviceSelectors match the Service', withAds(advert('a', { serviceSelectors: [{ matchLabels: { tier: 'web' } }] })), 'n1:0 n2:0 n3:0'],
    ['serviceSelectors do not match', withAds(advert('a', { serviceSelectors: [{ matchLabels: { tier: 'db' } }] })), 'NoAdvertisement'],
    ['a serviceSelector that does not compile selects nothing (never everything)',
      withAds(advert('a', { serviceSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'In' }] }] })), 'NoAdvertisement'],
    ['a pool selector that does not compile selects nothing',
      withAds(advert('a', { ipAddressPoolSelectors: [{ matchExpressions: [{ key: 'site', operator: 'In' }] }] })), 'NoAdvertisement'],
  ])('%s', (_rule, view, expected) => {
    expect(outcome(view)).toBe(expected);
  });

  test.each([
    ['no advertisement at all', [], '192.0.2.10 of Service default/web is not advertised: there is no L2Advertisement'],
    ['none selects the pool', [advert('x', { ipAddressPools: ['a'] }), advert('y', { ipAddressPools: ['b'] })],
      '192.0.2.10 of Service default/web is not advertised: none of the 2 L2Advertisements ("x", "y") selects pool "lan"'],
    ['the pool\'s advertisement selects other Services', [advert('x', { serviceSelectors: [{ matchLabels: { tier: 'db' } }] }), advert('y', { ipAddressPools: ['b'] })],
      '192.0.2.10 of Service default/web is not advertised: the serviceSelectors of the 1 L2Advertisement selecting pool "lan" ("x") do not select it'],
  ])('NoAdvertisement says why: %s', (_what, advertisements, message) => {
    const { unannounced } = desiredAnnouncements(cluster({ services: [web()], endpointSlices: [everywhere], advertisements }), SELF);
    expect(unannounced).toEqual([{ ip: IP, services: ['default/web'], reason: 'NoAdvertisement', message }]);
  });
});

describe('which nodes are eligible', () => {
  const base = { services: [web()], endpointSlices: [everywhere] };
  const zoneA = { nodeSelectors: [{ matchLabels: { zone: 'a' } }] };
  test.each<[string, Partial<ClusterView>, string]>([
    ['nodeSelectors admit only matching nodes', { ...base, advertisements: [advert('a', zoneA)] }, 'n1:0'],
    ['several advertisements: a node any of them admits', { ...base,
      advertisements: [advert('a', zoneA), advert('b', { nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'n3' } }] })] }, 'n1:0 n3:0'],
    ['a nodeSelector that does not compile admits no node', { ...base,
      advertisements: [advert('a', { nodeSelectors: [{ matchExpressions: [{ key: 'zone', operator: 'Exists', values: ['a'] }] }] })] }, 'NoEligibleNode'],
    ['NetworkUnavailable excludes a node', { ...base, nodes: [node('n1'), node('n2', {}, true), node('n3')] }, 'n1:0 n3:0'],
    [`the ${EXCLUDE_LABEL} label excludes a node, whatever its value`, { ...base, nodes: [node('n1'), node('n2'), node('n3', { [EXCLUDE_LABEL]: '' })] }, 'n1:0 n2:0'],
    ['a node without a live speaker is not eligible', { ...base, speakers: [speakerOn('n1'), speakerOn('n3')] }, 'n1:0 n3:0'],
    ['a speaker on a node with no Node object is not eligible', { ...base, speakers: [speakerOn('n1'), speakerOn('ghost')] }, 'n1:0'],
    ['no speaker at all: NoSpeaker', { ...base, speakers: [] }, 'NoSpeaker'],
    ['every node excluded: NoEligibleNode', { ...base, nodes: [node('n1', { zone: 'b' }, true), node('n2', { [EXCLUDE_LABEL]: 'true', zone: 'b' }), node('n3', { zone: 'c' })],
      advertisements: [advert('a', { nodeSelectors: [{ matchLabels: { zone: 'b' } }] })] }, 'NoEligibleNode'],
  ])('%s', (_rule, parts, expected) => {
    expect(outcome(cluster(parts))).toBe(expected);
  });

  test('NoEligibleNode counts and names what excluded whom', () => {
    const view = cluster({
      services: [web()], endpointSlices: [everywhere], speakers: ['n1', 'n2', 'n3', 'n4', 'ghost'].map(speakerOn),
      nodes: [node('n1', {}, true), node('n2', { [EXCLUDE_LABEL]: 'true', zone: 'b' }), node('n3'), node('n4', { zone: 'b' }, true)],
      advertisements: [advert('lan-b', { nodeSelectors: [{ matchLabels: { zone: 'b' } }] })],
    });
    expect(desiredAnnouncements(view, SELF).unannounced[0]?.message).toBe('none of the 5 nodes with a speaker may announce 192.0.2.10 of Service '
      + 'default/web for L2Advertisement "lan-b": 1 without a Node object ("ghost"), 2 not selected by nodeSelectors ("n1", "n3"), '
      + `1 labelled ${EXCLUDE_LABEL} ("n2"), 1 NetworkUnavailable ("n4")`);
  });
});

describe('endpoints', () => {
  const local = web({ externalTrafficPolicy: 'Local' });
  test.each<[string, Partial<ClusterView>, string]>([
    ['no EndpointSlice: NoServingEndpoint', { services: [web()] }, 'NoServingEndpoint'],
    ['only endpoints that are not serving: NoServingEndpoint', { services: [web()], endpointSlices: [slice('web', ['n1'], false)] }, 'NoServingEndpoint'],
    ['a slice of another Service does not count', { services: [web()], endpointSlices: [slice('db', ['n1'])] }, 'NoServingEndpoint'],
    ['a slice of a same-named Service in another namespace does not count', { services: [web()], endpointSlices: [slice('web', ['n1'], true, 'other')] }, 'NoServingEndpoint'],
    ['Cluster policy: one serving endpoint anywhere makes every node eligible', { services: [web()], endpointSlices: [slice('web', ['n3'])] }, 'n1:0 n2:0 n3:0'],
    ['Cluster policy: an endpoint on no node still serves', { services: [web()], endpointSlices: [slice('web', [undefined])] }, 'n1:0 n2:0 n3:0'],
    ['Local policy: only nodes holding a serving endpoint', { services: [local], endpointSlices: [slice('web', ['n2']), slice('web', ['n3'], false)] }, 'n2:0'],
    ['Local policy: endpoints from several slices add up', { services: [local], endpointSlices: [slice('web', ['n2']), { ...slice('web', ['n3']), name: 'web-def' }] }, 'n2:0 n3:0'],
    ['Local policy: serving endpoints only on nodes that may not announce: NoLocalEndpoint', { services: [local], endpointSlices: [slice('web', ['n9'])] }, 'NoLocalEndpoint'],
    ['Local policy: an endpoint on no node: NoLocalEndpoint', { services: [local], endpointSlices: [slice('web', [undefined])] }, 'NoLocalEndpoint'],
  ])('%s', (_rule, parts, expected) => {
    expect(outcome(cluster(parts))).toBe(expected);
  });

  test('the messages name the Service and where its endpoints are', () => {
    const messages = (parts: Partial<ClusterView>) => desiredAnnouncements(cluster(parts), SELF).unannounced.map((u) => u.message);
    expect(messages({ services: [web()] })).toEqual(['Service default/web has no serving endpoint, so 192.0.2.10 is not announced']);
    expect(messages({ services: [local], endpointSlices: [slice('web', ['n9', 'n8'])] })).toEqual(['Service default/web has externalTrafficPolicy Local '
      + 'and none of the 3 eligible nodes ("n1", "n2", "n3") holds a serving endpoint (they are on "n8", "n9"), so 192.0.2.10 is not announced']);
  });
});

describe('weights (preferredNodeSelectors)', () => {
  const base = { services: [web()], endpointSlices: [everywhere] };
  const prefer = (weight: number, labels: Record<string, string>) => ({ weight, preference: { matchLabels: labels } });
  test.each<[string, Partial<ClusterView>, string]>([
    ['a matching preference adds its weight', { ...base, advertisements: [advert('a', { preferredNodeSelectors: [prefer(50, { zone: 'a' })] })] }, 'n1:50 n2:0 n3:0'],
    ['preferences of one advertisement add up', { ...base, advertisements: [advert('a', { preferredNodeSelectors: [prefer(50, { zone: 'a' }), prefer(7, { 'kubernetes.io/hostname': 'n1' })] })] }, 'n1:57 n2:0 n3:0'],
    ['weights are summed over the advertisements that apply', { ...base,
      advertisements: [advert('a', { preferredNodeSelectors: [prefer(50, { zone: 'a' })] }), advert('b', { preferredNodeSelectors: [prefer(20, { zone: 'b' }), prefer(5, { zone: 'a' })] })] },
    'n1:55 n2:20 n3:20'],
    ['an advertisement whose nodeSelectors exclude a node adds nothing to it', { ...base,
      advertisements: [advert('all'), advert('b-only', { nodeSelectors: [{ matchLabels: { zone: 'b' } }], preferredNodeSelectors: [prefer(90, {})] })] }, 'n1:0 n2:90 n3:90'],
    ['an advertisement that does not apply to the Service adds nothing', { ...base,
      advertisements: [advert('all'), advert('db', { serviceSelectors: [{ matchLabels: { tier: 'db' } }], preferredNodeSelectors: [prefer(90, {})] })] }, 'n1:0 n2:0 n3:0'],
    ['a preference that does not compile adds nothing', { ...base,
      advertisements: [advert('a', { preferredNodeSelectors: [{ weight: 9, preference: { matchExpressions: [{ key: 'zone', operator: 'In' }] } }] })] }, 'n1:0 n2:0 n3:0'],
  ])('%s', (_rule, parts, expected) => {
    expect(outcome(cluster(parts))).toBe(expected);
  });
});

describe('interfaces, for the node self', () => {
  const interfacesOf = (advertisements: ReturnType<typeof advert>[], self = 'n1') =>
    desiredAnnouncements(cluster({ services: [web()], endpointSlices: [everywhere], advertisements }), { self, loadBalancerClass: undefined }).desired.ips[0]?.interfaces;
  test.each<[string, ReturnType<typeof advert>[], string, readonly string[] | undefined]>([
    ['no advertisement lists any: the speaker chooses', [advert('a')], 'n1', undefined],
    ['one advertisement\'s list, sorted', [advert('a', { interfaces: ['eth1', 'eth0'] })], 'n1', ['eth0', 'eth1']],
    ['the union over the advertisements that allow self', [advert('a', { interfaces: ['eth1'] }), advert('b', { interfaces: ['eth0', 'eth1'] })], 'n1', ['eth0', 'eth1']],
    ['one allowing advertisement lists none: every interface may be used, so the speaker chooses',
      [advert('a', { interfaces: ['eth1'] }), advert('b')], 'n1', undefined],
    ['an advertisement that does not allow self does not count',
      [advert('a', { interfaces: ['eth0'] }), advert('b', { interfaces: ['eth9'], nodeSelectors: [{ matchLabels: { zone: 'b' } }] })], 'n1', ['eth0']],
    ['... and counts on a node it allows',
      [advert('a', { interfaces: ['eth0'] }), advert('b', { interfaces: ['eth9'], nodeSelectors: [{ matchLabels: { zone: 'b' } }] })], 'n2', ['eth0', 'eth9']],
    ['self allowed by none (it announces nothing for this IP): undefined', [advert('b', { interfaces: ['eth9'], nodeSelectors: [{ matchLabels: { zone: 'b' } }] })], 'n1', undefined],
  ])('%s', (_rule, advertisements, self, expected) => {
    expect(interfacesOf(advertisements, self)).toEqual(expected);
  });
});

describe('shared IPs', () => {
  const dns = (name: string, extra: Parameters<typeof svc>[2] = {}) => svc(name, IP, { namespace: 'infra', ...extra });
  const slices = (s: string, nodes: string[]) => slice(s, nodes, true, 'infra');

  test('one IpSpec lists every sharer, sorted by key', () => {
    const { desired } = desiredAnnouncements(cluster({
      services: [dns('dns-udp'), dns('dns-tcp')], endpointSlices: [slices('dns-tcp', ['n1']), slices('dns-udp', ['n2'])],
    }), SELF);
    expect(desired.ips).toEqual([{ ip: IP, services: ['infra/dns-tcp', 'infra/dns-udp'], modes: ['layer2'], nodes: ['n1', 'n2', 'n3'].map((name) => ({ name, weight: 0 })) }]);
  });

  test.each<[string, Partial<ClusterView>, string]>([
    ['a node must be eligible for every sharer (a Local sharer narrows it)',
      { services: [dns('a'), dns('b', { externalTrafficPolicy: 'Local' })], endpointSlices: [slices('a', ['n1']), slices('b', ['n2', 'n3'])] }, 'n2:0 n3:0'],
    ['two Local sharers with endpoints on different nodes: NoCommonNode',
      { services: [dns('a', { externalTrafficPolicy: 'Local' }), dns('b', { externalTrafficPolicy: 'Local' })], endpointSlices: [slices('a', ['n1']), slices('b', ['n2'])] }, 'NoCommonNode'],
    ['a sharer nobody can serve: its own reason', { services: [dns('a'), dns('b')], endpointSlices: [slices('a', ['n1'])] }, 'NoServingEndpoint'],
    ['a sharer of another class is not a sharer', { services: [dns('a'), dns('b', { loadBalancerClass: 'other.example/lb' })], endpointSlices: [slices('a', ['n1'])] }, 'n1:0 n2:0 n3:0'],
    ['a node is as preferred as for its least keen sharer', { services: [dns('a', { labels: { app: 'a' } }), dns('b')],
      endpointSlices: [slices('a', ['n1']), slices('b', ['n1'])],
      advertisements: [advert('all'), advert('for-a', { serviceSelectors: [{ matchLabels: { app: 'a' } }], preferredNodeSelectors: [{ weight: 40, preference: { matchLabels: { zone: 'a' } } }] })] },
    'n1:0 n2:0 n3:0'],
  ])('%s', (_rule, parts, expected) => {
    expect(outcome(cluster(parts))).toBe(expected);
  });

  test('NoCommonNode names each sharer\'s nodes; a sharer\'s own reason lists every sharer of the IP', () => {
    const local = { externalTrafficPolicy: 'Local' };
    const disjoint = desiredAnnouncements(cluster({ services: [dns('a', local), dns('b', local)], endpointSlices: [slices('a', ['n1']), slices('b', ['n2', 'n3'])] }), SELF);
    expect(disjoint.unannounced).toEqual([{ ip: IP, services: ['infra/a', 'infra/b'], reason: 'NoCommonNode',
      message: 'the 2 Services sharing 192.0.2.10 have no eligible node in common: infra/a on "n1"; infra/b on "n2", "n3"' }]);
    const idle = desiredAnnouncements(cluster({ services: [dns('a'), dns('b')], endpointSlices: [slices('a', ['n1'])] }), SELF);
    expect(idle.unannounced).toEqual([{ ip: IP, services: ['infra/a', 'infra/b'], reason: 'NoServingEndpoint',
      message: 'Service infra/b has no serving endpoint, so 192.0.2.10 is not announced' }]);
  });

  test('interfaces of sharers: the union, or the speaker\'s choice when one sharer leaves it open', () => {
    const ads = [advert('a', { serviceSelectors: [{ matchLabels: { app: 'a' } }], interfaces: ['eth1'] }), advert('b', { serviceSelectors: [{ matchLabels: { app: 'b' } }], interfaces: ['eth0'] })];
    const both = cluster({ services: [dns('a', { labels: { app: 'a' } }), dns('b', { labels: { app: 'b' } })], endpointSlices: [slices('a', ['n1']), slices('b', ['n1'])], advertisements: ads });
    expect(desiredAnnouncements(both, SELF).desired.ips[0]?.interfaces).toEqual(['eth0', 'eth1']);
    const open = { ...both, advertisements: [ads[0] ?? advert('x'), advert('b', { serviceSelectors: [{ matchLabels: { app: 'b' } }] })] };
    expect(desiredAnnouncements(open, SELF).desired.ips[0]?.interfaces).toBeUndefined();
  });
});

describe('addresses and the snapshot', () => {
  test('IPv6 ingress IPs are canonical, IPs sorted by address (IPv4 first, numerically), dual-stack Services announce both', () => {
    const { desired } = desiredAnnouncements(cluster({
      services: [svc('v6', '2001:DB8:0::0:10'), svc('dual', ['2001:db8::9', '192.0.2.10']), svc('nine', '192.0.2.9')],
      endpointSlices: [slice('v6', ['n1']), slice('dual', ['n1']), slice('nine', ['n1'])],
    }), SELF);
    expect(desired.ips.map((s) => [s.ip, s.services])).toEqual([
      ['192.0.2.9', ['default/nine']], ['192.0.2.10', ['default/dual']], ['2001:db8::9', ['default/dual']], ['2001:db8::10', ['default/v6']],
    ]);
  });

  test('nodes are the live speakers, one per node, sorted by name', () => {
    const { desired } = desiredAnnouncements(cluster({ speakers: [speakerOn('n3', 2), speakerOn('n1', 0), { node: 'n1', address: '198.51.100.200' }] }), SELF);
    expect(desired).toEqual({ nodes: [{ name: 'n1', address: '198.51.100.1' }, { name: 'n3', address: '198.51.100.3' }], ips: [] });
  });

  test('a message about many nodes stays short: counts and the first three names', () => {
    const names = Array.from({ length: 1000 }, (_, i) => `node-${String(i).padStart(4, '0')}`);
    const { unannounced } = desiredAnnouncements(cluster({
      services: [web()], endpointSlices: [everywhere], speakers: names.map(speakerOn), nodes: names.map((n) => node(n, {}, true)),
    }), SELF);
    expect(unannounced[0]?.message).toBe('none of the 1000 nodes with a speaker may announce 192.0.2.10 of Service default/web for L2Advertisement "all": '
      + '1000 NetworkUnavailable ("node-0000", "node-0001", "node-0002" and 997 more)');
  });
});
