// Issue 12: one long annotation must not take the controller down. kube-apiserver refuses a 1 MiB annotation (all of
// an object's annotations may hold 256 KiB), so these Services carry the longest one it accepts; spec.loadBalancerIP
// it does not check, so that one is 1 MiB; labels it bounds one by one, not in number. Against the API backend with
// the real driver and core: each such Service is refused with a short message that quotes only the head of the value,
// every event and log line stays short, and the other Services are served as before. The controller's heap under 500
// of them is a benchmark (test/bench/annotations.bench.ts).
import type { V1Service } from '@kubernetes/client-node';
import { EventRecorder } from '../../lib/kube/events/recorder.js';
import { VALUE_MAX_CHARS } from '../../lib/annotations.js';
import { MESSAGE_MAX_BYTES, utf8Length } from '../../lib/config/index.js';
import { TOTAL_ANNOTATION_SIZE_LIMIT } from '../../lib/crd-schema/metadata.js';
import { statusOf } from '../apiserver/tests/helpers.js';
import { capturedLog } from '../support/captured-log.js';
import {
  createPool, ensureNamespace, eventsFor, readService, serviceBody, startEnv, startTestController, waitFor, waitForIPs, type Env, type ServiceOptions,
} from './harness.js';

const ns = 'apps';
const MiB = 1024 * 1024;
/** The longest value the annotation `key` can have: the server counts every key and value together. */
const longest = (key: string, head: string) => head + 'x'.repeat(TOTAL_ANNOTATION_SIZE_LIMIT - key.length - head.length);

let env: Env;
beforeEach(async () => {
  env = await startEnv();
  await ensureNamespace(env, ns);
  await createPool(env, 'p', { addresses: ['192.0.2.10-192.0.2.20'] });
});
afterEach(() => env.stop());

const create = (name: string, o: ServiceOptions): Promise<V1Service> => env.core.createNamespacedService({ namespace: ns, body: serviceBody(ns, name, o) });

test('the API server refuses a 1 MiB annotation: the longest one it takes is 256 KiB less its key', async () => {
  const key = 'herald.dev/loadBalancerIPs';
  const status = await statusOf(() => create('mib', { annotations: { [key]: 'x'.repeat(MiB) } }));
  expect(status).toMatchObject({ code: 422, message: 'Service "mib" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes' });
  await create('longest', { annotations: { [key]: longest(key, '') } });
});

test.each([
  ['the loadBalancerIPs annotation', { annotations: { 'herald.dev/loadBalancerIPs': longest('herald.dev/loadBalancerIPs', '192.0.2.15,') } }],
  ['the address-pool annotation', { annotations: { 'metallb.io/address-pool': longest('metallb.io/address-pool', 'p') } }],
  ['the allow-shared-ip annotation', { annotations: { 'metallb.universe.tf/allow-shared-ip': longest('metallb.universe.tf/allow-shared-ip', 'k') } }],
  ['spec.loadBalancerIP', { loadBalancerIP: `192.0.2.15${' '.repeat(MiB)}` }],
] as [string, ServiceOptions][])('%s at its longest: refused with a short message, and nobody else is held up', async (what, o) => {
  const log = capturedLog('debug');
  await startTestController(env, { logger: log.logger });
  await create('long', o);
  const condition = await waitFor('long\'s AddressAssigned condition', async () =>
    (await readService(env, ns, 'long'))?.status?.conditions?.find((c) => c.type === 'herald.dev/AddressAssigned'));
  expect(condition).toMatchObject({ status: 'False', reason: 'InvalidRequest' });
  expect(condition.message).toMatch(new RegExp(`^${what} is longer than ${VALUE_MAX_CHARS} characters \\("[^"]{1,40}"\\)$`));
  const [event] = await waitFor('the InvalidRequest event', async () => (await eventsFor(env, ns, 'long')).filter((e) => e.reason === 'InvalidRequest'));
  expect(event?.message).toBe(condition.message);
  await create('next', {});
  expect(await waitForIPs(env, ns, 'next')).toEqual(['192.0.2.10']);
  const longestLine = Math.max(...log.lines.map((l) => JSON.stringify(l).length));
  expect(longestLine).toBeLessThan(2 * MESSAGE_MAX_BYTES);
}, 60_000);

test('3 000 labels (Kubernetes bounds each label, not how many): refused with a short message, nobody else held up', async () => {
  const labels = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`l${i}.${'a'.repeat(60)}.${'b'.repeat(60)}.example/${'n'.repeat(63)}`, 'v'.repeat(63)]));
  const log = capturedLog('debug');
  await startTestController(env, { logger: log.logger });
  await create('labelled', { labels });
  const condition = await waitFor('labelled\'s AddressAssigned condition', async () =>
    (await readService(env, ns, 'labelled'))?.status?.conditions?.find((c) => c.type === 'herald.dev/AddressAssigned'));
  expect(condition).toMatchObject({ status: 'False', reason: 'InvalidRequest',
    message: expect.stringMatching(/^the Service is too large for Herald: its labels hold \d+ characters in 3000 entries \(at most 4096 each\)$/) });
  await create('next', {});
  expect(await waitForIPs(env, ns, 'next')).toEqual(['192.0.2.10']);
  expect(Math.max(...log.lines.map((l) => JSON.stringify(l).length))).toBeLessThan(2 * MESSAGE_MAX_BYTES);
}, 60_000);

test('the event recorder writes, keys and logs at most MESSAGE_MAX_BYTES of a message, whatever it is given', async () => {
  const log = capturedLog('debug');
  const recorder = new EventRecorder({ kubeConfig: env.kc, component: 'test', instance: 'test-1', logger: log.logger });
  const svc = await create('web', {});
  const object = { apiVersion: 'v1', kind: 'Service', namespace: ns, name: 'web', uid: svc.metadata?.uid };
  recorder.record({ object, type: 'Warning', reason: 'Long', message: 'y'.repeat(MiB) });
  await recorder.flush();
  const [event] = (await eventsFor(env, ns, 'web')).filter((e) => e.reason === 'Long');
  expect(utf8Length(event?.message ?? '')).toBe(MESSAGE_MAX_BYTES);
  expect(log.lines.find((l) => l.reason === 'Long')?.msg).toBe(event?.message);
});
