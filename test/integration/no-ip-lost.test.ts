// "No configuration mistake releases an IP a Service holds" (docs/address-pools.md), against the API backend (the
// emulator, or a real control plane with the controller as its ServiceAccount) with the real driver and core: the
// stories of a user trial. Each test starts its own backend and controller.
import { pino } from 'pino';
import type { CoreV1Event } from '@kubernetes/client-node';
import { GROUP, HERALD_NAMESPACE, IPADDRESSPOOL_PLURAL, VERSION } from '../../crds/v1beta1/index.js';
import { startController } from '../../controller/driver/app.js';
import { POOL_ANNOTATION } from '../../controller/driver/writes.js';
import { createControllerCore } from '../../controller/reconcile/index.js';
import { mergePatch } from '../support/merge-patch.js';
import {
  createPool, createService, deletePool, eventsFor, getPool, ipsOf, readService, setPoolAddresses, startEnv, waitFor,
  waitForEvent, waitForIPs, type Env, type ServiceOptions,
} from './harness.js';

let env: Env;
beforeEach(async () => {
  env = await startEnv();
});
afterEach(async () => {
  await env.stop();
});

const ns = 'apps';
const poolRef = { group: GROUP, version: VERSION, namespace: HERALD_NAMESPACE, plural: IPADDRESSPOOL_PLURAL };

interface LogLine { msg: string; level: number; decision?: string; service?: string; why?: string }

/** The test controller (as startTestController starts it), with its log (info and above) kept to read. */
async function startLoggedController(): Promise<{ lines: LogLine[]; stop(): Promise<void> }> {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line) as LogLine); } });
  const controller = await startController({
    kubeConfig: env.controllerUser.kubeConfig, namespace: HERALD_NAMESPACE, identity: 'test-controller', leaderElect: false,
    logger, createCore: createControllerCore,
  });
  env.controllers.push(controller);
  return {
    lines,
    stop: async () => {
      await controller.stop();
      env.controllers.splice(env.controllers.indexOf(controller), 1);
    },
  };
}

/** Creates a Service and waits until both of the controller's writes (the IPs, then the pool annotation) are in. */
async function served(name: string, o: ServiceOptions = {}): Promise<string> {
  await createService(env, ns, name, o);
  return waitForServed(name);
}

async function waitForServed(name: string, pool?: string): Promise<string> {
  return waitFor(`${ns}/${name} served${pool ? ` from pool "${pool}"` : ''}, annotation included`, async () => {
    const svc = await readService(env, ns, name);
    const annotation = svc?.metadata?.annotations?.[POOL_ANNOTATION];
    const ips = ipsOf(svc);
    return ips.length === 1 && annotation !== undefined && (pool === undefined || annotation === pool) ? ips[0] : undefined;
  });
}

async function waitForCleared(name: string): Promise<void> {
  await waitFor(`${ns}/${name} cleared`, async () => ipsOf(await readService(env, ns, name)).length === 0);
}

function waitForReady(pool: string, status: 'True' | 'False', reason: string, message = ''): Promise<unknown> {
  return waitFor(`pool ${pool} Ready=${status} (${reason})`, async () => {
    const ready = (await getPool(env, pool)).status?.conditions?.find((c) => c.type === 'Ready');
    return ready?.status === status && ready.reason === reason && ready.message.includes(message) ? ready : undefined;
  });
}

function waitForEventMessage(namespace: string, name: string, reason: string, text: string): Promise<CoreV1Event> {
  return waitFor(`event ${reason} on ${namespace}/${name} saying ${text}`, async () =>
    (await eventsFor(env, namespace, name)).find((e) => e.reason === reason && (e.message ?? '').includes(text)));
}

async function ipsNow(names: readonly string[]): Promise<Record<string, string[]>> {
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, ipsOf(await readService(env, ns, n))] as const)));
}

/** Every IPReleased and IPChanged event in the namespace by name, with its count (a repeat bumps the count). */
async function releases(): Promise<Record<string, string>> {
  const events = (await env.core.listNamespacedEvent({ namespace: ns })).items;
  return Object.fromEntries(events.filter((e) => e.reason === 'IPReleased' || e.reason === 'IPChanged')
    .map((e) => [e.metadata.name ?? '', `${e.involvedObject.name} ${e.reason} x${e.count ?? 1}: ${e.message ?? ''}`]));
}

test('an overlap applied from a stale file onto a re-applied pool: every Service keeps its IP, both pools report it, new Services avoid it', async () => {
  await createPool(env, 'legacy', { addresses: ['198.51.100.0/30'], autoAssign: false });
  await createPool(env, 'prod', { addresses: ['192.0.2.0/28'] });
  const controller = await startLoggedController();
  expect(await served('old', { annotations: { 'herald.dev/address-pool': 'legacy' } })).toBe('198.51.100.0');
  expect(await served('web')).toBe('192.0.2.0');
  expect(await served('pinned', { annotations: { 'herald.dev/loadBalancerIPs': '192.0.2.14' } })).toBe('192.0.2.14');

  // prod deleted (its Services lose their IPs: a deliberate act) and applied again: now the newer pool.
  await deletePool(env, 'prod');
  await waitForCleared('web');
  await waitForCleared('pinned');
  await createPool(env, 'prod', { addresses: ['192.0.2.0/28'] });
  expect(await waitForServed('pinned', 'prod')).toBe('192.0.2.14');
  expect(await waitForServed('web', 'prod')).toBe('192.0.2.0');
  await waitForReady('prod', 'True', 'Valid');
  const before = await ipsNow(['old', 'web', 'pinned']);
  const releasedBefore = await releases();

  // A stale copy of legacy gives it half of prod.
  await setPoolAddresses(env, 'legacy', ['198.51.100.0/30', '192.0.2.0/29']);
  const tail = 'those addresses go to no new Service until one of the pools drops them, and Services holding them keep them';
  await waitForReady('legacy', 'False', 'OverlapsPool', `pool "legacy" overlaps pool "prod" on 192.0.2.0-192.0.2.7; ${tail}`);
  await waitForReady('prod', 'False', 'OverlapsPool', `pool "prod" overlaps pool "legacy" on 192.0.2.0-192.0.2.7; ${tail}`);
  await waitForEventMessage(HERALD_NAMESPACE, 'legacy', 'PoolInvalid', 'overlaps pool "prod" on 192.0.2.0-192.0.2.7');
  await waitForEventMessage(HERALD_NAMESPACE, 'prod', 'PoolInvalid', 'overlaps pool "legacy" on 192.0.2.0-192.0.2.7');
  // Nothing else stops: a new Service gets prod's first address outside the overlap, one asking for an
  // address inside it is told why not.
  expect(await served('late')).toBe('192.0.2.8');
  await createService(env, ns, 'wants-overlap', { annotations: { 'herald.dev/loadBalancerIPs': '192.0.2.3' } });
  const refused = await waitForEvent(env, ns, 'wants-overlap', 'AllocationFailed');
  expect(refused.message).toContain('"192.0.2.3" is in pool "legacy" and in pool "prod"');
  expect(await ipsNow(['old', 'web', 'pinned'])).toEqual(before);
  expect(await releases()).toEqual(releasedBefore);

  // A restarted controller restores web's address (in both pools) to the pool it came from, prod: nothing moves.
  await controller.stop();
  await startLoggedController();
  expect(await served('after-restart')).toBe('192.0.2.9');
  expect(await ipsNow(['old', 'web', 'pinned', 'late'])).toEqual({ ...before, late: ['192.0.2.8'] });
  expect(await releases()).toEqual(releasedBefore);

  // The stale file undone: both pools are Ready again, and the overlap's addresses are given again.
  await setPoolAddresses(env, 'legacy', ['198.51.100.0/30']);
  await waitForReady('legacy', 'True', 'Valid');
  await waitForReady('prod', 'True', 'Valid');
  expect(await waitForIPs(env, ns, 'wants-overlap')).toEqual(['192.0.2.3']);
  expect(await ipsNow(['old', 'web', 'pinned'])).toEqual(before);
});

test('an address-pool annotation naming a pool that does not exist keeps the IP, says why on the Service (event, condition) and in the log, also after a restart', async () => {
  await createPool(env, 'ipv4', { addresses: ['192.0.2.0/29'] });
  let controller = await startLoggedController();
  expect(await served('web')).toBe('192.0.2.0');
  const typo = { metadata: { annotations: { 'herald.dev/address-pool': 'ipv44' } } };
  await env.core.patchNamespacedService({ namespace: ns, name: 'web', body: typo }, mergePatch);
  const why = 'pool "ipv44" does not exist or is not usable (pools tried: "ipv44"); keeping "192.0.2.0" from pool "ipv4"';
  const event = await waitForEventMessage(ns, 'web', 'AllocationFailed', why);
  expect(event.type).toBe('Warning');
  const logged = await waitFor('the decision in the log', async () => controller.lines.find((l) => l.decision === 'kept'));
  expect(logged).toMatchObject({ level: 30, service: `${ns}/web`, why: 'pool "ipv44" does not exist or is not usable (pools tried: "ipv44")',
    msg: 'apps/web keeps 192.0.2.0 from pool "ipv4" despite a problem: pool "ipv44" does not exist or is not usable (pools tried: "ipv44")' });
  const condition = await waitFor('the condition', async () => (await readService(env, ns, 'web'))?.status?.conditions?.find((c) => c.type === 'herald.dev/AddressAssigned' && c.reason === 'RequestNotMet'));
  expect([condition.status, condition.message]).toEqual(['True', why]);
  const svc = await readService(env, ns, 'web');
  expect([ipsOf(svc), svc?.metadata?.annotations?.[POOL_ANNOTATION]]).toEqual([['192.0.2.0'], 'ipv4']);

  // A restarted controller keeps it too, and nothing else is held up.
  await controller.stop();
  controller = await startLoggedController();
  expect(await served('next')).toBe('192.0.2.1');
  expect(ipsOf(await readService(env, ns, 'web'))).toEqual(['192.0.2.0']);
  expect(Object.keys(await releases())).toEqual([]);

  // Once the pool it names exists, the Service gets what it asked for.
  await createPool(env, 'ipv44', { addresses: ['198.51.100.0/29'] });
  expect(await waitForServed('web', 'ipv44')).toBe('198.51.100.0');
  await waitForEvent(env, ns, 'web', 'IPChanged');
});

test('a pool switched to autoAssign: false keeps the addresses it gave automatically: an edited Service, a restart, and only new Services go elsewhere', async () => {
  await createPool(env, 'ipv4', { addresses: ['192.0.2.0/29'] });
  await createPool(env, 'other', { addresses: ['198.51.100.0/29'] });
  const controller = await startLoggedController();
  expect(await served('web')).toBe('192.0.2.0');
  expect(await served('api')).toBe('192.0.2.1');
  const releasedBefore = await releases();

  await env.custom.patchNamespacedCustomObject({ ...poolRef, name: 'ipv4', body: { spec: { autoAssign: false } } }, mergePatch);
  const generation = (await getPool(env, 'ipv4')).metadata.generation;
  await waitFor('the controller to see ipv4\'s new generation', async () =>
    (await getPool(env, 'ipv4')).status?.conditions?.find((c) => c.type === 'Ready' && c.observedGeneration === generation));
  expect(await served('new')).toBe('198.51.100.0');
  // Any edit has the Service decided again: before, that released web's address (here, moved it to "other").
  await env.core.patchNamespacedService({ namespace: ns, name: 'web', body: { metadata: { labels: { edited: 'yes' } } } }, mergePatch);
  expect(await served('after-edit')).toBe('198.51.100.1'); // decided after web's edit: the loop is one queue
  expect(await ipsNow(['web', 'api'])).toEqual({ web: ['192.0.2.0'], api: ['192.0.2.1'] });

  await controller.stop();
  await startLoggedController();
  expect(await served('after-restart')).toBe('198.51.100.2');
  expect(await ipsNow(['web', 'api'])).toEqual({ web: ['192.0.2.0'], api: ['192.0.2.1'] });
  expect(await releases()).toEqual(releasedBefore);
  // Asking for the pool by name still works: autoAssign: false means "only when asked".
  expect(await served('asks', { annotations: { 'herald.dev/address-pool': 'ipv4' } })).toBe('192.0.2.2');
});

test('a pool deleted and created again: moved Services stay moved; the waiting ones get addresses requested-first, then by name', async () => {
  await createPool(env, 'p', { addresses: ['192.0.2.0/29'], serviceAllocation: { priority: 1 } });
  await createPool(env, 'spare', { addresses: ['198.51.100.0/29'] });
  await startLoggedController();
  // Served in this order, so the names' order is not the order of the addresses.
  expect(await served('c-pinned', { annotations: { 'herald.dev/loadBalancerIPs': '192.0.2.0' } })).toBe('192.0.2.0');
  expect(await served('z-first')).toBe('192.0.2.1');
  expect(await served('a-second')).toBe('192.0.2.2');
  expect(await served('b-annotated', { annotations: { 'herald.dev/address-pool': 'p' } })).toBe('192.0.2.3');

  await deletePool(env, 'p');
  expect(await waitForServed('a-second', 'spare')).toBe('198.51.100.0');
  expect(await waitForServed('z-first', 'spare')).toBe('198.51.100.1');
  await waitForCleared('b-annotated');
  await waitForCleared('c-pinned');
  await createService(env, ns, 'a-late', { annotations: { 'herald.dev/address-pool': 'p' } });
  await waitForEvent(env, ns, 'a-late', 'AllocationFailed');

  await createPool(env, 'p', { addresses: ['192.0.2.0/29'], serviceAllocation: { priority: 1 } });
  expect(await waitForServed('c-pinned', 'p')).toBe('192.0.2.0');
  expect(await waitForServed('a-late', 'p')).toBe('192.0.2.1');
  expect(await waitForServed('b-annotated', 'p')).toBe('192.0.2.2');
  expect(await ipsNow(['a-second', 'z-first'])).toEqual({ 'a-second': ['198.51.100.0'], 'z-first': ['198.51.100.1'] });
});
