// The Kubernetes source's inputs, trimmed to what the announcement function reads (desired.ts). The driver keeps
// these in its caches instead of whole objects (trim.ts makes them), so a speaker on every node of a cluster with
// 1 000 Services holds a few hundred bytes per Service, and the pure function can be tested with plain values.
import type { BFDProfileModel, BGPAdvertisementModel, BGPPeerModel, L2AdvertisementModel } from '../../../lib/config/index.js';
import type { PeerPasswordOutcome } from './peer-passwords.js';

export interface ServiceView {
  namespace: string;
  name: string;
  uid: string;
  type: string | undefined;
  loadBalancerClass: string | undefined;
  externalTrafficPolicy: string | undefined;
  labels: Readonly<Record<string, string>>;
  /** status.loadBalancer.ingress[].ip, as written */
  ingressIPs: readonly string[];
  /** the ip-allocated-from-pool annotation (lib/annotations.ts readAnnotation), if any */
  pool: string | undefined;
  deleting: boolean;
}

export interface EndpointView {
  nodeName: string | undefined;
  serving: boolean;
}

export interface EndpointSliceView {
  namespace: string;
  name: string;
  /** label kubernetes.io/service-name */
  serviceName: string | undefined;
  endpoints: readonly EndpointView[];
}

export interface NodeView {
  name: string;
  labels: Readonly<Record<string, string>>;
  networkUnavailable: boolean;
}

export interface PoolView {
  name: string;
  labels: Readonly<Record<string, string>>;
  /** spec.addresses */
  addresses: readonly string[];
}

/** A speaker that announced itself through its presence Lease and has not expired (the driver judges expiry). */
export interface SpeakerView {
  node: string;
  /** heartbeat address */
  address: string;
}

/** BGP mode's objects, parsed and validated by lib/config (bgpConfigFromResources): only the usable ones. */
export interface BgpView {
  advertisements: readonly BGPAdvertisementModel[];
  peers: readonly BGPPeerModel[];
  /** The BFDProfiles the peers name (lib/config leaves out a peer whose profile is missing). */
  bfdProfiles?: readonly BFDProfileModel[];
  /** Per peer naming a passwordSecret: its TCP MD5 key, or why none can be read (peer-passwords.ts). */
  passwords?: ReadonlyMap<string, PeerPasswordOutcome>;
}

export interface ClusterView {
  services: readonly ServiceView[];
  endpointSlices: readonly EndpointSliceView[];
  nodes: readonly NodeView[];
  pools: readonly PoolView[];
  advertisements: readonly L2AdvertisementModel[];
  speakers: readonly SpeakerView[];
  /** Undefined: BGP mode is not configured here (the snapshot then has no bgpPeers and no IP in mode bgp). */
  bgp?: BgpView;
}
