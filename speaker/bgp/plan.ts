// Pure: BGP mode's plan for this node. Which peers this node holds a session with, and what each of them should
// have: every IP in mode bgp whose BGP announcers (bgp.nodes, else its eligible nodes) include this one (every
// eligible node announces and the router spreads the traffic by ECMP, as MetalLB does), as a host route with this
// node as next hop, or as the routes its advertisements aggregate it into (bgp.routes: the IP masked to each
// aggregationLength), each prefix once however many IPs fall in it. Membership plays no part: a node that dies loses its sessions, and with them its routes.
import ipaddr from 'ipaddr.js';
import { formatAddress, parseCidr, type Family } from '../../lib/ip/index.js';
import type { LinkInfo } from '../layer2/decide/interfaces.js';
import type { BgpPeerSpec, BgpRouteAttributes, DesiredAnnouncements, IpSpec } from '../source/types.js';
import type { Prefix } from './messages/index.js';
import type { Advertisement } from './session/index.js';

/** Why an IP this node may announce is not sent to a peer. */
export type BgpSkipReason = 'noNextHop';

export interface BgpPeerPlan {
  peer: BgpPeerSpec;
  /** The BGP Identifier to open with: the peer's routerID, else this node's IPv4 address. */
  routerId: string;
  /** What the peer should have: one host route per IP, or the prefixes they aggregate into (each once). */
  advertisements: Advertisement[];
  /** The IPs those advertisements carry (an aggregate's prefix names none of them): for ServiceBGPStatus. */
  ips: string[];
  /** IPs this node announces that this peer does not get, and why. */
  skipped: { ip: string; reason: BgpSkipReason; detail: string }[];
  /**
   * The peer names a BFD profile: this node's address on the link to the peer (BFD's source), or why there is
   * none (BFD then does not run; the BGP session does).
   */
  bfd?: { localAddress: string } | { problem: string };
}

export interface BgpPlan {
  /** The peers this node holds a session with (the peer's `nodes` include it). */
  peers: BgpPeerPlan[];
  /** Peers this node should hold a session with but cannot, and why (the status writer shows it on the BGPPeer). */
  unusable: { peer: string; address: string; why: string }[];
}

export interface BgpPlanInput {
  self: string;
  desired: DesiredAnnouncements;
  /** This node's links with their addresses: where the next hops come from. */
  links: readonly LinkInfo[];
}

export const EMPTY_BGP_PLAN: BgpPlan = { peers: [], unusable: [] };

export function planBgp({ self, desired, links }: BgpPlanInput): BgpPlan {
  const selfAddress = desired.nodes.find((n) => n.name === self)?.address;
  const announced = desired.ips.filter((s) => s.modes.includes('bgp') && announcesByBgp(s, self));
  const plan: BgpPlan = { peers: [], unusable: [] };
  for (const peer of desired.bgpPeers ?? []) {
    if (!peer.nodes.includes(self)) continue;
    if (peer.unusable !== undefined) {
      plan.unusable.push({ peer: peer.name, address: peer.peerAddress, why: peer.unusable });
      continue;
    }
    const routerId = peer.routerId ?? (selfAddress !== undefined && familyOf(selfAddress) === 4 ? selfAddress : undefined);
    if (routerId === undefined) {
      plan.unusable.push({ peer: peer.name, address: peer.peerAddress, why: `no routerID given and this node's address ${selfAddress ?? '(none)'} is not IPv4 (RFC 6286)` });
      continue;
    }
    plan.peers.push(peerPlan(peer, routerId, announced, selfAddress, links));
  }
  return plan;
}

/** Whether `self` is among the IP's BGP announcers (its bgp.nodes, else its nodes). */
function announcesByBgp(spec: IpSpec, self: string): boolean {
  return spec.bgp?.nodes !== undefined ? spec.bgp.nodes.includes(self) : spec.nodes.some((n) => n.name === self);
}

function peerPlan(peer: BgpPeerSpec, routerId: string, announced: readonly IpSpec[], selfAddress: string | undefined, links: readonly LinkInfo[]): BgpPeerPlan {
  const plan: BgpPeerPlan = { peer, routerId, advertisements: [], ips: [], skipped: [] };
  const nextHops: Record<Family, string | null> = { 4: nextHopFor(4, peer, selfAddress, links), 6: nextHopFor(6, peer, selfAddress, links) };
  if (peer.bfd !== undefined) {
    // Single-hop BFD runs between the two ends of the session's link, in the session's family (RFC 5881 §2).
    const family = familyOf(peer.peerAddress);
    const localAddress = nextHops[family];
    plan.bfd = localAddress === null ? { problem: `this node has no IPv${family} address on the link towards ${peer.peerAddress}` } : { localAddress };
  }
  // Routes of several IPs with one prefix (an aggregate) are one advertisement, with the union of their attributes.
  const byPrefix = new Map<Prefix, Advertisement>();
  for (const spec of announced) {
    const family = familyOf(spec.ip);
    const routes = spec.bgp?.routes ?? [{ ...spec.bgp, prefixLength: HOST_LENGTH[family] }];
    const wanted = routes.filter((r) => r.peers === undefined || r.peers.includes(peer.name));
    if (wanted.length === 0) continue;
    const nextHop = nextHops[family];
    if (nextHop === null) {
      plan.skipped.push({ ip: spec.ip, reason: 'noNextHop', detail: `this node has no IPv${family} address on the link towards ${peer.peerAddress}` });
      continue;
    }
    plan.ips.push(spec.ip);
    for (const route of wanted) {
      const prefix = routePrefix(spec.ip, route.prefixLength);
      byPrefix.set(prefix, merged(byPrefix.get(prefix), { prefix, nextHop }, route));
    }
  }
  plan.advertisements = [...byPrefix.values()];
  return plan;
}

/**
 * This node's address for `family` as the peer should forward to it: the session's source address for the
 * session's own family when one is configured; else an address of that family on the link whose subnet holds the
 * peer (a directly connected router reaches us there, for either family); else the node's listed address.
 */
export function nextHopFor(family: Family, peer: BgpPeerSpec, selfAddress: string | undefined, links: readonly LinkInfo[]): string | null {
  if (peer.sourceAddress !== undefined && familyOf(peer.sourceAddress) === family) return peer.sourceAddress;
  const peerIp = ipaddr.parse(peer.peerAddress);
  const facing = links.find((l) => l.addresses.some((a) => sameSubnet(peerIp, a.address, a.prefixLength)));
  const onLink = facing?.addresses.find((a) => familyOf(a.address) === family && !isLinkLocal(a.address));
  if (onLink !== undefined) return onLink.address;
  return selfAddress !== undefined && familyOf(selfAddress) === family ? selfAddress : null;
}

function sameSubnet(ip: ipaddr.IPv4 | ipaddr.IPv6, address: string, prefixLength: number): boolean {
  const other = ipaddr.parse(address);
  return ip.kind() === other.kind() && ip.match(other, prefixLength);
}

function isLinkLocal(address: string): boolean {
  return ipaddr.parse(address).range() === 'linkLocal';
}

function familyOf(address: string): Family {
  return address.includes(':') ? 6 : 4;
}

const HOST_LENGTH: Record<Family, number> = { 4: 32, 6: 128 };

/** The IP masked to `length` (lib/ip's parseCidr masks the host bits off). */
function routePrefix(ip: string, length: number): Prefix {
  const parsed = parseCidr(`${ip}/${length}`);
  if (!parsed.ok) throw new Error(`BGP route of ${ip}: /${length} is not a prefix length for it`, { cause: parsed });
  return `${formatAddress({ family: parsed.interval.family, value: parsed.interval.first })}/${length}`;
}

/** `base` with `route`'s attributes added to what `held` (the same prefix from another IP) carries already. */
function merged(held: Advertisement | undefined, base: Advertisement, route: BgpRouteAttributes): Advertisement {
  const out: Advertisement = { ...base };
  const prefs = [held?.localPref, route.localPref].filter((p): p is number => p !== undefined);
  if (prefs.length > 0) out.localPref = Math.max(...prefs);
  const communities = [...new Set([...(held?.communities ?? []), ...(route.communities ?? [])])].sort((a, b) => a - b);
  if (communities.length > 0) out.communities = communities;
  const large = new Map([...(held?.largeCommunities ?? []), ...(route.largeCommunities ?? [])].map((c) => [`${c.globalAdministrator}:${c.localData1}:${c.localData2}`, c]));
  if (large.size > 0) {
    out.largeCommunities = [...large.values()].sort((a, b) => a.globalAdministrator - b.globalAdministrator || a.localData1 - b.localData1 || a.localData2 - b.localData2);
  }
  return out;
}
