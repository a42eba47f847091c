// The fault switch other suites use for chaos: injected failures, latency, dropped watches, reset.
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describeEmulatorOnly } from '../../cluster/backend.js';
import { emulatorOf, statusOf, useApiServer } from './helpers.js';

// The fault switch is the emulator's own: a real kube-apiserver cannot be told to fail, stall or drop watches on cue.
describeEmulatorOnly('the fault switch', () => {
  const backend = useApiServer();
  const server = () => emulatorOf(backend());
  let core: CoreV1Api;

  beforeAll(() => {
    core = server().kubeConfig().makeApiClient(CoreV1Api);
  });
  afterEach(() => server().faults.reset());

  test.each([409, 410, 429, 500, 503] as const)('the next matching request fails with %i, the one after succeeds', async (code) => {
    server().faults.failNext({ verb: 'list', resource: 'services', code });
    const status = await statusOf(() => core.listNamespacedService({ namespace: 'default' }));
    expect(status.code).toBe(code);
    await expect(core.listNamespacedService({ namespace: 'default' })).resolves.toBeDefined();
  });

  test('rules match only their verb and resource, and count down', async () => {
    server().faults.failNext({ verb: 'patch', resource: 'services/status', code: 500, count: 2 });
    await expect(core.listNamespacedService({ namespace: 'default' })).resolves.toBeDefined();
    for (let i = 0; i < 2; i++) {
      const status = await statusOf(() => core.patchNamespacedServiceStatus({ namespace: 'default', name: 'kubernetes', body: { status: {} } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)));
      expect(status.code).toBe(500);
    }
    await expect(core.patchNamespacedServiceStatus({ namespace: 'default', name: 'kubernetes', body: { status: {} } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))).resolves.toBeDefined();
  });

  test('latency delays every request until reset', async () => {
    server().faults.setLatency(150);
    let started = Date.now();
    await core.readNamespace({ name: 'default' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    server().faults.reset();
    started = Date.now();
    await core.readNamespace({ name: 'default' });
    expect(Date.now() - started).toBeLessThan(140);
  });

  test('dropWatches ends every open watch', async () => {
    const res = await fetch(`${server().url}/api/v1/namespaces?watch=true`);
    const reader = res.body!.getReader();
    await reader.read();
    expect(server().openWatches()).toBe(1);
    expect(server().faults.dropWatches()).toBe(1);
    let done = false;
    while (!done) done = (await reader.read()).done;
    expect(server().openWatches()).toBe(0);
  });
});
