import fc from 'fast-check';
import type { PoolModel } from '../../lib/config/index.js';
import { normalizeIntervals, type Interval } from '../../lib/ip/index.js';
import { PoolState } from './pool-state.js';
import { shareRefusal } from './sharing.js';
import type { SharingTerms } from './types.js';

function model(intervals: Interval[], avoidBuggyIPs: boolean): PoolModel {
  return { name: 'p', intervals: normalizeIntervals(intervals), autoAssign: true, avoidBuggyIPs, allocation: undefined, createdAtMs: 0, generation: 1 };
}

describe('PoolState.firstFree', () => {
  it('agrees with a walk of the pool after any sequence of allocations and releases', () => {
    const intervals = fc.array(fc.record({ first: fc.bigInt({ min: 0n, max: 1500n }), len: fc.bigInt({ min: 0n, max: 300n }) })
      .map(({ first, len }): Interval => ({ family: 4, first, last: first + len })), { minLength: 1, maxLength: 3 });
    const steps = fc.array(fc.oneof(fc.constant('allocate' as const), fc.nat({ max: 2000 })), { maxLength: 120 });
    fc.assert(fc.property(intervals, fc.boolean(), steps, (ivs, avoid, plan) => {
      const state = new PoolState(model(ivs, avoid));
      const used = new Set<bigint>();
      const usable = (v: bigint) => state.contains({ family: 4, value: v });
      const walk = () => {
        for (const iv of state.model.intervals) for (let v = iv.first; v <= iv.last; v++) if (usable(v) && !used.has(v)) return v;
        return undefined;
      };
      for (const step of plan) {
        if (step === 'allocate') {
          const free = state.firstFree(4);
          expect(free).toBe(walk());
          if (free !== undefined) { state.markUsed({ family: 4, value: free }); used.add(free); }
        } else {
          const held = [...used];
          const victim = held[step % Math.max(1, held.length)];
          if (victim !== undefined) { state.markFree({ family: 4, value: victim }); used.delete(victim); }
        }
      }
      expect(state.usage(4).inUse).toBe(used.size);
    }), { numRuns: 150 });
  });

  it('refuses to mark an address outside the pool, naming the pool', () => {
    const state = new PoolState(model([{ family: 4, first: 256n, last: 511n }], true));
    expect(() => state.markUsed({ family: 4, value: 256n })).toThrow('"p"');
    expect(() => state.markUsed({ family: 6, value: 300n })).toThrow('"p"');
  });

  it('finds the first free address of a /64 after the ones in use, without walking it', () => {
    const base = 0x20010db8n << 96n;
    const state = new PoolState({ ...model([{ family: 6, first: base, last: base + (1n << 64n) - 1n }], false) });
    for (let i = 0n; i < 1000n; i++) state.markUsed({ family: 6, value: base + i });
    state.markFree({ family: 6, value: base + 500n });
    expect(state.firstFree(6)).toBe(base + 500n);
    expect(state.usage(6)).toEqual({ total: 1n << 64n, inUse: 999 });
  });
});

describe('sharing rules', () => {
  const terms = (key: string | undefined, ports: number[], backendKey = ''): SharingTerms =>
    ({ key, ports: ports.map((port) => ({ port, protocol: 'TCP' })), backendKey });
  it.each([
    ['same key, disjoint ports', terms('k', [80]), terms('k', [443]), undefined],
    ['no key on one side', terms(undefined, [80]), terms('k', [443]), 'noKey'],
    ['different keys', terms('a', [80]), terms('b', [443]), 'differentKey'],
    ['a port clash', terms('k', [80, 443]), terms('k', [443]), 'portClash'],
    ['different backends', terms('k', [80], 'app=a'), terms('k', [443], 'app=b'), 'differentBackend'],
    ['Local and Cluster mixed', terms('k', [80], 'app=a'), terms('k', [443], ''), 'differentBackend'],
  ])('%s → %s', (_story, mine, theirs, expected) => {
    expect(shareRefusal(mine, theirs)).toBe(expected);
  });
});
