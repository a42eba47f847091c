// The Service condition that says whether its IP is announced, by which node, or why nobody announces it
// (herald.dev/Announced, beside the controller's herald.dev/AddressAssigned). Each speaker writes it only for what
// it knows first-hand, so no two speakers keep overwriting each other: the node announcing an IP writes True for
// its Services, and for IPs nobody may announce, one speaker writes False with the reason, the alive speaker whose
// name sorts first (every speaker computes the same one from the members it hears). An IP advertised by BGP only has
// every eligible node announcing it, so that same reporter writes True for it, naming the nodes (all speakers
// compute the same snapshot); where layer 2 announces one of a Service's IPs, its owner writes, as before.
import type { ServiceKey } from '../../lib/service-key.js';
import { someOf } from '../../lib/config/index.js';
import type { Unannounced } from '../source/kubernetes/desired.js';
import type { IpSpec } from '../source/types.js';
import type { OwnedIp } from './l2-status-plan.js';

export const ANNOUNCED_CONDITION = 'herald.dev/Announced';

export interface AnnouncedCondition {
  status: 'True' | 'False';
  /** 'Announced', or the source's reason nobody may announce (NoAdvertisement, NoServingEndpoint, ...). */
  reason: string;
  message: string;
}

export function announcementConditions(
  self: string, owned: readonly OwnedIp[], unannounced: readonly Unannounced[], alive: ReadonlySet<string>,
  /** The snapshot's IPs (for those in mode bgp only); none when the source gives none. */
  ips: readonly IpSpec[] = [],
): Map<ServiceKey, AnnouncedCondition> {
  const conditions = new Map<ServiceKey, AnnouncedCondition>();
  const announcedIps = new Map<ServiceKey, string[]>();
  for (const o of owned) {
    for (const service of o.services) {
      const list = announcedIps.get(service) ?? [];
      list.push(`${o.ip} on ${o.interfaces.join(', ')}`);
      announcedIps.set(service, list);
    }
  }
  for (const [service, ips] of announcedIps) {
    conditions.set(service, { status: 'True', reason: 'Announced', message: `announced by node "${self}" by layer 2: ${ips.join('; ')}` });
  }
  if (reporterOf(self, alive) !== self) return conditions;
  for (const [service, condition] of bgpOnlyConditions(ips)) conditions.set(service, condition);
  for (const u of unannounced) {
    for (const service of u.services) {
      // A dual-stack Service with one family announced here: that is the news, the other family's reason is in the logs.
      if (conditions.has(service)) continue;
      conditions.set(service, { status: 'False', reason: u.reason, message: `${u.ip} is not announced: ${u.message}` });
    }
  }
  return conditions;
}

/** True for the Services whose IPs are all announced by BGP alone (a layer 2 IP's owner writes for the others). */
function bgpOnlyConditions(ips: readonly IpSpec[]): Map<ServiceKey, AnnouncedCondition> {
  const byLayer2 = new Set(ips.filter((s) => s.modes.includes('layer2')).flatMap((s) => s.services));
  const advertised = new Map<ServiceKey, string[]>();
  for (const spec of ips) {
    if (spec.modes.includes('layer2')) continue;
    const nodes = spec.bgp?.nodes ?? spec.nodes.map((n) => n.name);
    for (const service of spec.services) {
      if (!byLayer2.has(service)) advertised.set(service, [...(advertised.get(service) ?? []), `${spec.ip} from ${someOf(nodes.map((n) => `"${n}"`))}`]);
    }
  }
  return new Map([...advertised].map(([service, what]) =>
    [service, { status: 'True', reason: 'Announced', message: `advertised by BGP: ${what.join('; ')}` }]));
}

/** The alive speaker (this one included) whose name sorts first. */
export function reporterOf(self: string, alive: ReadonlySet<string>): string {
  let first = self;
  for (const name of alive) if (name < first) first = name;
  return first;
}
