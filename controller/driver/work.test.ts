// A failed key's object, its wait before the next try, and its log line.
import { failureLogFields, isStale, objectOf, REFUSED_BACKOFF_SCALE, retryOptions } from './work.js';
import type { ApiFailure } from '../../lib/kube/status.js';

const failure = (code: number | undefined, more: Partial<ApiFailure> = {}): ApiFailure => ({ code, message: 'm', causes: [], ...more });

describe('objectOf names the object a key writes to', () => {
  test.each([
    ['svc:apps/web', { kind: 'Service', namespace: 'apps', name: 'web' }],
    ['pool:big', { kind: 'IPAddressPool', namespace: 'herald-system', name: 'big' }],
    ['bgp:BGPPeer/tor', { kind: 'BGPPeer', namespace: 'herald-system', name: 'tor' }],
    ['bgp:BGPAdvertisement/a/b', { kind: 'BGPAdvertisement', namespace: 'herald-system', name: 'a/b' }],
    ['bgpStatus', undefined],
    ['poolStatus', undefined],
    ['term', undefined],
  ] as const)('%s', (key, object) => {
    expect(objectOf(key, 'herald-system')).toEqual(object);
  });
});

describe('retryOptions: how the backoff of a failed write is stretched', () => {
  const uidCause = { reason: 'FieldValueInvalid', field: 'metadata.uid', message: 'field is immutable' };
  test.each([
    ['422 Invalid: refused for what it says', failure(422), { scale: REFUSED_BACKOFF_SCALE }],
    ['403 Forbidden', failure(403), { scale: REFUSED_BACKOFF_SCALE }],
    ['429 without a Retry-After', failure(429), { scale: REFUSED_BACKOFF_SCALE }],
    ['429 asking for 3 s', failure(429, { retryAfterSeconds: 3 }), { minDelayMs: 3_000 }],
    ['409 Conflict: stale, re-read and retry soon', failure(409), {}],
    ['422 naming metadata.uid: stale (re-created), re-read and retry soon', failure(422, { causes: [uidCause] }), {}],
    ['500: the plain backoff', failure(500), {}],
    ['a transport error: the plain backoff', failure(undefined), {}],
  ])('%s', (_what, f, options) => {
    expect(retryOptions(f)).toEqual(options);
  });

  test('stale writes are the conflicts and the uid mismatches', () => {
    expect([failure(409), failure(422, { causes: [uidCause] }), failure(422), failure(500)].map(isStale)).toEqual([true, true, false, false]);
  });
});

test('the log line of a loop key names the key', () => {
  expect(failureLogFields('poolStatus', 'herald-system', failure(undefined), 100)).toMatchObject({ key: 'poolStatus', err: 'm', retryInMs: 100 });
});

test('the log line of a refused pool status names the pool and quotes the server\'s reason, message and causes', () => {
  const causes = [{ reason: 'FieldValueTooLong', field: 'status.conditions[0].message', message: 'Too long: may not be more than 32768 bytes' }];
  const refused = failure(422, { reason: 'Invalid', message: 'IPAddressPool.herald.dev "big" is invalid: status.conditions[0].message: Too long', causes });
  expect(failureLogFields('pool:big', 'herald-system', refused, 1_000)).toEqual({
    object: 'IPAddressPool herald-system/big',
    err: 'HTTP 422 Invalid: IPAddressPool.herald.dev "big" is invalid: status.conditions[0].message: Too long '
      + '[causes: status.conditions[0].message FieldValueTooLong: Too long: may not be more than 32768 bytes]',
    code: 422, reason: 'Invalid', causes, retryInMs: 1_000,
  });
});
