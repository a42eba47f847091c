// Builders for the announcement function's tests: small views with only the fields that matter.
import type { BFDProfileSpec, BGPAdvertisementSpec, BGPPeerSpec, CommunityAlias, L2AdvertisementSpec } from '../../../crds/v1beta1/index.js';
import { advertisementsFromResources, bgpConfigFromResources, type L2AdvertisementModel } from '../../../lib/config/index.js';
import type { PeerPasswordOutcome } from './peer-passwords.js';
import type { BgpView, ClusterView, EndpointSliceView, NodeView, PoolView, ServiceView, SpeakerView } from './views.js';

/** A Herald LoadBalancer Service in `default`, Cluster policy, its IPs from pool "lan". */
export function svc(name: string, ips: string | readonly string[], extra: Partial<ServiceView> = {}): ServiceView {
  return {
    namespace: 'default', name, uid: `uid-${name}`, type: 'LoadBalancer', loadBalancerClass: undefined,
    externalTrafficPolicy: 'Cluster', labels: {}, ingressIPs: typeof ips === 'string' ? [ips] : ips, pool: 'lan', deleting: false, ...extra,
  };
}

/** One slice of `service` with one endpoint per entry of `nodes` (undefined: an endpoint on no node). */
export function slice(service: string, nodes: readonly (string | undefined)[], serving = true, namespace = 'default'): EndpointSliceView {
  return { namespace, name: `${service}-abc`, serviceName: service, endpoints: nodes.map((nodeName) => ({ nodeName, serving })) };
}

export function node(name: string, labels: Record<string, string> = {}, networkUnavailable = false): NodeView {
  return { name, labels, networkUnavailable };
}

export function pool(name: string, addresses: readonly string[], labels: Record<string, string> = {}): PoolView {
  return { name, labels, addresses };
}

export function advert(name: string, spec?: L2AdvertisementSpec): L2AdvertisementModel {
  const [model] = advertisementsFromResources([{ apiVersion: 'herald.dev/v1beta1', kind: 'L2Advertisement', metadata: { name }, ...(spec ? { spec } : {}) }]).advertisements;
  if (!model) throw new Error(`advertisement ${name} did not parse`);
  return model;
}

export const speakerOn = (name: string, i = 0): SpeakerView => ({ node: name, address: `198.51.100.${i + 1}` });

export const NODES = ['n1', 'n2', 'n3'];

/**
 * Three nodes n1..n3 (n1 labelled zone=a, the others zone=b), each with a speaker; pool "lan" (192.0.2.0/24 and
 * 2001:db8::/64, labelled site=home); one L2Advertisement "all" with no spec; no Services. `parts` replaces any of it.
 */
export function cluster(parts: Partial<ClusterView> = {}): ClusterView {
  return {
    services: [],
    endpointSlices: [],
    nodes: NODES.map((n, i) => node(n, { zone: i === 0 ? 'a' : 'b', 'kubernetes.io/hostname': n })),
    pools: [pool('lan', ['192.0.2.0/24', '2001:db8::/64'], { site: 'home' })],
    advertisements: [advert('all')],
    speakers: NODES.map(speakerOn),
    ...parts,
  };
}

/** BGP objects as lib/config reads them (a spec that does not parse is refused there, as in the source); one peer "router" unless told. */
export function bgpView(parts: {
  peers?: [string, Partial<BGPPeerSpec>][]; ads?: [string, BGPAdvertisementSpec][]; aliases?: CommunityAlias[]; bfd?: [string, BFDProfileSpec][];
  /** What the source read for the peers naming a passwordSecret (peer-passwords.ts). */
  passwords?: [string, PeerPasswordOutcome][];
}): BgpView {
  const meta = (name: string) => ({ apiVersion: 'herald.dev/v1beta1' as const, metadata: { name } });
  const config = bgpConfigFromResources({
    peers: (parts.peers ?? [['router', {}]]).map(([name, spec]) => ({ ...meta(name), kind: 'BGPPeer' as const, spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', ...spec } })),
    advertisements: (parts.ads ?? []).map(([name, spec]) => ({ ...meta(name), kind: 'BGPAdvertisement' as const, spec })),
    bfdProfiles: (parts.bfd ?? []).map(([name, spec]) => ({ ...meta(name), kind: 'BFDProfile' as const, spec })),
    communities: parts.aliases ? [{ ...meta('aliases'), kind: 'Community' as const, spec: { communities: parts.aliases } }] : [],
    pools: [],
  });
  return { peers: config.peers, advertisements: config.advertisements, bfdProfiles: config.bfdProfiles, passwords: new Map(parts.passwords ?? []) };
}
