import fc from 'fast-check';
import type { PoolModel } from '../../lib/config/index.js';
import { commonIntervals, normalizeIntervals, type Interval } from '../../lib/ip/index.js';
import { PoolState } from './pool-state.js';
import { shareRefusal } from './sharing.js';
import type { SharingTerms } from './types.js';

/** A pool "p"; `shared` are the addresses it shares with a pool "q" (clipped to its own, as configFromResources does). */
function model(intervals: Interval[], avoidBuggyIPs: boolean, shared: Interval[] = []): PoolModel {
  const own = normalizeIntervals(intervals);
  const common = commonIntervals(own, normalizeIntervals(shared));
  return { name: 'p', intervals: own, autoAssign: true, avoidBuggyIPs, allocation: undefined, generation: 1, overlaps: common.length > 0 ? [{ pool: 'q', intervals: common }] : [] };
}

describe('PoolState.firstFree', () => {
  it('agrees with a walk of the pool, skipping addresses shared with another pool, after any allocations and releases', () => {
    const intervals = (max: number) => fc.array(fc.record({ first: fc.bigInt({ min: 0n, max: 1500n }), len: fc.bigInt({ min: 0n, max: 300n }) })
      .map(({ first, len }): Interval => ({ family: 4, first, last: first + len })), { minLength: 0, maxLength: max });
    const steps = fc.array(fc.oneof(fc.constant('allocate' as const), fc.nat({ max: 2000 })), { maxLength: 120 });
    fc.assert(fc.property(intervals(3).filter((l) => l.length > 0), intervals(2), fc.boolean(), steps, (ivs, shared, avoid, plan) => {
      const state = new PoolState(model(ivs, avoid, shared));
      const used = new Set<bigint>();
      const usable = (v: bigint) => state.contains({ family: 4, value: v });
      const givable = (v: bigint) => usable(v) && !used.has(v) && !shared.some((s) => s.first <= v && v <= s.last);
      const walk = () => {
        for (const iv of state.model.intervals) for (let v = iv.first; v <= iv.last; v++) if (givable(v)) return v;
        return undefined;
      };
      const countGivable = () => {
        let n = 0n;
        for (const iv of state.model.intervals) for (let v = iv.first; v <= iv.last; v++) if (givable(v)) n++;
        return n;
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
      expect(state.usage(4).available).toBe(countGivable());
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
    expect(state.usage(6)).toEqual({ total: 1n << 64n, inUse: 999, available: (1n << 64n) - 999n });
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
