// The cluster view indexed once per computation: pools parsed, nodes by name, speakers deduplicated and sorted,
// serving endpoints per Service, and Herald's Services grouped by ingress IP. Every order is fixed here (by name,
// key or address), so what desired.ts builds from it does not depend on the order the informers delivered things in.
import { normalizeIntervals, parseAddressEntry, tryParseAddress, compareAddresses, formatAddress, type Address, type Interval } from '../../../lib/ip/index.js';
import { unmanagedWhyOf } from '../../../lib/service-class.js';
import type { ServiceKey } from '../../../lib/service-key.js';
import type { BFDProfileModel, BGPAdvertisementModel, BGPPeerModel, L2AdvertisementModel } from '../../../lib/config/index.js';
import type { NodeSpec } from '../types.js';
import type { PeerPasswordOutcome } from './peer-passwords.js';
import type { ClusterView, NodeView, ServiceView } from './views.js';

export interface IndexedPool {
  name: string;
  labels: Readonly<Record<string, string>>;
  intervals: readonly Interval[];
}

/** Where a Service's serving endpoints are. */
export interface ServingEndpoints {
  /** At least one serving endpoint, wherever it is (on a node or not). */
  any: boolean;
  /** The nodes that hold a serving endpoint. */
  nodes: ReadonlySet<string>;
}

/** One ingress IP and the Herald Services that carry it, sorted by key (several when they share it). */
export interface IpGroup {
  address: Address;
  ip: string;
  services: readonly ServiceView[];
}

export interface ClusterIndex {
  /** Valid pools, in name order. */
  pools: ReadonlyMap<string, IndexedPool>;
  /** Sorted by name, so messages list them in one order. */
  advertisements: readonly L2AdvertisementModel[];
  nodes: ReadonlyMap<string, NodeView>;
  /** Live speakers, one per node (the lowest address when a node has two), sorted by node name. */
  speakers: readonly NodeSpec[];
  endpoints: ReadonlyMap<ServiceKey, ServingEndpoints>;
  ips: readonly IpGroup[];
  /** BGP mode's objects, each list sorted by name; undefined when BGP is not configured. */
  bgp: {
    advertisements: readonly BGPAdvertisementModel[]; peers: readonly BGPPeerModel[]; bfdProfiles: ReadonlyMap<string, BFDProfileModel>;
    passwords: ReadonlyMap<string, PeerPasswordOutcome>;
  } | undefined;
}

export const keyOf = (s: { namespace: string; name: string }): ServiceKey => `${s.namespace}/${s.name}`;
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A pool with an entry that does not parse is left out, as the controller leaves it out (lib/config/pools.ts):
 * it gives no address, so no ingress IP comes from it.
 */
function indexPools(view: ClusterView): Map<string, IndexedPool> {
  const pools = new Map<string, IndexedPool>();
  for (const pool of [...view.pools].sort((a, b) => byText(a.name, b.name))) {
    const parsed = pool.addresses.map(parseAddressEntry);
    const intervals = parsed.flatMap((p) => (p.ok ? [p.interval] : []));
    if (intervals.length !== parsed.length || intervals.length === 0) continue;
    pools.set(pool.name, { name: pool.name, labels: pool.labels, intervals: normalizeIntervals(intervals) });
  }
  return pools;
}

function indexSpeakers(view: ClusterView): NodeSpec[] {
  const sorted = [...view.speakers].sort((a, b) => byText(a.node, b.node) || byText(a.address, b.address));
  const speakers: NodeSpec[] = [];
  for (const s of sorted) {
    if (speakers[speakers.length - 1]?.name !== s.node) speakers.push({ name: s.node, address: s.address });
  }
  return speakers;
}

function indexEndpoints(view: ClusterView): Map<ServiceKey, { any: boolean; nodes: Set<string> }> {
  const endpoints = new Map<ServiceKey, { any: boolean; nodes: Set<string> }>();
  for (const slice of view.endpointSlices) {
    if (slice.serviceName === undefined) continue;
    const key = keyOf({ namespace: slice.namespace, name: slice.serviceName });
    for (const endpoint of slice.endpoints) {
      if (!endpoint.serving) continue;
      const entry = endpoints.get(key) ?? { any: false, nodes: new Set<string>() };
      entry.any = true;
      if (endpoint.nodeName !== undefined) entry.nodes.add(endpoint.nodeName);
      endpoints.set(key, entry);
    }
  }
  return endpoints;
}

/**
 * Herald's Services (lib/service-class.ts: the controller's rule) by canonical ingress IP. kube-apiserver checks
 * that status.loadBalancer.ingress[].ip is an IP address, so one that does not parse (only an old or foreign
 * writer's) is passed over.
 */
function groupByIp(view: ClusterView, loadBalancerClass: string | undefined): IpGroup[] {
  const groups = new Map<string, { address: Address; services: Map<ServiceKey, ServiceView> }>();
  for (const service of view.services) {
    if (unmanagedWhyOf(service, loadBalancerClass) !== undefined) continue;
    for (const text of service.ingressIPs) {
      const address = tryParseAddress(text);
      if (address === undefined) continue;
      const ip = formatAddress(address);
      const group = groups.get(ip) ?? { address, services: new Map<ServiceKey, ServiceView>() };
      group.services.set(keyOf(service), service);
      groups.set(ip, group);
    }
  }
  return [...groups.entries()]
    .map(([ip, g]) => ({ ip, address: g.address, services: [...g.services.values()].sort((a, b) => byText(keyOf(a), keyOf(b))) }))
    .sort((a, b) => compareAddresses(a.address, b.address));
}

export function indexCluster(view: ClusterView, loadBalancerClass: string | undefined): ClusterIndex {
  return {
    pools: indexPools(view),
    advertisements: [...view.advertisements].sort((a, b) => byText(a.name, b.name)),
    nodes: new Map(view.nodes.map((n) => [n.name, n])),
    speakers: indexSpeakers(view),
    endpoints: indexEndpoints(view),
    ips: groupByIp(view, loadBalancerClass),
    bgp: view.bgp && {
      advertisements: [...view.bgp.advertisements].sort((a, b) => byText(a.name, b.name)),
      peers: [...view.bgp.peers].sort((a, b) => byText(a.name, b.name)),
      bfdProfiles: new Map((view.bgp.bfdProfiles ?? []).map((p) => [p.name, p])),
      passwords: view.bgp.passwords ?? new Map(),
    },
  };
}
