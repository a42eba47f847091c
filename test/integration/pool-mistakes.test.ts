// Two pool mistakes against the API backend (the emulator, or a real control plane with the controller as its
// ServiceAccount), with the real driver and core:
//  - a serviceAllocation selector the controller cannot use (InvalidSelector; the CRD schema lets `In` without values
//    through) releases nothing: the pool keeps its Services' IPs, says what is wrong, and withholds only new
//    allocations that depend on the selector;
//  - a pool outside herald-system is not silently ignored: a Warning WrongNamespace event on it, and the log line.
import { pino } from 'pino';
import type { CoreV1Event } from '@kubernetes/client-node';
import { GROUP, HERALD_NAMESPACE, IPADDRESSPOOL_PLURAL, VERSION, type LabelSelector } from '../../crds/v1beta1/index.js';
import { onRealBackend } from '../cluster/backend.js';
import { mergePatch } from '../support/merge-patch.js';
import { controllerRbacObjects, type RbacObject } from './controller-identity.js';
import {
  createPool, createService, ensureNamespace, eventsFor, getPool, ipsOf, poolBody, readService, startEnv, startTestController,
  waitFor, waitForEvent, waitForIPs, type Env,
} from './harness.js';

const ns = 'apps';
let env: Env | undefined;
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

interface Warning { msg: string; reason?: string; object?: string }

/** The test controller, with its warnings kept to read. */
async function startLoggedController(e: Env) {
  const warnings: Warning[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => { warnings.push(JSON.parse(line) as Warning); } });
  const controller = await startTestController(e, { logger });
  return { controller, warnings };
}

function waitForReady(e: Env, pool: string, status: 'True' | 'False', reason: string): Promise<unknown> {
  return waitFor(`pool ${pool} Ready=${status} (${reason})`, async () => {
    const ready = (await getPool(e, pool)).status?.conditions?.find((c) => c.type === 'Ready');
    return ready?.status === status && ready.reason === reason ? ready : undefined;
  });
}

async function releases(e: Env): Promise<string[]> {
  return (await e.core.listNamespacedEvent({ namespace: ns })).items
    .filter((ev) => ev.reason === 'IPReleased' || ev.reason === 'IPChanged').map((ev) => `${ev.involvedObject.name}: ${ev.message ?? ''}`);
}

describe('a pool whose selector cannot be used', () => {
  const good: LabelSelector = { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] };
  const broken: LabelSelector = { matchExpressions: [{ key: 'tier', operator: 'In' }] };
  const setSelector = (e: Env, selector: LabelSelector) => e.custom.patchNamespacedCustomObject({
    group: GROUP, version: VERSION, namespace: HERALD_NAMESPACE, plural: IPADDRESSPOOL_PLURAL, name: 'team',
    body: { spec: { serviceAllocation: { priority: 1, namespaces: [ns], serviceSelectors: [selector] } } },
  }, mergePatch);
  const web = { labels: { tier: 'web' } };
  const why = 'pool "team" cannot admit this Service until its serviceAllocation selector is fixed (pools tried: "team")';

  test('keeps its Services\' IPs (also after a restart), reports InvalidSelector, withholds only what depends on the selector', async () => {
    const e = env = await startEnv();
    await createPool(e, 'team', { addresses: ['192.0.2.0/29'], serviceAllocation: { priority: 1, namespaces: [ns], serviceSelectors: [good] } });
    await createPool(e, 'rest', { addresses: ['198.51.100.0/29'] });
    let { controller } = await startLoggedController(e);
    await createService(e, ns, 'web', web);
    expect(await waitForIPs(e, ns, 'web')).toEqual(['192.0.2.0']);
    await waitForReady(e, 'team', 'True', 'Valid');

    await setSelector(e, broken);
    await waitForReady(e, 'team', 'False', 'InvalidSelector');
    const invalid = await waitForEvent(e, HERALD_NAMESPACE, 'team', 'PoolInvalid');
    expect(invalid.message).toMatch(/^pool "team": serviceSelectors\[0\] .*: operator In on key "tier" needs at least one value; until it is fixed/);
    // A new Service asking for the pool waits, told why; one without the annotation is served by the other pool.
    await createService(e, ns, 'asks', { ...web, annotations: { 'herald.dev/address-pool': 'team' } });
    expect((await waitForEvent(e, ns, 'asks', 'AllocationFailed')).message).toBe(why);
    await createService(e, ns, 'auto', web);
    expect(await waitForIPs(e, ns, 'auto')).toEqual(['198.51.100.0']);

    // A restarted controller keeps web's address too.
    await controller.stop();
    e.controllers.splice(e.controllers.indexOf(controller), 1);
    ({ controller } = await startLoggedController(e));
    await createService(e, ns, 'after-restart');
    expect(await waitForIPs(e, ns, 'after-restart')).toEqual(['198.51.100.1']);
    expect(ipsOf(await readService(e, ns, 'web'))).toEqual(['192.0.2.0']);
    expect(ipsOf(await readService(e, ns, 'asks'))).toEqual([]);
    expect(await releases(e)).toEqual([]);

    // Fixed: Ready again, and the waiting Service is served.
    await setSelector(e, good);
    await waitForReady(e, 'team', 'True', 'Valid');
    await waitForEvent(e, HERALD_NAMESPACE, 'team', 'PoolReady');
    expect(await waitForIPs(e, ns, 'asks')).toEqual(['192.0.2.1']);
    expect(ipsOf(await readService(e, ns, 'web'))).toEqual(['192.0.2.0']);
  }, 60_000);
});

/** config/rbac's roles, with list and watch on IPAddressPools in every namespace granted (`grant`) or not. */
function strayPoolRbac(grant: boolean): RbacObject[] {
  const rule = { apiGroups: [GROUP], resources: [IPADDRESSPOOL_PLURAL], verbs: ['list', 'watch'] };
  return controllerRbacObjects().map((o) => {
    if (o.kind !== 'ClusterRole') return o;
    const others = (o.rules ?? []).filter((r) => !(r.apiGroups?.includes(GROUP) && r.resources?.includes(IPADDRESSPOOL_PLURAL)));
    return { ...o, rules: grant ? [...others, rule] : others };
  });
}

describe('a pool outside herald-system', () => {
  const createStray = async (e: Env, name: string) => {
    const body = poolBody(name, { addresses: ['198.51.100.0/29'] });
    await e.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: IPADDRESSPOOL_PLURAL, body: { ...body, metadata: { name, namespace: ns } } });
  };
  const message = (name: string) => `pool "${name}" is in namespace "${ns}" and is not used: Herald reads IPAddressPools only from namespace "herald-system"; create it there`;

  test('gets a Warning WrongNamespace event saying where pools live, and the log line; its addresses are not used', async () => {
    const e = env = await startEnv(undefined, { rbac: strayPoolRbac(true) });
    await ensureNamespace(e, ns);
    await createPool(e, 'ipv4', { addresses: ['192.0.2.0/29'] });
    await createStray(e, 'before');
    const { warnings } = await startLoggedController(e);
    await createStray(e, 'after');
    for (const name of ['before', 'after']) {
      const event: CoreV1Event = await waitForEvent(e, ns, name, 'WrongNamespace');
      expect([event.type, event.message, event.involvedObject.kind]).toEqual(['Warning', message(name), 'IPAddressPool']);
      expect(await waitFor(`the log line for ${name}`, async () => warnings.find((w) => w.msg === message(name))))
        .toMatchObject({ reason: 'WrongNamespace', object: `IPAddressPool ${ns}/${name}` });
    }
    await createService(e, ns, 'web', { annotations: { 'herald.dev/address-pool': 'before' } });
    expect((await waitForEvent(e, ns, 'web', 'AllocationFailed')).message).toBe('pool "before" does not exist or is not usable (pools tried: "before")');
    await createService(e, ns, 'auto');
    expect(await waitForIPs(e, ns, 'auto')).toEqual(['192.0.2.0']);
    expect((await eventsFor(e, HERALD_NAMESPACE, 'ipv4')).map((ev) => ev.reason)).not.toContain('WrongNamespace');
  }, 60_000);

  test('a replica that becomes leader reports the pools it already knew as a follower', async () => {
    const e = env = await startEnv(undefined, { rbac: strayPoolRbac(true) });
    await ensureNamespace(e, ns);
    await createStray(e, 'stray');
    const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300 };
    const first = await startTestController(e, { identity: 'replica-a', leaderElect: true, timings });
    await waitFor('replica-a to lead', async () => first.isLeader());
    const second = await startTestController(e, { identity: 'replica-b', leaderElect: true, timings });
    const reported = await waitForEvent(e, ns, 'stray', 'WrongNamespace');
    // Let the follower's cache fill, forget what the first leader said, and hand over.
    await new Promise((r) => setTimeout(r, 1000));
    await e.core.deleteNamespacedEvent({ namespace: ns, name: reported.metadata?.name ?? '' });
    await first.stop();
    await waitFor('replica-b to lead', async () => second.isLeader());
    const again = await waitForEvent(e, ns, 'stray', 'WrongNamespace');
    expect([again.message, again.reportingInstance]).toEqual([message('stray'), 'replica-b']);
  }, 60_000);

  (onRealBackend ? test : test.skip)('without list and watch on pools in every namespace the controller says so once and serves as before', async () => {
    const e = env = await startEnv(undefined, { rbac: strayPoolRbac(false) });
    await ensureNamespace(e, ns);
    await createPool(e, 'ipv4', { addresses: ['192.0.2.0/29'] });
    await createStray(e, 'stray');
    const { warnings } = await startLoggedController(e);
    await createService(e, ns, 'auto');
    expect(await waitForIPs(e, ns, 'auto')).toEqual(['192.0.2.0']);
    const cannot = (w: Warning) => w.msg.startsWith('cannot watch IPAddressPools outside "herald-system"');
    await waitFor('the warning that pools outside herald-system cannot be seen', async () => warnings.some(cannot));
    await new Promise((r) => setTimeout(r, 2000));
    expect(warnings.filter(cannot)).toHaveLength(1);
    expect((await eventsFor(e, ns, 'stray')).map((ev) => ev.reason)).toEqual([]);
  }, 60_000);
});
