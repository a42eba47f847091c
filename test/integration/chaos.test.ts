// The same invariants under API faults: watches dropped (cleanly and abruptly), 410/429/500/503 injected into
// the controller's reads and writes, latency added, and Services deleted and re-created under the same name while
// their writes are in flight (kube-apiserver answers a merge patch without a resourceVersion with no 409, so a
// stale write is not a conflict: the hazard is a write landing on the new Service, which its uid precondition
// stops). Services keep coming; in the end every one is served, no IP ever moved and no IP is held twice.
import { describeEmulatorOnly } from '../cluster/backend.js';
import { createPool, createService, emulatorOf, ipsOf, startTestController, waitFor } from './harness.js';
import { useWatchedEnv } from './ip-history.js';

const ns = 'chaos';

// The faults are injected by the emulator's fault switch; kube-apiserver cannot be made to produce them on cue.
describeEmulatorOnly('controller under API faults', () => {
  const suite = useWatchedEnv();

  test('dropped watches, injected 410/429/500/503, re-created Services: no IP moves, no duplicates, everything allocated', async () => {
    await createPool(suite.env, 'p', { addresses: ['192.0.2.0/24'] });
    await startTestController(suite.env);
    const faults = emulatorOf(suite.env).faults;
    const injections: (() => void)[] = [
      () => faults.dropWatches(),
      () => faults.dropWatches({ abrupt: true }),
      () => faults.failNext({ verb: 'patch', resource: 'services/status', code: 503, count: 3 }),
      () => faults.failNext({ verb: 'patch', resource: 'services/status', code: 500, count: 2 }),
      () => { recreate = true; },
      () => faults.failNext({ verb: 'patch', resource: 'services/status', code: 429 }),
      () => faults.failNext({ verb: 'watch', code: 410, count: 2 }),
      () => faults.failNext({ verb: 'list', resource: 'services', code: 500 }),
      () => faults.failNext({ verb: 'patch', resource: 'ipaddresspools/status', code: 503 }),
      () => faults.setLatency(5),
    ];
    let created = 0;
    let recreate = false;
    const served = async (): Promise<boolean> => {
      const list = await suite.env.core.listNamespacedService({ namespace: ns });
      return list.items.every((s) => ipsOf(s).length === 1);
    };
    for (let round = 0; round < 3; round++) {
      for (const inject of injections) {
        inject();
        for (let i = 0; i < 3; i++) await createService(suite.env, ns, `svc-${created++}`);
        if (recreate) {
          // The newest Service's write is likely still in flight: it is deleted and a new one takes its name.
          const name = `svc-${created - 1}`;
          await suite.env.core.deleteNamespacedService({ namespace: ns, name });
          await waitFor(`${name} gone`, async () => !(await suite.env.core.listNamespacedService({ namespace: ns })).items.some((s) => s.metadata?.name === name));
          await createService(suite.env, ns, name);
          recreate = false;
        }
        if (created % 9 === 0) await suite.env.core.deleteNamespacedService({ namespace: ns, name: `svc-${created - 5}` });
        // The controller must get through each fault on its own before the next one comes.
        await waitFor(`Services served after fault ${injections.indexOf(inject)} of round ${round}`, served, 10_000);
      }
      faults.reset();
    }
    expect(faults.injected).toBeGreaterThanOrEqual(20);
    const ips = (await suite.env.core.listNamespacedService({ namespace: ns })).items.flatMap(ipsOf);
    expect(new Set(ips).size).toBe(ips.length);
    expect(suite.history.moves()).toEqual([]);
    expect(suite.history.duplicates).toEqual([]);
  }, 60_000);
});
