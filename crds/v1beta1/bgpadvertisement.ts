// BGPAdvertisement: which IPs Herald announces by BGP, to which peers, from which nodes and with which attributes.
// Field names follow MetalLB's metallb.io/v1beta1 BGPAdvertisement, so its YAML carries over with a new apiVersion;
// like MetalLB's, an advertisement with no spec announces every pool's IPs to every peer from every node.
// A community is a standard one ("65000:100"), a large one ("large:1:2:3") or the name of a Community alias, so
// the schema can only bound it; lib/config/bgp.ts reads it (InvalidCommunity, UnknownCommunity).
import { Type, type Static } from '@sinclair/typebox';
import { ConditionSchema, LabelSelectorSchema, type HeraldObject } from './common.js';
import { CONDITIONS_MAX_ITEMS, SELECTORS_MAX_ITEMS } from './ipaddresspool.js';
import { OBJECT_NAME_MAX_LENGTH, POOL_NAMES_MAX_ITEMS } from './l2advertisement.js';

/** Communities one advertisement attaches. */
export const COMMUNITIES_MAX_ITEMS = 64;
/** A community as written: "large:4294967295:4294967295:4294967295" is 38 characters, an alias name at most 63. */
export const COMMUNITY_TEXT_MAX_LENGTH = 63;
/** Peers one advertisement may name. */
export const PEER_NAMES_MAX_ITEMS = 256;

const selectors = (description: string) => Type.Optional(Type.Array(LabelSelectorSchema, { maxItems: SELECTORS_MAX_ITEMS, description }));
const names = (maxItems: number, description: string) => Type.Optional(Type.Array(
  Type.String({ minLength: 1, maxLength: OBJECT_NAME_MAX_LENGTH }),
  { maxItems, 'x-kubernetes-list-type': 'set', description },
));

export const BGPAdvertisementSpecSchema = Type.Object({
  aggregationLength: Type.Optional(Type.Integer({
    minimum: 1, maximum: 32, default: 32,
    description: 'Announce IPv4 addresses as prefixes of this length (32: each address alone). It may not be shorter than the pool\'s own prefixes.',
  })),
  aggregationLengthV6: Type.Optional(Type.Integer({
    minimum: 1, maximum: 128, default: 128,
    description: 'Announce IPv6 addresses as prefixes of this length (128: each address alone). It may not be shorter than the pool\'s own prefixes.',
  })),
  localPref: Type.Optional(Type.Integer({
    minimum: 0, maximum: 4294967295,
    description: 'The LOCAL_PREF attribute (iBGP peers only): a path with a higher one is preferred. Two advertisements announcing one prefix must agree on it.',
  })),
  communities: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: COMMUNITY_TEXT_MAX_LENGTH }), {
    maxItems: COMMUNITIES_MAX_ITEMS,
    'x-kubernetes-list-type': 'set',
    description: 'Communities to attach: standard ("65000:100", each half 0-65535), large ("large:1:2:3", each part 0-4294967295) or the name of an alias in a Community object.',
  })),
  ipAddressPools: names(POOL_NAMES_MAX_ITEMS, 'IPAddressPools whose IPs this advertisement announces, by name. With ipAddressPoolSelectors, a pool either names or selects is announced; with neither, every pool is.'),
  ipAddressPoolSelectors: selectors('Label selectors for the IPAddressPools whose IPs this advertisement announces (any one of them selects).'),
  nodeSelectors: selectors('Label selectors for the nodes that announce these IPs as next hops (any one of them admits a node). Empty: every node with a speaker.'),
  peers: names(PEER_NAMES_MAX_ITEMS, 'BGPPeers to announce to, by name. Empty: every peer.'),
  serviceSelectors: selectors('Label selectors for the Services whose IPs this advertisement announces (any one of them selects). Empty: every Service.'),
}, { description: 'Which IPs to announce by BGP, to which peers and with which attributes. Every field is optional: an empty spec announces every pool to every peer.' });
export type BGPAdvertisementSpec = Static<typeof BGPAdvertisementSpecSchema>;

export const BGPAdvertisementStatusSchema = Type.Object({
  conditions: Type.Optional(Type.Array(ConditionSchema, {
    maxItems: CONDITIONS_MAX_ITEMS,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
    description: 'Written by the controller. Ready is True (reason Valid) or False with a reason: InvalidAggregationLength, LocalPrefConflict, InvalidCommunity, UnknownCommunity, InvalidSelector; the message names the values.',
  })),
}, { description: 'What Herald observes about the advertisement.' });
export type BGPAdvertisementStatus = Static<typeof BGPAdvertisementStatusSchema>;

/** The spec may be absent, as for L2Advertisement. */
export type BGPAdvertisement = Omit<HeraldObject<'BGPAdvertisement', BGPAdvertisementSpec, BGPAdvertisementStatus>, 'spec'> & {
  spec?: BGPAdvertisementSpec;
};
export const BGPADVERTISEMENT_KIND = 'BGPAdvertisement';
export const BGPADVERTISEMENT_PLURAL = 'bgpadvertisements';
