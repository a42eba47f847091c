// Which ServiceL2Status objects this speaker should have: one per Service it announces an IP of, in the Service's
// namespace (so an owner reference to the Service garbage-collects it), naming this node and the interfaces. Every
// speaker keeps only its own; after a failover the old owner deletes its object and the new one creates its own,
// so `kubectl get servicel2statuses` names the node that answers now.
import type { ServiceKey } from '../../lib/service-key.js';
import type { Announcement } from '../layer2/decide/diff.js';
import type { IpPlan } from '../layer2/decide/plan.js';
import type { IpSpec } from '../source/types.js';

/** An IP this node announces now (the announcer took it), and what for. */
export interface OwnedIp {
  ip: string;
  services: readonly ServiceKey[];
  interfaces: readonly string[];
}

export interface L2StatusSpec {
  namespace: string;
  /** The object's name: stable for (Service, node), so a create that raced a crash finds its own object. */
  name: string;
  serviceName: string;
  node: string;
  /** Sorted, without repeats. */
  interfaces: readonly string[];
}

/**
 * The IPs this node announces after a pass: those the plan gives it, less the (IP, interface) announcements that
 * failed (an IP none of whose interfaces worked is not announced at all).
 */
export function ownedIps(self: string, plan: readonly IpPlan[], specs: readonly IpSpec[], failed: readonly Announcement[]): OwnedIp[] {
  const services = new Map(specs.map((s) => [s.ip, s.services]));
  const owned: OwnedIp[] = [];
  for (const p of plan) {
    if (p.decision !== 'announce' || p.owner !== self) continue;
    const interfaces = p.interfaces.filter((i) => !failed.some((f) => f.ip === p.ip && f.ifname === i));
    if (interfaces.length > 0) owned.push({ ip: p.ip, services: services.get(p.ip) ?? [], interfaces });
  }
  return owned;
}

/** Object names are DNS subdomains (253); readable parts are cut shorter so the hash always fits. */
const PART_MAX = 100;

export function l2StatusName(serviceName: string, node: string, hash: (text: string) => string): string {
  const readable = `${serviceName.slice(0, PART_MAX)}-${node.slice(0, PART_MAX)}`.replace(/[.-]+$/, '');
  return `${readable}-${hash(`${serviceName}\n${node}`).slice(0, 10)}`;
}

/** Keyed by `namespace/name` of the status object; the order of `owned` does not matter. */
export function l2StatusesFor(self: string, owned: readonly OwnedIp[], hash: (text: string) => string): Map<string, L2StatusSpec> {
  const interfaces = new Map<ServiceKey, Set<string>>();
  for (const o of owned) {
    for (const service of o.services) {
      const set = interfaces.get(service) ?? new Set<string>();
      for (const i of o.interfaces) set.add(i);
      interfaces.set(service, set);
    }
  }
  const specs = new Map<string, L2StatusSpec>();
  for (const [service, set] of interfaces) {
    const slash = service.indexOf('/');
    const namespace = service.slice(0, slash);
    const serviceName = service.slice(slash + 1);
    const name = l2StatusName(serviceName, self, hash);
    specs.set(`${namespace}/${name}`, { namespace, name, serviceName, node: self, interfaces: [...set].sort() });
  }
  return specs;
}

/** The Services in `now` that were not in `before`: this node just started announcing for them. */
export function gainedServices(before: ReadonlyMap<string, L2StatusSpec>, now: ReadonlyMap<string, L2StatusSpec>): L2StatusSpec[] {
  return [...now].filter(([key]) => !before.has(key)).map(([, spec]) => spec);
}
