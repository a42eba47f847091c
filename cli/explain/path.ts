// The path a packet takes to one LoadBalancer Service, from the objects the cluster lists (docs/concepts.md):
// the VIP → the node(s) that answer for it (ServiceL2Status: layer 2; ServiceBGPStatus: BGP) → kube-proxy's chains
// on each of those nodes → the endpoints. A pure function: every "where the path stops" is a typed reason.
import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import type { BGPPeer, ServiceBGPStatus, ServiceL2Status } from '../../crds/v1beta1/index.js';
import { tryParseAddress, type Family } from '../../lib/ip/index.js';
import { servicePortName, type ServiceProtocol } from './chain-names.js';
import { nodeChains, proxyEndpoints, type NodeChains, type ProxiedPort, type ProxyEndpoint } from './kube-proxy-rules.js';

export interface ExplainInput {
  service: V1Service;
  /** The Service's EndpointSlices (label kubernetes.io/service-name). */
  slices: readonly V1EndpointSlice[];
  /** ServiceL2Status / ServiceBGPStatus objects of the Service's namespace (others are ignored). */
  l2Statuses: readonly ServiceL2Status[];
  bgpStatuses: readonly ServiceBGPStatus[];
  /** Nodes (for zones and addresses) and BGPPeers (for addresses and sessions); either may be empty. */
  nodes: readonly V1Node[];
  peers: readonly BGPPeer[];
}

/** Why the path stops before kube-proxy for the whole Service. */
export type ServiceStop =
  | { reason: 'notLoadBalancer'; type: string }
  | { reason: 'noIngressIP' }
  | { reason: 'otherProxy'; proxyName: string }
  | { reason: 'noProxiedPort'; protocols: readonly string[] };

export interface LayerTwoAnswer { node: string; interfaces: readonly string[] }
export interface BgpHop { peer: string; peerAddress?: string; nextHop: string; session?: string }
export interface BgpAnswer { node: string; hops: readonly BgpHop[] }

export interface PortPath {
  port: number;
  protocol: ServiceProtocol;
  portName: string;
  /** One entry per answering node: that node's kube-proxy chains for this port and family. */
  onNodes: readonly NodeChains[];
  /** Every endpoint the EndpointSlices list for this port and family, usable or not. */
  endpoints: readonly ProxyEndpoint[];
}

export interface VipPath {
  ip: string;
  family: Family;
  layer2: readonly LayerTwoAnswer[];
  bgp: readonly BgpAnswer[];
  /** Why kube-proxy writes no rule for this IP, when it writes none. */
  stop?: 'ipModeProxy' | 'noClusterIPOfFamily' | 'nobodyAnswers';
  ports: readonly PortPath[];
}

export interface Explanation {
  service: string;
  externalTrafficPolicy: 'Cluster' | 'Local';
  internalTrafficPolicy: 'Cluster' | 'Local';
  /** sessionAffinity ClientIP: kube-proxy sends a client back to its endpoint for this long (`-m recent`). */
  clientAffinitySeconds?: number;
  stop?: ServiceStop;
  vips: readonly VipPath[];
}

const PROTOCOLS: readonly string[] = ['TCP', 'UDP', 'SCTP'];
/** The API's default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
const DEFAULT_AFFINITY_SECONDS = 10_800;
/** A Service with this label is left to the proxy it names; the default kube-proxy skips it. */
export const SERVICE_PROXY_NAME_LABEL = 'service.kubernetes.io/service-proxy-name';

function serviceStop(service: V1Service): ServiceStop | undefined {
  const type = service.spec?.type ?? 'ClusterIP';
  if (type !== 'LoadBalancer') return { reason: 'notLoadBalancer', type };
  const proxyName = service.metadata?.labels?.[SERVICE_PROXY_NAME_LABEL];
  if (proxyName !== undefined) return { reason: 'otherProxy', proxyName };
  const protocols = (service.spec?.ports ?? []).map((p) => p.protocol ?? 'TCP');
  if (!protocols.some((p) => PROTOCOLS.includes(p))) return { reason: 'noProxiedPort', protocols };
  if (!(service.status?.loadBalancer?.ingress ?? []).some((i) => i.ip)) return { reason: 'noIngressIP' };
  return undefined;
}

function forService<T extends ServiceL2Status | ServiceBGPStatus>(objects: readonly T[], service: V1Service): T[] {
  return objects.filter((o) => o.status?.serviceName === service.metadata?.name
    && (o.status?.serviceNamespace ?? o.metadata.namespace) === service.metadata?.namespace && o.status?.node);
}

function nodeAddresses(nodes: readonly V1Node[], name: string, family: Family): string[] {
  const node = nodes.find((n) => n.metadata?.name === name);
  return (node?.status?.addresses ?? []).filter((a) => a.type !== 'Hostname' && tryParseAddress(a.address)?.family === family).map((a) => a.address);
}

/** The next hop a node's speaker gives a peer for a `family` route (speaker/bgp/plan.ts nextHopFor), as far as the API shows it. */
function bgpHop(peerName: string, node: string, family: Family, input: ExplainInput): BgpHop {
  const peer = input.peers.find((p) => p.metadata.name === peerName);
  const source = peer?.spec.sourceAddress;
  const session = peer?.status?.nodes?.find((s) => s.node === node)?.state;
  const listed = nodeAddresses(input.nodes, node, family);
  const nextHop = source !== undefined && tryParseAddress(source)?.family === family ? source
    : `${node}'s IPv${family} address on the link facing ${peer?.spec.peerAddress ?? `peer ${peerName}`}${listed.length > 0 ? ` (else ${listed.join(', ')})` : ''}`;
  return { peer: peerName, peerAddress: peer?.spec.peerAddress, nextHop, session };
}

function proxiedPorts(service: V1Service, family: Family, slices: readonly V1EndpointSlice[]): (ProxiedPort & { port: number })[] {
  const namespace = service.metadata?.namespace ?? '';
  const name = service.metadata?.name ?? '';
  const ranges = (service.spec?.loadBalancerSourceRanges ?? []).map((r) => r.trim())
    .filter((r) => tryParseAddress(r.split('/')[0] ?? '')?.family === family && !/\/0$/.test(r));
  return (service.spec?.ports ?? []).filter((p) => PROTOCOLS.includes(p.protocol ?? 'TCP')).map((p) => {
    const protocol = (p.protocol ?? 'TCP') as ServiceProtocol;
    return {
      port: p.port, portName: servicePortName(namespace, name, p.name), protocol, sourceRanges: ranges,
      externalPolicyLocal: service.spec?.externalTrafficPolicy === 'Local',
      internalPolicyLocal: service.spec?.internalTrafficPolicy === 'Local',
      endpoints: proxyEndpoints(slices, family, p.name, protocol),
    };
  });
}

function vipPath(ip: string, ipMode: string | undefined, input: ExplainInput): VipPath | undefined {
  const family = tryParseAddress(ip)?.family;
  if (family === undefined) return undefined;
  const { service } = input;
  const layer2 = forService(input.l2Statuses, service).map((s) => ({ node: s.status?.node ?? '', interfaces: (s.status?.interfaces ?? []).map((i) => i.name) }));
  const bgp = forService(input.bgpStatuses, service).map((s) => {
    const node = s.status?.node ?? '';
    return { node, hops: (s.status?.peers ?? []).map((peer) => bgpHop(peer, node, family, input)) };
  });
  const clusterIPs = service.spec?.clusterIPs ?? (service.spec?.clusterIP ? [service.spec.clusterIP] : []);
  const stop = ipMode === 'Proxy' ? 'ipModeProxy' as const
    : !clusterIPs.some((c) => tryParseAddress(c)?.family === family) ? 'noClusterIPOfFamily' as const
      : layer2.length + bgp.length === 0 ? 'nobodyAnswers' as const : undefined;
  const answering = [...new Set([...layer2, ...bgp].map((a) => a.node))].sort();
  const ports = stop === 'ipModeProxy' || stop === 'noClusterIPOfFamily' ? [] : proxiedPorts(service, family, input.slices).map((port) => ({
    port: port.port,
    protocol: port.protocol,
    portName: port.portName,
    onNodes: answering.map((node) => nodeChains(port, { name: node, zone: zoneOf(input.nodes, node) })),
    endpoints: port.endpoints,
  }));
  return { ip, family, layer2, bgp, stop, ports };
}

function zoneOf(nodes: readonly V1Node[], name: string): string | undefined {
  return nodes.find((n) => n.metadata?.name === name)?.metadata?.labels?.['topology.kubernetes.io/zone'];
}

export function explainService(input: ExplainInput): Explanation {
  const { service } = input;
  const explanation = {
    service: `${service.metadata?.namespace ?? ''}/${service.metadata?.name ?? ''}`,
    externalTrafficPolicy: service.spec?.externalTrafficPolicy === 'Local' ? 'Local' as const : 'Cluster' as const,
    internalTrafficPolicy: service.spec?.internalTrafficPolicy === 'Local' ? 'Local' as const : 'Cluster' as const,
    clientAffinitySeconds: service.spec?.sessionAffinity === 'ClientIP' ? service.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS : undefined,
  };
  const stop = serviceStop(service);
  if (stop) return { ...explanation, stop, vips: [] };
  const vips = (service.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [vipPath(i.ip, i.ipMode, input)] : []))
    .filter((v): v is VipPath => v !== undefined);
  return { ...explanation, vips };
}
