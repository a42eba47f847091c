import { parseAnnouncements } from './parse.js';

const NODES = 'nodes: [{name: n1, address: 192.0.2.11}, {name: n2, address: 192.0.2.12}]\n';

const good = `${NODES}
bgpPeers:
  - name: router
    myASN: 4200000000
    peerASN: 64512
    peerAddress: 192.0.2.1
    holdTime: 9s
    nodes: [n1]
  - name: rr
    myASN: 64512
    dynamicASN: internal
    peerAddress: "2001:DB8::1"
    peerPort: 1179
    sourceAddress: "2001:db8::11"
    holdTime: 30
    keepaliveTime: 1m0s
    connectTime: 2s
    routerID: 10.0.0.1
    passive: true
    enableGracefulRestart: true
ips:
  - ip: 203.0.113.10
    modes: [bgp]
    bgp: {peers: [router], localPref: 150, communities: ["64512:100", "large:4200000000:1:2"]}
  - ip: 203.0.113.11
    modes: [layer2, bgp]
`;

describe('parseAnnouncements: BGP', () => {
  it('reads bgpPeers with MetalLB field names, durations as numbers or Go durations, and the defaults', () => {
    const result = parseAnnouncements(good);
    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;
    expect(result.desired.bgpPeers).toEqual([
      {
        name: 'router', myAsn: 4_200_000_000, peerAsn: { kind: 'fixed', asn: 64512 }, peerAddress: '192.0.2.1', peerPort: 179,
        holdTimeSeconds: 9, keepaliveTimeSeconds: 3, connectTimeSeconds: 5, nodes: ['n1'], passive: false,
      },
      {
        name: 'rr', myAsn: 64512, peerAsn: { kind: 'dynamic', dynamic: 'internal' }, peerAddress: '2001:db8::1', peerPort: 1179,
        sourceAddress: '2001:db8::11', holdTimeSeconds: 30, keepaliveTimeSeconds: 60, connectTimeSeconds: 2, routerId: '10.0.0.1',
        nodes: ['n1', 'n2'], passive: true, gracefulRestart: true,
      },
    ]);
  });

  it("reads an IP's bgp mapping: peers, LOCAL_PREF, standard and large communities as numbers", () => {
    const result = parseAnnouncements(good);
    if (!result.ok) throw new Error(result.problems.join('; '));
    expect(result.desired.ips[0]).toMatchObject({
      modes: ['bgp'],
      bgp: { peers: ['router'], localPref: 150, communities: [64512 * 65536 + 100], largeCommunities: [{ globalAdministrator: 4_200_000_000, localData1: 1, localData2: 2 }] },
    });
    expect(result.desired.ips[1]).toMatchObject({ modes: ['layer2', 'bgp'] });
    expect(result.desired.ips[1]?.bgp).toBeUndefined();
  });

  it('leaves bgpPeers out of a file without them (the layer 2 snapshot is unchanged)', () => {
    const result = parseAnnouncements(`${NODES}ips: [{ip: 192.0.2.100}]`);
    expect(result.ok && 'bgpPeers' in result.desired).toBe(false);
  });

  const peer = (fields: string): string => `${NODES}bgpPeers: [{name: r, myASN: 64512, peerAddress: 192.0.2.1, ${fields}}]`;
  const bad: [string, string, string][] = [
    ['neither peerASN nor dynamicASN', peer('holdTime: 9'), 'bgpPeers[0]: give exactly one of peerASN and dynamicASN'],
    ['both peerASN and dynamicASN', peer('peerASN: 1, dynamicASN: internal'), 'give exactly one of peerASN and dynamicASN'],
    ['an AS number of 0', peer('peerASN: 0'), 'bgpPeers[0].peerASN: must be an integer in 1-4294967295, got 0'],
    ['an AS number above 32 bits', peer('peerASN: 4294967296'), 'peerASN: must be an integer in 1-4294967295'],
    ['a dynamicASN typo', peer('dynamicASN: extern'), 'bgpPeers[0].dynamicASN: must be "internal" or "external", got "extern"'],
    ['a hold time of 2 s', peer('peerASN: 1, holdTime: 2s'), 'bgpPeers[0].holdTime: 2 s is neither 0 nor 3-65535 s (RFC 4271 §4.2)'],
    ['a duration that is not one', peer('peerASN: 1, holdTime: soon'), 'bgpPeers[0].holdTime: "soon" is not a duration'],
    ['half seconds', peer('peerASN: 1, keepaliveTime: 1500ms'), 'keepaliveTime: "1500ms" is not whole seconds'],
    ['a port of 0', peer('peerASN: 1, peerPort: 0'), 'bgpPeers[0].peerPort: must be an integer in 1-65535, got 0'],
    ['an IPv6 router ID', peer('peerASN: 1, routerID: "2001:db8::1"'), 'routerID: "2001:db8::1" is not an IPv4 address (RFC 6286)'],
    ['a node not listed', peer('peerASN: 1, nodes: [n9]'), 'bgpPeers[0].nodes: "n9" is not a node listed under "nodes"'],
    ['enableGracefulRestart as text', peer('peerASN: 1, enableGracefulRestart: "yes"'), 'bgpPeers[0].enableGracefulRestart: must be true or false, got "yes"'],
    ['passive as a number', peer('peerASN: 1, passive: 1'), 'bgpPeers[0].passive: must be true or false, got 1'],
    ['a typo in a key', peer('peerASN: 1, holdtime: 9'), 'bgpPeers[0]: unknown key "holdtime"'],
    ['a peer listed twice', `${NODES}bgpPeers: [{name: r, myASN: 1, peerASN: 1, peerAddress: 192.0.2.1}, {name: r, myASN: 1, peerASN: 1, peerAddress: 192.0.2.2}]`,
      'bgpPeers: "r" is listed twice'],
    ['an IP naming an unknown peer', `${peer('peerASN: 1')}\nips: [{ip: 203.0.113.1, modes: [bgp], bgp: {peers: [x]}}]`,
      'ips[0].bgp.peers: "x" is not a peer listed under "bgpPeers"'],
    ['a community out of range', `${peer('peerASN: 1')}\nips: [{ip: 203.0.113.1, modes: [bgp], bgp: {communities: ["65536:1"]}}]`,
      'ips[0].bgp.communities: community "65536:1"'],
    ['bgp on an IP BGP does not announce', `${peer('peerASN: 1')}\nips: [{ip: 203.0.113.1, bgp: {localPref: 1}}]`,
      'ips[0].bgp: set, but ips[0].modes does not include "bgp"'],
    ['a password of 81 bytes', peer(`peerASN: 1, password: "${'p'.repeat(81)}"`), 'bgpPeers[0].password: the password is 81 bytes of UTF-8 (81 characters); the kernel takes a TCP MD5 key of at most 80 bytes'],
    ['a password of 41 characters but 82 bytes', peer(`peerASN: 1, password: "${'é'.repeat(41)}"`), 'the password is 82 bytes of UTF-8 (41 characters)'],
    ['an empty password', peer('peerASN: 1, password: ""'), 'bgpPeers[0].password: the password is empty'],
    ['a password that is a number', peer('peerASN: 1, password: 1234'), 'bgpPeers[0].password: must be a string, got a number'],
    ['ebgpMultiHop on iBGP', peer('peerASN: 64512, ebgpMultiHop: true'), 'bgpPeers[0].ebgpMultiHop: set on an iBGP session'],
    ['ebgpMultiHop that is not a boolean', peer('peerASN: 1, ebgpMultiHop: "yes"'), 'bgpPeers[0].ebgpMultiHop: must be true or false, got "yes"'],
    ['gtsmHops of 0', peer('peerASN: 1, gtsmHops: 0'), 'bgpPeers[0].gtsmHops: must be an integer in 1-254, got 0'],
    ['gtsmHops with ebgpMultiHop', peer('peerASN: 1, gtsmHops: 2, ebgpMultiHop: true'), 'bgpPeers[0]: give at most one of ebgpMultiHop and gtsmHops'],
    ['a bfdProfile not listed', peer('peerASN: 1, bfdProfile: fast'), 'bgpPeers[0].bfdProfile: "fast" is not a profile listed under "bfdProfiles"'],
    ['BFD on a multi-hop peer', `${peer('peerASN: 1, bfdProfile: fast, ebgpMultiHop: true')}\nbfdProfiles: [{name: fast}]`, "bgpPeers[0].bfdProfile: \"fast\" on a multi-hop peer; Herald's BFD is single-hop"],
    ['a BFD interval below 10 ms', `${peer('peerASN: 1')}\nbfdProfiles: [{name: fast, receiveInterval: 5}]`, 'bfdProfiles[0].receiveInterval: must be an integer in 10-60000, got 5'],
    ['a detect multiplier of 1', `${peer('peerASN: 1')}\nbfdProfiles: [{name: fast, detectMultiplier: 1}]`, 'bfdProfiles[0].detectMultiplier: must be an integer in 2-255, got 1'],
    ['echo mode', `${peer('peerASN: 1')}\nbfdProfiles: [{name: fast, echoMode: true}]`, 'bfdProfiles[0]: BFDProfile "fast": echoMode is not supported'], // lib/config's message,
    ['a typo in a profile', `${peer('peerASN: 1')}\nbfdProfiles: [{name: fast, detectMultiplyer: 3}]`, 'bfdProfiles[0]: unknown key "detectMultiplyer"'],
    ['a profile listed twice', `${peer('peerASN: 1')}\nbfdProfiles: [{name: fast}, {name: fast}]`, 'bfdProfiles: "fast" is listed twice'],
  ];
  it.each(bad)('rejects %s, naming the value', (_name, text, message) => {
    const result = parseAnnouncements(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join('\n')).toContain(message);
  });

  it('reads the password, the TTL rules and the BFD profile a peer names, with the defaults a profile leaves out', () => {
    const text = `${NODES}bfdProfiles: [{name: fast, receiveInterval: 100, transmitInterval: 50, passiveMode: true}, {name: plain}]
bgpPeers:
  - {name: a, myASN: 64512, peerASN: 64513, peerAddress: 192.0.2.1, password: "${'é'.repeat(40)}", bfdProfile: fast, gtsmHops: 1}
  - {name: b, myASN: 64512, peerASN: 64513, peerAddress: 198.51.100.1, ebgpMultiHop: true}
  - {name: c, myASN: 64512, peerASN: 64512, peerAddress: 192.0.2.2, bfdProfile: plain}
`;
    const result = parseAnnouncements(text);
    if (!result.ok) throw new Error(result.problems.join('; '));
    const [a, b, c] = result.desired.bgpPeers ?? [];
    expect(a).toMatchObject({ password: 'é'.repeat(40), gtsmHops: 1, bfd: { name: 'fast', receiveIntervalMs: 100, transmitIntervalMs: 50, detectMultiplier: 3, passive: true, minimumTtl: 254 } });
    expect(b).toMatchObject({ ebgpMultiHop: true });
    expect(b?.bfd).toBeUndefined();
    expect(b?.password).toBeUndefined();
    expect(c?.bfd).toEqual({ name: 'plain', receiveIntervalMs: 300, transmitIntervalMs: 300, detectMultiplier: 3, passive: false, minimumTtl: 254 });
  });

  it('never quotes a bad password back (problems reach logs)', () => {
    const result = parseAnnouncements(peer(`peerASN: 1, password: "${'secret'.repeat(20)}"`));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join('\n')).not.toContain('secret');
  });
});
