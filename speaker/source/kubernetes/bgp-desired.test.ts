// BGP mode in the announcement function, rule by rule: which nodes announce an IP by BGP (every eligible one, no
// election), with what attributes, to which peers, and what the speaker refuses. Each row would fail without its rule.
import { desiredAnnouncements, type DesiredOptions } from './desired.js';
import { EXCLUDE_LABEL } from './eligibility.js';
import { advert, bgpView, cluster, node, slice, speakerOn, svc } from './views.fixture.js';
import type { BGPPeerSpec } from '../../../crds/v1beta1/index.js';
import type { BgpView, ClusterView } from './views.js';

const SELF: DesiredOptions = { self: 'n1', loadBalancerClass: undefined };
const IP = '192.0.2.10';
const web = (extra: Parameters<typeof svc>[2] = {}) => svc('web', IP, extra);
const everywhere = slice('web', ['n1', 'n2', 'n3']);
const ALL_BGP = bgpView({ peers: [['router', {}]], ads: [['bgp-all', {}]] });

/** The IP's outcome: "modes | l2 nodes | bgp nodes", or the reason nobody announces it. */
function outcome(parts: Partial<ClusterView>, options: DesiredOptions = SELF): string {
  const { desired, unannounced } = desiredAnnouncements(cluster({ services: [web()], endpointSlices: [everywhere], ...parts }), options);
  const spec = desired.ips.find((s) => s.ip === IP);
  if (!spec) return unannounced.find((u) => u.ip === IP)?.reason ?? 'absent';
  return `${spec.modes.join('+')} | ${spec.nodes.map((n) => n.name).join(' ')} | ${spec.bgp?.nodes?.join(' ') ?? '-'}`;
}

describe('which nodes announce an IP by BGP', () => {
  const bgpOnly = (bgp: BgpView, parts: Partial<ClusterView> = {}) => ({ advertisements: [], bgp, ...parts });
  test.each<[string, Partial<ClusterView>, string]>([
    ['without BGP objects the IP stays layer 2 only', {}, 'layer2 | n1 n2 n3 | -'],
    ['a BGPAdvertisement selecting the pool: every eligible node announces (no election)', bgpOnly(ALL_BGP), 'bgp | n1 n2 n3 | n1 n2 n3'],
    ['both kinds select it: both modes, each with its own nodes',
      { advertisements: [advert('zone-a', { nodeSelectors: [{ matchLabels: { zone: 'a' } }] })], bgp: bgpView({ ads: [['zone-b', { nodeSelectors: [{ matchLabels: { zone: 'b' } }] }]] }) },
      'layer2+bgp | n1 | n2 n3'],
    ['a BGPAdvertisement for another pool does not apply', bgpOnly(bgpView({ ads: [['dmz', { ipAddressPools: ['dmz'] }]] })), 'NoAdvertisement'],
    ['ipAddressPoolSelectors select the pool by its labels', bgpOnly(bgpView({ ads: [['home', { ipAddressPoolSelectors: [{ matchLabels: { site: 'home' } }] }]] })), 'bgp | n1 n2 n3 | n1 n2 n3'],
    ['serviceSelectors that do not select the Service', bgpOnly(bgpView({ ads: [['db', { serviceSelectors: [{ matchLabels: { app: 'db' } }] }]] })), 'NoAdvertisement'],
    ['nodeSelectors narrow the announcers', bgpOnly(bgpView({ ads: [['zone-b', { nodeSelectors: [{ matchLabels: { zone: 'b' } }] }]] })), 'bgp | n2 n3 | n2 n3'],
    ['the exclude label removes a node', bgpOnly(ALL_BGP, { nodes: [node('n1'), node('n2', { [EXCLUDE_LABEL]: '' }), node('n3')] }), 'bgp | n1 n3 | n1 n3'],
    ['a NetworkUnavailable node does not announce', bgpOnly(ALL_BGP, { nodes: [node('n1'), node('n2'), node('n3', {}, true)] }), 'bgp | n1 n2 | n1 n2'],
    ['a node without a live speaker does not announce', bgpOnly(ALL_BGP, { speakers: [speakerOn('n1'), speakerOn('n3', 2)] }), 'bgp | n1 n3 | n1 n3'],
    ['no speaker anywhere: NoSpeaker', bgpOnly(ALL_BGP, { speakers: [] }), 'NoSpeaker'],
    ['externalTrafficPolicy Local: only nodes with a serving endpoint',
      bgpOnly(ALL_BGP, { services: [web({ externalTrafficPolicy: 'Local' })], endpointSlices: [slice('web', ['n2', 'n3'])] }), 'bgp | n2 n3 | n2 n3'],
    ['Local and no endpoint on an eligible node: NoLocalEndpoint',
      bgpOnly(ALL_BGP, { services: [web({ externalTrafficPolicy: 'Local' })], endpointSlices: [slice('web', [undefined])] }), 'NoLocalEndpoint'],
    ['Cluster needs one serving endpoint somewhere', bgpOnly(ALL_BGP, { endpointSlices: [slice('web', ['n1'], false)] }), 'NoServingEndpoint'],
    ['layer 2 cannot announce (no L2Advertisement) but BGP can: BGP alone', bgpOnly(ALL_BGP), 'bgp | n1 n2 n3 | n1 n2 n3'],
    ['BGP cannot (NoEligibleNode) but layer 2 can: layer 2 alone',
      { bgp: bgpView({ ads: [['nowhere', { nodeSelectors: [{ matchLabels: { zone: 'z' } }] }]] }) }, 'layer2 | n1 n2 n3 | -'],
    ['selected by a BGPAdvertisement but no usable BGPPeer: NoBGPPeer', bgpOnly(bgpView({ peers: [], ads: [['bgp-all', {}]] })), 'NoBGPPeer'],
    ['... and a peer whose passwordSecret cannot be read is not usable',
      bgpOnly(bgpView({ peers: [['md5', { passwordSecret: { name: 'x' } }]], ads: [['bgp-all', {}]], passwords: [['md5', { ok: false, why: 'missing' }]] })), 'NoBGPPeer'],
    ['... while one whose passwordSecret was read is',
      bgpOnly(bgpView({ peers: [['md5', { passwordSecret: { name: 'x' } }]], ads: [['bgp-all', {}]], passwords: [['md5', { ok: true, password: 'k' }]] })), 'bgp | n1 n2 n3 | n1 n2 n3'],
    ['... while layer 2 still announces it when an L2Advertisement selects it', { bgp: bgpView({ peers: [], ads: [['bgp-all', {}]] }) }, 'layer2 | n1 n2 n3 | -'],
    ['neither: the reason of the mode that got further (BGP\'s, when no L2Advertisement selects it)',
      bgpOnly(bgpView({ ads: [['nowhere', { nodeSelectors: [{ matchLabels: { zone: 'z' } }] }]] })), 'NoEligibleNode'],
  ])('%s', (_rule, parts, expected) => {
    expect(outcome(parts)).toBe(expected);
  });

  test('with no advertisement of either kind, the message names both', () => {
    const { unannounced } = desiredAnnouncements(cluster({ services: [web()], endpointSlices: [everywhere], advertisements: [],
      bgp: bgpView({ ads: [['dmz', { ipAddressPools: ['dmz'] }]] }) }), SELF);
    expect(unannounced[0]?.message).toMatch(/there is no L2Advertisement; .*none of the 1 BGPAdvertisement \("dmz"\) selects pool "lan"/);
  });

  test('a shared IP is announced by BGP from the nodes eligible for every sharer', () => {
    const view = cluster({
      services: [web({ externalTrafficPolicy: 'Local' }), svc('api', IP, { externalTrafficPolicy: 'Local' })],
      endpointSlices: [slice('web', ['n1', 'n2']), slice('api', ['n2', 'n3'])], advertisements: [], bgp: ALL_BGP,
    });
    expect(desiredAnnouncements(view, SELF).desired.ips[0]?.bgp?.nodes).toEqual(['n2']);
  });
});

describe('what this node sends for an IP', () => {
  const attributes = (bgp: BgpView, self = 'n1') =>
    desiredAnnouncements(cluster({ services: [web()], endpointSlices: [everywhere], advertisements: [], bgp }), { ...SELF, self }).desired.ips[0]?.bgp;

  test('peers, localPref, communities (aliases resolved, large ones apart)', () => {
    const bgp = bgpView({
      peers: [['r1', {}], ['r2', { peerAddress: '192.0.2.2' }]],
      ads: [['tagged', { peers: ['r2'], localPref: 150, communities: ['65000:100', 'no-export', 'large:4200000000:1:2'] }]],
      aliases: [{ name: 'no-export', value: '65535:65281' }],
    });
    expect(attributes(bgp)).toEqual({
      peers: ['r2'], localPref: 150, communities: [65000 * 65536 + 100, 65535 * 65536 + 65281],
      largeCommunities: [{ globalAdministrator: 4200000000, localData1: 1, localData2: 2 }], nodes: ['n1', 'n2', 'n3'],
    });
  });

  test('overlapping advertisements: the union of communities and peers; one naming no peer means every peer', () => {
    const two = [['a', { peers: ['r1'], communities: ['1:1'] }], ['b', { peers: ['r2'], communities: ['2:2', '1:1'] }]] as [string, object][];
    expect(attributes(bgpView({ ads: two }))).toMatchObject({ peers: ['r1', 'r2'], communities: [65537, 131074] });
    expect(attributes(bgpView({ ads: [...two, ['c', {}]] }))?.peers).toBeUndefined();
  });

  test('an advertisement whose nodeSelectors leave this node out gives it none of its attributes', () => {
    const bgp = bgpView({ ads: [['all', {}], ['zone-b', { communities: ['9:9'], nodeSelectors: [{ matchLabels: { zone: 'b' } }] }]] });
    expect(attributes(bgp, 'n1')?.communities).toBeUndefined();
    expect(attributes(bgp, 'n2')?.communities).toEqual([9 * 65536 + 9]);
  });

  test('an advertisement with an unknown Community alias is left out by lib/config; the others still work', () => {
    const bgp = bgpView({ ads: [['bad', { communities: ['nope'] }], ['good', { localPref: 10 }]] });
    expect(bgp.advertisements.map((a) => a.name)).toEqual(['good']);
    expect(attributes(bgp)?.localPref).toBe(10);
  });
});

describe('aggregation (aggregationLength, aggregationLengthV6)', () => {
  const bgpOf = (bgp: BgpView, ip = IP, self = 'n1') =>
    desiredAnnouncements(cluster({ services: [svc('web', ip)], endpointSlices: [everywhere], advertisements: [], bgp }), { ...SELF, self }).desired.ips[0]?.bgp;

  test('an advertisement with a shorter length gives the IP a route of that length instead of its host route', () => {
    expect(bgpOf(bgpView({ ads: [['agg', { aggregationLength: 24, communities: ['65000:1'] }]] }))).toEqual({
      routes: [{ prefixLength: 24, communities: [65000 * 65536 + 1] }], nodes: ['n1', 'n2', 'n3'],
    });
  });

  test('MetalLB\'s example: a /32 with localPref and no-advertise for inside, and the covering /24 plain; longest first', () => {
    const bgp = bgpView({ ads: [['local', { aggregationLength: 32, localPref: 100, communities: ['65535:65282'] }], ['external', { aggregationLength: 24 }]] });
    expect(bgpOf(bgp)?.routes).toEqual([{ prefixLength: 32, localPref: 100, communities: [65535 * 65536 + 65282] }, { prefixLength: 24 }]);
  });

  test('advertisements with the same length make one route: the union of their peers and communities', () => {
    const bgp = bgpView({
      peers: [['r1', {}], ['r2', { peerAddress: '192.0.2.2' }]],
      ads: [['a', { aggregationLength: 24, peers: ['r1'], communities: ['1:1'] }], ['b', { aggregationLength: 24, peers: ['r2'], communities: ['2:2'] }], ['host', {}]],
    });
    expect(bgpOf(bgp)?.routes).toEqual([{ prefixLength: 32 }, { prefixLength: 24, peers: ['r1', 'r2'], communities: [65537, 2 * 65536 + 2] }]);
  });

  test('the IP\'s family picks the length: aggregationLengthV6 for an IPv6 address, aggregationLength alone leaves it a host route', () => {
    const six = '2001:db8:5::10';
    expect(bgpOf(bgpView({ ads: [['v6', { aggregationLengthV6: 64 }]] }), six)?.routes).toEqual([{ prefixLength: 64 }]);
    expect(bgpOf(bgpView({ ads: [['v4', { aggregationLength: 24 }]] }), six)).toEqual({ nodes: ['n1', 'n2', 'n3'] });
  });

  test('only the advertisements whose nodeSelectors allow this node count', () => {
    const bgp = bgpView({ ads: [['zone-b', { aggregationLength: 24, nodeSelectors: [{ matchLabels: { zone: 'b' } }] }], ['all', {}]] });
    expect(bgpOf(bgp, IP, 'n1')).toEqual({ nodes: ['n1', 'n2', 'n3'] });
    expect(bgpOf(bgp, IP, 'n2')?.routes).toEqual([{ prefixLength: 32 }, { prefixLength: 24 }]);
  });

  test('externalTrafficPolicy Local still decides per Service which nodes announce (each announces the aggregate of what it holds)', () => {
    const view = cluster({ services: [svc('web', IP, { externalTrafficPolicy: 'Local' })], endpointSlices: [slice('web', ['n2'])], advertisements: [],
      bgp: bgpView({ ads: [['agg', { aggregationLength: 24 }]] }) });
    expect(desiredAnnouncements(view, SELF).desired.ips[0]?.bgp?.nodes).toEqual(['n2']);
  });
});

describe('refusals', () => {
  test('a peer whose passwordSecret cannot be read is refused by name and kept, unusable with why, so its nodes say so; the others peer', () => {
    const why = 'BGPPeer "md5": passwordSecret "bgp-auth" names no Secret in "herald-system"';
    const bgp = bgpView({ peers: [['md5', { passwordSecret: { name: 'bgp-auth' }, peerAddress: '192.0.2.2' }], ['plain', {}]], passwords: [['md5', { ok: false, why }]] });
    const result = desiredAnnouncements(cluster({ bgp }), SELF);
    expect(result.desired.bgpPeers?.map((p) => [p.name, p.unusable, p.password])).toEqual([['md5', why, undefined], ['plain', undefined, undefined]]);
    expect(result.bgpRefused).toEqual([{ kind: 'BGPPeer', name: 'md5', message: `${why}; no session is opened to 192.0.2.2` }]);
  });

  test('a peer whose passwordSecret was read opens its session with that key; a peer the source has no answer for is unusable', () => {
    const peers: [string, Partial<BGPPeerSpec>][] = [['md5', { passwordSecret: { name: 'bgp-auth' } }]];
    const read = desiredAnnouncements(cluster({ bgp: bgpView({ peers, passwords: [['md5', { ok: true, password: 'lab-key' }]] }) }), SELF);
    expect(read.desired.bgpPeers?.[0]).toMatchObject({ name: 'md5', password: 'lab-key' });
    expect(read.desired.bgpPeers?.[0]?.unusable).toBeUndefined();
    expect(read.bgpRefused).toEqual([]);
    const unread = desiredAnnouncements(cluster({ bgp: bgpView({ peers }) }), SELF);
    expect(unread.desired.bgpPeers?.[0]).toMatchObject({ name: 'md5', unusable: 'BGPPeer "md5": passwordSecret "bgp-auth" was not read' });
  });

  test('an inline password over the kernel\'s 80 bytes (the CRD counts 80 characters) refuses the peer by name, never quoting it', () => {
    const long = 'é'.repeat(41);
    const result = desiredAnnouncements(cluster({ bgp: bgpView({ peers: [['md5', { password: long }], ['plain', { peerAddress: '192.0.2.3' }]] }) }), SELF);
    expect(result.desired.bgpPeers?.map((p) => p.name)).toEqual(['plain']);
    expect(result.bgpRefused).toEqual([{ kind: 'BGPPeer', name: 'md5', message: expect.stringContaining('82 bytes of UTF-8 (41 characters)') }]);
    expect(JSON.stringify(result.bgpRefused)).not.toContain(long);
  });

  test('a peer\'s inline password, BFD profile, ebgpMultiHop and graceful restart reach its session settings', () => {
    const bgp = bgpView({
      peers: [['md5', { password: 's3cret', bfdProfile: 'fast', enableGracefulRestart: true }], ['far', { peerASN: 65001, peerAddress: '192.0.2.3', ebgpMultiHop: true }]],
      bfd: [['fast', { receiveInterval: 100, transmitInterval: 150, detectMultiplier: 5, passiveMode: true }]],
    });
    const peers = desiredAnnouncements(cluster({ bgp }), SELF).desired.bgpPeers ?? [];
    const md5 = peers.find((p) => p.name === 'md5');
    expect(md5).toMatchObject({ password: 's3cret', gracefulRestart: true,
      bfd: { name: 'fast', receiveIntervalMs: 100, transmitIntervalMs: 150, detectMultiplier: 5, passive: true } });
    expect(md5?.ebgpMultiHop).toBeUndefined();
    const far = peers.find((p) => p.name === 'far');
    expect(far).toMatchObject({ ebgpMultiHop: true });
    expect(far?.password).toBeUndefined();
    expect(far?.bfd).toBeUndefined();
    expect(far?.gracefulRestart).toBeUndefined();
  });
});

describe('bgpPeers', () => {
  test('every usable BGPPeer, its nodeSelectors resolved to node names, its fields carried over', () => {
    const bgp = bgpView({ peers: [
      ['edge', { peerASN: undefined, dynamicASN: 'internal', nodeSelectors: [{ matchLabels: { zone: 'b' } }], holdTime: '9s', connectTime: '2s',
        peerPort: 1179, sourceAddress: '2001:DB8::11', peerAddress: '2001:db8::1', routerID: '192.0.2.11' }],
      ['core', {}],
      ['broken', { holdTime: '2s', peerAddress: '192.0.2.3' }],
    ] });
    expect(desiredAnnouncements(cluster({ bgp }), SELF).desired.bgpPeers).toEqual([
      { name: 'core', myAsn: 64512, peerAsn: { kind: 'fixed', asn: 64513 }, peerAddress: '192.0.2.1', peerPort: 179, holdTimeSeconds: 90,
        keepaliveTimeSeconds: 30, connectTimeSeconds: 120, nodes: ['n1', 'n2', 'n3'], passive: false },
      { name: 'edge', myAsn: 64512, peerAsn: { kind: 'dynamic', dynamic: 'internal' }, peerAddress: '2001:db8::1', peerPort: 1179, holdTimeSeconds: 9,
        keepaliveTimeSeconds: 3, connectTimeSeconds: 2, nodes: ['n2', 'n3'], passive: false, sourceAddress: '2001:db8::11', routerId: '192.0.2.11' },
    ]);
  });

  test('without BGP objects the snapshot has no bgpPeers at all (the file source\'s shape is unchanged)', () => {
    expect(desiredAnnouncements(cluster(), SELF).desired).not.toHaveProperty('bgpPeers');
  });
});
