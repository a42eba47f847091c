// Pure: from what the speaker knows (desired IPs, who is alive, quorum, links, the election's owners)
// to one decision per IP and the (IP, interface) pairs this node must announce.
import type { DesiredAnnouncements, IpSpec } from '../../source/types.js';
import type { Announcement } from './diff.js';
import { interfaceChooser, type LinkInfo } from './interfaces.js';
import { shouldAnnounce, type AnnounceDecision } from './should-announce.js';

export interface PlanInput {
  self: string;
  desired: DesiredAnnouncements;
  quorum: boolean;
  links: readonly LinkInfo[];
  /** The election's winner per IP among alive eligible nodes; null or absent when none is alive. */
  owners: ReadonlyMap<string, string | null>;
  /** The speaker's --interfaces, used for IPs whose source gave no interface list. */
  defaultInterfaces?: readonly string[];
  /** Each IP's interfaces when already chosen from `links` (loop/plan-cache.ts); chosen here otherwise. */
  interfaces?: ReadonlyMap<string, readonly string[]>;
}

export interface IpPlan {
  ip: string;
  owner: string | null;
  decision: AnnounceDecision;
  interfaces: readonly string[];
}

export interface Plan {
  ips: IpPlan[];
  announcements: Announcement[];
}

export function planAnnouncements(input: PlanInput): Plan {
  const choose = input.interfaces === undefined ? interfaceChooser(input.links) : null;
  const ips = input.desired.ips.map((spec) => planIp(spec, input, choose));
  const announcements = ips
    .filter((p) => p.decision === 'announce')
    .flatMap((p) => p.interfaces.map((ifname) => ({ ip: p.ip, ifname })));
  return { ips, announcements };
}

const NONE: readonly string[] = [];

function planIp(spec: IpSpec, input: PlanInput, choose: ReturnType<typeof interfaceChooser> | null): IpPlan {
  const owner = input.owners.get(spec.ip) ?? null;
  const interfaces = choose?.(spec.ip, spec.interfaces ?? input.defaultInterfaces) ?? input.interfaces?.get(spec.ip) ?? NONE;
  const eligible = spec.nodes.some((n) => n.name === input.self);
  const decision = shouldAnnounce({ self: input.self, eligible, owner, quorum: input.quorum, interfaces });
  return { ip: spec.ip, owner, decision, interfaces: decision === 'announce' ? interfaces : NONE };
}
