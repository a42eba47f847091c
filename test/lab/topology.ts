// The lab's fixed shape: one layer 2 segment (a bridge in its own namespace) joining three Kubernetes-like
// nodes, a client and a router. Every name the lab creates starts with `hl-` so that `down` can delete
// exactly what `up` made; every address is from the documentation ranges (RFC 5737, RFC 3849).

export type NodeName = 'n1' | 'n2' | 'n3';
export type HostRole = 'node' | 'client' | 'router';

export interface Host {
  /** Short name: the namespace is `hl-${name}` and the bridge port is named after it. */
  name: string;
  role: HostRole;
  /** Last octet of its IPv4 address and last group of its IPv6 address, also the last byte of its MAC. */
  octet: number;
}

export const NS_PREFIX = 'hl-';
export const BRIDGE_NS = `${NS_PREFIX}br`;
export const BRIDGE = 'br0';
/** The host side of every veth; the same name in every namespace, since each host has its own. */
export const HOST_IF = 'eth0';

export const NODES: readonly NodeName[] = ['n1', 'n2', 'n3'];

/**
 * Namespaces some tests and benchmarks add for a while (hundreds of links to watch) and remove
 * themselves; `up` never makes them, `down` removes them if a run died half-way.
 */
export const LINKS_NS = `${NS_PREFIX}links`;

export const HOSTS: readonly Host[] = [
  { name: 'router', role: 'router', octet: 1 },
  { name: 'client', role: 'client', octet: 10 },
  { name: 'n1', role: 'node', octet: 11 },
  { name: 'n2', role: 'node', octet: 12 },
  { name: 'n3', role: 'node', octet: 13 },
];

export const V4_PREFIX = '192.0.2';
export const V6_PREFIX = '2001:db8:1';
export const HTTP_PORT = 80;
/** The UDP port speakers send heartbeats to (the speaker's default). */
export const HEARTBEAT_PORT = 7946;

export function nsOf(host: string): string {
  return `${NS_PREFIX}${host}`;
}

export function hostByName(name: string): Host {
  const host = HOSTS.find((h) => h.name === name);
  if (!host) throw new Error(`lab: no host named "${name}" (have ${HOSTS.map((h) => h.name).join(', ')})`);
  return host;
}

/** 02:00:00:00:00:NN with NN the host's octet written in decimal digits, so .11 has MAC ...:11. */
export function macOf(host: Host): string {
  return `02:00:00:00:00:${String(host.octet).padStart(2, '0')}`;
}

export function v4Of(host: Host): string {
  return `${V4_PREFIX}.${host.octet}`;
}

export function v6Of(host: Host): string {
  return `${V6_PREFIX}::${host.octet}`;
}

/** The VIPs every node accepts locally (on `lo`), as kube-proxy would for LoadBalancer IPs. */
export const VIP_COUNT = 10;

export function vip4(index: number): string {
  return `${V4_PREFIX}.${100 + checkVipIndex(index)}`;
}

export function vip6(index: number): string {
  return `${V6_PREFIX}::${100 + checkVipIndex(index)}`;
}

function checkVipIndex(index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= VIP_COUNT) {
    throw new Error(`lab: VIP index ${index} is outside 0..${VIP_COUNT - 1}`);
  }
  return index;
}

export const STATE_DIR = process.env.HERALD_LAB_STATE_DIR ?? '/run/herald-lab';

/**
 * BGP mode's far side (bgp-lab.ts): a client in another subnet, behind the router, so traffic to a BGP VIP is
 * routed by the router's kernel along what BIRD learned (ECMP over the nodes), not switched on the segment.
 * Not made by `up`; `down` removes it with the rest.
 */
export const FAR_NS = `${NS_PREFIX}far`;
/** The router's side of the veth to the far client; the far side is HOST_IF. */
export const ROUTER_FAR_IF = 'far0';
export const FAR_V4_PREFIX = '198.51.100';
export const FAR_V6_PREFIX = '2001:db8:2';
export const FAR_OCTET = 10;

/** The VIPs announced by BGP, on every node's `lo` once the BGP lab is up: outside every lab subnet. */
export const BGP_VIP_COUNT = 4;

export function bgpVip4(index: number): string {
  return `203.0.113.${10 + checkBgpVipIndex(index)}`;
}

export function bgpVip6(index: number): string {
  return `2001:db8:3::${10 + checkBgpVipIndex(index)}`;
}

function checkBgpVipIndex(index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= BGP_VIP_COUNT) throw new Error(`lab: BGP VIP index ${index} is outside 0..${BGP_VIP_COUNT - 1}`);
  return index;
}
