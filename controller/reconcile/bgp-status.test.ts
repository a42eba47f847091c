// The BGP objects' Ready conditions as the controller writes them (bgp-status.ts): lib/config's rules decide each
// (lib/config/bgp.test.ts has a row per rule); here the memory that keeps transition times and decides events and
// log lines, and what of a status is Herald's.
import type { BFDProfile, BGPAdvertisement, BGPPeer, BGPPeerSpec, Community, Condition } from '../../crds/v1beta1/index.js';
import type { BGPResources } from '../../lib/config/index.js';
import { pool } from '../../lib/config/fixtures.js';
import { bgpOutcomes, withReady, type BGPReadyMemory } from './bgp-status.js';
import { kubeTime } from './status.js';

const meta = (name: string, generation = 1) => ({ name, namespace: 'herald-system', generation });
const peer = (name: string, spec: Partial<BGPPeerSpec> = {}, status?: BGPPeer['status']): BGPPeer => ({
  apiVersion: 'herald.dev/v1beta1', kind: 'BGPPeer', metadata: meta(name), spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', ...spec },
  ...(status ? { status } : {}),
});
const ad = (name: string, localPref?: number): BGPAdvertisement => ({
  apiVersion: 'herald.dev/v1beta1', kind: 'BGPAdvertisement', metadata: meta(name), spec: localPref === undefined ? {} : { localPref },
});
const bfd = (name: string): BFDProfile => ({ apiVersion: 'herald.dev/v1beta1', kind: 'BFDProfile', metadata: meta(name), spec: {} });
const community = (name: string): Community => ({ apiVersion: 'herald.dev/v1beta1', kind: 'Community', metadata: meta(name), spec: { communities: [{ name: 'x', value: '1:1' }] } });
const resources = (r: Partial<BGPResources>): BGPResources => ({ peers: [], advertisements: [], bfdProfiles: [], communities: [], pools: [pool('lan', ['192.0.2.0/24'])], ...r });

const t0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const later = t0 + 60_000;
const ready = (o: { status: { conditions?: Condition[] } } | undefined) => o?.status.conditions?.find((c) => c.type === 'Ready');

describe('bgpOutcomes', () => {
  test('one outcome per object of each kind, in kind order, each with its Ready condition', () => {
    const out = bgpOutcomes(resources({
      peers: [peer('tor', { bfdProfile: 'fast' })], advertisements: [ad('all')], bfdProfiles: [bfd('fast')], communities: [community('aliases')],
    }), new Map(), t0);
    expect(out.map((o) => `${o.kind}/${o.name} ${ready(o)?.status} ${ready(o)?.reason}`)).toEqual([
      'BGPPeer/tor True Valid', 'BGPAdvertisement/all True Valid', 'BFDProfile/fast True Valid', 'Community/aliases True Valid',
    ]);
    expect(ready(out[0])).toEqual({
      type: 'Ready', status: 'True', reason: 'Valid', observedGeneration: 1, lastTransitionTime: kubeTime(t0),
      message: 'BGPPeer "tor" is valid',
    });
    // A valid object's first condition is no news for an event (as pools' and advertisements'), but it is logged.
    expect(out.every((o) => o.events.length === 0 && o.readiness?.ready === true)).toBe(true);
  });

  test('a problem: a Warning event named for the kind on the object at fault, and its readiness to log', () => {
    const out = bgpOutcomes(resources({ peers: [peer('rr', { peerASN: 64512, ebgpMultiHop: true })], advertisements: [ad('a', 100), ad('b', 200)] }), new Map(), t0);
    const [rr, a, b] = out;
    expect(rr?.events).toEqual([{ type: 'Warning', reason: 'PeerInvalid', message: ready(rr)?.message }]);
    expect(rr?.readiness).toEqual({ ready: false, reason: 'MultiHopWithIBGP', message: ready(rr)?.message });
    expect(ready(rr)?.message).toBe('BGPPeer "rr": ebgpMultiHop is set on an iBGP session (peerASN 64512 is myASN); multi-hop applies to eBGP only');
    // Both advertisements are at fault: each gets its own event.
    expect([a, b].map((o) => o?.events.map((e) => `${e.type} ${e.reason}`))).toEqual([['Warning AdvertisementInvalid'], ['Warning AdvertisementInvalid']]);
  });

  test('an unchanged condition keeps its transition time, fires no event and logs nothing', () => {
    const memory: BGPReadyMemory = new Map();
    const given = resources({ peers: [peer('tor', { bfdProfile: 'gone' })] });
    bgpOutcomes(given, memory, t0);
    const [again] = bgpOutcomes(given, memory, later);
    expect(again?.events).toEqual([]);
    expect(again?.readiness).toBeUndefined();
    expect(ready(again)?.lastTransitionTime).toBe(kubeTime(t0));
  });

  test('recovery (the missing BFDProfile is created) fires PeerReady and moves the transition time', () => {
    const memory: BGPReadyMemory = new Map();
    bgpOutcomes(resources({ peers: [peer('tor', { bfdProfile: 'fast' })] }), memory, t0);
    const [recovered, profile] = bgpOutcomes(resources({ peers: [peer('tor', { bfdProfile: 'fast' })], bfdProfiles: [bfd('fast')] }), memory, later);
    expect(recovered?.events).toEqual([{ type: 'Normal', reason: 'PeerReady', message: ready(recovered)?.message }]);
    expect(ready(recovered)).toMatchObject({ status: 'True', reason: 'Valid', lastTransitionTime: kubeTime(later) });
    expect(recovered?.readiness).toMatchObject({ ready: true, reason: 'Valid' });
    expect(profile).toMatchObject({ kind: 'BFDProfile', name: 'fast', events: [] });
  });

  test('a condition the object already holds (a new leader) is neither logged nor announced again', () => {
    const first = bgpOutcomes(resources({ peers: [peer('tor', { vrf: 'red' })] }), new Map(), t0);
    const written = ready(first[0]);
    const [same] = bgpOutcomes(resources({ peers: [peer('tor', { vrf: 'red' }, { conditions: written ? [written] : [] })] }), new Map(), later);
    expect(same?.events).toEqual([]);
    expect(same?.readiness).toBeUndefined();
    expect(same?.status).toEqual({ conditions: [written] });
  });

  test('the same name in two kinds is two objects; one that is gone is forgotten', () => {
    const memory: BGPReadyMemory = new Map();
    bgpOutcomes(resources({ peers: [peer('x', { vrf: 'red' })], bfdProfiles: [bfd('x')] }), memory, t0);
    expect([...memory].map(([kind, m]) => `${kind} ${[...m.keys()].join(',')}`)).toEqual(['BGPPeer x', 'BGPAdvertisement ', 'BFDProfile x', 'Community ']);
    bgpOutcomes(resources({ bfdProfiles: [bfd('x')] }), memory, later);
    expect(memory.get('BGPPeer')?.size).toBe(0);
    expect(memory.get('BFDProfile')?.size).toBe(1);
  });

  test('not ours: another writer\'s condition stays where it is, and the status written holds only conditions (never a BGPPeer\'s nodes)', () => {
    const theirs: Condition = { type: 'example.com/Reachable', status: 'True', reason: 'Probed', message: 'not ours', lastTransitionTime: kubeTime(t0) };
    const [out] = bgpOutcomes(resources({ peers: [peer('tor', {}, { conditions: [theirs], nodes: [{ node: 'n1', state: 'Established' }] })] }), new Map(), later);
    expect(Object.keys(out?.status ?? {})).toEqual(['conditions']);
    expect(out?.status.conditions?.map((c) => c.type)).toEqual(['example.com/Reachable', 'Ready']);
    expect(out?.status.conditions?.[0]).toBe(theirs);
  });
});

describe('withReady', () => {
  const cond = (type: string, status: Condition['status'] = 'True'): Condition => ({ type, status, reason: 'R', message: '', lastTransitionTime: kubeTime(t0) });
  test('replaces Ready in place, adds it last when absent, keeps every other condition', () => {
    const fresh = cond('Ready', 'False');
    expect(withReady([cond('A'), cond('Ready'), cond('B')], fresh)).toEqual([cond('A'), fresh, cond('B')]);
    expect(withReady([cond('A')], fresh)).toEqual([cond('A'), fresh]);
    expect(withReady(undefined, fresh)).toEqual([fresh]);
  });
});
