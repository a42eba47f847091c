// The speaker's Kubernetes source against an API server (the emulator, or the real kube-apiserver with
// HERALD_API_BACKEND=real): the real controller allocates, the test writes what a cluster would have (Nodes,
// EndpointSlices, an L2Advertisement), and two sources run as two speakers' would. What they deliver is judged
// against what the user wrote: which IPs, which nodes may announce them, who the speakers are, and the heartbeat
// key from the Secret the controller created. On the real backend the sources run as the herald-speaker
// ServiceAccount under config/speaker's RBAC, so a request its roles do not allow fails these tests.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CustomObjectsApi, DiscoveryV1Api, type KubeConfig, type V1Service } from '@kubernetes/client-node';
import { GROUP, HERALD_NAMESPACE, L2ADVERTISEMENT_PLURAL, VERSION } from '../../crds/v1beta1/index.js';
import { systemClock } from '../../lib/clock.js';
import { HEARTBEAT_SECRET_NAME, heartbeatSecretBody } from '../../lib/heartbeat-secret.js';
import { EventRecorder } from '../../lib/kube/events/recorder.js';
import { createLogger, silentLogger } from '../../lib/log.js';
import { KubernetesSource } from '../../speaker/source/kubernetes/source.js';
import type { DesiredAnnouncements } from '../../speaker/source/types.js';
import { describeEmulatorOnly } from '../cluster/backend.js';
import { mergePatch } from '../support/merge-patch.js';
import { speakerKubeConfig } from './controller-identity.js';
import { createPool, createService, emulatorOf, startEnv, startTestController, waitFor, type Env } from './harness.js';

const NS = 'shop';

interface Running {
  source: KubernetesSource;
  last: () => DesiredAnnouncements | undefined;
}

/** The speaker's identity: its ServiceAccount under config/speaker's RBAC on the real backend (controller-identity.ts). */
let speakerKc: KubeConfig;

async function startSpeakerSource(env: Env, node: string, address: string): Promise<Running> {
  let last: DesiredAnnouncements | undefined;
  const source = new KubernetesSource({
    kubeConfig: speakerKc, namespace: HERALD_NAMESPACE, node, address, loadBalancerClass: undefined, clock: systemClock,
    logger: process.env.HERALD_TEST_LOG ? createLogger(`speaker-${node}`, 'debug') : silentLogger(), presenceRenewMs: 300,
  });
  source.onChange((d) => { last = d; });
  await source.start();
  return { source, last: () => last };
}

async function createNode(env: Env, name: string, labels: Record<string, string> = {}): Promise<void> {
  await env.core.createNode({ body: { metadata: { name, labels } } });
}

async function createEndpoints(env: Env, service: string, nodes: string[]): Promise<void> {
  const discovery = env.kc.makeApiClient(DiscoveryV1Api);
  await discovery.createNamespacedEndpointSlice({
    namespace: NS,
    body: {
      metadata: { name: `${service}-test`, namespace: NS, labels: { 'kubernetes.io/service-name': service } },
      addressType: 'IPv4',
      endpoints: nodes.map((nodeName, i) => ({ addresses: [`198.51.100.${i + 10}`], nodeName, conditions: { ready: true, serving: true } })),
      ports: [{ port: 8080, protocol: 'TCP' }],
    },
  });
}

async function createAdvertisement(env: Env, name: string, spec: object): Promise<void> {
  await env.kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: GROUP, version: VERSION, namespace: HERALD_NAMESPACE, plural: L2ADVERTISEMENT_PLURAL,
    body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'L2Advertisement', metadata: { name, namespace: HERALD_NAMESPACE }, spec },
  });
}

async function ingressIp(env: Env, name: string): Promise<string> {
  return waitFor(`${name} to get an IP`, async () => {
    const svc: V1Service = await env.core.readNamespacedService({ name, namespace: NS });
    return svc.status?.loadBalancer?.ingress?.[0]?.ip;
  });
}

function nodesFor(d: DesiredAnnouncements | undefined, ip: string): string[] | undefined {
  return d?.ips.find((s) => s.ip === ip)?.nodes.map((n) => n.name);
}

describe('the speaker\'s Kubernetes source', () => {
  let env: Env;
  let a: Running;
  let b: Running;
  let ip: string;

  beforeAll(async () => {
    env = await startEnv();
    await startTestController(env);
    speakerKc = await speakerKubeConfig(env.kc, env.backend.name === 'real', join(env.scratchDir, 'speaker.kubeconfig'));
    await createPool(env, 'lab', { addresses: ['192.0.2.64/28'] });
    for (const n of ['node-a', 'node-b', 'node-c']) await createNode(env, n);
    await createService(env, NS, 'web');
    await createEndpoints(env, 'web', ['node-b']);
    ip = await ingressIp(env, 'web');
    a = await startSpeakerSource(env, 'node-a', '192.0.2.1');
    b = await startSpeakerSource(env, 'node-b', '192.0.2.2');
  }, 120_000);

  afterAll(async () => {
    await a?.source.stop();
    await b?.source.stop();
    await env?.stop();
  });

  test('the heartbeat key comes from the Secret the controller created', () => {
    const keys = a.source.heartbeatKeys();
    expect(keys).not.toBeNull();
    expect(keys?.[0]?.length).toBeGreaterThanOrEqual(32);
    expect(b.source.heartbeatKeys()?.[0]?.equals(keys?.[0] ?? Buffer.alloc(0))).toBe(true);
  });

  test('no L2Advertisement selects the pool: nothing to announce, and the reason says so', async () => {
    await waitFor('a snapshot naming both speakers', async () => a.last()?.nodes.length === 2);
    expect(a.last()?.ips).toEqual([]);
    expect(a.source.unannounced()).toEqual([expect.objectContaining({ ip, services: [`${NS}/web`], reason: 'NoAdvertisement' })]);
  });

  test('an advertisement for every pool: the IP, for the speakers\' nodes (node-c runs none)', async () => {
    await createAdvertisement(env, 'all', {});
    await waitFor('the IP in node-a\'s snapshot', async () => nodesFor(a.last(), ip) !== undefined);
    expect(a.last()?.nodes).toEqual([{ name: 'node-a', address: '192.0.2.1' }, { name: 'node-b', address: '192.0.2.2' }]);
    expect(nodesFor(a.last(), ip)).toEqual(['node-a', 'node-b']);
    expect(a.last()?.ips[0]).toMatchObject({ services: [`${NS}/web`], modes: ['layer2'] });
    // Both speakers compute the same election input.
    await waitFor('node-b to agree', async () => JSON.stringify(nodesFor(b.last(), ip)) === JSON.stringify(['node-a', 'node-b']));
  });

  test('externalTrafficPolicy: Local follows the endpoints (only node-b has one)', async () => {
    await env.core.patchNamespacedService({ name: 'web', namespace: NS, body: { spec: { externalTrafficPolicy: 'Local' } } }, mergePatch);
    await waitFor('only node-b eligible', async () => JSON.stringify(nodesFor(a.last(), ip)) === JSON.stringify(['node-b']));
  });

  test('the exclude-from-external-load-balancers label takes a node out', async () => {
    await env.core.patchNode({ name: 'node-b', body: { metadata: { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } } } }, mergePatch);
    await waitFor('no node eligible', async () => a.last()?.ips.length === 0);
    expect(a.source.unannounced()).toEqual([expect.objectContaining({ ip })]);
    await env.core.patchNode({ name: 'node-b', body: { metadata: { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': null } } } }, mergePatch);
    await waitFor('node-b back', async () => JSON.stringify(nodesFor(a.last(), ip)) === JSON.stringify(['node-b']));
  });

  test('a speaker that stops gracefully deletes its presence Lease: the others drop it at once', async () => {
    await b.source.stop();
    await waitFor('node-a alone', async () => a.last()?.nodes.length === 1, 5_000);
    expect(a.last()?.nodes).toEqual([{ name: 'node-a', address: '192.0.2.1' }]);
    expect(a.last()?.ips).toEqual([]); // the only endpoint is on node-b, whose speaker is gone
    b = await startSpeakerSource(env, 'node-b', '192.0.2.2');
    await waitFor('node-b back as a member', async () => a.last()?.nodes.length === 2, 5_000);
  });
});

describe('the speaker\'s Kubernetes source without a heartbeat key', () => {
  // No controller runs here, so nobody creates the Secret.
  let env: Env;
  let source: KubernetesSource | undefined;
  let events: EventRecorder;

  afterAll(async () => {
    await source?.stop();
    await env?.stop();
  });

  test('says so in readiness and as a Warning event on the Secret, announces nothing, and starts once the key is there', async () => {
    env = await startEnv();
    speakerKc = await speakerKubeConfig(env.kc, env.backend.name === 'real', join(env.scratchDir, 'speaker.kubeconfig'));
    events = new EventRecorder({ kubeConfig: speakerKc, component: 'herald-speaker', instance: 'node-a', logger: silentLogger() });
    let delivered = 0;
    source = new KubernetesSource({
      kubeConfig: speakerKc, namespace: HERALD_NAMESPACE, node: 'node-a', address: '192.0.2.1', loadBalancerClass: undefined,
      clock: systemClock, logger: silentLogger(), presenceRenewMs: 300, events,
    });
    source.onChange(() => { delivered++; });
    let started = false;
    void source.start().then(() => { started = true; });
    const warning = await waitFor('the HeartbeatKeyUnusable event', async () => {
      await events.flush();
      const list = await env.core.listNamespacedEvent({ namespace: HERALD_NAMESPACE });
      return list.items.find((e) => e.reason === 'HeartbeatKeyUnusable');
    });
    expect(warning).toMatchObject({ type: 'Warning', involvedObject: { kind: 'Secret', name: HEARTBEAT_SECRET_NAME } });
    expect(warning.message).toContain('does not exist');
    // Readiness names the first thing missing: on a loaded API server the pool and advertisement caches may still be
    // listing when the event is out, and the key's absence is what it says once they are synced.
    await waitFor('readiness naming the missing Secret', async () =>
      source?.notReadyReason()?.includes(`Secret ${HERALD_NAMESPACE}/${HEARTBEAT_SECRET_NAME} does not exist`) || undefined);
    expect({ started, delivered }).toEqual({ started: false, delivered: 0 });

    await env.core.createNamespacedSecret({ namespace: HERALD_NAMESPACE, body: heartbeatSecretBody(HERALD_NAMESPACE, randomBytes(32)) });
    await waitFor('the source started', async () => started);
    expect(source.heartbeatKeys()).toHaveLength(1);
    expect(source.notReadyReason()).toBeUndefined();
  }, 120_000);

  test('peers whose heartbeat keys differ (membership\'s report) are a Warning event HeartbeatKeyMismatch on the Secret', async () => {
    const running = source;
    if (running === undefined) throw new Error('the test before starts the source');
    running.reportKeyMismatch([]); // the keys agree again: nothing to write
    running.reportKeyMismatch([{ peer: 'node-b', failed: 5, forMs: 2000 }, { peer: 'node-c', failed: 3, forMs: 1600 }]);
    const warnings = await waitFor('the HeartbeatKeyMismatch event', async () => {
      await events.flush();
      const list = await env.core.listNamespacedEvent({ namespace: HERALD_NAMESPACE });
      const found = list.items.filter((e) => e.reason === 'HeartbeatKeyMismatch');
      return found.length > 0 ? found : undefined;
    });
    expect(warnings).toHaveLength(1);
    const [warning] = warnings;
    expect(warning).toMatchObject({ type: 'Warning', involvedObject: { kind: 'Secret', name: HEARTBEAT_SECRET_NAME }, count: 1 });
    expect(warning?.message).toBe('speaker on node "node-a": heartbeat keys differ: every heartbeat from nodes "node-b", "node-c" fails authentication '
      + `with every key this speaker holds; check the Secret ${HERALD_NAMESPACE}/${HEARTBEAT_SECRET_NAME} (every speaker must hold the same keys)`);
  }, 60_000);
});

describeEmulatorOnly('the speaker\'s Kubernetes source when the API goes away', () => {
  // Refusing every request for a while needs the emulator's fault switch; kube-apiserver cannot be told to.
  let env: Env;
  let a: Running;

  afterAll(async () => {
    await a?.source.stop();
    await env?.stop();
  });

  test('an outage changes nothing it delivers (no withdrawal, no member dropped); afterwards changes flow again', async () => {
    env = await startEnv();
    speakerKc = env.kc;
    await startTestController(env);
    await createPool(env, 'lab', { addresses: ['192.0.2.64/28'] });
    await createAdvertisement(env, 'all', {});
    await createNode(env, 'node-a');
    await createNode(env, 'node-b');
    await createService(env, NS, 'web');
    await createEndpoints(env, 'web', ['node-a', 'node-b']);
    const ip = await ingressIp(env, 'web');
    a = await startSpeakerSource(env, 'node-a', '192.0.2.1');
    const b = await startSpeakerSource(env, 'node-b', '192.0.2.2');
    await waitFor('both eligible', async () => nodesFor(a.last(), ip)?.length === 2);
    const before = JSON.stringify(a.last());
    let deliveries = 0;
    a.source.onChange(() => { deliveries++; });

    const faults = emulatorOf(env).faults;
    faults.failNext({ code: 503, count: 1_000_000 });
    faults.dropWatches({ abrupt: true });
    // node-b's speaker dies without a goodbye during the outage: its Lease cannot be renewed (nor seen to lapse).
    await b.source.stop().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 2_000)); // several presence renewals (every 300 ms here) fail meanwhile
    expect(JSON.stringify(a.last())).toBe(before);
    expect(deliveries).toBe(0);

    faults.reset();
    // node-b's Lease was never deleted (the API refused it), so it stays a member for a Lease duration after the
    // API came back; a change made now must still reach the snapshot.
    await createService(env, NS, 'api');
    await createEndpoints(env, 'api', ['node-a']);
    const ip2 = await ingressIp(env, 'api');
    await waitFor('the new Service announced', async () => nodesFor(a.last(), ip2) !== undefined, 10_000);
    expect(a.last()?.nodes.map((n) => n.name)).toEqual(['node-a', 'node-b']);
  }, 60_000);
});
