import type { LinkInfo } from '../layer2/decide/interfaces.js';
import type { BgpPeerSpec, DesiredAnnouncements, IpSpec } from '../source/types.js';
import { nextHopFor, planBgp } from './plan.js';

const ROUTER: BgpPeerSpec = {
  name: 'router', myAsn: 64512, peerAsn: { kind: 'fixed', asn: 64512 }, peerAddress: '192.0.2.1', peerPort: 179,
  holdTimeSeconds: 90, keepaliveTimeSeconds: 30, connectTimeSeconds: 5, nodes: ['n1', 'n2', 'n3'], passive: false,
};

const link = (name: string, addresses: [string, number][]): LinkInfo => ({
  name, index: 2, mac: '02:00:00:00:00:11', up: true, hasMaster: false, noArp: false,
  addresses: addresses.map(([address, prefixLength]) => ({ address, prefixLength })),
});

/** n1's links: the segment the router is on (both families), and lo with a VIP. */
const LINKS = [
  link('lo', [['127.0.0.1', 8], ['203.0.113.10', 32]]),
  link('eth0', [['fe80::11', 64], ['192.0.2.11', 24], ['2001:db8:1::11', 64]]),
];

const ip = (address: string, nodes: string[], extra: Partial<IpSpec> = {}): IpSpec => ({
  ip: address, services: [], modes: ['bgp'], nodes: nodes.map((name) => ({ name, weight: 0 })), ...extra,
});

function desired(ips: IpSpec[], peers: BgpPeerSpec[] = [ROUTER]): DesiredAnnouncements {
  return {
    nodes: [{ name: 'n1', address: '192.0.2.11' }, { name: 'n2', address: '192.0.2.12' }, { name: 'n3', address: '2001:db8:1::13' }],
    ips, bgpPeers: peers,
  };
}

describe('planBgp', () => {
  it('advertises every IP this node is eligible for, as a host route with this node as next hop, from every eligible node', () => {
    const d = desired([ip('203.0.113.10', ['n1', 'n2']), ip('2001:db8:3::10', ['n1']), ip('203.0.113.11', ['n2'])]);
    const n1 = planBgp({ self: 'n1', desired: d, links: LINKS });
    expect(n1.peers).toHaveLength(1);
    expect(n1.peers[0]).toMatchObject({
      routerId: '192.0.2.11',
      advertisements: [
        { prefix: '203.0.113.10/32', nextHop: '192.0.2.11' },
        // IPv6 over the IPv4 session (MP-BGP): the global IPv6 address on the link facing the router, not fe80::.
        { prefix: '2001:db8:3::10/128', nextHop: '2001:db8:1::11' },
      ],
      skipped: [],
    });
    const n2 = planBgp({ self: 'n2', desired: d, links: [link('eth0', [['192.0.2.12', 24]])] });
    expect(n2.peers[0]?.advertisements.map((a) => a.prefix)).toEqual(['203.0.113.10/32', '203.0.113.11/32']);
  });

  it('carries LOCAL_PREF and communities; an IP naming other peers does not go to this one', () => {
    const other: BgpPeerSpec = { ...ROUTER, name: 'other', peerAddress: '192.0.2.2' };
    const d = desired([
      ip('203.0.113.10', ['n1'], { bgp: { localPref: 150, communities: [1], largeCommunities: [{ globalAdministrator: 1, localData1: 2, localData2: 3 }] } }),
      ip('203.0.113.11', ['n1'], { bgp: { peers: ['other'] } }),
    ], [ROUTER, other]);
    const plan = planBgp({ self: 'n1', desired: d, links: LINKS });
    expect(plan.peers.map((p) => [p.peer.name, p.advertisements])).toEqual([
      ['router', [{ prefix: '203.0.113.10/32', nextHop: '192.0.2.11', localPref: 150, communities: [1], largeCommunities: [{ globalAdministrator: 1, localData1: 2, localData2: 3 }] }]],
      ['other', [{ prefix: '203.0.113.10/32', nextHop: '192.0.2.11', localPref: 150, communities: [1], largeCommunities: [{ globalAdministrator: 1, localData1: 2, localData2: 3 }] }, { prefix: '203.0.113.11/32', nextHop: '192.0.2.11' }]],
    ]);
  });

  it('announces only IPs whose modes include bgp, and peers only with peers listing this node', () => {
    const d = desired([ip('203.0.113.10', ['n1'], { modes: ['layer2'] })], [{ ...ROUTER, nodes: ['n2'] }]);
    expect(planBgp({ self: 'n1', desired: d, links: LINKS })).toEqual({ peers: [], unusable: [] });
    expect(planBgp({ self: 'n2', desired: d, links: LINKS }).peers[0]?.advertisements).toEqual([]);
  });

  it('an IP in both modes is announced by BGP from its bgp.nodes, not from its layer 2 nodes', () => {
    const both = (nodes: string[], bgpNodes: string[]) => ip('203.0.113.10', nodes, { modes: ['layer2', 'bgp'], bgp: { nodes: bgpNodes } });
    const prefixes = (spec: IpSpec) => planBgp({ self: 'n1', desired: desired([spec]), links: LINKS }).peers[0]?.advertisements.map((a) => a.prefix);
    expect(prefixes(both(['n1'], ['n2', 'n3']))).toEqual([]);
    expect(prefixes(both(['n2'], ['n1', 'n2']))).toEqual(['203.0.113.10/32']);
  });

  it('has no session where no router ID can be found (an IPv6-only node without routerID), and says why', () => {
    const plan = planBgp({ self: 'n3', desired: desired([]), links: [] });
    expect(plan.peers).toEqual([]);
    expect(plan.unusable).toEqual([{ peer: 'router', address: '192.0.2.1', why: expect.stringContaining('2001:db8:1::13 is not IPv4') }]);
    const given = planBgp({ self: 'n3', desired: desired([], [{ ...ROUTER, routerId: '10.0.0.3' }]), links: [] });
    expect(given.peers[0]?.routerId).toBe('10.0.0.3');
  });

  it('has no session with a peer the source marks unusable (its passwordSecret cannot be read), and passes on why', () => {
    const why = 'BGPPeer "router": passwordSecret "tor-md5" names no Secret in "herald-system"';
    const plan = planBgp({ self: 'n1', desired: desired([ip('203.0.113.10', ['n1'])], [{ ...ROUTER, unusable: why }]), links: LINKS });
    expect(plan).toEqual({ peers: [], unusable: [{ peer: 'router', address: '192.0.2.1', why }] });
    // Only its nodes: n4 is not one of them, so it has nothing to say about the peer.
    expect(planBgp({ self: 'n4', desired: desired([], [{ ...ROUTER, unusable: why }]), links: LINKS }).unusable).toEqual([]);
  });

  it('aggregates: each IP masked to its route\'s length, one advertisement per prefix with the union of the IPs\' attributes', () => {
    const d = desired([
      ip('203.0.113.10', ['n1'], { bgp: { routes: [{ prefixLength: 32, localPref: 100, communities: [7] }, { prefixLength: 24, communities: [1] }] } }),
      ip('203.0.113.77', ['n1'], { bgp: { routes: [{ prefixLength: 24, communities: [2], largeCommunities: [{ globalAdministrator: 1, localData1: 2, localData2: 3 }] }] } }),
      ip('203.0.114.5', ['n1'], { bgp: { routes: [{ prefixLength: 24, localPref: 50 }] } }),
      ip('2001:db8:3::10', ['n1'], { bgp: { routes: [{ prefixLength: 64 }] } }),
      ip('2001:db8:3::ff:1', ['n1'], { bgp: { routes: [{ prefixLength: 64 }] } }),
    ]);
    expect(planBgp({ self: 'n1', desired: d, links: LINKS }).peers[0]?.advertisements).toEqual([
      { prefix: '203.0.113.10/32', nextHop: '192.0.2.11', localPref: 100, communities: [7] },
      { prefix: '203.0.113.0/24', nextHop: '192.0.2.11', communities: [1, 2], largeCommunities: [{ globalAdministrator: 1, localData1: 2, localData2: 3 }] },
      { prefix: '203.0.114.0/24', nextHop: '192.0.2.11', localPref: 50 },
      { prefix: '2001:db8:3::/64', nextHop: '2001:db8:1::11' },
    ]);
    expect(planBgp({ self: 'n1', desired: d, links: LINKS }).peers[0]?.ips).toEqual(['203.0.113.10', '203.0.113.77', '203.0.114.5', '2001:db8:3::10', '2001:db8:3::ff:1']);
  });

  it('an aggregate goes only to the peers its route names; another route of the same IP may go elsewhere', () => {
    const other: BgpPeerSpec = { ...ROUTER, name: 'other', peerAddress: '192.0.2.2' };
    const d = desired([ip('203.0.113.10', ['n1'], { bgp: { routes: [{ prefixLength: 32, peers: ['router'] }, { prefixLength: 24, peers: ['other'] }] } })], [ROUTER, other]);
    expect(planBgp({ self: 'n1', desired: d, links: LINKS }).peers.map((p) => [p.peer.name, p.advertisements.map((a) => a.prefix)])).toEqual([
      ['router', ['203.0.113.10/32']], ['other', ['203.0.113.0/24']],
    ]);
  });

  it('a node announces an aggregate only for the IPs it announces (Local: the nodes with an endpoint of one of them)', () => {
    const d = desired([ip('203.0.113.10', ['n2'], { bgp: { routes: [{ prefixLength: 24 }] } }), ip('203.0.113.11', ['n1', 'n2'], { bgp: { routes: [{ prefixLength: 24 }] } })]);
    expect(planBgp({ self: 'n1', desired: d, links: LINKS }).peers[0]?.advertisements.map((a) => a.prefix)).toEqual(['203.0.113.0/24']);
    const gone = desired([ip('203.0.113.10', ['n2'], { bgp: { routes: [{ prefixLength: 24 }] } })]);
    expect(planBgp({ self: 'n1', desired: gone, links: LINKS }).peers[0]?.advertisements).toEqual([]);
  });

  it('skips an IP of a family this node has no next hop for, and says why', () => {
    const plan = planBgp({ self: 'n1', desired: desired([ip('2001:db8:3::10', ['n1'])]), links: [link('eth0', [['192.0.2.11', 24]])] });
    expect(plan.peers[0]?.advertisements).toEqual([]);
    expect(plan.peers[0]?.skipped).toEqual([{ ip: '2001:db8:3::10', reason: 'noNextHop', detail: 'this node has no IPv6 address on the link towards 192.0.2.1' }]);
  });
});

describe('nextHopFor', () => {
  const table: [string, Partial<BgpPeerSpec>, 4 | 6, string | undefined, readonly LinkInfo[], string | null][] = [
    ['the source address, for its family', { sourceAddress: '192.0.2.99' }, 4, '192.0.2.11', LINKS, '192.0.2.99'],
    ['not the source address for the other family', { sourceAddress: '192.0.2.99' }, 6, '192.0.2.11', LINKS, '2001:db8:1::11'],
    ['the address on the link facing the peer', {}, 4, '198.51.100.1', LINKS, '192.0.2.11'],
    ['the node address when no link faces the peer (multihop)', { peerAddress: '10.9.9.9' }, 4, '192.0.2.11', LINKS, '192.0.2.11'],
    ['nothing when neither has the family', { peerAddress: '10.9.9.9' }, 6, '192.0.2.11', LINKS, null],
    ['an IPv6 peer: the IPv4 address of its link', { peerAddress: '2001:db8:1::1' }, 4, undefined, LINKS, '192.0.2.11'],
  ];
  it.each(table)('%s', (_name, peer, family, self, links, want) => {
    expect(nextHopFor(family, { ...ROUTER, ...peer }, self, links)).toBe(want);
  });
});
