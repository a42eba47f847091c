import fc from 'fast-check';
import { electOwner, electOwners, ownerInOrder, rankNodes, type IpCandidates } from './rank.js';
import { heartbeatTargetsRanked } from './targets.js';
import { fmix32, fnv1a32, nodeIpHash } from './hash.js';

const nodes = (...names: string[]) => names.map((name) => ({ name }));
const ipsFor = (count: number, names: string[]): IpCandidates[] =>
  Array.from({ length: count }, (_, i) => ({ ip: `192.0.2.${i % 256}${i >= 256 ? `-${i}` : ''}`, nodes: nodes(...names) }));

const nodeName = fc.constantFrom('node-a', 'node-b', 'node-c', 'node-d', 'node-e', 'node-f', 'n1', 'n2');
const candidates = fc.uniqueArray(fc.record({ name: nodeName, weight: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }) }), {
  selector: (c) => c.name, minLength: 1,
});
const ipList = fc.uniqueArray(fc.ipV4(), { minLength: 1, maxLength: 30 }).chain((ips) =>
  fc.tuple(...ips.map((ip) => candidates.map((cs) => ({ ip, nodes: cs })))));

describe('nodeIpHash', () => {
  it('is built from FNV-1a and the Murmur3 finalizer as published (known-answer vectors)', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    // FNV-1a 32-bit test vectors (draft-eastlake-fnv, isthe.com/chongo/tech/comp/fnv).
    expect(fnv1a32(bytes(''))).toBe(0x811c9dc5);
    expect(fnv1a32(bytes('a'))).toBe(0xe40c292c);
    expect(fnv1a32(bytes('foobar'))).toBe(0xbf9cf968);
    // MurmurHash3_x86_32("", seed 1) is fmix32(1) = 0x514e28b7 (SMHasher's verification values).
    expect(fmix32(1)).toBe(0x514e28b7);
    expect(nodeIpHash('n', '192.0.2.1')).toBe(fmix32(fnv1a32(bytes('n\u0000192.0.2.1'))));
  });


  it('is a fixed function of its input, so every speaker on any machine agrees', () => {
    // Recomputing gives the same value, and the separator matters ("a"+"bc" vs "ab"+"c").
    expect(nodeIpHash('node-a', '192.0.2.1')).toBe(nodeIpHash('node-a', '192.0.2.1'));
    expect(nodeIpHash('a', 'bc')).not.toBe(nodeIpHash('ab', 'c'));
    expect(nodeIpHash('node-a', '192.0.2.1')).not.toBe(nodeIpHash('node-a', '192.0.2.2'));
  });

  it('returns unsigned 32-bit integers', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (n, ip) => {
      const h = nodeIpHash(n, ip);
      return Number.isInteger(h) && h >= 0 && h <= 0xffffffff;
    }));
  });
});

describe('rankNodes', () => {
  it('puts higher weights first, whatever the hash says', () => {
    for (let i = 0; i < 50; i++) {
      const ip = `198.51.100.${i}`;
      const order = rankNodes(ip, [{ name: 'a' }, { name: 'b', weight: 5 }, { name: 'c', weight: 1 }]);
      expect(order).toEqual(['b', 'c', 'a']);
    }
  });

  it('orders equal weights by hash, so the order does not depend on the input order', () => {
    fc.assert(fc.property(candidates, fc.ipV4(), (cs, ip) => {
      const reversed = [...cs].reverse();
      expect(rankNodes(ip, reversed)).toEqual(rankNodes(ip, cs));
    }));
  });

  it('ranks every candidate exactly once, keeping the highest weight of a duplicated name', () => {
    expect(rankNodes('192.0.2.1', [{ name: 'x' }, { name: 'y', weight: 1 }, { name: 'x', weight: 9 }])).toEqual(['x', 'y']);
    expect(rankNodes('192.0.2.1', [{ name: 'x', weight: 9 }, { name: 'y', weight: 1 }, { name: 'x' }])).toEqual(['x', 'y']);
  });

  it('orders two nodes whose hashes collide by name, whatever the input order', () => {
    // Found by a birthday search: both names hash to 0x1cb82dec with this IP.
    const [first, second] = ['node-522789', 'node-739192'];
    expect(nodeIpHash(first, '192.0.2.1')).toBe(nodeIpHash(second, '192.0.2.1'));
    expect(rankNodes('192.0.2.1', nodes(first, second))).toEqual([first, second]);
    expect(rankNodes('192.0.2.1', nodes(second, first))).toEqual([first, second]);
    const alive = new Set([first, second]);
    expect(electOwner('192.0.2.1', nodes(second, first), alive)).toBe(first);
    expect(electOwner('192.0.2.1', nodes(first, second), alive)).toBe(first);
  });
});

describe('electOwners', () => {
  it('gives every IP exactly one owner, the same on every speaker (three speakers, same input)', () => {
    fc.assert(fc.property(ipList, fc.subarray(['node-a', 'node-b', 'node-c', 'node-d', 'node-e', 'node-f', 'n1', 'n2']), (ips, aliveNames) => {
      const alive = new Set(aliveNames);
      // Each "speaker" gets its own copy of the input, in a different order.
      const views = [ips, [...ips].reverse(), ips.map((c) => ({ ...c, nodes: [...c.nodes].reverse() }))];
      const results = views.map((v) => electOwners(v, alive));
      for (const { ip, nodes: cs } of ips) {
        const owners = new Set(results.map((r) => r.get(ip)));
        expect(owners.size).toBe(1);
        const owner = results[0]!.get(ip);
        const eligibleAlive = cs.filter((c) => alive.has(c.name));
        if (eligibleAlive.length === 0) expect(owner).toBeUndefined();
        else expect(eligibleAlive.map((c) => c.name)).toContain(owner);
      }
    }));
  });

  it('elects the first alive node of rankNodes', () => {
    fc.assert(fc.property(candidates, fc.ipV4(), fc.subarray(['node-a', 'node-b', 'node-c', 'n1']), (cs, ip, aliveNames) => {
      const alive = new Set(aliveNames);
      expect(electOwner(ip, cs, alive)).toBe(rankNodes(ip, cs).find((n) => alive.has(n)));
    }));
  });

  it('moves only the IPs of a node that leaves', () => {
    fc.assert(fc.property(ipList, fc.constantFrom('node-a', 'node-b', 'node-c', 'n1'), (ips, leaver) => {
      const all = new Set(['node-a', 'node-b', 'node-c', 'node-d', 'node-e', 'node-f', 'n1', 'n2']);
      const before = electOwners(ips, all);
      const after = electOwners(ips, new Set([...all].filter((n) => n !== leaver)));
      for (const [ip, owner] of before) {
        if (owner !== leaver) expect(after.get(ip)).toBe(owner);
        else expect(after.get(ip)).not.toBe(leaver);
      }
    }));
  });

  it('lets a node coming back take back exactly the IPs it ranks first for among the alive nodes', () => {
    fc.assert(fc.property(ipList, fc.constantFrom('node-a', 'node-b', 'n2'), (ips, returner) => {
      const without = new Set(['node-a', 'node-b', 'node-c', 'n1', 'n2'].filter((n) => n !== returner));
      const withIt = new Set([...without, returner]);
      const before = electOwners(ips, without);
      const after = electOwners(ips, withIt);
      for (const { ip, nodes: cs } of ips) {
        const ranksFirst = rankNodes(ip, cs).find((n) => withIt.has(n)) === returner;
        expect(after.get(ip)).toBe(ranksFirst ? returner : before.get(ip));
      }
    }));
  });

  it('spreads IPs roughly evenly across equal nodes', () => {
    const names = Array.from({ length: 10 }, (_, i) => `node-${i}`);
    const ips = ipsFor(5000, names);
    const counts = new Map<string, number>();
    for (const owner of electOwners(ips, new Set(names)).values()) counts.set(owner ?? '-', (counts.get(owner ?? '-') ?? 0) + 1);
    const values = names.map((n) => counts.get(n) ?? 0);
    // 500 expected per node; a binomial(5000, 0.1) has sd ≈ 21, so ±15% is > 3 sd.
    expect(Math.min(...values)).toBeGreaterThan(425);
    expect(Math.max(...values)).toBeLessThan(575);
  });
});

describe('ownerInOrder (settling speakers, membership/core/state.ts settlingOf)', () => {
  const order = ['n1', 'n2', 'n3'];
  it('skips a settling node while a settled one is alive, and falls back to it when all alive ones settle', () => {
    const alive = new Set(order);
    expect(ownerInOrder(order, alive)).toBe('n1');
    expect(ownerInOrder(order, alive, new Set(['n1']))).toBe('n2');
    expect(ownerInOrder(order, alive, new Set(['n1', 'n2']))).toBe('n3');
    expect(ownerInOrder(order, alive, new Set(order))).toBe('n1');
    expect(ownerInOrder(order, new Set(['n2']), new Set(['n2']))).toBe('n2');
    expect(ownerInOrder(order, new Set())).toBeUndefined();
  });

  it('gives the fast beats of an IP to the nodes that would take it next: settled ones first', () => {
    const ranked = [{ ip: '192.0.2.1', order }];
    // n1 settling: n2 owns and must be heard fast by n3 and n1 (n1 only takes over once n3 is gone too).
    expect([...heartbeatTargetsRanked('n2', ranked, new Set(order), 1, new Set(['n1']))]).toEqual(['n3']);
    expect([...heartbeatTargetsRanked('n2', ranked, new Set(order), 2, new Set(['n1']))]).toEqual(['n3', 'n1']);
    expect([...heartbeatTargetsRanked('n1', ranked, new Set(order), 2, new Set(['n1']))]).toEqual([]);
  });
});
