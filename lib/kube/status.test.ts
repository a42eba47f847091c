// What a log says about a refused request: the server's own Status (reason, message, causes), not client-node's
// "HTTP-Code: 422". The bodies are kube-apiserver v1.37.2's answers, captured with `kubectl -v=9`.
import { ApiException } from '@kubernetes/client-node';
import { describeError, isUidMismatch } from './errors.js';
import { apiFailure, describeFailure, MAX_CAUSES, MAX_TEXT } from './status.js';

/** A pool whose status a CEL rule refuses (the status write of a valid pool, answered 422). */
const POOL_INVALID = JSON.stringify({
  kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
  message: 'IPAddressPool.herald.dev "refused" is invalid: <nil>: Invalid value: this test refuses any status on the pool "refused"',
  reason: 'Invalid',
  details: { name: 'refused', group: 'herald.dev', kind: 'IPAddressPool', causes: [
    { reason: 'FieldValueInvalid', message: 'Invalid value: this test refuses any status on the pool "refused"', field: '<nil>' },
  ] },
  code: 422,
});

/** A merge patch of services/status carrying another Service's metadata.uid. */
const UID_INVALID = JSON.stringify({
  kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
  message: 'Service "web" is invalid: metadata.uid: Invalid value: "00000000-0000-0000-0000-000000000000": field is immutable',
  reason: 'Invalid',
  details: { name: 'web', kind: 'Service', causes: [
    { reason: 'FieldValueInvalid', message: 'Invalid value: "00000000-0000-0000-0000-000000000000": field is immutable', field: 'metadata.uid' },
  ] },
  code: 422,
});

/** A PUT carrying another Service's metadata.uid. */
const UID_CONFLICT = JSON.stringify({
  kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Conflict', code: 409,
  message: 'Operation cannot be fulfilled on services "web": StorageError: invalid object, Code: 4, Key: /registry/services/specs/default/web, '
    + 'ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000, UID in object meta: d7cf06a7',
  details: { name: 'web', kind: 'services' },
});

const MODIFIED_CONFLICT = JSON.stringify({
  kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Conflict', code: 409,
  message: 'Operation cannot be fulfilled on services "web": the object has been modified; please apply your changes to the latest version and try again',
  details: { name: 'web', kind: 'services' },
});

/** As lib/kube/request.ts's apiText throws it: the answer's text as the body. */
const fromApiText = (code: number, body: string, headers: Record<string, string> = {}): ApiException<string> =>
  new ApiException(code, `PATCH /somewhere: ${body.slice(0, 300)}`, body, headers);

describe('apiFailure reads the server\'s Status', () => {
  test('a 422: reason, message and every cause with its field', () => {
    expect(apiFailure(fromApiText(422, POOL_INVALID))).toEqual({
      code: 422, reason: 'Invalid',
      message: 'IPAddressPool.herald.dev "refused" is invalid: <nil>: Invalid value: this test refuses any status on the pool "refused"',
      causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: this test refuses any status on the pool "refused"', field: '<nil>' }],
    });
  });

  test('the same from a generated client call, whose body is already parsed', () => {
    const err = new ApiException(422, 'whatever', JSON.parse(POOL_INVALID) as unknown, {});
    expect(apiFailure(err)).toEqual(apiFailure(fromApiText(422, POOL_INVALID)));
  });

  test('a 429 says how long to wait, from the Status or from Retry-After', () => {
    const throttled = { kind: 'Status', status: 'Failure', reason: 'TooManyRequests', message: 'Too many requests, please try again later.', code: 429 };
    expect(apiFailure(fromApiText(429, JSON.stringify({ ...throttled, details: { retryAfterSeconds: 3 } }))).retryAfterSeconds).toBe(3);
    expect(apiFailure(fromApiText(429, JSON.stringify(throttled), { 'retry-after': '2' })).retryAfterSeconds).toBe(2);
  });

  test('an answer that is not a Status (a proxy\'s 502 page) is quoted, clipped', () => {
    const page = `<html>${'x'.repeat(2 * MAX_TEXT)}</html>`;
    const failure = apiFailure(fromApiText(502, page));
    expect(failure).toMatchObject({ code: 502, causes: [] });
    expect(failure.message.startsWith('<html>xxx')).toBe(true);
    expect(failure.message).toContain(`(${page.length} chars)`);
    expect(failure.message.length).toBeLessThan(MAX_TEXT + 30);
  });

  test('a transport error has no code and names its cause', () => {
    const err = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(apiFailure(err)).toEqual({ code: undefined, message: 'fetch failed (ECONNREFUSED)', causes: [] });
  });
});

describe('describeError: one line with the server\'s reason', () => {
  test('a refused pool status: code, reason, message and causes, not "HTTP-Code: 422"', () => {
    const line = describeError(fromApiText(422, POOL_INVALID));
    expect(line).toBe('HTTP 422 Invalid: IPAddressPool.herald.dev "refused" is invalid: <nil>: Invalid value: this test refuses any status on '
      + 'the pool "refused" [causes: <nil> FieldValueInvalid: Invalid value: this test refuses any status on the pool "refused"]');
    expect(line).not.toContain('HTTP-Code');
  });

  test('a long cause is clipped, so one refused write is one log line of bounded size', () => {
    const long = JSON.stringify({ kind: 'Status', code: 422, reason: 'Invalid', message: 'm'.repeat(40_000),
      details: { causes: [{ reason: 'FieldValueTooLong', field: 'status.conditions[0].message', message: 'v'.repeat(40_000) }] } });
    expect(describeError(fromApiText(422, long)).length).toBeLessThan(3 * MAX_TEXT);
  });

  test('a 422 naming thousands of causes keeps MAX_CAUSES of them and says how many more', () => {
    const causes = Array.from({ length: 10_000 }, (_, i) => ({ reason: 'FieldValueInvalid', field: `spec.addresses[${i}]`, message: `Invalid value: "${'z'.repeat(400)}"` }));
    const body = JSON.stringify({ kind: 'Status', code: 422, reason: 'Invalid', message: 'm', details: { causes } });
    const failure = apiFailure(fromApiText(422, body));
    expect([failure.causes.length, failure.causesLeftOff]).toEqual([MAX_CAUSES, 10_000 - MAX_CAUSES]);
    const line = describeError(fromApiText(422, body));
    expect(line.endsWith(`; and ${10_000 - MAX_CAUSES} more]`)).toBe(true);
    expect(line.length).toBeLessThan((MAX_CAUSES + 1) * 2 * MAX_TEXT);
  });

  test('a clipped text never ends in half of a surrogate pair', () => {
    const body = JSON.stringify({ kind: 'Status', code: 422, reason: 'Invalid', message: `${'m'.repeat(MAX_TEXT - 1)}😀${'m'.repeat(10)}` });
    expect(apiFailure(fromApiText(422, body)).message).toBe(`${'m'.repeat(MAX_TEXT - 1)}… (${MAX_TEXT + 11} chars)`);
  });

  test('without causes, only the head', () => {
    expect(describeFailure({ code: 409, reason: 'Conflict', message: 'the object has been modified', causes: [] }))
      .toBe('HTTP 409 Conflict: the object has been modified');
  });
});

describe('isUidMismatch: the write reached a re-created object', () => {
  test.each([
    ['a merge patch with another uid (422 naming metadata.uid)', fromApiText(422, UID_INVALID), true],
    ['a PUT with another uid (409, UID precondition)', fromApiText(409, UID_CONFLICT), true],
    ['a conflict on resourceVersion', fromApiText(409, MODIFIED_CONFLICT), false],
    ['a 422 about another field', fromApiText(422, POOL_INVALID), false],
    ['a transport error', new Error('socket hang up'), false],
  ])('%s: %s', (_what, err, expected) => {
    expect(isUidMismatch(err)).toBe(expected);
  });
});
