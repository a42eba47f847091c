// One BGPPeer read on its own (timers at their bounds, the problems' fields, the model's defaults), then the
// duplicate-peer rule across peers and nodes.
import type { BGPPeerSpec } from '../../crds/v1beta1/index.js';
import { duplicatePeerProblems, peerFromResource } from './bgp-peers.js';
import { node, peer } from './fixtures.js';

const read = (spec: Partial<BGPPeerSpec>, bfdProfiles: string[] = []) => peerFromResource(peer('tor', spec), new Set(bfdProfiles));
const problemsOf = (spec: Partial<BGPPeerSpec>) => read(spec).problems.map(({ reason, field, value, message }) => ({ reason, field, value, message }));

describe('timers', () => {
  test.each([
    ['a hold time of 0 (no keepalives)', { holdTime: '0' }, { holdTimeMs: 0, keepaliveTimeMs: 0 }],
    ['the shortest hold time, 3s', { holdTime: '3s' }, { holdTimeMs: 3000, keepaliveTimeMs: 1000 }],
    ['the longest hold time, 65535s', { holdTime: '65535s' }, { holdTimeMs: 65_535_000 }],
    ['a keepalive equal to the hold time', { holdTime: '9s', keepaliveTime: '9s' }, { holdTimeMs: 9000, keepaliveTimeMs: 9000 }],
    ['the shortest connect time, 1s', { connectTime: '1s' }, { connectTimeMs: 1000 }],
    ['the longest connect time, 65535s', { connectTime: '65535s' }, { connectTimeMs: 65_535_000 }],
    ['a connect time of whole seconds', { connectTime: '2s' }, { connectTimeMs: 2000 }],
  ])('%s is valid', (_what, spec, timers) => {
    const { model, problems } = read(spec);
    expect(problems).toEqual([]);
    expect(model).toMatchObject(timers);
  });

  const hold = (text: string) => `BGPPeer "tor": holdTime "${text}" must be 0 or from 3s to 65535s (RFC 4271 §4.2)`;
  const connect = (text: string) => `BGPPeer "tor": connectTime "${text}" must be whole seconds from 1s to 65535s`;
  test.each([
    ['a hold time just under 3s', { holdTime: '2999ms' }, 'holdTime', '2999ms', hold('2999ms')],
    ['a hold time over 65535s', { holdTime: '65536s' }, 'holdTime', '65536s', hold('65536s')],
    ['a hold time that is not a duration', { holdTime: 'soon' }, 'holdTime', 'soon', 'BGPPeer "tor": holdTime "soon" is not a duration (like "90s" or "1m30s")'],
    ['a keepalive over the default hold time', { keepaliveTime: '2m' }, 'keepaliveTime', '2m',
      'BGPPeer "tor": keepaliveTime "2m" is longer than holdTime "90s": the session would expire between keepalives'],
    ['a keepalive just over the hold time', { holdTime: '9s', keepaliveTime: '9001ms' }, 'keepaliveTime', '9001ms',
      'BGPPeer "tor": keepaliveTime "9001ms" is longer than holdTime "9s": the session would expire between keepalives'],
    ['a connect time of 0', { connectTime: '0' }, 'connectTime', '0', connect('0')],
    ['a connect time under 1s', { connectTime: '999ms' }, 'connectTime', '999ms', connect('999ms')],
    ['a connect time over 65535s', { connectTime: '65536s' }, 'connectTime', '65536s', connect('65536s')],
  ])('%s is InvalidTimers', (_what, spec, field, value, message) => {
    expect(problemsOf(spec)).toEqual([{ reason: 'InvalidTimers', field, value, message }]);
  });

  test('a timer that is not a duration is reported once, not again for its range', () => {
    expect(problemsOf({ connectTime: 'later' }).map((p) => p.message)).toEqual(['BGPPeer "tor": connectTime "later" is not a duration (like "90s" or "1m30s")']);
  });

  test('the keepalive defaults to a third of the hold time', () => {
    expect(read({ holdTime: '9s' }).model).toMatchObject({ holdTimeMs: 9000, keepaliveTimeMs: 3000, connectTimeMs: 120_000 });
  });
});

describe('the other rules on one peer', () => {
  test.each([
    ['vrf', { vrf: 'red' }, 'VRFNotSupported', 'vrf', 'red'],
    ['password beside passwordSecret', { password: 'x', passwordSecret: { name: 'tor-md5' } }, 'PasswordConflict', 'passwordSecret', 'tor-md5'],
    ['ebgpMultiHop on iBGP', { peerASN: 64512, ebgpMultiHop: true }, 'MultiHopWithIBGP', 'ebgpMultiHop', 'true'],
    ['a missing bfdProfile', { bfdProfile: 'fast' }, 'BFDProfileNotFound', 'bfdProfile', 'fast'],
  ])('%s: the problem names its field and value, and the peer has no model', (_what, spec, reason, field, value) => {
    const { model, problems } = read(spec);
    expect(problems).toEqual([expect.objectContaining({ kind: 'BGPPeer', name: 'tor', reason, field, value })]);
    expect(model).toBeUndefined();
  });

  test('ebgpMultiHop with dynamicASN external is eBGP, so fine', () => {
    expect(problemsOf({ peerASN: undefined, dynamicASN: 'external', ebgpMultiHop: true })).toEqual([]);
  });
});

describe('the model of a valid peer', () => {
  test('defaults: port 179, no router ID, no password, every optional behaviour off', () => {
    expect(read({}).model).toMatchObject({
      peerPort: 179, routerID: undefined, password: { kind: 'none' }, bfdProfile: undefined, sourceAddress: undefined, nodeSelectors: [],
      gracefulRestart: false, ebgpMultiHop: false, dualStackAddressFamily: false,
    });
  });

  test('every field read', () => {
    expect(read({
      peerASN: undefined, dynamicASN: 'external', peerPort: 1179, routerID: '192.0.2.9', sourceAddress: '192.0.2.10', password: 'secret',
      bfdProfile: 'fast', enableGracefulRestart: true, ebgpMultiHop: true, dualStackAddressFamily: true,
    }, ['fast']).model).toMatchObject({
      peerASN: { kind: 'dynamic', mode: 'external' }, peerPort: 1179, routerID: '192.0.2.9', sourceAddress: { family: 4, value: 0xc000020an },
      password: { kind: 'inline', password: 'secret' }, bfdProfile: 'fast', gracefulRestart: true, ebgpMultiHop: true, dualStackAddressFamily: true,
    });
  });

  test.each([
    ['a secret in another namespace', { name: 's', namespace: 'vault' }, 'vault'],
    ['an empty namespace means the peer\'s own', { name: 's', namespace: '' }, undefined],
  ])('passwordSecret: %s', (_what, passwordSecret, namespace) => {
    expect(read({ passwordSecret }).model?.password).toEqual({ kind: 'secret', name: 's', namespace });
  });

  test('an empty routerID is none', () => {
    expect(read({ routerID: '' }).model?.routerID).toBeUndefined();
  });
});

describe('duplicatePeerProblems', () => {
  /** Each problem as "name: what comes after the address", to read the tables. */
  const duplicates = (...args: Parameters<typeof duplicatePeerProblems>) =>
    duplicatePeerProblems(...args).map((p) => `${p.name}: ${p.message.replace(/^BGPPeer "[^"]*": peerAddress \S+ is also the address of /, '').replace(/; a node opens .*$/, '')}`);
  const rack = (value: string) => ({ matchLabels: { rack: value } });

  test('the whole problem, for two peers at one address on every node', () => {
    expect(duplicatePeerProblems([peer('a'), peer('b', { nodeSelectors: [] })], [])).toEqual([
      { kind: 'BGPPeer', name: 'a', reason: 'DuplicatePeer', field: 'peerAddress', value: '192.0.2.1',
        message: 'BGPPeer "a": peerAddress 192.0.2.1 is also the address of BGPPeer "b", on every node; a node opens one session per address, so none of them is used '
          + 'until they are told apart (different addresses or nodeSelectors that share no node)' },
      expect.objectContaining({ name: 'b', field: 'peerAddress' }),
    ]);
  });

  test.each([
    ['the same selectors', [rack('1')], [rack('1')], [], ['a: BGPPeer "b", on the same nodeSelectors', 'b: BGPPeer "a", on the same nodeSelectors']],
    ['no selectors (every node) and a selector of a known node', undefined, [rack('1')], [node('n1', { rack: '1' })],
      ['a: BGPPeer "b", on node "n1"', 'b: BGPPeer "a", on node "n1"']],
    ['no selectors and a selector of no known node', undefined, [rack('1')], [node('n2', { rack: '2' })], []],
    ['two selectors, one of which meets the other peer\'s node', [rack('9'), rack('1')], [{ matchLabels: { zone: 'x' } }], [node('n1', { rack: '1', zone: 'x' })],
      ['a: BGPPeer "b", on node "n1"', 'b: BGPPeer "a", on node "n1"']],
    ['several shared nodes: the first by name, and how many more', [rack('1')], [{ matchLabels: { zone: 'x' } }],
      [node('n3', { rack: '1', zone: 'x' }), node('n1', { rack: '1', zone: 'x' }), node('n2', { rack: '1', zone: 'x' })],
      ['a: BGPPeer "b", on node "n1" and 2 more', 'b: BGPPeer "a", on node "n1" and 2 more']],
  ])('one address on %s', (_what, a, b, nodes, expected) => {
    expect(duplicates([peer('a', { nodeSelectors: a }), peer('b', { nodeSelectors: b })], nodes)).toEqual(expected);
  });

  test('a vrf peer is refused already, so it clashes with nothing; nor do peers whose address is not one', () => {
    expect(duplicates([peer('a'), peer('b', { vrf: 'red' }), peer('c', { peerAddress: 'tor' }), peer('d', { peerAddress: 'tor' })], [])).toEqual([]);
  });

  test('the other peers at one address are named in order, three of them, then how many more', () => {
    const names = ['e', 'c', 'a', 'd', 'b'];
    expect(duplicates(names.map((n) => peer(n)), [])).toEqual([
      'e: BGPPeer "a", BGPPeer "b" and BGPPeer "c" and 1 more, on every node',
      'c: BGPPeer "a", BGPPeer "b" and BGPPeer "d" and 1 more, on every node',
      'a: BGPPeer "b", BGPPeer "c" and BGPPeer "d" and 1 more, on every node',
      'd: BGPPeer "a", BGPPeer "b" and BGPPeer "c" and 1 more, on every node',
      'b: BGPPeer "a", BGPPeer "c" and BGPPeer "d" and 1 more, on every node',
    ]);
    expect(duplicates(names.slice(1).map((n) => peer(n)), [])[0]).toBe('c: BGPPeer "a", BGPPeer "b" and BGPPeer "d", on every node');
  });
});
