// A cluster story for `kubectl herald explain`, written through the API as the cluster's own parts would: Nodes
// with addresses and zones, a dual-stack LoadBalancer Service (http/TCP and dns/UDP) with its IPs in status,
// EndpointSlices per family (as the EndpointSlice controller writes them for pods), and the speakers' status
// objects written by the speakers' own status writers. Documentation addresses only.
import { HttpMethod, type KubeConfig, type V1Service } from '@kubernetes/client-node';
import { GROUP, SERVICEBGPSTATUS_PLURAL, SERVICEL2STATUS_PLURAL, VERSION } from '../../crds/v1beta1/index.js';
import { systemClock } from '../../lib/clock.js';
import { EventRecorder } from '../../lib/kube/events/recorder.js';
import { apiJson, mergePatchRequest } from '../../lib/kube/request.js';
import { silentLogger } from '../../lib/log.js';
import type { BgpPlan } from '../../speaker/bgp/plan.js';
import type { IpSpec } from '../../speaker/source/types.js';
import { BgpStatusWriter } from '../../speaker/status/bgp-status-writer.js';
import { L2StatusWriter } from '../../speaker/status/l2-status-writer.js';
import { waitFor } from '../integration/harness.js';

export const NODES = [
  { name: 'node-a', zone: 'zone-1', addresses: ['192.0.2.11', '2001:db8::11'] },
  { name: 'node-b', zone: 'zone-2', addresses: ['192.0.2.12', '2001:db8::12'] },
] as const;
const HERALD_API = `/apis/${GROUP}/${VERSION}`;
/** Every speaker is alive: a writer removes the objects of nodes it believes dead. */
const ALIVE: ReadonlySet<string> = new Set(NODES.map((n) => n.name));

export interface EndpointFixture {
  /** The pod's IPv4 address; its IPv6 one is 2001:db8:100:: + the last octet. */
  ip: string;
  node: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  /** Topology hints, as the EndpointSlice controller writes them for trafficDistribution. */
  forZone?: string;
  forNode?: string;
}

export interface ServiceFixture {
  namespace: string;
  name: string;
  policy: 'Cluster' | 'Local';
  /** One IPv4 and one IPv6 LoadBalancer IP. */
  vips: readonly [string, string];
  endpoints: readonly EndpointFixture[];
  loadBalancerSourceRanges?: readonly string[];
  internalTrafficPolicy?: 'Cluster' | 'Local';
  clientAffinitySeconds?: number;
}

export const PORTS = [
  { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
  { name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP' },
] as const;

export function ipv6Of(ipv4: string): string {
  return `2001:db8:100::${ipv4.split('.').at(-1) ?? '0'}`;
}

export async function createNodes(kc: KubeConfig): Promise<void> {
  for (const node of NODES) {
    await apiJson(kc, { method: HttpMethod.POST, path: '/api/v1/nodes', body: { metadata: { name: node.name, labels: { 'topology.kubernetes.io/zone': node.zone } } } });
    await apiJson(kc, mergePatchRequest(`/api/v1/nodes/${node.name}/status`, { status: { addresses: node.addresses.map((address) => ({ type: 'InternalIP', address })) } }));
  }
}

function sliceBody(f: ServiceFixture, family: 4 | 6): object {
  return {
    metadata: { namespace: f.namespace, name: `${f.name}-ipv${family}`, labels: { 'kubernetes.io/service-name': f.name, 'endpointslice.kubernetes.io/managed-by': 'herald-test' } },
    addressType: family === 4 ? 'IPv4' : 'IPv6',
    ports: PORTS.map((p) => ({ name: p.name, port: p.targetPort, protocol: p.protocol })),
    endpoints: f.endpoints.map((e, i) => ({
      addresses: [family === 4 ? e.ip : ipv6Of(e.ip)], nodeName: e.node,
      conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
      targetRef: { kind: 'Pod', namespace: f.namespace, name: `${f.name}-${i}` },
      hints: e.forZone || e.forNode ? {
        forZones: e.forZone ? [{ name: e.forZone }] : undefined, forNodes: e.forNode ? [{ name: e.forNode }] : undefined,
      } : undefined,
    })),
  };
}

/** The namespace, the Service (no selector: the slices are ours), its IPs in status and its EndpointSlices. */
export async function createLoadBalancer(kc: KubeConfig, f: ServiceFixture): Promise<V1Service> {
  await apiJson(kc, { method: HttpMethod.POST, path: '/api/v1/namespaces', body: { metadata: { name: f.namespace } } }).catch((err: unknown) => {
    if ((err as { code?: number }).code !== 409) throw err;
  });
  const service = await apiJson<V1Service>(kc, {
    method: HttpMethod.POST, path: `/api/v1/namespaces/${f.namespace}/services`,
    body: {
      metadata: { name: f.name, namespace: f.namespace },
      spec: {
        type: 'LoadBalancer', ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'], externalTrafficPolicy: f.policy, internalTrafficPolicy: f.internalTrafficPolicy, loadBalancerSourceRanges: f.loadBalancerSourceRanges,
        ...(f.clientAffinitySeconds ? { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: f.clientAffinitySeconds } } } : {}),
        ports: PORTS.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: p.protocol })),
      },
    },
  });
  await apiJson(kc, mergePatchRequest(`/api/v1/namespaces/${f.namespace}/services/${f.name}/status`,
    { status: { loadBalancer: { ingress: f.vips.map((ip) => ({ ip, ipMode: 'VIP' })) } } }));
  for (const family of [4, 6] as const) {
    await apiJson(kc, { method: HttpMethod.POST, path: `/apis/discovery.k8s.io/v1/namespaces/${f.namespace}/endpointslices`, body: sliceBody(f, family) });
  }
  return service;
}

function writerOptions(kc: KubeConfig, node: string): { kubeConfig: KubeConfig; node: string; events: EventRecorder; clock: typeof systemClock; logger: ReturnType<typeof silentLogger> } {
  const events = new EventRecorder({ kubeConfig: kc, component: 'herald-speaker', instance: node, logger: silentLogger() });
  return { kubeConfig: kc, node, events, clock: systemClock, logger: silentLogger() };
}

/** node's speaker announcing the Service's IPs by layer 2 on `interfaces`: its ServiceL2Status, by the speaker's writer. */
export async function announceByLayerTwo(kc: KubeConfig, f: ServiceFixture, node: string, interfaces: string[]): Promise<void> {
  const writer = new L2StatusWriter(writerOptions(kc, node));
  writer.report(f.vips.map((ip) => ({ ip, services: [`${f.namespace}/${f.name}`], interfaces })), ALIVE);
  await writtenBy(kc, f, node, SERVICEL2STATUS_PLURAL, writer);
}

/** Waits until the writer's object is in the API (it retries a 429 of a CRD just established), then stops it. */
async function writtenBy(kc: KubeConfig, f: ServiceFixture, node: string, plural: string, writer: { settled(): Promise<void>; stop(): Promise<void> }): Promise<void> {
  await waitFor(`the ${plural} of ${f.namespace}/${f.name} on ${node}`, async () => {
    await writer.settled();
    const list = await apiJson<{ items: { status?: { node?: string; serviceName?: string } }[] }>(kc, { method: HttpMethod.GET, path: `${HERALD_API}/namespaces/${f.namespace}/${plural}` });
    return list.items.some((o) => o.status?.node === node && o.status.serviceName === f.name);
  }, 30_000);
  await writer.stop();
}

/** node's speaker advertising the Service's IPs to the BGPPeer `peer`: its ServiceBGPStatus, by the speaker's writer. */
export async function announceByBgp(kc: KubeConfig, f: ServiceFixture, node: string, peer: BgpPlan['peers'][number]['peer']): Promise<void> {
  const writer = new BgpStatusWriter(writerOptions(kc, node));
  const plan: BgpPlan = { peers: [{ peer, routerId: '192.0.2.11', advertisements: [], ips: [...f.vips], skipped: [] }], unusable: [] };
  const specs: IpSpec[] = f.vips.map((ip) => ({ ip, services: [`${f.namespace}/${f.name}`], modes: ['bgp'], nodes: [{ name: node, weight: 0 }] }));
  writer.report(plan, specs, ALIVE);
  await writtenBy(kc, f, node, SERVICEBGPSTATUS_PLURAL, writer);
}
