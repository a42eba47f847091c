// The BGP objects' Ready conditions, one row per rule (bgp-peers.ts, bgp-advertisements.ts, bgp.ts), then the
// model the valid objects become, and that one bad object never stops the others.
import { bgpConfigFromResources, bgpReadinessFromResources, MESSAGE_MAX_BYTES, utf8Length, type BGPObjectKind, type BGPResources, type PasswordSecrets } from './index.js';
import { ad, bfd, community, node, peer, pool, resources } from './fixtures.js';

const BASIC_AUTH = 'kubernetes.io/basic-auth';
/** Herald's namespace holding `secrets` (name, type, keys). */
const secrets = (...list: [string, string | undefined, string[]][]): PasswordSecrets =>
  ({ namespace: 'herald-system', secrets: list.map(([name, type, keys]) => ({ name, type, keys })) });

interface Row {
  rule: string;
  given: Partial<BGPResources>;
  /** The object whose condition the row is about. */
  object: [BGPObjectKind, string];
  status: 'True' | 'False';
  reason: string;
  message: string | RegExp;
}

const ROWS: Row[] = [
  // BGPPeer
  { rule: 'a plain eBGP peer is valid, and says nothing is announced yet', given: { peers: [peer('tor')] }, object: ['BGPPeer', 'tor'],
    status: 'True', reason: 'Valid', message: 'BGPPeer "tor" is valid' },
  { rule: 'vrf is refused', given: { peers: [peer('tor', { vrf: 'red' })] }, object: ['BGPPeer', 'tor'], status: 'False', reason: 'VRFNotSupported',
    message: 'BGPPeer "tor": vrf "red" is not supported: Herald peers from the node\'s main routing table; remove vrf' },
  { rule: 'password and passwordSecret both set', given: { peers: [peer('tor', { password: 'x', passwordSecret: { name: 'tor-md5' } })] }, object: ['BGPPeer', 'tor'],
    status: 'False', reason: 'PasswordConflict', message: 'BGPPeer "tor": both password and passwordSecret "tor-md5" are set; keep one' },
  { rule: 'an empty passwordSecret beside a password is no conflict (MetalLB\'s struct is never absent)',
    given: { peers: [peer('tor', { password: 'x', passwordSecret: {} })] }, object: ['BGPPeer', 'tor'], status: 'True', reason: 'Valid', message: /is valid/ },
  { rule: 'iBGP (peerASN = myASN) with ebgpMultiHop', given: { peers: [peer('rr', { peerASN: 64512, ebgpMultiHop: true })] }, object: ['BGPPeer', 'rr'],
    status: 'False', reason: 'MultiHopWithIBGP', message: 'BGPPeer "rr": ebgpMultiHop is set on an iBGP session (peerASN 64512 is myASN); multi-hop applies to eBGP only' },
  { rule: 'iBGP (dynamicASN internal) with ebgpMultiHop', given: { peers: [peer('rr', { peerASN: undefined, dynamicASN: 'internal', ebgpMultiHop: true })] },
    object: ['BGPPeer', 'rr'], status: 'False', reason: 'MultiHopWithIBGP', message: /\(dynamicASN is internal\)/ },
  { rule: 'eBGP with ebgpMultiHop is fine', given: { peers: [peer('far', { ebgpMultiHop: true })] }, object: ['BGPPeer', 'far'], status: 'True', reason: 'Valid', message: /is valid/ },
  { rule: 'a hold time under 3s', given: { peers: [peer('tor', { holdTime: '2s' })] }, object: ['BGPPeer', 'tor'], status: 'False', reason: 'InvalidTimers',
    message: 'BGPPeer "tor": holdTime "2s" must be 0 or from 3s to 65535s (RFC 4271 §4.2)' },
  { rule: 'a keepalive longer than the hold time', given: { peers: [peer('tor', { holdTime: '9s', keepaliveTime: '1m' })] }, object: ['BGPPeer', 'tor'],
    status: 'False', reason: 'InvalidTimers', message: 'BGPPeer "tor": keepaliveTime "1m" is longer than holdTime "9s": the session would expire between keepalives' },
  { rule: 'a connect time that is not whole seconds', given: { peers: [peer('tor', { connectTime: '1500ms' })] }, object: ['BGPPeer', 'tor'],
    status: 'False', reason: 'InvalidTimers', message: 'BGPPeer "tor": connectTime "1500ms" must be whole seconds from 1s to 65535s' },
  { rule: 'a bfdProfile that names no BFDProfile', given: { peers: [peer('tor', { bfdProfile: 'fast' })] }, object: ['BGPPeer', 'tor'],
    status: 'False', reason: 'BFDProfileNotFound', message: 'BGPPeer "tor": bfdProfile "fast" names no BFDProfile in herald-system' },
  { rule: 'a bfdProfile that exists', given: { peers: [peer('tor', { bfdProfile: 'fast' })], bfdProfiles: [bfd('fast')] }, object: ['BGPPeer', 'tor'],
    status: 'True', reason: 'Valid', message: /is valid/ },
  { rule: 'a passwordSecret that names no Secret', given: { peers: [peer('tor', { passwordSecret: { name: 'tor-md5' } })], secrets: secrets(['other', BASIC_AUTH, ['password']]) },
    object: ['BGPPeer', 'tor'], status: 'False', reason: 'SecretNotFound', message: 'BGPPeer "tor": passwordSecret "tor-md5" names no Secret in "herald-system"' },
  { rule: 'a passwordSecret in another namespace (Herald reads its own only)', object: ['BGPPeer', 'tor'], status: 'False', reason: 'SecretNotFound',
    given: { peers: [peer('tor', { passwordSecret: { name: 'tor-md5', namespace: 'kube-system' } })], secrets: secrets(['tor-md5', BASIC_AUTH, ['password']]) },
    message: 'BGPPeer "tor": passwordSecret "kube-system/tor-md5" is in namespace "kube-system": Herald reads a peer\'s Secret from "herald-system" only; move the Secret there' },
  { rule: 'a basic-auth Secret with a password, named with or without the namespace', object: ['BGPPeer', 'tor'], status: 'True', reason: 'Valid', message: /is valid/,
    given: { peers: [peer('tor', { passwordSecret: { name: 'tor-md5', namespace: 'herald-system' } })], secrets: secrets(['tor-md5', BASIC_AUTH, ['username', 'password']]) } },
  { rule: 'a Secret of another type', given: { peers: [peer('tor', { passwordSecret: { name: 'tor-md5' } })], secrets: secrets(['tor-md5', 'Opaque', ['password']]) },
    object: ['BGPPeer', 'tor'], status: 'False', reason: 'InvalidSecret',
    message: 'BGPPeer "tor": passwordSecret "tor-md5" is a Secret of type "Opaque"; it must be of type kubernetes.io/basic-auth' },
  { rule: 'a Secret without a type is Opaque', given: { peers: [peer('tor', { passwordSecret: { name: 'tor-md5' } })], secrets: secrets(['tor-md5', undefined, ['password']]) },
    object: ['BGPPeer', 'tor'], status: 'False', reason: 'InvalidSecret', message: /is a Secret of type "Opaque"/ },
  { rule: 'a basic-auth Secret without a password key', given: { peers: [peer('tor', { passwordSecret: { name: 'tor-md5' } })], secrets: secrets(['tor-md5', BASIC_AUTH, ['username']]) },
    object: ['BGPPeer', 'tor'], status: 'False', reason: 'InvalidSecret', message: 'BGPPeer "tor": passwordSecret "tor-md5" has no "password" key' },
  { rule: 'without the Secrets (not given) a passwordSecret is not judged', given: { peers: [peer('tor', { passwordSecret: { name: 'tor-md5' } })] },
    object: ['BGPPeer', 'tor'], status: 'True', reason: 'Valid', message: /is valid/ },
  { rule: 'password beside a missing passwordSecret: both problems, PasswordConflict first', object: ['BGPPeer', 'tor'], status: 'False', reason: 'PasswordConflict',
    given: { peers: [peer('tor', { password: 'x', passwordSecret: { name: 'gone' } })], secrets: secrets() },
    message: 'BGPPeer "tor": both password and passwordSecret "gone" are set; keep one; also BGPPeer "tor": passwordSecret "gone" names no Secret in "herald-system"' },
  { rule: 'two peers with one address on every node: both reported', given: { peers: [peer('a'), peer('b', { peerAddress: '192.0.2.1' })] }, object: ['BGPPeer', 'b'],
    status: 'False', reason: 'DuplicatePeer', message: /^BGPPeer "b": peerAddress 192\.0\.2\.1 is also the address of BGPPeer "a", on every node; a node opens one session per address/ },
  { rule: 'the same address written differently is the same peer', given: { peers: [peer('a', { peerAddress: '2001:db8::1' }), peer('b', { peerAddress: '2001:DB8:0::1' })] },
    object: ['BGPPeer', 'a'], status: 'False', reason: 'DuplicatePeer', message: /peerAddress 2001:db8::1 is also the address of BGPPeer "b"/ },
  { rule: 'one address on selectors that share a known node', object: ['BGPPeer', 'a'], status: 'False', reason: 'DuplicatePeer',
    given: { peers: [peer('a', { nodeSelectors: [{ matchLabels: { rack: '1' } }] }), peer('b', { nodeSelectors: [{ matchLabels: { zone: 'x' } }] })],
      nodes: [node('n1', { rack: '1', zone: 'x' }), node('n2', { rack: '2' })] }, message: /on node "n1"/ },
  { rule: 'one address on node sets that do not meet is fine', object: ['BGPPeer', 'a'], status: 'True', reason: 'Valid', message: /is valid/,
    given: { peers: [peer('a', { nodeSelectors: [{ matchLabels: { rack: '1' } }] }), peer('b', { nodeSelectors: [{ matchLabels: { rack: '2' } }] })],
      nodes: [node('n1', { rack: '1' }), node('n2', { rack: '2' })] } },
  { rule: 'a nodeSelector that does not compile', given: { peers: [peer('tor', { nodeSelectors: [{ matchExpressions: [{ key: 'rack', operator: 'In' }] }] })] },
    object: ['BGPPeer', 'tor'], status: 'False', reason: 'InvalidSelector',
    message: 'BGPPeer "tor": nodeSelectors[0] {"matchExpressions":[{"key":"rack","operator":"In"}]}: operator In on key "rack" needs at least one value; until it is fixed that selector matches nothing, and the other selectors work on' },
  { rule: 'several problems: the first in REASON_ORDER is the reason, the message names all', object: ['BGPPeer', 'tor'], status: 'False', reason: 'VRFNotSupported',
    given: { peers: [peer('tor', { vrf: 'red', bfdProfile: 'gone' })] }, message: /remove vrf; also BGPPeer "tor": bfdProfile "gone" names no BFDProfile/ },
  // BGPAdvertisement
  { rule: 'an empty advertisement is valid', given: { advertisements: [ad('all')] }, object: ['BGPAdvertisement', 'all'], status: 'True', reason: 'Valid', message: /is valid/ },
  { rule: 'an aggregation shorter than the pool\'s prefix', given: { advertisements: [ad('agg', { aggregationLength: 16 })] }, object: ['BGPAdvertisement', 'agg'],
    status: 'False', reason: 'InvalidAggregationLength',
    message: 'BGPAdvertisement "agg": aggregationLength 16 is shorter than /24, the widest IPv4 block of entry "192.0.2.0/24" of IPAddressPool "lan": a /16 would announce addresses outside the pool; use 24 or longer' },
  { rule: 'an aggregation equal to the pool\'s prefix is fine', given: { advertisements: [ad('agg', { aggregationLength: 24, aggregationLengthV6: 64 })] },
    object: ['BGPAdvertisement', 'agg'], status: 'True', reason: 'Valid', message: /is valid/ },
  { rule: 'IPv6: aggregationLengthV6 shorter than a range\'s widest block', object: ['BGPAdvertisement', 'agg'], status: 'False', reason: 'InvalidAggregationLength',
    given: { advertisements: [ad('agg', { aggregationLengthV6: 120 })], pools: [pool('v6', ['2001:db8::10-2001:db8::1f'])] },
    message: /aggregationLengthV6 120 is shorter than \/124, the widest IPv6 block of entry "2001:db8::10-2001:db8::1f" of IPAddressPool "v6"/ },
  { rule: 'a pool the advertisement does not announce is not judged', given: { advertisements: [ad('agg', { aggregationLength: 16, ipAddressPools: ['other'] })] },
    object: ['BGPAdvertisement', 'agg'], status: 'True', reason: 'Valid', message: /is valid/ },
  { rule: 'two advertisements of one prefix with different localPref: both reported', object: ['BGPAdvertisement', 'a'], status: 'False', reason: 'LocalPrefConflict',
    given: { advertisements: [ad('a', { localPref: 100 }), ad('b', { localPref: 200 })] },
    message: 'BGPAdvertisement "a": localPref 100 contradicts localPref 200 of BGPAdvertisement "b": both announce the IPv4 addresses of IPAddressPool "lan" as /32 prefixes to the same peers; give them one localPref, or different pools, aggregation lengths or peers' },
  { rule: 'different localPref on different aggregation lengths is fine', object: ['BGPAdvertisement', 'a'], status: 'True', reason: 'Valid', message: /is valid/,
    given: { advertisements: [ad('a', { localPref: 100 }), ad('b', { localPref: 200, aggregationLength: 24, aggregationLengthV6: 64 })] } },
  { rule: 'different localPref to different peers is fine', object: ['BGPAdvertisement', 'b'], status: 'True', reason: 'Valid', message: /is valid/,
    given: { advertisements: [ad('a', { localPref: 100, peers: ['x'] }), ad('b', { localPref: 200, peers: ['y'] })] } },
  { rule: 'a malformed standard community', given: { advertisements: [ad('c', { communities: ['65000:100', '65536:1'] })] }, object: ['BGPAdvertisement', 'c'],
    status: 'False', reason: 'InvalidCommunity', message: 'BGPAdvertisement "c": communities[1]: community "65536:1": the first half 65536 is above 65535' },
  { rule: 'a malformed large community', given: { advertisements: [ad('c', { communities: ['large:1:2'] })] }, object: ['BGPAdvertisement', 'c'],
    status: 'False', reason: 'InvalidCommunity', message: 'BGPAdvertisement "c": communities[0]: community "large:1:2": a large community is "large:" and three numbers joined by ":"' },
  { rule: 'an alias that no Community defines', given: { advertisements: [ad('c', { communities: ['no-export'] })] }, object: ['BGPAdvertisement', 'c'],
    status: 'False', reason: 'UnknownCommunity',
    message: 'BGPAdvertisement "c": communities[0]: "no-export" is neither a community ("65000:100", "large:1:2:3") nor the name of a Community alias' },
  { rule: 'an alias that a Community defines', object: ['BGPAdvertisement', 'c'], status: 'True', reason: 'Valid', message: /is valid/,
    given: { advertisements: [ad('c', { communities: ['no-export', 'large:1:2:3'] })], communities: [community('aliases', { name: 'no-export', value: '65535:65281' })] } },
  { rule: 'an alias whose definition is broken', object: ['BGPAdvertisement', 'c'], status: 'False', reason: 'UnknownCommunity',
    given: { advertisements: [ad('c', { communities: ['bad'] })], communities: [community('aliases', { name: 'bad', value: '1:99999' })] },
    message: 'BGPAdvertisement "c": communities[0]: Community alias "bad" cannot be used: its value in Community "aliases" is invalid' },
  { rule: 'a selector that does not compile', given: { advertisements: [ad('s', { serviceSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }] })] },
    object: ['BGPAdvertisement', 's'], status: 'False', reason: 'InvalidSelector', message: /^BGPAdvertisement "s": serviceSelectors\[0\] .*takes no values/ },
  // BFDProfile
  { rule: 'a profile with MetalLB\'s defaults is valid', given: { bfdProfiles: [bfd('default')] }, object: ['BFDProfile', 'default'], status: 'True', reason: 'Valid', message: /is valid/ },
  { rule: 'echoMode is refused', given: { bfdProfiles: [bfd('echo', { echoMode: true })] }, object: ['BFDProfile', 'echo'], status: 'False', reason: 'EchoModeNotSupported',
    message: 'BFDProfile "echo": echoMode is not supported: Herald\'s BFD sends control packets only (RFC 5880 asynchronous mode); set echoMode false or remove it' },
  // Community
  { rule: 'an alias value out of range', given: { communities: [community('aliases', { name: 'big', value: 'large:4294967296:0:0' })] }, object: ['Community', 'aliases'],
    status: 'False', reason: 'InvalidCommunity', message: 'Community "aliases": alias "big": community "large:4294967296:0:0": global administrator 4294967296 is above 4294967295' },
  { rule: 'one alias name in two Community objects: both reported', object: ['Community', 'b'], status: 'False', reason: 'DuplicateCommunity',
    given: { communities: [community('a', { name: 'x', value: '1:1' }), community('b', { name: 'x', value: '1:2' })] },
    message: 'Community "b": alias "x" is also defined in Community "a"; neither is used until it is defined once' },
];

describe('the Ready condition of each BGP object, rule by rule', () => {
  test.each(ROWS.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const [kind, name] = row.object;
    const got = bgpReadinessFromResources(resources(row.given)).find((r) => r.kind === kind && r.name === name);
    expect(got).toMatchObject({ status: row.status, reason: row.reason });
    expect(got?.message).toEqual(typeof row.message === 'string' ? row.message : expect.stringMatching(row.message));
  });

  test('every reason of the model has a row', () => {
    const reasons = new Set(ROWS.map((r) => r.reason));
    for (const reason of ['VRFNotSupported', 'PasswordConflict', 'MultiHopWithIBGP', 'InvalidTimers', 'BFDProfileNotFound', 'DuplicatePeer', 'SecretNotFound', 'InvalidSecret',
      'InvalidAggregationLength', 'LocalPrefConflict', 'InvalidCommunity', 'UnknownCommunity', 'InvalidSelector', 'EchoModeNotSupported', 'DuplicateCommunity', 'Valid']) {
      expect(reasons).toContain(reason);
    }
  });
});

describe('bgpConfigFromResources', () => {
  test('one bad object of each kind never stops the others, which become the model with defaults applied', () => {
    const config = bgpConfigFromResources(resources({
      peers: [peer('bad', { vrf: 'red', peerAddress: '192.0.2.9' }), peer('good', { peerAddress: '192.0.2.2', bfdProfile: 'slow', passwordSecret: { name: 's' } })],
      advertisements: [ad('bad', { communities: ['nope'] }), ad('good', { communities: ['gold', 'gold', '65000:1'], localPref: 50 })],
      bfdProfiles: [bfd('echo', { echoMode: true }), bfd('slow', { transmitInterval: 1000 })],
      communities: [community('c', { name: 'gold', value: '65000:1' }, { name: 'broken', value: '70000:1' })],
    }));
    expect(config.problems.map((p) => `${p.kind}/${p.name} ${p.reason} ${p.field}=${p.value}`)).toEqual([
      'BGPPeer/bad VRFNotSupported vrf=red',
      'BGPAdvertisement/bad UnknownCommunity communities[0]=nope',
      'BFDProfile/echo EchoModeNotSupported echoMode=true',
      'Community/c InvalidCommunity communities[1].value=70000:1',
    ]);
    expect(config.peers).toEqual([expect.objectContaining({
      name: 'good', myASN: 64512, peerASN: { kind: 'fixed', asn: 64513 }, peerAddress: { family: 4, value: 0xc0000202n }, peerPort: 179,
      holdTimeMs: 90_000, keepaliveTimeMs: 30_000, connectTimeMs: 120_000, password: { kind: 'secret', name: 's', namespace: undefined }, bfdProfile: 'slow',
    })]);
    expect(config.advertisements).toEqual([expect.objectContaining({
      name: 'good', aggregationLength: 32, aggregationLengthV6: 128, localPref: 50, communities: [{ kind: 'standard', asn: 65000, value: 1 }],
    })]);
    expect(config.bfdProfiles).toEqual([{ name: 'slow', receiveIntervalMs: 300, transmitIntervalMs: 1000, detectMultiplier: 3, echoIntervalMs: 50, passiveMode: false, minimumTtl: 254 }]);
    expect([...config.communities.keys()]).toEqual(['gold']);
  });

  test('a peer whose Secret is missing is left out of the model; with its Secret it is in', () => {
    const given = { peers: [peer('tor', { passwordSecret: { name: 'tor-md5' } })] };
    expect(bgpConfigFromResources(resources({ ...given, secrets: secrets() })).peers).toEqual([]);
    expect(bgpConfigFromResources(resources({ ...given, secrets: secrets(['tor-md5', BASIC_AUTH, ['password']]) })).peers.map((p) => p.name)).toEqual(['tor']);
  });

  test('duplicate peers are both left out; a peer with only an unusable selector stays', () => {
    const config = bgpConfigFromResources(resources({ peers: [
      peer('a'), peer('b'), peer('c', { peerAddress: '192.0.2.3', nodeSelectors: [{ matchExpressions: [{ key: 'k', operator: 'In' }] }] }),
    ] }));
    expect(config.peers.map((p) => p.name)).toEqual(['c']);
    expect(config.problems.map((p) => `${p.name} ${p.reason}`)).toEqual(['a DuplicatePeer', 'b DuplicatePeer', 'c InvalidSelector']);
  });

  test('messages stay bounded whatever the names', () => {
    const long = 'p'.repeat(253);
    const readiness = bgpReadinessFromResources(resources({
      peers: [peer(long, { vrf: 'v'.repeat(15), password: 'x', passwordSecret: { name: 's'.repeat(253) }, bfdProfile: 'b'.repeat(253), holdTime: '1s' })],
    }));
    expect(readiness[0]?.reason).toBe('VRFNotSupported');
    expect(utf8Length(readiness[0]?.message ?? '')).toBeLessThanOrEqual(MESSAGE_MAX_BYTES);
    expect(readiness[0]?.message).toMatch(/^BGPPeer "p{63}…": vrf/);
  });
});

describe('Community aliases', () => {
  test('an alias in three Community objects: each reports the name field of its own definition and names the others', () => {
    const config = bgpConfigFromResources(resources({
      communities: [
        community('b', { name: 'y', value: '1:2' }, { name: 'x', value: '1:2' }), community('a', { name: 'x', value: '1:1' }), community('c', { name: 'x', value: '1:3' }),
      ],
    }));
    expect(config.problems.map((p) => `${p.name} ${p.reason} ${p.field}=${p.value}`)).toEqual([
      'a DuplicateCommunity communities[0].name=x', 'b DuplicateCommunity communities[1].name=x', 'c DuplicateCommunity communities[0].name=x',
    ]);
    expect(config.problems[0]?.message).toBe('Community "a": alias "x" is also defined in Community "b", "c"; neither is used until it is defined once');
    expect([...config.communities]).toEqual([['y', { kind: 'standard', asn: 1, value: 2 }]]);
  });

  test('an alias defined twice in one Community object is a duplicate too', () => {
    const config = bgpConfigFromResources(resources({ communities: [community('a', { name: 'x', value: '1:1' }, { name: 'x', value: '1:1' })] }));
    expect(config.problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      'communities[0].name: Community "a": alias "x" is also defined in Community "a"; neither is used until it is defined once',
      'communities[1].name: Community "a": alias "x" is also defined in Community "a"; neither is used until it is defined once',
    ]);
    expect(config.communities.size).toBe(0);
  });
});

describe('the order of the objects decides nothing', () => {
  const given = resources({
    peers: [peer('b', { peerAddress: '192.0.2.2' }), peer('a', { vrf: 'red' }), peer('d', { peerAddress: '192.0.2.4' }), peer('c', { peerAddress: '192.0.2.3', bfdProfile: 'gone', nodeSelectors: [{ matchExpressions: [{ key: 'k', operator: 'In' }] }] })],
    advertisements: [ad('y', { communities: ['nope'] }), ad('x'), ad('z', { aggregationLength: 8 }), ad('w')],
    bfdProfiles: [bfd('slow'), bfd('fast')],
    communities: [community('k2', { name: 'silver', value: '1:2' }), community('k1', { name: 'gold', value: '1:1' })],
  });
  const reversed = (r: BGPResources): BGPResources => ({
    ...r, peers: [...r.peers].reverse(), advertisements: [...r.advertisements].reverse(), bfdProfiles: [...r.bfdProfiles].reverse(), communities: [...r.communities].reverse(),
  });
  /** What order can show: names in the model's lists and the aliases' order. */
  const shown = (r: BGPResources) => {
    const config = bgpConfigFromResources(r);
    return {
      peers: config.peers.map((p) => p.name), advertisements: config.advertisements.map((a) => a.name), bfdProfiles: config.bfdProfiles.map((p) => p.name),
      communities: [...config.communities.keys()], problems: config.problems.map((p) => `${p.kind}/${p.name} ${p.field}`),
    };
  };

  test.each([['as given', given], ['reversed', reversed(given)]])('%s: every list sorted by name, problems by kind, name and field', (_order, r) => {
    expect(shown(r)).toEqual({
      peers: ['b', 'd'], advertisements: ['w', 'x'], bfdProfiles: ['fast', 'slow'], communities: ['gold', 'silver'],
      problems: [
        'BGPPeer/a vrf', 'BGPPeer/c bfdProfile', 'BGPPeer/c nodeSelectors[0]',
        'BGPAdvertisement/y communities[0]', 'BGPAdvertisement/z aggregationLength',
      ],
    });
  });

  test('problems of one kind: by name before field, whichever field sorts first', () => {
    const problems = (peers: ReturnType<typeof peer>[]) => bgpConfigFromResources(resources({ peers })).problems.map((p) => `${p.name} ${p.field}`);
    const a = peer('a', { vrf: 'red' });
    const b = peer('b', { peerAddress: '192.0.2.2', bfdProfile: 'gone' });
    expect(problems([a, b])).toEqual(['a vrf', 'b bfdProfile']);
    expect(problems([b, a])).toEqual(['a vrf', 'b bfdProfile']);
  });
});

test('an object without a name (never one the API server stored) is named ""', () => {
  const unnamed = { ...bfd('x'), metadata: {} };
  expect(bgpReadinessFromResources(resources({ bfdProfiles: [unnamed] }))).toEqual([
    { kind: 'BFDProfile', name: '', status: 'True', reason: 'Valid', message: 'BFDProfile "" is valid' },
  ]);
});
