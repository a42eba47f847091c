import fc from 'fast-check';
import { rankIps } from '../election/index.js';
import type { LinkInfo } from '../layer2/decide/interfaces.js';
import { snapshot } from '../source/fixtures.js';
import type { DesiredAnnouncements } from '../source/types.js';
import { planCacheFor, rankDesired } from './plan-cache.js';
import { applyEvent, initialState, planFor, type SpeakerState } from './state.js';

const link = (name: string, index: number, addresses: LinkInfo['addresses']): LinkInfo => ({
  name, index, mac: `02:00:00:00:00:0${index}`, up: true, hasMaster: false, noArp: false, addresses,
});
const eth0 = link('eth0', 1, [{ address: '192.0.2.11', prefixLength: 24 }, { address: 'fe80::1', prefixLength: 64 }]);
const eth1 = link('eth1', 2, [{ address: '2001:db8:1::11', prefixLength: 64 }, { address: '198.51.100.7', prefixLength: 32 }]);
const names = ['n1', 'n2', 'n3', 'n4'];
const desired: DesiredAnnouncements = snapshot(names, [
  ...Array.from({ length: 30 }, (_, i) => ({ ip: `192.0.2.${100 + i}` })),
  ...Array.from({ length: 10 }, (_, i) => ({ ip: `2001:db8:1::${(0x100 + i).toString(16)}`, nodes: ['n1', 'n2'] })),
  { ip: '203.0.113.1', interfaces: ['eth1'] },
  { ip: '198.51.100.7', nodes: ['n3', 'n1'] },
], { n4: 1 });

function stateWith(alive: readonly string[], links: readonly LinkInfo[], quorum = true): SpeakerState {
  return [
    { kind: 'desired' as const, desired },
    { kind: 'links' as const, links },
    { kind: 'membership' as const, alive, quorum },
  ].reduce((state, event) => applyEvent(state, event, { self: 'unused' }), initialState());
}

describe('plan cache', () => {
  it('ranks as the election does: each IP\'s eligible nodes by weight, then hash', () => {
    const direct = rankIps(desired.ips.map((s) => ({ ip: s.ip, nodes: s.nodes })));
    expect(rankDesired(desired)).toEqual(direct);
    expect(rankDesired(desired).filter((r) => r.order[0] === 'n4')).toHaveLength(31); // the weighted node leads wherever it is eligible
  });

  it('gives every alive node the same owners, for every alive set and link set', () => {
    fc.assert(fc.property(fc.subarray(names, { minLength: 1 }), fc.subarray([eth0, eth1]), fc.boolean(), (alive, links, quorum) => {
      const state = stateWith(alive, links, quorum);
      const owners = alive.map((self) => planFor(state, { self }).modes.layer2.ips.map((p) => p.owner));
      for (const o of owners) expect(o).toEqual(owners[0]);
    }));
  });

  it('is reused while the configuration and the links stay the same object, and redone when either changes', () => {
    const first = planCacheFor(null, desired, [eth0]);
    const links = first.links;
    expect(planCacheFor(first, desired, links)).toBe(first);
    const relinked = planCacheFor(first, desired, [eth0, eth1]);
    expect(relinked).not.toBe(first);
    expect(relinked.orders).toBe(first.orders); // same configuration: the election is not ranked again
    expect(relinked.interfaces.get('2001:db8:1::100')).toEqual(['eth1']);
    expect(planCacheFor(relinked, { ...desired }, relinked.links).orders).not.toBe(first.orders);
  });

  it('is redone when the configuration or the links of the state change', () => {
    const before = stateWith(names, [eth0]);
    const after = applyEvent(before, { kind: 'links', links: [eth1] }, { self: 'n1' });
    expect(after.cache).not.toBe(before.cache);
    expect(after.cache?.links).toBe(after.links);
    expect(after.cache?.orders).toBe(before.cache?.orders);
  });
});
