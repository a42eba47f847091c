// Which ServiceBGPStatus objects this speaker should have (MetalLB's: node, serviceName, serviceNamespace, peers):
// one per Service with an IP this node advertises by BGP, naming the peers its IPs go to from this node (whether a
// session is up is each BGPPeer's own status). Every announcing node keeps its own, so `kubectl get
// servicebgpstatuses` lists every node a Service's traffic may enter through.
import type { BgpPlan } from '../bgp/plan.js';
import type { IpSpec } from '../source/types.js';
import { statusesFor, type ServiceStatusSpec } from './service-status-plan.js';

/** Keyed by `namespace/name` of the status object; an IP the plan gives no peer gives no object. */
export function bgpStatusesFor(self: string, plan: BgpPlan, specs: readonly IpSpec[], hash: (text: string) => string): Map<string, ServiceStatusSpec> {
  const services = new Map(specs.map((s) => [s.ip, s.services]));
  const peersOf = new Map<string, string[]>();
  for (const peer of plan.peers) {
    for (const ip of peer.ips) peersOf.set(ip, [...(peersOf.get(ip) ?? []), peer.peer.name]);
  }
  return statusesFor(self, [...peersOf].map(([ip, peers]) => ({ services: services.get(ip) ?? [], items: peers })), hash);
}
