// Who may announce one IP for one Service, or why nobody may (STYLE.md §6: a reason, not a boolean). The rules are
// DESIGN.md's "Speaker" and MetalLB's documented semantics, the same for both kinds of advertisement (pools,
// serviceSelectors, nodeSelectors, the exclude label, NetworkUnavailable, a live speaker, serving endpoints): layer 2
// adds weights and interfaces here, BGP its attributes in bgp-desired.ts; desired.ts combines the Services sharing
// an IP.
import { count, someOf, type L2AdvertisementModel, type SelectorCompile } from '../../../lib/config/index.js';
import { intervalContains, type Address } from '../../../lib/ip/index.js';
import { keyOf, type ClusterIndex, type IndexedPool } from './cluster-index.js';
import type { NodeView, ServiceView } from './views.js';

/** Nodes carrying this label never announce (the well-known label kube's own service controller honours). */
export const EXCLUDE_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

export type UnannouncedReason =
  /** The IP is in no valid IPAddressPool, or its pool annotation names one that does not exist. */
  | 'NoPool'
  /** No L2Advertisement (nor BGPAdvertisement) selects both the IP's pool and the Service. */
  | 'NoAdvertisement'
  /** No speaker is alive anywhere. */
  | 'NoSpeaker'
  /** Speakers run, but on no node the advertisements allow that is not excluded. */
  | 'NoEligibleNode'
  /** The Service has no serving endpoint at all. */
  | 'NoServingEndpoint'
  /** externalTrafficPolicy Local, and no eligible node holds a serving endpoint. */
  | 'NoLocalEndpoint'
  /** A shared IP whose Services each have eligible nodes, but none in common. */
  | 'NoCommonNode'
  /** Only BGPAdvertisements select it, and there is no BGPPeer the speakers can use. */
  | 'NoBGPPeer';

export type Unfit = { ok: false; reason: UnannouncedReason; message: string };
export type Judgement =
  | {
    ok: true;
    /** Eligible node → its weight. */
    nodes: ReadonlyMap<string, number>;
    /** For the node `self` (interfacesFor); undefined lets the speaker choose. */
    interfaces: readonly string[] | undefined;
  }
  | Unfit;

type Labels = Readonly<Record<string, string>>;

/** What both kinds of advertisement (L2AdvertisementModel, BGPAdvertisementModel) say about pools, Services and nodes. */
export interface AdvertisementRules {
  name: string;
  /** With poolSelectors both empty: every pool. */
  poolNames: readonly string[];
  poolSelectors: readonly SelectorCompile[];
  /** Empty: every node. */
  nodeSelectors: readonly SelectorCompile[];
  /** Empty: every Service. */
  serviceSelectors: readonly SelectorCompile[];
}

/** The advertisements of one kind, named as messages name them. */
export interface AdvertisementKind<A extends AdvertisementRules> {
  kind: 'L2Advertisement' | 'BGPAdvertisement';
  /** Sorted by name. */
  ads: readonly A[];
  /** A node's preference among the applying advertisements (layer 2's election weight; 0 for BGP). */
  weigh: (node: NodeView, applying: readonly A[]) => number;
}

const matches = (selector: SelectorCompile, labels: Labels): boolean => selector.ok && selector.matches(labels);
/** An empty list admits everything; a selector that did not compile admits nothing (lib/config/advertisements.ts). */
const anyOrEmpty = (selectors: readonly SelectorCompile[], labels: Labels): boolean =>
  selectors.length === 0 || selectors.some((s) => matches(s, labels));

/** ipAddressPools names or ipAddressPoolSelectors select it; with both empty, every pool is selected. */
export function selectsPool(ad: AdvertisementRules, pool: IndexedPool): boolean {
  if (ad.poolNames.length === 0 && ad.poolSelectors.length === 0) return true;
  return ad.poolNames.includes(pool.name) || ad.poolSelectors.some((s) => matches(s, pool.labels));
}

export function selectsService(ad: AdvertisementRules, service: ServiceView): boolean {
  return anyOrEmpty(ad.serviceSelectors, service.labels);
}

export function allowsNode(ad: AdvertisementRules, node: NodeView): boolean {
  return anyOrEmpty(ad.nodeSelectors, node.labels);
}

/** `"a", "b", "c" and 2 more`: names in messages, bounded. */
export const quoted = (names: readonly string[]): string => someOf(names.map((n) => `"${n}"`));
const unfit = (reason: UnannouncedReason, message: string): Unfit => ({ ok: false, reason, message });

/** The IP's pools: the one the controller recorded on the Service, else every valid pool whose addresses hold it. */
function poolsOf(address: Address, ip: string, service: ServiceView, index: ClusterIndex): IndexedPool[] | Unfit {
  if (service.pool !== undefined) {
    const pool = index.pools.get(service.pool);
    return pool ? [pool] : unfit('NoPool', `Service ${keyOf(service)} got ${ip} from pool "${service.pool}", which does not exist or is not valid`);
  }
  const pools = [...index.pools.values()].filter((p) => p.intervals.some((i) => intervalContains(i, address)));
  return pools.length > 0 ? pools : unfit('NoPool', `${ip} of Service ${keyOf(service)} is in no valid IPAddressPool`);
}

function applyingAdvertisements<A extends AdvertisementRules>(ip: string, service: ServiceView, pools: readonly IndexedPool[],
  { kind, ads }: AdvertisementKind<A>): A[] | Unfit {
  const forPool = ads.filter((ad) => pools.some((p) => selectsPool(ad, p)));
  const applying = forPool.filter((ad) => selectsService(ad, service));
  if (applying.length > 0) return applying;
  const pool = `pool ${quoted(pools.map((p) => p.name))}`;
  const why = ads.length === 0 ? `there is no ${kind}`
    : forPool.length === 0 ? `none of the ${count(ads.length, kind)} (${quoted(ads.map((a) => a.name))}) selects ${pool}`
      : `the serviceSelectors of the ${count(forPool.length, kind)} selecting ${pool} (${quoted(forPool.map((a) => a.name))}) do not select it`;
  return unfit('NoAdvertisement', `${ip} of Service ${keyOf(service)} is not advertised: ${why}`);
}

/** Why a node with a speaker may not announce for these advertisements, or undefined when it may. */
function excludedWhy(node: NodeView | undefined, ads: readonly AdvertisementRules[]): string | undefined {
  if (!node) return 'without a Node object';
  if (!ads.some((ad) => allowsNode(ad, node))) return 'not selected by nodeSelectors';
  if (node.networkUnavailable) return 'NetworkUnavailable';
  if (node.labels[EXCLUDE_LABEL] !== undefined) return `labelled ${EXCLUDE_LABEL}`;
  return undefined;
}

/** The speakers' nodes split by what a set of applying advertisements allows, with their weights. */
export interface NodeSplit {
  allowed: readonly NodeView[];
  /** Why → the speakers' nodes excluded for it, in name order. */
  excluded: ReadonlyMap<string, readonly string[]>;
  weights: ReadonlyMap<string, number>;
}

/**
 * Most IPs share one set of applying advertisements, so the nodes are split once per set and call instead of once
 * per IP (speakers × advertisements selector matches each time).
 */
export type NodeSplitMemo = Map<string, NodeSplit>;

function splitNodes<A extends AdvertisementRules>(kind: AdvertisementKind<A>, ads: readonly A[], index: ClusterIndex, memo: NodeSplitMemo): NodeSplit {
  const key = [kind.kind, ...ads.map((a) => a.name)].join('\u0000');
  const known = memo.get(key);
  if (known) return known;
  const allowed: NodeView[] = [];
  const excluded = new Map<string, string[]>();
  for (const speaker of index.speakers) {
    const node = index.nodes.get(speaker.name);
    const why = excludedWhy(node, ads);
    if (why === undefined && node) allowed.push(node);
    else excluded.set(why ?? '', [...(excluded.get(why ?? '') ?? []), speaker.name]);
  }
  const split = { allowed, excluded, weights: new Map(allowed.map((n) => [n.name, kind.weigh(n, ads)])) };
  memo.set(key, split);
  return split;
}

/** Speakers' nodes the advertisements allow and nothing excludes, or why there are none. */
function allowedNodes(ip: string, service: ServiceView, kind: string, ads: readonly AdvertisementRules[], index: ClusterIndex, split: NodeSplit): NodeView[] | Unfit {
  if (index.speakers.length === 0) return unfit('NoSpeaker', `no speaker is running: nobody can announce ${ip} of Service ${keyOf(service)}`);
  if (split.allowed.length > 0) return [...split.allowed];
  const causes = [...split.excluded.entries()].map(([why, names]) => `${names.length} ${why} (${quoted(names)})`);
  return unfit('NoEligibleNode', `none of the ${count(index.speakers.length, 'node')} with a speaker may announce ${ip} of Service `
    + `${keyOf(service)} for ${kind} ${quoted(ads.map((a) => a.name))}: ${causes.join(', ')}`);
}

/** With externalTrafficPolicy Local, only nodes holding a serving endpoint; otherwise any node, once one exists. */
function servingNodes(ip: string, service: ServiceView, nodes: readonly NodeView[], index: ClusterIndex): NodeView[] | Unfit {
  const endpoints = index.endpoints.get(keyOf(service));
  if (!endpoints?.any) return unfit('NoServingEndpoint', `Service ${keyOf(service)} has no serving endpoint, so ${ip} is not announced`);
  if (service.externalTrafficPolicy !== 'Local') return [...nodes];
  const local = nodes.filter((n) => endpoints.nodes.has(n.name));
  if (local.length > 0) return local;
  const holders = [...endpoints.nodes].sort();
  return unfit('NoLocalEndpoint', `Service ${keyOf(service)} has externalTrafficPolicy Local and none of the ${count(nodes.length, 'eligible node')} `
    + `(${quoted(nodes.map((n) => n.name))}) holds a serving endpoint`
    + `${holders.length > 0 ? ` (they are on ${quoted(holders)})` : ' (none is on a node)'}, so ${ip} is not announced`);
}

/** The preferred weights of the advertisements whose nodeSelectors allow the node, summed. */
export function weightOf(node: NodeView, ads: readonly L2AdvertisementModel[]): number {
  let weight = 0;
  for (const ad of ads) {
    if (!allowsNode(ad, node)) continue;
    for (const p of ad.preferredNodeSelectors) if (matches(p.preference, node.labels)) weight += p.weight;
  }
  return weight;
}

/**
 * The interfaces `self` announces on: the union of those listed by the advertisements that allow it; undefined (the
 * speaker chooses) when one of them lists none, since that advertisement allows every interface, or when none
 * allows `self` (it then announces nothing for this IP).
 */
export function interfacesFor(self: NodeView | undefined, ads: readonly L2AdvertisementModel[]): readonly string[] | undefined {
  const mine = self ? ads.filter((ad) => allowsNode(ad, self)) : [];
  if (mine.length === 0 || mine.some((ad) => ad.interfaces.length === 0)) return undefined;
  return [...new Set(mine.flatMap((ad) => ad.interfaces))].sort();
}

/** The advertisements of one kind that apply to one Service's IP and the nodes that may announce it, or why none. */
export type NodeJudgement<A> = { ok: true; applying: readonly A[]; nodes: ReadonlyMap<string, number> } | Unfit;

/** One Service's IP under one kind of advertisement: its pools, the advertisements that apply, the eligible nodes. */
export function judgeNodes<A extends AdvertisementRules>(address: Address, ip: string, service: ServiceView, index: ClusterIndex,
  kind: AdvertisementKind<A>, memo: NodeSplitMemo): NodeJudgement<A> {
  const pools = poolsOf(address, ip, service, index);
  if (!Array.isArray(pools)) return pools;
  const applying = applyingAdvertisements(ip, service, pools, kind);
  if (!Array.isArray(applying)) return applying;
  const split = splitNodes(kind, applying, index, memo);
  const allowed = allowedNodes(ip, service, kind.kind, applying, index, split);
  if (!Array.isArray(allowed)) return allowed;
  const serving = servingNodes(ip, service, allowed, index);
  if (!Array.isArray(serving)) return serving;
  return { ok: true, applying, nodes: new Map(serving.map((n) => [n.name, split.weights.get(n.name) ?? 0])) };
}

/** Layer 2's advertisements as judgeNodes reads them. */
export const layer2Kind = (index: ClusterIndex): AdvertisementKind<L2AdvertisementModel> =>
  ({ kind: 'L2Advertisement', ads: index.advertisements, weigh: weightOf });

/** One Service's verdict on one of its IPs, in layer 2 mode. */
export function judge(address: Address, ip: string, service: ServiceView, index: ClusterIndex,
  self: string, memo: NodeSplitMemo): Judgement {
  const verdict = judgeNodes(address, ip, service, index, layer2Kind(index), memo);
  if (!verdict.ok) return verdict;
  return { ok: true, nodes: verdict.nodes, interfaces: interfacesFor(index.nodes.get(self), verdict.applying) };
}
