// BGP mode's part of the announcement function (desired.ts): BGPPeers → the snapshot's bgpPeers (nodeSelectors
// resolved to node names), and for an IP whose pool a BGPAdvertisement selects, who announces it and with what.
// The node rules are layer 2's (eligibility.ts judgeNodes) except that there is no election: every eligible node
// announces, and the router spreads the traffic by ECMP.
// A peer's passwordSecret is read by the source (peer-passwords.ts).
import type { BFDProfileModel, BGPAdvertisementModel, BGPPeerModel, SelectorCompile } from '../../../lib/config/index.js';
import { parseMd5Password } from '../../../lib/config/bgp-values.js';
import { ADDRESS_BITS, formatAddress, type Family } from '../../../lib/ip/index.js';
import type { BgpIpSpec, BgpPeerSpec, BgpRouteAttributes } from '../types.js';
import { byText, type ClusterIndex } from './cluster-index.js';
import { allowsNode, type AdvertisementKind } from './eligibility.js';
import type { PeerPasswordOutcome } from './peer-passwords.js';
import type { NodeView } from './views.js';

/** An object the speaker cannot use, and why (the source logs it). */
export interface BgpRefusal {
  kind: 'BGPPeer' | 'BGPAdvertisement';
  name: string;
  message: string;
}

export const bgpKind = (advertisements: readonly BGPAdvertisementModel[]): AdvertisementKind<BGPAdvertisementModel> =>
  ({ kind: 'BGPAdvertisement', ads: advertisements, weigh: () => 0 });

const admits = (selectors: readonly SelectorCompile[], labels: NodeView['labels']): boolean =>
  selectors.length === 0 || selectors.some((s) => s.ok && s.matches(labels));

function peerSpec(peer: BGPPeerModel, nodes: readonly NodeView[], bfdProfiles: ReadonlyMap<string, BFDProfileModel>): BgpPeerSpec {
  const spec: BgpPeerSpec = {
    name: peer.name, myAsn: peer.myASN,
    peerAsn: peer.peerASN.kind === 'fixed' ? peer.peerASN : { kind: 'dynamic', dynamic: peer.peerASN.mode },
    peerAddress: formatAddress(peer.peerAddress), peerPort: peer.peerPort,
    holdTimeSeconds: Math.round(peer.holdTimeMs / 1000), keepaliveTimeSeconds: Math.round(peer.keepaliveTimeMs / 1000),
    connectTimeSeconds: Math.max(1, Math.round(peer.connectTimeMs / 1000)),
    nodes: nodes.filter((n) => admits(peer.nodeSelectors, n.labels)).map((n) => n.name).sort(byText),
    passive: false,
  };
  if (peer.sourceAddress !== undefined) spec.sourceAddress = formatAddress(peer.sourceAddress);
  if (peer.routerID !== undefined) spec.routerId = peer.routerID;
  if (peer.ebgpMultiHop) spec.ebgpMultiHop = true;
  if (peer.gracefulRestart) spec.gracefulRestart = true;
  const profile = peer.bfdProfile === undefined ? undefined : bfdProfiles.get(peer.bfdProfile);
  if (profile !== undefined) {
    spec.bfd = {
      name: profile.name, receiveIntervalMs: profile.receiveIntervalMs, transmitIntervalMs: profile.transmitIntervalMs,
      detectMultiplier: profile.detectMultiplier, passive: profile.passiveMode, minimumTtl: profile.minimumTtl,
    };
  }
  return spec;
}

/**
 * Every usable BGPPeer with the nodes its nodeSelectors admit (every node when it has none), in name order. A peer
 * whose passwordSecret cannot be read stays in the list, marked unusable with why, so its nodes hold no session
 * and say so in its status; it is refused (logged) too.
 */
export function bgpPeersFor(index: ClusterIndex): { peers: BgpPeerSpec[]; refused: BgpRefusal[] } {
  const nodes = [...index.nodes.values()];
  const peers: BgpPeerSpec[] = [];
  const refused: BgpRefusal[] = [];
  const profiles = index.bgp?.bfdProfiles ?? new Map<string, BFDProfileModel>();
  for (const peer of index.bgp?.peers ?? []) {
    const password = peerPassword(peer, index.bgp?.passwords);
    if (password.ok) {
      peers.push({ ...peerSpec(peer, nodes, profiles), ...(password.password === undefined ? {} : { password: password.password }) });
      continue;
    }
    refused.push({ kind: 'BGPPeer', name: peer.name, message: `${password.why}; no session is opened to ${formatAddress(peer.peerAddress)}` });
    // An inline password the kernel cannot take is left out as before; a Secret's problem can pass with an edit of the Secret.
    if (peer.password.kind === 'secret') peers.push({ ...peerSpec(peer, nodes, profiles), unusable: password.why });
  }
  return { peers, refused };
}

/** The peer's TCP MD5 key (undefined: none), or why it cannot be had. */
function peerPassword(peer: BGPPeerModel, secrets: ReadonlyMap<string, PeerPasswordOutcome> | undefined): { ok: true; password: string | undefined } | { ok: false; why: string } {
  if (peer.password.kind === 'none') return { ok: true, password: undefined };
  if (peer.password.kind === 'secret') {
    const read = secrets?.get(peer.name) ?? { ok: false, why: `BGPPeer "${peer.name}": passwordSecret "${peer.password.name}" was not read` };
    return read.ok ? { ok: true, password: read.password } : read;
  }
  // The CRD allows 80 characters, the kernel 80 bytes: a non-ASCII password can pass the API and still not fit.
  const parsed = parseMd5Password(peer.password.password);
  return parsed.ok ? { ok: true, password: parsed.value } : { ok: false, why: `BGPPeer "${peer.name}": password: ${parsed.why}` };
}

/**
 * What `self` sends for an IP, from the applying advertisements whose nodeSelectors allow it. Advertisements with
 * the same aggregation length for the IP's family make one route: the peers they name (every peer when one names
 * none), the union of their communities (MetalLB's rule for overlapping advertisements), and their LOCAL_PREF.
 * lib/config refuses two advertisements with different localPref for one prefix and common peers; for disjoint peers
 * the seam carries one value per route, and the highest is sent. When every length is the host length, the route is
 * the host route and the attributes sit on the spec itself (as the file source writes them); else `routes` lists one
 * route per length, longest first (MetalLB's example: a /32 for inside, the covering /24 for the transit provider).
 */
export function bgpAttributesFor(self: NodeView | undefined, applying: readonly BGPAdvertisementModel[], family: Family): BgpIpSpec {
  const mine = self ? applying.filter((ad) => allowsNode(ad, self)) : [];
  const lengthOf = (ad: BGPAdvertisementModel): number => (family === 4 ? ad.aggregationLength : ad.aggregationLengthV6);
  const lengths = [...new Set(mine.map(lengthOf))].sort((a, b) => b - a);
  if (lengths.every((l) => l === ADDRESS_BITS[family])) return routeAttributes(mine);
  return { routes: lengths.map((prefixLength) => ({ prefixLength, ...routeAttributes(mine.filter((ad) => lengthOf(ad) === prefixLength)) })) };
}

function routeAttributes(ads: readonly BGPAdvertisementModel[]): BgpRouteAttributes {
  const spec: BgpRouteAttributes = {};
  if (ads.length > 0 && ads.every((ad) => ad.peers.length > 0)) spec.peers = [...new Set(ads.flatMap((ad) => ad.peers))].sort(byText);
  const prefs = ads.flatMap((ad) => (ad.localPref === undefined ? [] : [ad.localPref]));
  if (prefs.length > 0) spec.localPref = Math.max(...prefs);
  const standard = new Set<number>();
  const large = new Map<string, { globalAdministrator: number; localData1: number; localData2: number }>();
  for (const c of ads.flatMap((ad) => ad.communities)) {
    if (c.kind === 'standard') standard.add(c.asn * 0x10000 + c.value);
    else large.set(`${c.globalAdmin}:${c.localData1}:${c.localData2}`, { globalAdministrator: c.globalAdmin, localData1: c.localData1, localData2: c.localData2 });
  }
  if (standard.size > 0) spec.communities = [...standard].sort((a, b) => a - b);
  if (large.size > 0) spec.largeCommunities = [...large.values()].sort((a, b) => a.globalAdministrator - b.globalAdministrator || a.localData1 - b.localData1 || a.localData2 - b.localData2);
  return spec;
}
