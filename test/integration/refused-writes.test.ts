// One object the server refuses never holds back the others (from a user trial: a pool whose status the server
// answered 422 was retried in a hot loop, logged as "HTTP 422: HTTP-Code: 422", and no other pool got a status).
// The refusal is the server's own on both backends: the test's copy of the pool CRD carries one more CEL rule, which
// refuses any status on a pool whose first address is REFUSED_RANGE. The controller's requests go through a proxy
// that records them, so the test counts its attempts.
import { HttpMethod } from '@kubernetes/client-node';
import { HERALD_NAMESPACE, type IPAddressPool } from '../../crds/v1beta1/index.js';
import { apiJson, apiText, mergePatchRequest } from '../../lib/kube/request.js';
import { httpStatus } from '../../lib/kube/errors.js';
import { itEmulatorOnly } from '../cluster/backend.js';
import { capturedLog } from '../support/captured-log.js';
import { createPool, createService, emulatorOf, getPool, setPoolAddresses, startEnv, startTestController, waitFor, type Env } from './harness.js';
import { HoldingProxy } from './holding-proxy.js';

const REFUSED_RANGE = '198.51.100.0/24';
const RULE_MESSAGE = `this test refuses any status on a pool whose first address is ${REFUSED_RANGE}`;
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/ipaddresspools.herald.dev';
const poolStatusPath = (name: string): string => `/apis/herald.dev/v1beta1/namespaces/${HERALD_NAMESPACE}/ipaddresspools/${name}/status`;

interface Crd { spec: { versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[] } }

/** Adds the refusing rule to the pool CRD (plain JSON: client-node's model would drop x-kubernetes-* fields). */
async function refuseStatusOfPoolsAt(env: Env): Promise<void> {
  const crd = await apiJson<Crd>(env.kc, { method: HttpMethod.GET, path: CRD_PATH });
  for (const { schema } of crd.spec.versions) {
    const rules = (schema.openAPIV3Schema['x-kubernetes-validations'] ?? []) as unknown[];
    schema.openAPIV3Schema['x-kubernetes-validations'] = [...rules, { rule: `!has(self.status) || self.spec.addresses[0] != '${REFUSED_RANGE}'`, message: RULE_MESSAGE }];
  }
  await apiText(env.kc, { method: HttpMethod.PUT, path: CRD_PATH, body: crd });
}

const ready = (pool: IPAddressPool): boolean => pool.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

let env: Env;
let proxy: HoldingProxy;
beforeEach(async () => {
  env = await startEnv();
  proxy = await HoldingProxy.start(env.controllerUser.kubeConfig);
  env.controllerUser = { ...env.controllerUser, kubeConfig: proxy.kubeConfigFor(env.controllerUser.kubeConfig) };
});
afterEach(async () => {
  await env.stop();
  await proxy.stop();
});

test('a pool whose status the server refuses: the other pool is served at once, the refused one retried with backoff and logged with the server\'s reason', async () => {
  await refuseStatusOfPoolsAt(env);
  // Right after a CRD's schema changes, kube-apiserver answered a create once (in CI) with 503 and Retry-After
  // ("apiserver is shutting down"), apparently while it swaps the CRD's storage: the first create retries on 503.
  await waitFor('the pool created after the CRD change', async () => {
    try {
      await createPool(env, 'a-refused', { addresses: [REFUSED_RANGE] });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 503) return false;
      throw err;
    }
  });
  // The rule is in force once the server refuses a status on that pool (kube-apiserver reloads a CRD's schema soon after).
  await waitFor('the rule in force', async () =>
    httpStatus(await apiText(env.kc, mergePatchRequest(poolStatusPath('a-refused'), { status: {} })).catch((e: unknown) => e)) === 422);
  await createPool(env, 'b-fine', { addresses: ['192.0.2.0/24'] });
  const log = capturedLog();
  const started = Date.now();
  await startTestController(env, { logger: log.logger });
  await waitFor('b-fine Ready', async () => ready(await getPool(env, 'b-fine')), 3_000);
  expect(Date.now() - started).toBeLessThan(3_000);

  // Services keep coming, so every pool's status is recomputed every quarter second: the refused pool must not be
  // written at that pace, but after its own backoff (1 s, 2 s, 4 s, ...).
  for (let i = 0; i < 20; i++) {
    await createService(env, 'apps', `svc-${i}`, { annotations: { 'herald.dev/address-pool': 'b-fine' } });
    await new Promise((r) => setTimeout(r, 150));
  }
  const attempts = (): number => proxy.sent('PATCH', poolStatusPath('a-refused')).length;
  await waitFor('a third attempt', async () => attempts() >= 3, 10_000);
  const elapsedS = (Date.now() - started) / 1000;
  expect(attempts()).toBeLessThanOrEqual(Math.ceil(Math.log2(elapsedS + 1)) + 1);
  await waitFor('b-fine counts every Service', async () => (await getPool(env, 'b-fine')).status?.assignedIPv4 === 20);

  const line = log.lines.find((l) => l.object === `IPAddressPool ${HERALD_NAMESPACE}/a-refused`);
  expect(line).toMatchObject({ code: 422, reason: 'Invalid', msg: 'write failed; will retry' });
  expect(line?.causes).toEqual([expect.objectContaining({ message: expect.stringContaining(RULE_MESSAGE) })]);
  expect(line?.err).toContain(RULE_MESSAGE);

  // Its owner changes the pool: that may be the fix, so it is tried at once, not when its backoff (now 4 s) ends.
  const fixed = Date.now();
  await setPoolAddresses(env, 'a-refused', ['203.0.113.0/24']);
  await waitFor('a-refused Ready', async () => ready(await getPool(env, 'a-refused')), 5_000);
  expect(Date.now() - fixed).toBeLessThan(1_500);
}, 60_000);

itEmulatorOnly('a Service whose write keeps failing is retried with a backoff that grows, not every 100 ms', async () => {
  await createPool(env, 'p', { addresses: ['192.0.2.0/24'] });
  await startTestController(env);
  emulatorOf(env).faults.failNext({ verb: 'patch', resource: 'services/status', code: 500, count: 1_000 });
  await createService(env, 'apps', 'web');
  const path = '/api/v1/namespaces/apps/services/web/status';
  await waitFor('the first attempt', async () => proxy.sent('PATCH', path).length > 0);
  await new Promise((r) => setTimeout(r, 2_000));
  // 100 ms, 200 ms, 400 ms, 800 ms: at most five tries in two seconds.
  expect(proxy.sent('PATCH', path).length).toBeLessThanOrEqual(6);
  emulatorOf(env).faults.reset();
  await waitFor('web served once the server takes writes again', async () => proxy.sent('PATCH', path).some((r) => r.status === 200), 5_000);
}, 30_000);
