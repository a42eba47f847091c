// A Service's owner can write texts of any length where Herald reads them: an annotation may hold 256 KiB (the API
// server's limit for all of them), spec.loadBalancerIP is not checked at all. Past VALUE_MAX_CHARS the request is
// invalid, every message quotes only the head of the value, and the decision is the same whether the core is given
// the whole value or what the controller's cache keeps of it (boundedValue). Labels and a selector the cache could
// not keep (over LABELS_MAX_CHARS) make the request invalid too.
import { boundedValue, VALUE_MAX_CHARS } from '../../lib/annotations.js';
import { MESSAGE_MAX_BYTES, utf8Length } from '../../lib/config/index.js';
import { LABELS_MAX_CHARS, type ServiceKey, type ServiceOutcome } from '../core-api.js';
import { cluster, pool, service, type ServiceShape } from './fixtures.js';
import { QUOTED_CHARS } from './request.js';

const web: ServiceKey = 'apps/web';
const LONGEST = 256 * 1024 - 'metallb.universe.tf/loadBalancerIPs'.length;
const long = (head: string) => `${head}${'x'.repeat(LONGEST - head.length)}`;

const cases: [string, string, (value: string) => ServiceShape][] = [
  ['the loadBalancerIPs annotation', '192.0.2.10,', (v) => ({ annotations: { 'metallb.universe.tf/loadBalancerIPs': v } })],
  ['spec.loadBalancerIP', '192.0.2.10 ', (v) => ({ loadBalancerIP: v })],
  ['the address-pool annotation', 'p-', (v) => ({ annotations: { 'herald.dev/address-pool': v } })],
  ['the allow-shared-ip annotation', 'key-', (v) => ({ annotations: { 'metallb.io/allow-shared-ip': v } })],
];

/** Every text the outcome carries out of the core: events, the condition, the decision's why. */
const texts = (o: ServiceOutcome) => [...o.events.map((e) => e.message), o.condition?.message ?? '', o.decision?.why ?? ''];

describe.each(cases)('%s longer than VALUE_MAX_CHARS', (what, head, shape) => {
  test('makes a new Service\'s request invalid, quoting only the head of the value', () => {
    const { apply } = cluster([]);
    const outcome = apply(web, shape(long(head)));
    expect(outcome.condition).toEqual({ status: 'False', reason: 'InvalidRequest',
      message: `${what} is longer than ${VALUE_MAX_CHARS} characters ("${long(head).slice(0, QUOTED_CHARS - 1)}…")` });
    for (const text of texts(outcome)) {
      expect(utf8Length(text)).toBeLessThanOrEqual(MESSAGE_MAX_BYTES);
      expect(text).not.toContain('x'.repeat(QUOTED_CHARS));
    }
  });

  test('is decided alike from the whole value and from what the cache keeps of it', () => {
    const whole = cluster([]).apply(web, shape(long(head)));
    const kept = cluster([]).apply(web, shape(boundedValue(long(head))));
    expect(kept).toEqual(whole);
  });

  test('a Service that holds an IP keeps it while the request is invalid, as for any other bad request', () => {
    const { apply } = cluster([pool('p', ['192.0.2.10-192.0.2.11'])]);
    expect(apply(web).ingress.map((i) => i.ip)).toEqual(['192.0.2.10']);
    const outcome = apply(web, { ...shape(long(head)), ingress: ['192.0.2.10'] });
    expect(outcome.ingress.map((i) => i.ip)).toEqual(['192.0.2.10']);
    expect(outcome.condition).toMatchObject({ status: 'True', reason: 'InvalidRequest' });
  });

  test('exactly VALUE_MAX_CHARS is not refused for its length', () => {
    const { apply } = cluster([]);
    const message = apply(web, shape(`${head}${'y'.repeat(VALUE_MAX_CHARS - head.length)}`)).condition?.message ?? '';
    expect(message).not.toContain('longer than');
  });
});

describe('a Service whose labels or selector the cache could not keep (CachedService.tooLarge)', () => {
  const tooLarge = `its labels hold 900000 characters in 3000 entries (at most ${LABELS_MAX_CHARS} each)`;
  const big = (shape: ServiceShape = {}) => ({ ...service(web, shape), tooLarge });

  test('is refused: no pool can be told to admit it or not', () => {
    const outcome = cluster([pool('p', ['192.0.2.10-192.0.2.11'])]).core.reconcile(web, big());
    expect(outcome.condition).toEqual({ status: 'False', reason: 'InvalidRequest', message: `the Service is too large for Herald: ${tooLarge}` });
    expect(outcome.ingress).toEqual([]);
  });

  test('keeps an address it holds, as for any other bad request', () => {
    const { core, apply } = cluster([pool('p', ['192.0.2.10-192.0.2.11'])]);
    apply(web);
    const outcome = core.reconcile(web, big({ ingress: ['192.0.2.10'] }));
    expect([outcome.ingress.map((i) => i.ip), outcome.condition?.reason]).toEqual([['192.0.2.10'], 'InvalidRequest']);
  });
});
