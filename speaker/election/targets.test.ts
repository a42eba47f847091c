import { heartbeatTargets } from './targets.js';
import { rankNodes, electOwners, type IpCandidates } from './rank.js';

const names = Array.from({ length: 8 }, (_, i) => `node-${i}`);
const ips: IpCandidates[] = Array.from({ length: 40 }, (_, i) => ({ ip: `203.0.113.${i}`, nodes: names.map((name) => ({ name })) }));
const all = new Set(names);

describe('heartbeatTargets', () => {
  it('targets the next alive nodes after self for every IP self owns, and nothing else', () => {
    for (const self of names) {
      const expected = new Set<string>();
      for (const { ip, nodes } of ips) {
        const order = rankNodes(ip, nodes);
        if (order[0] === self) for (const n of order.slice(1, 3)) expected.add(n);
      }
      expect(heartbeatTargets(self, ips, all, 2)).toEqual(expected);
    }
  });

  it('includes, for every IP, the node that takes over when the owner dies', () => {
    const owners = electOwners(ips, all);
    for (const { ip, nodes } of ips) {
      const owner = owners.get(ip)!;
      const heir = electOwners([{ ip, nodes }], new Set(names.filter((n) => n !== owner))).get(ip)!;
      expect(heartbeatTargets(owner, ips, all, 1).has(heir)).toBe(true);
    }
  });

  it('skips dead successors and owns IPs whose better nodes are dead', () => {
    const { ip, nodes } = ips[0]!;
    const order = rankNodes(ip, nodes);
    const alive = new Set(names.filter((n) => n !== order[0] && n !== order[2]));
    const targets = heartbeatTargets(order[1]!, [{ ip, nodes }], alive, 2);
    expect(targets).toEqual(new Set([order[3], order[4]]));
  });

  it('is empty for a node that owns nothing or is not a candidate', () => {
    const { ip, nodes } = ips[0]!;
    const order = rankNodes(ip, nodes);
    expect(heartbeatTargets(order[1]!, [{ ip, nodes }], all)).toEqual(new Set());
    expect(heartbeatTargets('stranger', ips, all)).toEqual(new Set());
  });

  it('counts self as alive even when its own alive set leaves it out', () => {
    for (const self of names) {
      const withoutSelf = new Set(names.filter((n) => n !== self));
      expect(heartbeatTargets(self, ips, withoutSelf, 2)).toEqual(heartbeatTargets(self, ips, all, 2));
    }
  });

  it('sends no fast beats with zero successors', () => {
    const { ip, nodes } = ips[0]!;
    expect(heartbeatTargets(rankNodes(ip, nodes)[0]!, ips, all, 0)).toEqual(new Set());
  });

  it('refuses a negative successor count', () => {
    expect(() => heartbeatTargets('node-0', ips, all, -1)).toThrow(/successors must be a non-negative integer, got -1/);
  });
});
