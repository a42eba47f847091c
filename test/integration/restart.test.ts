// A restart never moves an IP: the controller is restarted 20 times while Services come and go (also while
// it is down), and every IP each Service ever showed is recorded by an independent watch.
import { createPool, createService, ipsOf, startTestController, waitFor } from './harness.js';
import { useWatchedEnv } from './ip-history.js';

const suite = useWatchedEnv();

const ns = 'churn';

async function allServed(): Promise<boolean> {
  const list = await suite.env.core.listNamespacedService({ namespace: ns });
  return list.items.length > 0 && list.items.every((s) => ipsOf(s).length === 1);
}

test('20 restarts while Services come and go: no IP ever moves, none is held twice', async () => {
  await createPool(suite.env, 'p', { addresses: ['192.0.2.0/24'] });
  let next = 0;
  const live: string[] = [];
  for (let round = 0; round < 20; round++) {
    const controller = await startTestController(suite.env);
    for (let i = 0; i < 3; i++) {
      const name = `svc-${next++}`;
      await createService(suite.env, ns, name);
      live.push(name);
    }
    await waitFor(`round ${round}: every Service served`, allServed);
    await controller.stop();
    suite.env.controllers.pop();
    // While the controller is down: free a low IP and ask for a new one, the classic way a restart that
    // allocates before it restores would hand an existing Service's IP to the newcomer.
    const victim = live.splice(round % live.length, 1)[0];
    if (victim) await suite.env.core.deleteNamespacedService({ namespace: ns, name: victim });
    const name = `svc-${next++}`;
    await createService(suite.env, ns, name);
    live.push(name);
  }
  const last = await startTestController(suite.env);
  await waitFor('final state served', allServed);
  await last.stop();
  suite.env.controllers.pop();
  await waitFor('history caught up', async () => suite.history.servicesWithIPs() >= next);
  expect(suite.history.moves()).toEqual([]);
  expect(suite.history.duplicates).toEqual([]);
  const ips = (await suite.env.core.listNamespacedService({ namespace: ns })).items.flatMap(ipsOf);
  expect(new Set(ips).size).toBe(ips.length);
  expect(ips.length).toBe(live.length);
}, 180_000);
