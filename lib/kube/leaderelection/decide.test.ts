import {
  claimSpec, decide, initialState, mustStepDown, observe, releaseSpec, validateTimings, DEFAULT_TIMINGS,
  type LeaseRecord,
} from './decide.js';

const held = (holder: string | undefined, rv: string, durationS = 15, transitions = 0): LeaseRecord => ({
  holderIdentity: holder, leaseDurationSeconds: durationS, leaseTransitions: transitions, resourceVersion: rv,
});

describe('leader election decisions', () => {
  test('no lease: create it', () => {
    expect(decide(initialState('a'), undefined, 0)).toEqual({ action: 'create' });
  });

  test('our own lease: renew', () => {
    const s = observe(initialState('a'), held('a', '1'), 0);
    expect(decide(s, held('a', '1'), 0)).toEqual({ action: 'renew' });
  });

  test('released lease (no holder): take it at once', () => {
    const s = observe(initialState('b'), held(undefined, '7', 1), 1000);
    expect(decide(s, held(undefined, '7', 1), 1000)).toEqual({ action: 'acquire', why: 'free' });
  });

  test('held by another: wait until our clock says it expired', () => {
    let s = observe(initialState('b'), held('a', '3'), 10_000);
    expect(decide(s, held('a', '3'), 20_000)).toEqual({ action: 'wait', holder: 'a', expiresInMs: 5_000 });
    s = observe(s, held('a', '3'), 24_999);
    expect(decide(s, held('a', '3'), 24_999)).toEqual({ action: 'wait', holder: 'a', expiresInMs: 1 });
    expect(decide(s, held('a', '3'), 25_000)).toEqual({ action: 'acquire', why: 'expired' });
  });

  test('a renewal seen restarts the expiry clock, whatever the holder clock says', () => {
    let s = observe(initialState('b'), held('a', '3'), 0);
    s = observe(s, held('a', '4'), 14_000);
    expect(decide(s, held('a', '4'), 20_000)).toEqual({ action: 'wait', holder: 'a', expiresInMs: 9_000 });
  });

  test('the leader steps down only after the renew deadline passes without a renewal', () => {
    const s = { ...initialState('a'), lastRenewMs: 1000 };
    expect(mustStepDown(s, 11_000, DEFAULT_TIMINGS)).toBe(false);
    expect(mustStepDown(s, 11_001, DEFAULT_TIMINGS)).toBe(true);
    expect(mustStepDown(initialState('a'), 99_999, DEFAULT_TIMINGS)).toBe(false);
  });

  test('taking over counts a transition and resets acquireTime; renewing keeps both', () => {
    const s = initialState('b');
    const takeover = claimSpec(s, held('a', '3', 15, 4), 5000, DEFAULT_TIMINGS, undefined);
    expect(takeover).toEqual({ holderIdentity: 'b', leaseDurationSeconds: 15, acquireTimeMs: 5000, renewTimeMs: 5000, leaseTransitions: 5 });
    const renew = claimSpec(s, held('b', '4', 15, 5), 7000, DEFAULT_TIMINGS, 5000);
    expect(renew).toEqual({ holderIdentity: 'b', leaseDurationSeconds: 15, acquireTimeMs: 5000, renewTimeMs: 7000, leaseTransitions: 5 });
  });

  test('release clears the holder with a 1 s duration', () => {
    expect(releaseSpec(held('a', '9', 15, 2), 3000)).toEqual({
      holderIdentity: undefined, leaseDurationSeconds: 1, acquireTimeMs: 3000, renewTimeMs: 3000, leaseTransitions: 2,
    });
  });

  test.each([
    [{ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 0 }, /retry period 0 ms/],
    [{ leaseDurationMs: 15_000, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }, /renew deadline 2000 ms/],
    [{ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }, /lease duration 10000 ms/],
  ])('timings %o are rejected', (timings, message) => {
    expect(() => validateTimings(timings)).toThrow(message);
  });
});
