// What the per-(Service, node) status objects have in common (ServiceL2Status: the interfaces; ServiceBGPStatus:
// the peers): one per Service this node announces for, in the Service's namespace (so an owner reference to the
// Service garbage-collects it), named stably for (Service, node), listing the union of what its IPs use.
import type { ServiceKey } from '../../lib/service-key.js';

/** One object a speaker keeps. */
export interface ServiceStatusSpec {
  namespace: string;
  /** The object's name: stable for (Service, node), so a create that raced a crash finds its own object. */
  name: string;
  serviceName: string;
  node: string;
  /** Sorted, without repeats: the interfaces (ServiceL2Status) or the peers (ServiceBGPStatus). */
  items: readonly string[];
}

/** One IP this node announces, for which Services, and what it uses (interfaces or peers). */
export interface AnnouncedFor {
  services: readonly ServiceKey[];
  items: readonly string[];
}

/** Object names are DNS subdomains (253); readable parts are cut shorter so the hash always fits. */
const PART_MAX = 100;

export function statusObjectName(serviceName: string, node: string, hash: (text: string) => string): string {
  const readable = `${serviceName.slice(0, PART_MAX)}-${node.slice(0, PART_MAX)}`.replace(/[.-]+$/, '');
  return `${readable}-${hash(`${serviceName}\n${node}`).slice(0, 10)}`;
}

/** Keyed by `namespace/name` of the status object; the order of `announced` does not matter. */
export function statusesFor(self: string, announced: readonly AnnouncedFor[], hash: (text: string) => string): Map<string, ServiceStatusSpec> {
  const items = new Map<ServiceKey, Set<string>>();
  for (const a of announced) {
    for (const service of a.services) {
      const set = items.get(service) ?? new Set<string>();
      for (const i of a.items) set.add(i);
      items.set(service, set);
    }
  }
  const specs = new Map<string, ServiceStatusSpec>();
  for (const [service, set] of items) {
    const slash = service.indexOf('/');
    const namespace = service.slice(0, slash);
    const serviceName = service.slice(slash + 1);
    const name = statusObjectName(serviceName, self, hash);
    specs.set(`${namespace}/${name}`, { namespace, name, serviceName, node: self, items: [...set].sort() });
  }
  return specs;
}

/** The Services in `now` that were not in `before`: this node just started announcing for them. */
export function gainedServices(before: ReadonlyMap<string, ServiceStatusSpec>, now: ReadonlyMap<string, ServiceStatusSpec>): ServiceStatusSpec[] {
  return [...now].filter(([key]) => !before.has(key)).map(([, spec]) => spec);
}
