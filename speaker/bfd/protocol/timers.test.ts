import fc from 'fast-check';
import { diagnosticName, jitterBoundsMs, jitteredIntervalMs, nextRandom, sourcePortFor } from './index.js';

const random = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('jitter (RFC 5880 §6.8.7)', () => {
  test('with Detect Mult above 1 the interval is reduced by 0 to 25 %: in [75 %, 100 %]', () => {
    fc.assert(fc.property(random, fc.integer({ min: 2, max: 255 }), fc.integer({ min: 1, max: 10_000 }), (r, detectMult, interval) => {
      const gap = jitteredIntervalMs(interval, detectMult, r);
      expect(gap).toBeGreaterThanOrEqual(interval * 0.75);
      expect(gap).toBeLessThanOrEqual(interval);
    }));
  });

  test('with Detect Mult 1 it is "no more than 90% ... and no less than 75%"', () => {
    fc.assert(fc.property(random, fc.integer({ min: 1, max: 10_000 }), (r, interval) => {
      const gap = jitteredIntervalMs(interval, 1, r);
      expect(gap).toBeGreaterThanOrEqual(interval * 0.75);
      expect(gap).toBeLessThanOrEqual(interval * 0.9 + 1e-9);
    }));
  });

  test.each([
    [0, 3, 100], [0.5, 3, 87.5], [0, 1, 90], [0.5, 1, 82.5],
  ])('random %d, detect mult %i: %d ms of 100', (r, detectMult, gap) => {
    expect(jitteredIntervalMs(100, detectMult, r)).toBeCloseTo(gap, 9);
  });

  test('the bounds helper says the same', () => {
    expect(jitterBoundsMs(100, 3)).toEqual({ shortest: 75, longest: 100 });
    expect(jitterBoundsMs(100, 1)).toEqual({ shortest: 75, longest: 90 });
  });

  test.each([-0.1, 1, Number.NaN])('random %d is refused', (r) => {
    expect(() => jitteredIntervalMs(100, 3, r)).toThrow(`bfd jitter: random ${r} is not in [0, 1)`);
  });
});

describe('source port (RFC 5881 §4: 49152 through 65535)', () => {
  test('the ends of the range', () => {
    expect(sourcePortFor(0)).toBe(49152);
    expect(sourcePortFor(0.9999999999)).toBe(65535);
  });

  test('every draw is in range', () => {
    fc.assert(fc.property(random, (r) => {
      const port = sourcePortFor(r);
      expect(Number.isInteger(port) && port >= 49152 && port <= 65535).toBe(true);
    }));
  });

  test('a draw outside [0, 1) is refused', () => {
    expect(() => sourcePortFor(1)).toThrow('bfd source port: random 1 is not in [0, 1)');
  });
});

describe('the jitter generator', () => {
  test('is deterministic, stays in (0, 1), and survives a zero seed', () => {
    expect(nextRandom(12345)).toEqual(nextRandom(12345));
    let seed = 0;
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const next = nextRandom(seed);
      expect(next.value).toBeGreaterThan(0);
      expect(next.value).toBeLessThan(1);
      seen.add(next.value);
      seed = next.seed;
    }
    expect(seen.size).toBe(1000);
  });

  test('spreads over the interval', () => {
    let seed = 7;
    const buckets = new Array<number>(4).fill(0);
    for (let i = 0; i < 4000; i++) {
      const next = nextRandom(seed);
      buckets[Math.floor(next.value * 4)]! += 1;
      seed = next.seed;
    }
    for (const count of buckets) expect(count).toBeGreaterThan(800);
  });
});

describe('diagnostic names (RFC 5880 §4.1)', () => {
  test.each([[0, 'noDiagnostic'], [1, 'controlDetectionTimeExpired'], [3, 'neighborSignaledSessionDown'], [7, 'administrativelyDown'], [8, 'reverseConcatenatedPathDown'], [9, 'reserved(9)']])(
    '%i is %s', (code, name) => {
      expect(diagnosticName(code)).toBe(name);
    });
});
