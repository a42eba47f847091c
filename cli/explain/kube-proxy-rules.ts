// What kube-proxy (iptables mode) writes on one node for one Service port and one IP family, as far as a packet to
// a LoadBalancer IP sees it: KUBE-SERVICES → KUBE-EXT-… (or KUBE-FW-… first with loadBalancerSourceRanges) →
// KUBE-SVC-… (externalTrafficPolicy Cluster) or KUBE-SVL-… (Local: this node's endpoints only) → KUBE-SEP-… → the pod.
// Read from kube-proxy's pkg/proxy (endpointslicecache.go, topology.go, iptables/proxier.go) to follow the same
// choices: which endpoints count (ready, else serving+terminating; topology hints), which chains exist, the order of
// the endpoint rules (by "IP:port" text) and their probabilities. Our own code; the real kube-proxy judges it.
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { endpointChain, endpointText, servicePortChain, type ServiceProtocol } from './chain-names.js';

/** One endpoint of a Service port as kube-proxy keeps it (its EndpointSlice entry, trimmed). */
export interface ProxyEndpoint {
  /** "IP:port" ("[IPv6]:port"), kube-proxy's endpoint string and sort key. */
  endpoint: string;
  node?: string;
  pod?: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  zoneHints: readonly string[];
  nodeHints: readonly string[];
}

/** One Service port, for one family, with what kube-proxy reads of its Service. */
export interface ProxiedPort {
  /** "namespace/name[:portName]". */
  portName: string;
  protocol: ServiceProtocol;
  externalPolicyLocal: boolean;
  internalPolicyLocal: boolean;
  /** loadBalancerSourceRanges of this family, without the match-all ones (which kube-proxy ignores). */
  sourceRanges: readonly string[];
  endpoints: readonly ProxyEndpoint[];
}

/** The node kube-proxy runs on: its name and its topology.kubernetes.io/zone label. */
export interface ProxyNode {
  name: string;
  zone?: string;
}

export interface EndpointChain {
  chain: string;
  endpoint: ProxyEndpoint;
}

export interface ChainJump extends EndpointChain {
  /** The statistic match's probability, as kube-proxy prints it; absent on the last rule (always taken). */
  probability?: string;
}

export interface PolicyChain {
  chain: string;
  jumps: readonly ChainJump[];
}

/** Why no packet for the LoadBalancer IP reaches a pod from this node. */
export type ProxyStop =
  | 'noEndpoints'        // no ready (or serving terminating) endpoint anywhere: no nat chains; filter REJECTs
  | 'noLocalEndpoints';  // Local policy and none on this node: KUBE-EXT has no jump onwards; filter DROPs

export interface NodeChains {
  node: string;
  /** Where KUBE-SERVICES sends the LoadBalancer IP: the KUBE-FW- or the KUBE-EXT- chain; absent with no endpoints. */
  loadBalancerJump?: string;
  firewall?: { chain: string; sourceRanges: readonly string[] };
  /** KUBE-EXT-…: where outside traffic goes on (absent when nowhere) and, with Local, where the node's own goes. */
  external?: { chain: string; outside?: string; fromNode?: string };
  cluster?: PolicyChain;
  local?: PolicyChain;
  /** Every KUBE-SEP- chain kube-proxy makes on this node for the port, in endpoint order. */
  endpointChains: readonly EndpointChain[];
  stop?: ProxyStop;
  topology?: 'PreferSameZone' | 'PreferSameNode';
}

/** kube-proxy's endpoints of one Service port and family: slices of that family, the port matched by name and protocol. */
export function proxyEndpoints(slices: readonly V1EndpointSlice[], family: 4 | 6, portName: string | undefined, protocol: ServiceProtocol): ProxyEndpoint[] {
  const byText = new Map<string, ProxyEndpoint>();
  for (const slice of slices) {
    if (slice.addressType !== (family === 4 ? 'IPv4' : 'IPv6')) continue;
    for (const port of slice.ports ?? []) {
      if ((port.name ?? undefined) === undefined || (port.name ?? '') !== (portName ?? '')) continue;
      if ((port.protocol ?? 'TCP') !== protocol || !port.port) continue;
      for (const e of slice.endpoints ?? []) {
        const ip = e.addresses[0];
        if (ip === undefined) continue;
        const endpoint: ProxyEndpoint = {
          endpoint: endpointText(ip, port.port), node: e.nodeName, pod: e.targetRef?.kind === 'Pod' ? e.targetRef.name : undefined,
          ready: e.conditions?.ready ?? true, serving: e.conditions?.serving ?? true, terminating: e.conditions?.terminating ?? false,
          zoneHints: (e.hints?.forZones ?? []).map((z) => z.name), nodeHints: (e.hints?.forNodes ?? []).map((n) => n.name),
        };
        // An IP seen twice (a pod moving between slices, or an IP reused from a terminating pod): the live one wins.
        if (!byText.has(endpoint.endpoint) || !endpoint.terminating) byText.set(endpoint.endpoint, endpoint);
      }
    }
  }
  return [...byText.values()].sort(byEndpointText);
}

/** kube-proxy orders endpoints by their "IP:port" text (byte order, not numeric). */
function byEndpointText(a: ProxyEndpoint, b: ProxyEndpoint): number {
  return a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0;
}

/** kube-proxy's topology mode for this node: hints count only when every ready endpoint has one and one is for us. */
function topologyMode(endpoints: readonly ProxyEndpoint[], node: ProxyNode): NodeChains['topology'] {
  const ready = endpoints.filter((e) => e.ready);
  if (ready.length === 0) return undefined;
  if (ready.every((e) => e.nodeHints.length > 0) && ready.some((e) => e.nodeHints.includes(node.name))) return 'PreferSameNode';
  const zone = node.zone ?? '';
  if (ready.every((e) => e.zoneHints.length > 0) && ready.some((e) => e.zoneHints.includes(zone))) return 'PreferSameZone';
  return undefined;
}

function availableForTopology(e: ProxyEndpoint, mode: NodeChains['topology'], node: ProxyNode): boolean {
  if (mode === 'PreferSameNode') return e.nodeHints.includes(node.name);
  if (mode === 'PreferSameZone') return e.zoneHints.includes(node.zone ?? '');
  return true;
}

interface Categorized {
  cluster: ProxyEndpoint[];
  local: ProxyEndpoint[];
  reachable: ProxyEndpoint[];
  hasAny: boolean;
  topology: NodeChains['topology'];
}

/** kube-proxy's CategorizeEndpoints for a LoadBalancer port (which always uses Cluster endpoints: short-circuiting). */
function categorize(port: ProxiedPort, node: ProxyNode): Categorized {
  const all = port.endpoints;
  const topology = topologyMode(all, node);
  let cluster = all.filter((e) => e.ready && availableForTopology(e, topology, node));
  if (cluster.length === 0) cluster = all.filter((e) => e.serving && e.terminating);
  const usesLocal = port.internalPolicyLocal || port.externalPolicyLocal;
  if (!usesLocal) return { cluster, local: [], reachable: cluster, hasAny: cluster.length > 0, topology };
  const isLocal = (e: ProxyEndpoint): boolean => e.node === node.name;
  const hasAny = cluster.length > 0 || all.some((e) => e.ready || (e.serving && e.terminating));
  const localReady = all.filter((e) => isLocal(e) && e.ready);
  const local = localReady.length > 0 ? localReady : all.filter((e) => isLocal(e) && e.serving && e.terminating);
  const usesTerminating = localReady.length === 0 && local.length > 0;
  if (topology === undefined && !usesTerminating) return { cluster, local, reachable: cluster, hasAny, topology };
  const merged = new Map([...cluster, ...local].map((e) => [e.endpoint, e]));
  return { cluster, local, reachable: [...merged.values()].sort(byEndpointText), hasAny, topology };
}

/** 1/n with ten decimals, as kube-proxy writes `--probability`. */
export function ruleProbability(remaining: number): string {
  return (1 / remaining).toFixed(10);
}

function policyChain(chain: string, port: ProxiedPort, endpoints: readonly ProxyEndpoint[]): PolicyChain {
  return {
    chain,
    jumps: endpoints.map((endpoint, i) => ({
      chain: endpointChain(port.portName, port.protocol, endpoint.endpoint), endpoint,
      probability: i < endpoints.length - 1 ? ruleProbability(endpoints.length - i) : undefined,
    })),
  };
}

/** The chains a LoadBalancer IP's packet meets on `node` for this port, and where it stops if it does. */
export function nodeChains(port: ProxiedPort, node: ProxyNode): NodeChains {
  const c = categorize(port, node);
  const name = (prefix: 'KUBE-SVC-' | 'KUBE-SVL-' | 'KUBE-EXT-' | 'KUBE-FW-'): string => servicePortChain(prefix, port.portName, port.protocol);
  if (!c.hasAny) return { node: node.name, endpointChains: [], stop: 'noEndpoints', topology: c.topology };
  const cluster = c.cluster.length > 0 ? policyChain(name('KUBE-SVC-'), port, c.cluster) : undefined;
  const local = c.local.length > 0 && (port.internalPolicyLocal || port.externalPolicyLocal) ? policyChain(name('KUBE-SVL-'), port, c.local) : undefined;
  const externalPolicy = port.externalPolicyLocal ? local : cluster;
  const firewall = port.sourceRanges.length > 0 ? { chain: name('KUBE-FW-'), sourceRanges: port.sourceRanges } : undefined;
  const external = { chain: name('KUBE-EXT-'), outside: externalPolicy?.chain, fromNode: port.externalPolicyLocal ? cluster?.chain : undefined };
  return {
    node: node.name,
    loadBalancerJump: firewall?.chain ?? external.chain,
    firewall,
    external,
    cluster,
    local,
    endpointChains: c.reachable.map((endpoint) => ({ chain: endpointChain(port.portName, port.protocol, endpoint.endpoint), endpoint })),
    stop: externalPolicy === undefined ? 'noLocalEndpoints' : undefined,
    topology: c.topology,
  };
}
