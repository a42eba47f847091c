// Who announces a Service's IPs, read from what the speakers write: one ServiceL2Status per (Service, node) that
// answers ARP/NDP for it, naming the interfaces, and one ServiceBGPStatus per (Service, node) that advertises it,
// naming the BGPPeers; each BGPPeer's status.nodes says whether that node's session with it is up. Since when: the
// status object's creation (a speaker creates its object when it starts announcing, and deletes it when it stops).
import type { BGPPeer, PeerSession, ServiceBGPStatus, ServiceL2Status } from '../../crds/v1beta1/index.js';

export type Mode = 'layer2' | 'bgp';

/** A BGPPeer a node advertises the IPs to, with that node's session state when its speaker reports one. */
export interface PeerRoute {
  peer: string;
  /** RFC 4271 state (Established, Active, …); undefined when the peer's status has no entry for the node. */
  session: PeerSession['state'] | undefined;
}

export interface Announcer {
  node: string;
  mode: Mode;
  /** Layer 2: the interfaces the node answers on. */
  interfaces?: string[];
  /** BGP: the peers it advertises to. */
  peers?: PeerRoute[];
  /** When the node's speaker created its status object: when it started announcing. */
  since?: string;
}

type StatusObject = ServiceL2Status | ServiceBGPStatus;

const forService = (namespace: string, name: string) => (o: StatusObject): boolean =>
  (o.metadata.namespace ?? o.status?.serviceNamespace) === namespace && o.status?.serviceName === name;

const byNode = (a: Announcer, b: Announcer): number =>
  (a.node < b.node ? -1 : a.node > b.node ? 1 : a.mode < b.mode ? -1 : a.mode > b.mode ? 1 : 0);

const since = (o: StatusObject): string | undefined => {
  const t = o.metadata.creationTimestamp as string | Date | undefined;
  return t === undefined ? undefined : new Date(t).toISOString().replace(/\.000Z$/, 'Z');
};

/** Each BGPPeer's session state per node, from its status.nodes (written by the speakers). */
export function sessionStates(peers: readonly BGPPeer[]): Map<string, Map<string, PeerSession['state']>> {
  return new Map(peers.map((p) => [p.metadata.name ?? '', new Map((p.status?.nodes ?? []).map((n) => [n.node, n.state]))]));
}

/** The nodes announcing Service namespace/name, by node then mode. */
export function announcersOf(
  namespace: string, name: string, l2: readonly ServiceL2Status[], bgp: readonly ServiceBGPStatus[],
  sessions: ReadonlyMap<string, ReadonlyMap<string, PeerSession['state']>>,
): Announcer[] {
  const layer2 = l2.filter(forService(namespace, name)).map((o): Announcer => ({
    node: o.status?.node ?? '', mode: 'layer2', interfaces: (o.status?.interfaces ?? []).map((i) => i.name), since: since(o),
  }));
  const routed = bgp.filter(forService(namespace, name)).map((o): Announcer => {
    const node = o.status?.node ?? '';
    const peers = (o.status?.peers ?? []).map((peer) => ({ peer, session: sessions.get(peer)?.get(node) }));
    return { node, mode: 'bgp', peers, since: since(o) };
  });
  return [...layer2, ...routed].sort(byNode);
}

/** `node-a` for layer 2, `node-b→tor-1,tor-2` for BGP (a peer whose session is not up says its state). */
export function announcerText(a: Announcer): string {
  if (a.mode === 'layer2') return a.node;
  const peers = (a.peers ?? []).map((p) => (p.session === undefined || p.session === 'Established' ? p.peer : `${p.peer}(${p.session})`));
  return `${a.node}→${peers.join(',')}`;
}
