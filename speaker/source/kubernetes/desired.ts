// The Kubernetes source's one pure function (DESIGN.md "Sources"): the cluster's objects → the snapshot every
// speaker announces from, plus, for every Herald IP nobody may announce, the reason. Every speaker computes the
// same snapshot from the same objects (only `interfaces` is its own), and the output is canonical: IPs by address,
// nodes by name, Services by key, whatever order the informers delivered the objects in.
import { boundedMessage } from '../../../lib/config/index.js';
import type { ServiceKey } from '../../../lib/service-key.js';
import type { DesiredAnnouncements, EligibleNode, IpSpec } from '../types.js';
import { byText, indexCluster, keyOf, type ClusterIndex, type IpGroup } from './cluster-index.js';
import { judge, quoted, type Judgement, type NodeSplitMemo, type UnannouncedReason } from './eligibility.js';
import type { ClusterView } from './views.js';

export type { UnannouncedReason } from './eligibility.js';

export interface Unannounced {
  ip: string;
  /** Every Service carrying the IP, sorted by key. */
  services: readonly ServiceKey[];
  reason: UnannouncedReason;
  /** Names what excluded whom (counts and the first few names), bounded (lib/config boundedMessage). */
  message: string;
}

export interface DesiredOptions {
  /** This speaker's node: `interfaces` is computed for it, the node that announces. */
  self: string;
  /** Herald's --load-balancer-class; undefined serves the Services that name no class (lib/service-class.ts). */
  loadBalancerClass: string | undefined;
}

export interface DesiredResult {
  desired: DesiredAnnouncements;
  unannounced: readonly Unannounced[];
}

type Verdict = { ok: true; spec: IpSpec } | { ok: false; unannounced: Unannounced };

/**
 * A shared IP is announced by one node for all its Services, so that node must be eligible for every one of them:
 * the eligible nodes are the intersection, each weighted by the lowest weight any sharer gives it (a node is only
 * as preferred as it is for its least keen Service). A sharer nobody may serve makes the IP unannounced with that
 * sharer's own reason; sharers that can each be served, but by no common node, give NoCommonNode.
 */
function combine(group: IpGroup, verdicts: readonly Judgement[]): Verdict {
  const services = group.services.map(keyOf);
  const fits: Extract<Judgement, { ok: true }>[] = [];
  for (const v of verdicts) {
    if (!v.ok) return { ok: false, unannounced: { ip: group.ip, services, reason: v.reason, message: boundedMessage(v.message) } };
    fits.push(v);
  }
  const [first, ...rest] = fits;
  if (!first) throw new Error(`IP ${group.ip} has no Service: the index never groups an IP without one`);
  const nodes: EligibleNode[] = [];
  for (const [name, weight] of first.nodes) {
    const others = rest.map((f) => f.nodes.get(name));
    if (others.every((w) => w !== undefined)) nodes.push({ name, weight: Math.min(weight, ...others) });
  }
  if (nodes.length === 0) {
    const each = group.services.map((s, i) => `${keyOf(s)} on ${quoted([...(fits[i]?.nodes.keys() ?? [])].sort())}`);
    const message = `the ${services.length} Services sharing ${group.ip} have no eligible node in common: ${each.join('; ')}`;
    return { ok: false, unannounced: { ip: group.ip, services, reason: 'NoCommonNode', message: boundedMessage(message) } };
  }
  const spec: IpSpec = { ip: group.ip, services, modes: ['layer2'], nodes: nodes.sort((a, b) => byText(a.name, b.name)) };
  const interfaces = fits.map((f) => f.interfaces);
  if (interfaces.every((i) => i !== undefined)) spec.interfaces = [...new Set(interfaces.flat())].sort();
  return { ok: true, spec };
}

function verdictFor(group: IpGroup, index: ClusterIndex, self: string, memo: NodeSplitMemo): Verdict {
  return combine(group, group.services.map((s) => judge(group.address, group.ip, s, index, self, memo)));
}

export function desiredAnnouncements(view: ClusterView, options: DesiredOptions): DesiredResult {
  const index = indexCluster(view, options.loadBalancerClass);
  const ips: IpSpec[] = [];
  const unannounced: Unannounced[] = [];
  const memo: NodeSplitMemo = new Map();
  for (const group of index.ips) {
    const verdict = verdictFor(group, index, options.self, memo);
    if (verdict.ok) ips.push(verdict.spec);
    else unannounced.push(verdict.unannounced);
  }
  return { desired: { nodes: index.speakers, ips }, unannounced };
}
