import fc from 'fast-check';
import type { LinkInfo } from '../layer2/decide/interfaces.js';
import type { DesiredAnnouncements } from '../source/types.js';
import { planCacheFor, rankedFor } from './plan-cache.js';
import { applyEvent, initialState, planFor, type SpeakerState } from './state.js';

const link = (name: string, index: number, addresses: LinkInfo['addresses']): LinkInfo => ({
  name, index, mac: `02:00:00:00:00:0${index}`, up: true, hasMaster: false, noArp: false, addresses,
});
const eth0 = link('eth0', 1, [{ address: '192.0.2.11', prefixLength: 24 }, { address: 'fe80::1', prefixLength: 64 }]);
const eth1 = link('eth1', 2, [{ address: '2001:db8:1::11', prefixLength: 64 }, { address: '198.51.100.7', prefixLength: 32 }]);
const names = ['n1', 'n2', 'n3', 'n4'];
const desired: DesiredAnnouncements = {
  nodes: names.map((name, i) => ({ name, address: `192.0.2.${11 + i}`, weight: i === 3 ? 1 : 0 })),
  ips: [
    ...Array.from({ length: 30 }, (_, i) => ({ ip: `192.0.2.${100 + i}`, nodes: names })),
    ...Array.from({ length: 10 }, (_, i) => ({ ip: `2001:db8:1::${(0x100 + i).toString(16)}`, nodes: ['n1', 'n2'] })),
    { ip: '203.0.113.1', nodes: names, interfaces: ['eth1'] },
    { ip: '198.51.100.7', nodes: ['n3', 'n1'] },
  ],
};

function stateWith(alive: readonly string[], links: readonly LinkInfo[], quorum = true): SpeakerState {
  return [
    { kind: 'desired' as const, desired },
    { kind: 'links' as const, links },
    { kind: 'membership' as const, alive, quorum },
  ].reduce(applyEvent, initialState());
}

describe('plan cache', () => {
  it('gives the same plan as planning from scratch, for every node, alive set and link set', () => {
    fc.assert(fc.property(fc.subarray(names), fc.constantFrom(...names), fc.subarray([eth0, eth1]), fc.boolean(), (alive, self, links, quorum) => {
      const state = stateWith(alive, links, quorum);
      const cache = planCacheFor(null, desired, state.links);
      expect(planFor(state, self, undefined, cache)).toEqual(planFor(state, self));
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

  it('is not trusted by planFor when it was made for other links', () => {
    const stale = planCacheFor(null, desired, [eth1]);
    const state = stateWith(names, [eth0]);
    expect(planFor(state, 'n1', undefined, stale)).toEqual(planFor(state, 'n1'));
  });

  it('ranks a configuration once, whoever asks', () => {
    expect(rankedFor(desired)).toBe(rankedFor(desired));
  });
});
