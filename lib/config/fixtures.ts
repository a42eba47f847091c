// Builders for tests: small objects with only the fields that matter.
import {
  API_VERSION, type BFDProfile, type BFDProfileSpec, type BGPAdvertisement, type BGPAdvertisementSpec, type BGPPeer, type BGPPeerSpec,
  type Community, type CommunityAlias, type IPAddressPool, type IPAddressPoolSpec,
} from '../../crds/v1beta1/index.js';
import type { BGPResources } from './bgp.js';
import type { NodeLabels } from './bgp-model.js';

/** `pool('name', ['192.0.2.0/30'], {...})`, created at `created` (ISO), to show that age decides nothing (overlaps). */
export function pool(name: string, addresses: string[], spec: Partial<IPAddressPoolSpec> = {}, created = '2024-01-01T00:00:00Z', generation = 1): IPAddressPool {
  return {
    apiVersion: API_VERSION,
    kind: 'IPAddressPool',
    metadata: { name, namespace: 'herald-system', creationTimestamp: created as unknown as Date, generation },
    spec: { addresses, ...spec },
  };
}

const meta = (name: string) => ({ name, namespace: 'herald-system' });

/** An eBGP peer (AS 64512 to 64513 at 192.0.2.1) with `spec` over it. */
export const peer = (name: string, spec: Partial<BGPPeerSpec> = {}): BGPPeer => ({
  apiVersion: API_VERSION, kind: 'BGPPeer', metadata: meta(name), spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', ...spec },
});
export const ad = (name: string, spec: BGPAdvertisementSpec = {}): BGPAdvertisement => ({ apiVersion: API_VERSION, kind: 'BGPAdvertisement', metadata: meta(name), spec });
export const bfd = (name: string, spec: BFDProfileSpec = {}): BFDProfile => ({ apiVersion: API_VERSION, kind: 'BFDProfile', metadata: meta(name), spec });
export const community = (name: string, ...communities: CommunityAlias[]): Community => ({ apiVersion: API_VERSION, kind: 'Community', metadata: meta(name), spec: { communities } });
export const node = (name: string, labels: Record<string, string>): NodeLabels => ({ name, labels });

/** No BGP objects and one dual-stack pool, "lan" (192.0.2.0/24 and 2001:db8::/64), unless `r` says otherwise. */
export const resources = (r: Partial<BGPResources>): BGPResources => ({
  peers: [], advertisements: [], bfdProfiles: [], communities: [], pools: [pool('lan', ['192.0.2.0/24', '2001:db8::/64'])], ...r,
});
