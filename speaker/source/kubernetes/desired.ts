// The Kubernetes source's one pure function (DESIGN.md "Sources"): the cluster's objects → the snapshot every
// speaker announces from, plus, for every Herald IP nobody may announce, the reason. Every speaker computes the
// same snapshot from the same objects (only `interfaces` and the BGP attributes are its own: what its advertisements
// give it), and the output is canonical: IPs by address, nodes by name, Services by key, whatever order the
// informers delivered the objects in. An IP is announced by layer 2 (L2Advertisements), BGP (BGPAdvertisements,
// bgp-desired.ts), or both; it is unannounced only when neither may.
import { boundedMessage } from '../../../lib/config/index.js';
import type { ServiceKey } from '../../../lib/service-key.js';
import type { BgpIpSpec, DesiredAnnouncements, EligibleNode, IpSpec } from '../types.js';
import { byText, indexCluster, keyOf, type ClusterIndex, type IpGroup } from './cluster-index.js';
import { bgpAttributesFor, bgpKind, bgpPeersFor, type BgpRefusal } from './bgp-desired.js';
import { judge, judgeNodes, quoted, type Judgement, type NodeSplitMemo, type UnannouncedReason, type Unfit } from './eligibility.js';
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
  /** BGP objects the speaker cannot carry out, and why (bgp-desired.ts). */
  bgpRefused: readonly BgpRefusal[];
}

type Verdict = { ok: true; spec: IpSpec } | { ok: false; unannounced: Unannounced };
type Fit = { ok: true; nodes: ReadonlyMap<string, number> };
type Combined<F extends Fit> = { ok: true; nodes: EligibleNode[]; fits: F[] } | { ok: false; unannounced: Unannounced };

/**
 * A shared IP is announced by the same nodes for all its Services, so a node must be eligible for every one of
 * them: the eligible nodes are the intersection, each weighted by the lowest weight any sharer gives it (a node is
 * only as preferred as it is for its least keen Service). A sharer nobody may serve makes the IP unannounced with
 * that sharer's own reason; sharers that can each be served, but by no common node, give NoCommonNode.
 */
function combine<F extends Fit>(group: IpGroup, verdicts: readonly (F | Unfit)[]): Combined<F> {
  const services = group.services.map(keyOf);
  const fits: F[] = [];
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
  return { ok: true, nodes: nodes.sort((a, b) => byText(a.name, b.name)), fits };
}

function layer2Spec(group: IpGroup, l2: Extract<Combined<Extract<Judgement, { ok: true }>>, { ok: true }>): IpSpec {
  const spec: IpSpec = { ip: group.ip, services: group.services.map(keyOf), modes: ['layer2'], nodes: l2.nodes };
  const interfaces = l2.fits.map((f) => f.interfaces);
  if (interfaces.every((i) => i !== undefined)) spec.interfaces = [...new Set(interfaces.flat())].sort();
  return spec;
}

/**
 * When neither mode may announce an IP, the reason of the mode that got further: an IP no advertisement of one kind
 * selects is explained by the other kind's reason; with no advertisement of either kind, both messages.
 */
function unannouncedOf(l2: Unannounced, bgp: Unannounced | undefined): Unannounced {
  if (bgp === undefined || (bgp.reason === 'NoAdvertisement' && l2.reason !== 'NoAdvertisement')) return l2;
  if (l2.reason !== 'NoAdvertisement') return l2;
  if (bgp.reason !== 'NoAdvertisement') return bgp;
  return { ...l2, message: boundedMessage(`${l2.message}; ${bgp.message}`) };
}

/** An IP some BGPAdvertisement selects, with no BGPPeer the speakers can use: BGP announces it to nobody. */
function noPeer(group: IpGroup, applying: readonly { name: string }[]): Unannounced {
  const services = group.services.map(keyOf);
  return { ip: group.ip, services, reason: 'NoBGPPeer', message: boundedMessage(`${group.ip} of Service ${services.join(', ')} is selected by `
    + `BGPAdvertisement ${quoted(applying.map((a) => a.name))} but there is no BGPPeer the speakers can use (see the BGPPeers' Ready condition)`) };
}

type BgpOutcome = { ok: true; bgp: BgpIpSpec & { nodes: readonly string[] } } | { ok: false; unannounced: Unannounced | undefined };

/** Whether BGP announces the IP, from which nodes and with what; undefined reason when no BGPAdvertisement exists. */
function bgpOutcome(group: IpGroup, index: ClusterIndex, self: string, memo: NodeSplitMemo, hasPeers: boolean): BgpOutcome {
  const ads = index.bgp?.advertisements ?? [];
  if (ads.length === 0) return { ok: false, unannounced: undefined };
  const bgp = combine(group, group.services.map((s) => judgeNodes(group.address, group.ip, s, index, bgpKind(ads), memo)));
  if (!bgp.ok) return bgp;
  // The advertisements any sharer's IP is under: what this node sends for the IP (bgp-desired.ts).
  const applying = [...new Map(bgp.fits.flatMap((f) => f.applying).map((ad) => [ad.name, ad])).values()].sort((a, b) => byText(a.name, b.name));
  if (!hasPeers) return { ok: false, unannounced: noPeer(group, applying) };
  return { ok: true, bgp: { ...bgpAttributesFor(index.nodes.get(self), applying, group.address.family), nodes: bgp.nodes.map((n) => n.name) } };
}

function verdictFor(group: IpGroup, index: ClusterIndex, self: string, memo: NodeSplitMemo, hasPeers: boolean): Verdict {
  const l2 = combine(group, group.services.map((s) => judge(group.address, group.ip, s, index, self, memo)));
  const bgp = bgpOutcome(group, index, self, memo, hasPeers);
  if (!bgp.ok) return l2.ok ? { ok: true, spec: layer2Spec(group, l2) } : { ok: false, unannounced: unannouncedOf(l2.unannounced, bgp.unannounced) };
  if (l2.ok) return { ok: true, spec: { ...layer2Spec(group, l2), modes: ['layer2', 'bgp'], bgp: bgp.bgp } };
  const nodes = bgp.bgp.nodes.map((name) => ({ name, weight: 0 }));
  return { ok: true, spec: { ip: group.ip, services: group.services.map(keyOf), modes: ['bgp'], nodes, bgp: bgp.bgp } };
}

export function desiredAnnouncements(view: ClusterView, options: DesiredOptions): DesiredResult {
  const index = indexCluster(view, options.loadBalancerClass);
  const ips: IpSpec[] = [];
  const unannounced: Unannounced[] = [];
  const memo: NodeSplitMemo = new Map();
  const peers = bgpPeersFor(index);
  for (const group of index.ips) {
    const verdict = verdictFor(group, index, options.self, memo, peers.peers.some((p) => p.unusable === undefined));
    if (verdict.ok) ips.push(verdict.spec);
    else unannounced.push(verdict.unannounced);
  }
  if (index.bgp === undefined) return { desired: { nodes: index.speakers, ips }, unannounced, bgpRefused: [] };
  return { desired: { nodes: index.speakers, ips, bgpPeers: peers.peers }, unannounced, bgpRefused: peers.refused };
}
