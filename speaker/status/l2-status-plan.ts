// Which ServiceL2Status objects this speaker should have: one per Service it announces an IP of
// (service-status-plan.ts), naming this node and the interfaces. Every speaker keeps only its own; after a
// failover the old owner deletes its object and the new one creates its own, so `kubectl get servicel2statuses`
// names the node that answers now.
import type { ServiceKey } from '../../lib/service-key.js';
import type { Announcement } from '../layer2/decide/diff.js';
import type { IpPlan } from '../layer2/decide/plan.js';
import type { IpSpec } from '../source/types.js';
import { statusesFor, type ServiceStatusSpec } from './service-status-plan.js';

/** An IP this node announces now (the announcer took it), and what for. */
export interface OwnedIp {
  ip: string;
  services: readonly ServiceKey[];
  interfaces: readonly string[];
}

/** A ServiceL2Status: its items are the interfaces. */
export type L2StatusSpec = ServiceStatusSpec;

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

/** Keyed by `namespace/name` of the status object; the order of `owned` does not matter. */
export function l2StatusesFor(self: string, owned: readonly OwnedIp[], hash: (text: string) => string): Map<string, L2StatusSpec> {
  return statusesFor(self, owned.map((o) => ({ services: o.services, items: o.interfaces })), hash);
}
