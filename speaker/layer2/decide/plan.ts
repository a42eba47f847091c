// Pure: from what the speaker knows (desired IPs, who is alive, quorum, links, the election's owners)
// to one decision per IP and the (IP, interface) pairs this node must announce.
import type { DesiredAnnouncements, IpSpec } from '../../source/types.js';
import type { Announcement } from './diff.js';
import { chooseInterfaces, type LinkInfo } from './interfaces.js';
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
}

export interface IpPlan {
  ip: string;
  owner: string | null;
  decision: AnnounceDecision;
  interfaces: string[];
}

export interface Plan {
  ips: IpPlan[];
  announcements: Announcement[];
}

export function planAnnouncements(input: PlanInput): Plan {
  const ips = input.desired.ips.map((spec) => planIp(spec, input));
  const announcements = ips
    .filter((p) => p.decision === 'announce')
    .flatMap((p) => p.interfaces.map((ifname) => ({ ip: p.ip, ifname })));
  return { ips, announcements };
}

function planIp(spec: IpSpec, input: PlanInput): IpPlan {
  const owner = input.owners.get(spec.ip) ?? null;
  const explicit = spec.interfaces ?? input.defaultInterfaces;
  const interfaces = chooseInterfaces(spec.ip, input.links, explicit);
  const decision = shouldAnnounce({ self: input.self, eligible: spec.nodes, owner, quorum: input.quorum, interfaces });
  return { ip: spec.ip, owner, decision, interfaces: decision === 'announce' ? interfaces : [] };
}
