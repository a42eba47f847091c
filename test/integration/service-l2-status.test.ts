// ServiceL2Status objects and nodeAssigned events, written by the speakers' status writers against an API server
// (the emulator, or the real kube-apiserver with HERALD_API_BACKEND=real, whose garbage collector also removes the
// objects with their Service; there the writers run as the herald-speaker ServiceAccount under config/speaker's RBAC). Two writers play two speakers through a failover: the objects must name the node
// that announces now, never both, and each change of node is one event on the Service.
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, type CoreV1Event, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, SERVICEL2STATUS_PLURAL, VERSION, type ServiceL2Status } from '../../crds/v1beta1/index.js';
import { systemClock } from '../../lib/clock.js';
import { EventRecorder } from '../../lib/kube/events/recorder.js';
import { createLogger, silentLogger } from '../../lib/log.js';
import { L2StatusWriter } from '../../speaker/status/l2-status-writer.js';
import type { OwnedIp } from '../../speaker/status/l2-status-plan.js';
import { ConditionWriter } from '../../speaker/status/condition-writer.js';
import type { Unannounced } from '../../speaker/source/kubernetes/desired.js';
import { strategicMergePatch } from '../support/merge-patch.js';
import { itEmulatorOnly, onRealBackend } from '../cluster/backend.js';
import { speakerKubeConfig } from './controller-identity.js';
import { createService, emulatorOf, startEnv, waitFor, type Env } from './harness.js';

const NS = 'shop';
const ALL: ReadonlySet<string> = new Set(['node-a', 'node-b']);

/** The speaker's identity: its ServiceAccount under config/speaker's RBAC on the real backend (controller-identity.ts). */
let speakerKc: KubeConfig;

function writerFor(env: Env, node: string): { writer: L2StatusWriter; events: EventRecorder } {
  const events = new EventRecorder({ kubeConfig: speakerKc, component: 'herald-speaker', instance: node, logger: silentLogger() });
  const logger = process.env.HERALD_TEST_LOG ? createLogger(`status-${node}`, 'debug') : silentLogger();
  return { writer: new L2StatusWriter({ kubeConfig: speakerKc, node, events, clock: systemClock, logger }), events };
}

async function statuses(env: Env): Promise<ServiceL2Status[]> {
  const list = await env.kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: SERVICEL2STATUS_PLURAL });
  return (list as { items: ServiceL2Status[] }).items;
}

async function nodeAssigned(env: Env, service: string): Promise<CoreV1Event[]> {
  const list = await env.kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: NS });
  return list.items.filter((e) => e.reason === 'nodeAssigned' && e.involvedObject.name === service);
}

describe('ServiceL2Status and nodeAssigned, written by the speakers', () => {
  let env: Env;
  const writers: Record<string, ReturnType<typeof writerFor>> = {};
  const named = (node: string): ReturnType<typeof writerFor> => {
    const w = writers[node];
    if (!w) throw new Error(`no writer for ${node}`);
    return w;
  };
  const a = (): ReturnType<typeof writerFor> => named('a');

  beforeAll(async () => {
    env = await startEnv();
    speakerKc = await speakerKubeConfig(env.kc, env.backend.name === 'real', join(env.scratchDir, 'speaker.kubeconfig'));
    writers.a = writerFor(env, 'node-a');
    writers.b = writerFor(env, 'node-b');
  }, 120_000);

  afterAll(async () => {
    for (const w of Object.values(writers)) await w.writer.stop();
    await env?.stop();
  });

  test('the announcing node gets one object, owned by the Service, naming it, the Service and the interfaces', async () => {
    const svc = await createService(env, NS, 'web');
    a().writer.report([{ ip: '192.0.2.10', services: [`${NS}/web`], interfaces: ['eth0'] }], ALL);
    // The real server may answer 429 "storage is (re)initializing" for a CRD just established: the writer retries.
    await waitFor('the object', async () => (await statuses(env)).length > 0, 15_000);
    const [only, ...rest] = await statuses(env);
    expect(rest).toEqual([]);
    expect(only?.status).toEqual({ node: 'node-a', serviceName: 'web', serviceNamespace: NS, interfaces: [{ name: 'eth0' }] });
    expect(only?.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'Service', name: 'web', uid: svc.metadata?.uid })]);
    await a().events.flush();
    expect((await nodeAssigned(env, 'web')).map((e) => e.message)).toEqual(['announcing from node "node-a" with protocol "layer2" on eth0']);
  });

  test('a steady state writes nothing more: no second event, no rewrite', async () => {
    const before = (await statuses(env))[0]?.metadata?.resourceVersion;
    a().writer.report([{ ip: '192.0.2.10', services: [`${NS}/web`], interfaces: ['eth0'] }], ALL);
    await a().writer.settled();
    await a().events.flush();
    expect((await statuses(env))[0]?.metadata?.resourceVersion).toBe(before);
    expect(await nodeAssigned(env, 'web')).toHaveLength(1);
  });

  test('a failover: the old owner\'s object goes, the new owner\'s comes, and the event names the new node', async () => {
    a().writer.report([], ALL);
    named('b').writer.report([{ ip: '192.0.2.10', services: [`${NS}/web`], interfaces: ['eth1'] }], ALL);
    await Promise.all([a().writer.settled(), named('b').writer.settled()]);
    expect((await statuses(env)).map((s) => s.status?.node)).toEqual(['node-b']);
    await named('b').events.flush();
    const messages = (await nodeAssigned(env, 'web')).map((e) => e.message).sort();
    expect(messages).toEqual(['announcing from node "node-a" with protocol "layer2" on eth0', 'announcing from node "node-b" with protocol "layer2" on eth1']);
  });

  test('a restarted speaker deletes what its earlier run left and no longer announces', async () => {
    // node-b "crashes": its writer is dropped without reporting; a new one starts with nothing to announce.
    const restarted = writerFor(env, 'node-b');
    writers.b2 = restarted;
    restarted.writer.report([], ALL);
    await restarted.writer.settled();
    expect(await statuses(env)).toEqual([]);
  });

  test('an object deleted behind the writer\'s back is made again on the next change', async () => {
    a().writer.report([{ ip: '192.0.2.10', services: [`${NS}/web`], interfaces: ['eth0'] }], ALL);
    await a().writer.settled();
    const [obj] = await statuses(env);
    await env.kc.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({
      group: GROUP, version: VERSION, namespace: NS, plural: SERVICEL2STATUS_PLURAL, name: obj?.metadata?.name ?? '',
    });
    a().writer.report([{ ip: '192.0.2.10', services: [`${NS}/web`], interfaces: ['eth0', 'eth1'] }], ALL);
    await a().writer.settled();
    expect((await statuses(env)).map((s) => s.status?.interfaces)).toEqual([[{ name: 'eth0' }, { name: 'eth1' }]]);
  });

  test('a node that died without a goodbye: the node that takes over removes its object', async () => {
    // node-a announces; then it is SIGKILLed (its writer never runs again) and node-b, hearing only itself, takes over.
    const b = writerFor(env, 'node-b');
    writers.b3 = b;
    await waitFor('node-a\'s object', async () => (await statuses(env)).some((s) => s.status?.node === 'node-a'));
    b.writer.report([{ ip: '192.0.2.10', services: [`${NS}/web`], interfaces: ['eth0'] }], new Set(['node-b']));
    await b.writer.settled();
    expect((await statuses(env)).map((s) => s.status?.node)).toEqual(['node-b']);
    writers.a = writerFor(env, 'node-a'); // node-a's next run, for the test below
  });

  /** node-b, not hearing node-a, takes `owned` and removes node-a's object; then it hears node-a again and lets go. */
  async function takenOverByBAndGivenBack(slot: string, owned: OwnedIp[]): Promise<void> {
    const b = writerFor(env, 'node-b');
    writers[slot] = b;
    b.writer.report(owned, new Set(['node-b']));
    await b.writer.settled();
    b.writer.report([], ALL);
    await b.writer.settled();
  }

  test('a node held dead for a moment (a link flap) makes its object again once it hears so, after the node that took over removed it', async () => {
    const web: OwnedIp[] = [{ ip: '192.0.2.10', services: [`${NS}/web`], interfaces: ['eth0'] }];
    a().writer.report(web, ALL);
    await a().writer.settled();
    await takenOverByBAndGivenBack('b4', web);
    // node-a announced all along: nothing changed for its writer, which still believes its object is there.
    a().writer.report(web, ALL);
    await a().writer.settled();
    expect(await statuses(env)).toEqual([]);
    a().writer.resync(); // membership: "a peer had declared this node dead"
    await a().writer.settled();
    expect((await statuses(env)).map((s) => s.status?.node)).toEqual(['node-a']);
  });

  itEmulatorOnly('a pass that failed reads back what the API holds: a delete cut off before another node removed the object', async () => {
    const web: OwnedIp[] = [{ ip: '192.0.2.10', services: [`${NS}/web`], interfaces: ['eth0'] }];
    a().writer.report(web, ALL);
    await a().writer.settled();
    // node-a's link goes down: it withdraws, and its delete fails (the connection is gone).
    emulatorOf(env).faults.failNext({ verb: 'delete', resource: SERVICEL2STATUS_PLURAL, code: 503, count: 1 });
    a().writer.report([], ALL);
    await a().writer.settled();
    await takenOverByBAndGivenBack('b5', web);
    expect(await statuses(env)).toEqual([]);
    a().writer.report(web, ALL); // node-a announces again before its retry
    await waitFor('node-a\'s object made again', async () => (await statuses(env)).some((s) => s.status?.node === 'node-a'), 5_000);
  });

  (onRealBackend ? test : test.skip)('the garbage collector removes the objects with their Service (real kube-controller-manager)', async () => {
    await env.core.deleteNamespacedService({ name: 'web', namespace: NS });
    await waitFor('the ServiceL2Status collected', async () => (await statuses(env)).length === 0, 30_000);
  }, 40_000);
});

describe('the herald.dev/Announced condition, written by the speakers', () => {
  let env: Env;
  let writer: ConditionWriter;
  let unannounced: readonly Unannounced[] = [];

  beforeAll(async () => {
    env = await startEnv();
    speakerKc = await speakerKubeConfig(env.kc, env.backend.name === 'real', join(env.scratchDir, 'speaker.kubeconfig'));
    writer = new ConditionWriter({ kubeConfig: speakerKc, node: 'node-a', unannounced: () => unannounced, clock: systemClock, logger: silentLogger() });
    await createService(env, NS, 'web');
    // Someone else's condition, as the controller's herald.dev/AddressAssigned would be: it must stay.
    await env.core.patchNamespacedServiceStatus({ name: 'web', namespace: NS, body: { status: { conditions: [
      { type: 'example.com/Other', status: 'True', reason: 'Other', message: 'not ours', lastTransitionTime: new Date() },
    ] } } }, strategicMergePatch);
  }, 120_000);

  afterAll(async () => {
    await writer?.stop();
    await env?.stop();
  });

  const conditions = async (): Promise<Record<string, string>> => {
    const svc = await env.core.readNamespacedServiceStatus({ name: 'web', namespace: NS });
    return Object.fromEntries((svc.status?.conditions ?? []).map((c) => [c.type, `${c.status} ${c.reason}: ${c.message}`]));
  };

  test('the announcing node says so, beside the other conditions', async () => {
    writer.report([{ ip: '192.0.2.10', services: [`${NS}/web`], interfaces: ['eth0'] }], new Set(['node-a', 'node-b']));
    await waitFor('the condition', async () => (await conditions())['herald.dev/Announced'] !== undefined, 15_000);
    expect(await conditions()).toEqual({
      'example.com/Other': 'True Other: not ours',
      'herald.dev/Announced': 'True Announced: announced by node "node-a" by layer 2: 192.0.2.10 on eth0',
    });
  });

  test('nobody may announce it: the first alive speaker writes why', async () => {
    unannounced = [{ ip: '192.0.2.10', services: [`${NS}/web`], reason: 'NoAdvertisement', message: 'no L2Advertisement selects pool "lab"' }];
    writer.unannouncedChanged();
    writer.report([], new Set(['node-a', 'node-b']));
    await writer.settled();
    expect((await conditions())['herald.dev/Announced']).toBe('False NoAdvertisement: 192.0.2.10 is not announced: no L2Advertisement selects pool "lab"');
  });
});
