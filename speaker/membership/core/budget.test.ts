import { takeToken, type Bucket } from './budget.js';
import { passLogGate, type GateState } from './log-gate.js';

describe('the per-source budget of costly checks', () => {
  const config = { capacity: 3, perSecond: 2 };

  it('gives a burst of `capacity` at once, then `perSecond`', () => {
    let bucket: Bucket | undefined;
    const taken: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      const r = takeToken(bucket, 1000, config);
      bucket = r.bucket;
      taken.push(r.ok);
    }
    expect(taken).toEqual([true, true, true, false, false]);
    expect(takeToken(bucket, 1499, config).ok).toBe(false); // 0.998 of a token
    expect(takeToken(bucket, 1500, config).ok).toBe(true);
  });

  it('never holds more than its capacity after a long quiet time', () => {
    const r = takeToken({ tokens: 0, atMs: 0 }, 3_600_000, config);
    expect(r.bucket.tokens).toBe(config.capacity - 1);
  });

  it('bounds a flood to perSecond per second however fast it comes', () => {
    let bucket: Bucket | undefined;
    let ok = 0;
    for (let t = 0; t < 10_000; t += 0.1) { // 100 000 attempts in 10 s
      const r = takeToken(bucket, t, config);
      bucket = r.bucket;
      if (r.ok) ok += 1;
    }
    expect(ok).toBeLessThanOrEqual(config.capacity + 10 * config.perSecond);
    expect(ok).toBeGreaterThanOrEqual(10 * config.perSecond);
  });
});

describe('the log gate for dropped datagrams', () => {
  it('logs the first drop, then one per window with the count left out', () => {
    let state: GateState | undefined;
    const logged: [number, number][] = [];
    for (let t = 0; t < 25_000; t += 10) {
      const r = passLogGate(state, t, 10_000);
      state = r.state;
      if (r.log) logged.push([t, r.log.suppressed]);
    }
    expect(logged).toEqual([[0, 0], [10_000, 999], [20_000, 999]]);
  });
});
