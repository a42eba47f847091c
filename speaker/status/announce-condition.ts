// The Service condition that says whether its IP is announced, by which node, or why nobody announces it
// (herald.dev/Announced, beside the controller's herald.dev/AddressAssigned). Each speaker writes it only for what
// it knows first-hand, so no two speakers keep overwriting each other: the node announcing an IP writes True for
// its Services, and for IPs nobody may announce, one speaker writes False with the reason, the alive speaker whose
// name sorts first (every speaker computes the same one from the members it hears).
import type { ServiceKey } from '../../lib/service-key.js';
import type { Unannounced } from '../source/kubernetes/desired.js';
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
  for (const u of unannounced) {
    for (const service of u.services) {
      // A dual-stack Service with one family announced here: that is the news, the other family's reason is in the logs.
      if (conditions.has(service)) continue;
      conditions.set(service, { status: 'False', reason: u.reason, message: `${u.ip} is not announced: ${u.message}` });
    }
  }
  return conditions;
}

/** The alive speaker (this one included) whose name sorts first. */
export function reporterOf(self: string, alive: ReadonlySet<string>): string {
  let first = self;
  for (const name of alive) if (name < first) first = name;
  return first;
}
