// BGP mode through the API (the emulator, or the real kube-apiserver with HERALD_API_BACKEND=real): the real
// controller allocates, the test writes BGPPeers, a BGPAdvertisement, a Community alias, Nodes and EndpointSlices,
// and two Kubernetes sources run as two speakers' would. What they deliver is judged against what was written:
// the IP in mode bgp from every eligible node (no election), its attributes, the peers with their nodes; a bad
// object is left out and the rest keeps working. Then the ServiceBGPStatus writers of two nodes write, from the
// speakers' BGP plans, one object per (Service, node) with the peers, and remove them. On the real backend both run
// as the herald-speaker ServiceAccount under config/speaker's RBAC, so a request its roles do not allow fails here.
import { join } from 'node:path';
import { CustomObjectsApi, DiscoveryV1Api, type KubeConfig, type V1Service } from '@kubernetes/client-node';
import {
  BGPADVERTISEMENT_PLURAL, BGPPEER_PLURAL, COMMUNITY_PLURAL, GROUP, HERALD_NAMESPACE, L2ADVERTISEMENT_PLURAL, SERVICEBGPSTATUS_PLURAL, VERSION,
  type ServiceBGPStatus,
} from '../../crds/v1beta1/index.js';
import { systemClock } from '../../lib/clock.js';
import { EventRecorder } from '../../lib/kube/events/recorder.js';
import { createLogger, silentLogger } from '../../lib/log.js';
import { planBgp } from '../../speaker/bgp/plan.js';
import { KubernetesSource } from '../../speaker/source/kubernetes/source.js';
import type { DesiredAnnouncements } from '../../speaker/source/types.js';
import { BgpStatusWriter } from '../../speaker/status/bgp-status-writer.js';
import { speakerKubeConfig } from './controller-identity.js';
import { createPool, createService, startEnv, startTestController, waitFor, type Env } from './harness.js';

const NS = 'shop';
const logger = (name: string) => (process.env.HERALD_TEST_LOG ? createLogger(name, 'debug') : silentLogger());

let env: Env;
let speakerKc: KubeConfig;

interface Running {
  source: KubernetesSource;
  last: () => DesiredAnnouncements | undefined;
}

async function startSpeakerSource(node: string, address: string): Promise<Running> {
  let last: DesiredAnnouncements | undefined;
  const source = new KubernetesSource({
    kubeConfig: speakerKc, namespace: HERALD_NAMESPACE, node, address, loadBalancerClass: undefined, clock: systemClock,
    logger: logger(`speaker-${node}`), presenceRenewMs: 300,
  });
  source.onChange((d) => { last = d; });
  await source.start();
  return { source, last: () => last };
}

async function create(plural: string, kind: string, name: string, spec: object): Promise<void> {
  await env.kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: GROUP, version: VERSION, namespace: HERALD_NAMESPACE, plural,
    body: { apiVersion: `${GROUP}/${VERSION}`, kind, metadata: { name, namespace: HERALD_NAMESPACE }, spec },
  });
}

async function bgpStatuses(): Promise<ServiceBGPStatus[]> {
  const list = await env.kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: SERVICEBGPSTATUS_PLURAL });
  return (list as { items: ServiceBGPStatus[] }).items.sort((x, y) => (x.status?.node ?? '').localeCompare(y.status?.node ?? ''));
}

const specOf = (d: DesiredAnnouncements | undefined, ip: string) => d?.ips.find((s) => s.ip === ip);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

describe('BGP mode from the Kubernetes source, and ServiceBGPStatus', () => {
  let a: Running;
  let b: Running;
  let ip: string;
  let uid: string;

  beforeAll(async () => {
    env = await startEnv();
    await startTestController(env);
    speakerKc = await speakerKubeConfig(env.kc, env.backend.name === 'real', join(env.scratchDir, 'speaker.kubeconfig'));
    await createPool(env, 'lab', { addresses: ['192.0.2.64/28'] });
    for (const [n, zone] of [['node-a', 'a'], ['node-b', 'b'], ['node-c', 'b']] as const) await env.core.createNode({ body: { metadata: { name: n, labels: { zone } } } });
    const svc: V1Service = await createService(env, NS, 'web');
    uid = svc.metadata?.uid ?? '';
    await env.kc.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
      namespace: NS,
      body: {
        metadata: { name: 'web-test', namespace: NS, labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4',
        endpoints: ['node-a', 'node-b'].map((nodeName, i) => ({ addresses: [`198.51.100.${i + 10}`], nodeName, conditions: { ready: true, serving: true } })),
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    });
    ip = await waitFor('web to get an IP', async () => (await env.core.readNamespacedService({ name: 'web', namespace: NS })).status?.loadBalancer?.ingress?.[0]?.ip);
    a = await startSpeakerSource('node-a', '192.0.2.1');
    b = await startSpeakerSource('node-b', '192.0.2.2');
  }, 120_000);

  afterAll(async () => {
    await a?.source.stop();
    await b?.source.stop();
    await env?.stop();
  });

  test('BGPPeers and a BGPAdvertisement: the IP in mode bgp from every eligible node, with its attributes', async () => {
    await create(COMMUNITY_PLURAL, 'Community', 'aliases', { communities: [{ name: 'tag', value: '65000:7' }] });
    await create(BGPPEER_PLURAL, 'BGPPeer', 'router', { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.254', holdTime: '9s' });
    await create(BGPPEER_PLURAL, 'BGPPeer', 'zone-b', { myASN: 64512, peerASN: 64514, peerAddress: '192.0.2.253', nodeSelectors: [{ matchLabels: { zone: 'b' } }] });
    await create(BGPADVERTISEMENT_PLURAL, 'BGPAdvertisement', 'lab', { ipAddressPools: ['lab'], localPref: 120, peers: ['router'], communities: ['tag', 'large:64512:1:2'] });
    // Each kind has its own watch: wait until all four objects were seen.
    await waitFor('the IP in mode bgp, with both peers', async () => specOf(a.last(), ip)?.bgp?.communities?.length === 1 && a.last()?.bgpPeers?.length === 2);
    expect(specOf(a.last(), ip)).toEqual({
      ip, services: [`${NS}/web`], modes: ['bgp'], nodes: [{ name: 'node-a', weight: 0 }, { name: 'node-b', weight: 0 }],
      bgp: { peers: ['router'], localPref: 120, communities: [65000 * 65536 + 7], largeCommunities: [{ globalAdministrator: 64512, localData1: 1, localData2: 2 }], nodes: ['node-a', 'node-b'] },
    });
    expect(a.last()?.bgpPeers).toEqual([
      expect.objectContaining({ name: 'router', myAsn: 64512, peerAsn: { kind: 'fixed', asn: 64513 }, peerAddress: '192.0.2.254', holdTimeSeconds: 9, nodes: ['node-a', 'node-b', 'node-c'] }),
      expect.objectContaining({ name: 'zone-b', nodes: ['node-b', 'node-c'] }),
    ]);
    await waitFor('node-b to agree', async () => same(specOf(b.last(), ip)?.bgp?.nodes, ['node-a', 'node-b']));
  });

  test('a bad BGPAdvertisement is left out, a peer whose passwordSecret is missing is kept unusable; the rest keeps working', async () => {
    await create(BGPADVERTISEMENT_PLURAL, 'BGPAdvertisement', 'broken', { communities: ['no-such-alias'], localPref: 999 });
    await create(BGPPEER_PLURAL, 'BGPPeer', 'md5', { myASN: 64512, peerASN: 64515, peerAddress: '192.0.2.252', passwordSecret: { name: 'bgp-auth' } });
    // Good objects after them in the same watches: once these are seen, so were the two above.
    await create(BGPPEER_PLURAL, 'BGPPeer', 'spare', { myASN: 64512, peerASN: 64516, peerAddress: '192.0.2.251' });
    await create(BGPADVERTISEMENT_PLURAL, 'BGPAdvertisement', 'extra', { ipAddressPools: ['lab'], peers: ['router'], communities: ['1:1'] });
    await waitFor('the spare peer and the extra community', async () =>
      a.last()?.bgpPeers?.some((p) => p.name === 'spare') && specOf(a.last(), ip)?.bgp?.communities?.length === 2);
    expect(a.last()?.bgpPeers?.map((p) => [p.name, p.unusable])).toEqual([
      ['md5', 'BGPPeer "md5": passwordSecret "bgp-auth" names no Secret in "herald-system"'], ['router', undefined], ['spare', undefined], ['zone-b', undefined],
    ]);
    expect(specOf(a.last(), ip)?.bgp).toMatchObject({ peers: ['router'], localPref: 120, communities: [65537, 65000 * 65536 + 7] });
  });

  test('an L2Advertisement too: both modes, layer 2 from its own nodes', async () => {
    await create(L2ADVERTISEMENT_PLURAL, 'L2Advertisement', 'zone-a', { nodeSelectors: [{ matchLabels: { zone: 'a' } }] });
    await waitFor('both modes', async () => specOf(a.last(), ip)?.modes.length === 2);
    expect(specOf(a.last(), ip)).toMatchObject({ modes: ['layer2', 'bgp'], nodes: [{ name: 'node-a', weight: 0 }], bgp: { nodes: ['node-a', 'node-b'] } });
  });

  test('ServiceBGPStatus: one per (Service, advertising node) with its peers, owned by the Service; removed when it stops advertising', async () => {
    const events = ['node-a', 'node-b'].map((node) => new EventRecorder({ kubeConfig: speakerKc, component: 'herald-speaker', instance: node, logger: logger(`events-${node}`) }));
    const writers = ['node-a', 'node-b'].map((node, i) => new BgpStatusWriter({ kubeConfig: speakerKc, node, events: events[i] ?? events[0]!, clock: systemClock, logger: logger(`status-${node}`) }));
    const [wa, wb] = writers;
    if (!wa || !wb) throw new Error('two writers');
    const alive = new Set(['node-a', 'node-b']);
    const plan = (self: string, d: DesiredAnnouncements | undefined) => planBgp({ self, desired: d ?? { nodes: [], ips: [] }, links: [] });
    try {
      wa.report(plan('node-a', a.last()), a.last()?.ips ?? [], alive);
      wb.report(plan('node-b', b.last()), b.last()?.ips ?? [], alive);
      // The writers retry on their own (a new kind's storage may still be initializing on kube-apiserver).
      const objects = await waitFor('both objects', async () => {
        const list = await bgpStatuses();
        return list.length === 2 ? list : undefined;
      });
      expect(objects.map((o) => o.status)).toEqual([
        { node: 'node-a', serviceName: 'web', serviceNamespace: NS, peers: ['router'] },
        { node: 'node-b', serviceName: 'web', serviceNamespace: NS, peers: ['router'] },
      ]);
      // The recorders write off the caller's path, each in its own time.
      const assigned = async () => {
        await Promise.all(events.map((e) => e.flush()));
        return (await env.core.listNamespacedEvent({ namespace: NS })).items
          .filter((e) => e.reason === 'nodeAssigned' && e.involvedObject.name === 'web').map((e) => e.message).sort();
      };
      await waitFor('a nodeAssigned event from each node', async () => (await assigned()).length === 2);
      expect(await assigned()).toEqual(['announcing from node "node-a" with protocol "bgp" to "router"', 'announcing from node "node-b" with protocol "bgp" to "router"']);
      for (const o of objects) {
        expect(o.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Service', name: 'web', uid })]);
        expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'herald-speaker', 'herald.dev/service-name': 'web' });
      }

      // node-a stops advertising: its object goes, node-b's stays.
      wa.report({ peers: [], unusable: [] }, [], alive);
      await waitFor('node-a\'s object gone', async () => same((await bgpStatuses()).map((o) => o.status?.node), ['node-b']));

      // node-b dies without cleaning up (its writer is stopped): node-a, advertising again, removes its object once
      // membership no longer hears node-b.
      await wb.stop();
      wa.report(plan('node-a', a.last()), a.last()?.ips ?? [], alive);
      await waitFor('node-a\'s object back', async () => same((await bgpStatuses()).map((o) => o.status?.node), ['node-a', 'node-b']));
      wa.report(plan('node-a', a.last()), a.last()?.ips ?? [], new Set(['node-a']));
      await waitFor('node-b\'s object removed by node-a', async () => same((await bgpStatuses()).map((o) => o.status?.node), ['node-a']));
    } finally {
      for (const w of writers) await w.stop();
    }
  });
});
