// The controller's lifecycle (issue #2 §3) against the API backend (the emulator, or a real control plane with
// the controller as its ServiceAccount), with the real client-node, the real driver and the real core: each test
// starts its own backend and controller.
import {
  createPool, createService, deletePool, ensureNamespace, eventsFor, getPool, ipsOf, readService, setPoolAddresses,
  startEnv, startTestController, waitFor, waitForEvent, waitForIPs, type Env,
} from './harness.js';
import { POOL_ANNOTATION } from '../../controller/driver/writes.js';
import { mergePatch } from '../support/merge-patch.js';

let env: Env;
beforeEach(async () => {
  env = await startEnv();
});
afterEach(async () => {
  await env.stop();
});

const ns = 'apps';

describe('controller lifecycle', () => {
  test('a LoadBalancer Service gets the lowest free IP, the pool annotation and an IPAllocated event', async () => {
    await createPool(env, 'default', { addresses: ['192.0.2.10-192.0.2.12'] });
    await startTestController(env);
    await createService(env, ns, 'web');
    expect(await waitForIPs(env, ns, 'web')).toEqual(['192.0.2.10']);
    // The annotation is written with the status, in the same request.
    const svc = await readService(env, ns, 'web');
    expect(svc?.metadata?.annotations?.[POOL_ANNOTATION]).toBe('default');
    const event = await waitForEvent(env, ns, 'web', 'IPAllocated');
    expect(event.message).toContain('192.0.2.10');
    expect(event.involvedObject.uid).toBe(svc?.metadata?.uid);
    const pool = await waitFor('pool status counts', async () => {
      const p = await getPool(env, 'default');
      return p.status?.assignedIPv4 === 1 ? p : undefined;
    });
    expect(pool.status?.availableIPv4).toBe(2);
  });

  test('deleting a Service releases its IP for the next one', async () => {
    await createPool(env, 'one', { addresses: ['192.0.2.50/32'] });
    await startTestController(env);
    await createService(env, ns, 'first');
    await waitForIPs(env, ns, 'first');
    await createService(env, ns, 'second');
    await waitForEvent(env, ns, 'second', 'AllocationFailed');
    const started = Date.now();
    await env.core.deleteNamespacedService({ namespace: ns, name: 'first' });
    expect(await waitForIPs(env, ns, 'second', 1, 1000)).toEqual(['192.0.2.50']);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('changing the type away from LoadBalancer releases the IP and clears status and annotation', async () => {
    await createPool(env, 'p', { addresses: ['192.0.2.0/30'] });
    await startTestController(env);
    await createService(env, ns, 'web');
    await waitForIPs(env, ns, 'web');
    await env.core.patchNamespacedService({ namespace: ns, name: 'web', body: { spec: { type: 'ClusterIP' } } }, mergePatch);
    const svc = await waitFor('status cleared', async () => {
      const s = await readService(env, ns, 'web');
      return ipsOf(s).length === 0 && !s?.metadata?.annotations?.[POOL_ANNOTATION] ? s : undefined;
    });
    expect(svc.spec?.type).toBe('ClusterIP');
    await waitForEvent(env, ns, 'web', 'IPReleased');
  });

  test('a deleted pool moves its Services to another pool, with an IPChanged event', async () => {
    await createPool(env, 'a', { addresses: ['192.0.2.1/32'], serviceAllocation: { priority: 1 } });
    await createPool(env, 'b', { addresses: ['198.51.100.1/32'], serviceAllocation: { priority: 2 } });
    await startTestController(env);
    await createService(env, ns, 'web');
    expect(await waitForIPs(env, ns, 'web')).toEqual(['192.0.2.1']);
    await deletePool(env, 'a');
    // The IP and the pool annotation change in one write.
    await waitFor('web moved to pool b, annotation included', async () => {
      const svc = await readService(env, ns, 'web');
      return ipsOf(svc)[0] === '198.51.100.1' && svc?.metadata?.annotations?.[POOL_ANNOTATION] === 'b';
    });
    await waitForEvent(env, ns, 'web', 'IPChanged');
  });

  test('a shrunk pool clears the Services that no longer fit, with events', async () => {
    await createPool(env, 'p', { addresses: ['192.0.2.1-192.0.2.2'] });
    await startTestController(env);
    await createService(env, ns, 'one');
    await waitForIPs(env, ns, 'one');
    await createService(env, ns, 'two');
    expect(await waitForIPs(env, ns, 'two')).toEqual(['192.0.2.2']);
    await setPoolAddresses(env, 'p', ['192.0.2.1/32']);
    await waitFor('two cleared', async () => ipsOf(await readService(env, ns, 'two')).length === 0);
    expect(ipsOf(await readService(env, ns, 'one'))).toEqual(['192.0.2.1']);
    const reasons = (await eventsFor(env, ns, 'two')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['IPReleased']));
  });

  test('a grown pool serves a pending Service within a second', async () => {
    await createPool(env, 'p', { addresses: ['192.0.2.1/32'] });
    await startTestController(env);
    await createService(env, ns, 'one');
    await waitForIPs(env, ns, 'one');
    await createService(env, ns, 'two');
    await waitForEvent(env, ns, 'two', 'AllocationFailed');
    const started = Date.now();
    await setPoolAddresses(env, 'p', ['192.0.2.1-192.0.2.2']);
    expect(await waitForIPs(env, ns, 'two', 1, 1000)).toEqual(['192.0.2.2']);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('exhaustion gives AllocationFailed naming the pools tried, aggregated into one Event', async () => {
    await createPool(env, 'small-a', { addresses: ['192.0.2.1/32'] });
    await createPool(env, 'small-b', { addresses: ['198.51.100.1/32'] });
    await startTestController(env);
    await createService(env, ns, 's1');
    await createService(env, ns, 's2');
    await waitForIPs(env, ns, 's1');
    await waitForIPs(env, ns, 's2');
    await createService(env, ns, 's3');
    const failed = await waitForEvent(env, ns, 's3', 'AllocationFailed');
    expect(failed.message).toContain('"small-a"');
    expect(failed.message).toContain('"small-b"');
    // The controller retries with backoff; every retry bumps the count of the same Event.
    await waitFor('count bumped', async () => ((await eventsFor(env, ns, 's3')).find((e) => e.reason === 'AllocationFailed')?.count ?? 0) >= 2, 3000);
    expect((await eventsFor(env, ns, 's3')).filter((e) => e.reason === 'AllocationFailed')).toHaveLength(1);
  });

  test('an overlapping pool gets Ready=False and an event while the other pools work', async () => {
    await createPool(env, 'good', { addresses: ['192.0.2.0/29'] });
    await createPool(env, 'overlap', { addresses: ['192.0.2.4/30'] });
    await createPool(env, 'other', { addresses: ['203.0.113.0/30'] });
    await startTestController(env);
    const bad = await waitFor('a pool marked not ready', async () => {
      for (const name of ['good', 'overlap']) {
        const p = await getPool(env, name);
        const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
        if (ready?.status === 'False') return p;
      }
      return undefined;
    });
    const ready = bad.status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready?.message).toMatch(/192\.0\.2\./);
    await waitFor('pool event', async () => {
      const list = await env.core.listNamespacedEvent({ namespace: 'herald-system', fieldSelector: `involvedObject.name=${bad.metadata.name}` });
      return list.items.some((e) => e.type === 'Warning');
    });
    await createService(env, ns, 'web', { annotations: { 'herald.dev/address-pool': 'other' } });
    expect(await waitForIPs(env, ns, 'web')).toEqual(['203.0.113.0']);
  });

  test.each([
    ['herald.dev/', '192.0.2.7'],
    ['metallb.io/', '192.0.2.8'],
    ['metallb.universe.tf/', '192.0.2.9'],
  ])('the %s loadBalancerIPs and address-pool annotations are honoured', async (prefix, ip) => {
    await createPool(env, 'first', { addresses: ['198.51.100.0/24'] });
    await createPool(env, 'wanted', { addresses: ['192.0.2.0/24'] });
    await startTestController(env);
    await createService(env, ns, 'by-ip', { annotations: { [`${prefix}loadBalancerIPs`]: ip } });
    await createService(env, ns, 'by-pool', { annotations: { [`${prefix}address-pool`]: 'wanted' } });
    expect(await waitForIPs(env, ns, 'by-ip')).toEqual([ip]);
    expect((await waitForIPs(env, ns, 'by-pool'))[0]).toMatch(/^192\.0\.2\./);
  });

  test('dual-stack: RequireDualStack gets one IP of each family', async () => {
    await createPool(env, 'dual', { addresses: ['192.0.2.0/30', '2001:db8::/64'] });
    await startTestController(env);
    await createService(env, ns, 'both', { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] });
    const ips = await waitForIPs(env, ns, 'both', 2);
    expect(ips).toEqual(expect.arrayContaining(['192.0.2.0', '2001:db8::']));
  });

  test('sharing: two Services with the same key and different ports get the same IP', async () => {
    await createPool(env, 'p', { addresses: ['192.0.2.0/30'] });
    await startTestController(env);
    const share = { 'herald.dev/allow-shared-ip': 'team-a' };
    await createService(env, ns, 'http', { annotations: share, ports: [{ port: 80 }] });
    await createService(env, ns, 'dns', { annotations: share, ports: [{ port: 53, protocol: 'UDP' }] });
    const [a] = await waitForIPs(env, ns, 'http');
    const [b] = await waitForIPs(env, ns, 'dns');
    expect(b).toBe(a);
  });

  test('loadBalancerClass: only the configured class is served', async () => {
    await createPool(env, 'p', { addresses: ['192.0.2.0/30'] });
    await startTestController(env, { loadBalancerClass: 'herald.dev/lb' });
    // The classless one first: once the later one is served, the controller has long seen it. A short settle
    // on top, since what is checked is that nothing happens.
    await createService(env, ns, 'classless');
    await createService(env, ns, 'ours', { loadBalancerClass: 'herald.dev/lb' });
    await waitForIPs(env, ns, 'ours');
    await new Promise((r) => setTimeout(r, 300));
    const classless = await readService(env, ns, 'classless');
    expect(ipsOf(classless)).toEqual([]);
    expect(classless?.metadata?.annotations?.[POOL_ANNOTATION]).toBeUndefined();
  });

  test('Services in namespaces matched by a pool selector go to that pool', async () => {
    await ensureNamespace(env, 'prod', { tier: 'prod' });
    await createPool(env, 'general', { addresses: ['198.51.100.0/30'] });
    await createPool(env, 'prod-only', {
      addresses: ['192.0.2.0/30'], serviceAllocation: { priority: 1, namespaceSelectors: [{ matchLabels: { tier: 'prod' } }] },
    });
    await startTestController(env);
    await createService(env, 'prod', 'web');
    expect((await waitForIPs(env, 'prod', 'web'))[0]).toMatch(/^192\.0\.2\./);
  });
});
