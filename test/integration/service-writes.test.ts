// A Service's write: one request (status and annotation together), carrying the uid it was decided for. The
// controller's requests go through a proxy that records them and can hold one, so the test can delete and re-create
// a Service between the controller's decision and its write.
import { POOL_ANNOTATION } from '../../controller/driver/writes.js';
import { createPool, createService, ipsOf, readService, startEnv, startTestController, waitFor, waitForIPs, type Env, type ServiceOptions } from './harness.js';
import { HoldingProxy } from './holding-proxy.js';
import { IpHistory } from './ip-history.js';

const ns = 'apps';
const servicePath = `/api/v1/namespaces/${ns}/services/web`;

let env: Env;
let proxy: HoldingProxy;
let history: IpHistory;
beforeEach(async () => {
  env = await startEnv();
  proxy = await HoldingProxy.start(env.controllerUser.kubeConfig);
  env.controllerUser = { ...env.controllerUser, kubeConfig: proxy.kubeConfigFor(env.controllerUser.kubeConfig) };
  history = new IpHistory(env.kc);
  await history.start();
  await createPool(env, 'p', { addresses: ['192.0.2.10-192.0.2.30'] });
});
afterEach(async () => {
  await history.stop();
  await env.stop();
  await proxy.stop();
});

test('a new Service costs the controller one write: its IP, condition and pool annotation in one patch of /status', async () => {
  await startTestController(env);
  await createService(env, ns, 'web');
  expect(await waitForIPs(env, ns, 'web')).toEqual(['192.0.2.10']);
  expect((await readService(env, ns, 'web'))?.metadata?.annotations?.[POOL_ANNOTATION]).toBe('p');
  expect(proxy.sent('PATCH', `${servicePath}/status`).map((r) => r.status)).toEqual([200]);
  expect(proxy.sent('PATCH', servicePath)).toEqual([]);
});

test('a Service whose write hangs holds back no other Service', async () => {
  await startTestController(env);
  const hold = proxy.holdNext('PATCH', `${servicePath}/status`);
  await createService(env, ns, 'web');
  await hold.arrived;
  await createService(env, ns, 'other');
  expect(await waitForIPs(env, ns, 'other', 1, 3_000)).toEqual(['192.0.2.11']);
  expect(await hold.release()).toBe(200);
  expect(await waitForIPs(env, ns, 'web')).toEqual(['192.0.2.10']);
});

// kube-apiserver refuses a patch whose metadata.uid is not the object's (422 naming metadata.uid); the emulator does
// too (test/apiserver/tests/patch.test.ts compares them).
test.each([
  ['another controller\'s', { loadBalancerClass: 'other.example/lb' }, []],
  ['ours, asking for another IP', { annotations: { 'herald.dev/loadBalancerIPs': '192.0.2.20' } }, ['192.0.2.20']],
] as [string, ServiceOptions, string[]][])('a write decided for a Service deleted and re-created (as %s) meanwhile is refused, not landed on the new one', async (_what, recreated, ips) => {
  await startTestController(env);
  const hold = proxy.holdNext('PATCH', `${servicePath}/status`);
  await createService(env, ns, 'web');
  await hold.arrived; // the controller gave the old web 192.0.2.10; that write waits here
  await env.core.deleteNamespacedService({ namespace: ns, name: 'web' });
  await waitFor('the old web gone', async () => (await readService(env, ns, 'web')) === undefined);
  const fresh = await createService(env, ns, 'web', recreated);
  const readsBefore = proxy.sent('GET', servicePath).length;
  expect(await hold.release()).toBe(422);
  // The controller reads web again and decides for what is there now.
  await waitFor('the re-read', async () => proxy.sent('GET', servicePath).length > readsBefore);
  if (ips.length > 0) await waitFor(`web to show ${ips.join()}`, async () => ipsOf(await readService(env, ns, 'web')).join() === ips.join());
  else await new Promise((r) => setTimeout(r, 1_000));
  const now = await readService(env, ns, 'web');
  expect(now?.metadata?.uid).toBe(fresh.metadata?.uid);
  // No version of the new web ever showed the IP decided for the old one.
  expect(history.seen.get(fresh.metadata?.uid ?? '')?.lists ?? []).toEqual(ips.length > 0 ? [ips] : []);
  if (ips.length === 0) expect(now?.metadata?.annotations?.[POOL_ANNOTATION]).toBeUndefined();
});

test('a controller that lost leadership writes nothing; leading again, it serves what came meanwhile', async () => {
  const controller = await startTestController(env);
  await createService(env, ns, 'web');
  expect(await waitForIPs(env, ns, 'web')).toEqual(['192.0.2.10']);
  controller.driver.stopLeading();
  const before = proxy.sent('PATCH', `${servicePath}/status`).length;
  await createService(env, ns, 'api');
  await env.core.deleteNamespacedService({ namespace: ns, name: 'web' });
  await new Promise((r) => setTimeout(r, 1_500));
  expect(proxy.sent('PATCH', `/api/v1/namespaces/${ns}/services/api/status`)).toEqual([]);
  expect(proxy.sent('PATCH', `${servicePath}/status`)).toHaveLength(before);
  expect(ipsOf(await readService(env, ns, 'api'))).toEqual([]);
  controller.driver.startLeading();
  expect(await waitForIPs(env, ns, 'api')).toEqual(['192.0.2.10']);
});
