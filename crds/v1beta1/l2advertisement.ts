// L2Advertisement: which IPs Herald announces by ARP/NDP, from which nodes and on which interfaces.
// Field names follow MetalLB's metallb.io/v1beta1 L2Advertisement, so its YAML carries over with a new apiVersion;
// like MetalLB's, an advertisement with no spec at all announces every pool's IPs from every node.
// Descriptions live in TypeBox `description`s so the CRD, and so `kubectl explain`, carries them.
import { Type, type Static } from '@sinclair/typebox';
import { ConditionSchema, LabelSelectorSchema, type HeraldObject } from './common.js';
import { CONDITIONS_MAX_ITEMS, SELECTORS_MAX_ITEMS } from './ipaddresspool.js';

/** An object name (a pool's): a DNS subdomain. */
export const OBJECT_NAME_MAX_LENGTH = 253;
/** Pools one advertisement may name; more than that is what ipAddressPoolSelectors are for. */
export const POOL_NAMES_MAX_ITEMS = 256;
/** Interfaces one advertisement may list. */
export const INTERFACES_MAX_ITEMS = 64;
/**
 * Linux's IFNAMSIZ is 16 bytes with the terminating NUL (include/uapi/linux/if.h), so a name has at most 15.
 * Interface names are checked to be printable ASCII, so characters and bytes are the same count here.
 */
export const INTERFACE_NAME_MAX_LENGTH = 15;
/**
 * The schema's own bound on an interface string is looser than IFNAMSIZ on purpose: up to it, the CEL rules below
 * refuse a long name with a message that quotes it; kube's own maxLength message does not.
 */
const INTERFACE_STRING_MAX_LENGTH = 64;
/** Weights of preferredNodeSelectors, as a Pod's preferredDuringScheduling node affinity has them. */
export const PREFERENCE_MIN_WEIGHT = 1;
export const PREFERENCE_MAX_WEIGHT = 100;

/**
 * What Linux accepts as a name (net/core/dev.c dev_valid_name: not empty, not "." or "..", no "/", ":" or white
 * space), narrowed to printable ASCII: a name of other bytes is legal for the kernel but nobody types one into YAML.
 */
export const INTERFACE_NAME_RULES = [
  {
    rule: `size(self) <= ${INTERFACE_NAME_MAX_LENGTH}`,
    // No string(size(self)) in the message: kube-apiserver estimates the cost of a converted int as unbounded and
    // refuses the CRD (the emulator does not estimate costs; test/kubectl/l2-kinds.test.ts on the real one does).
    messageExpression: `'interface name "' + self + '" is longer than ${INTERFACE_NAME_MAX_LENGTH} characters, the most Linux allows (IFNAMSIZ)'`,
    message: `an interface name has at most ${INTERFACE_NAME_MAX_LENGTH} characters (Linux IFNAMSIZ)`,
  },
  {
    rule: `self.matches('^[!-~]+$') && !self.contains('/') && !self.contains(':') && self != '.' && self != '..'`,
    messageExpression: `'interface name "' + self + '" is not a Linux interface name: use printable ASCII without spaces, "/" or ":", and not "." or ".."'`,
    message: 'an interface name is printable ASCII without spaces, "/" or ":", and not "." or ".."',
  },
];

export const PreferredNodeSelectorSchema = Type.Object({
  weight: Type.Integer({
    minimum: PREFERENCE_MIN_WEIGHT,
    maximum: PREFERENCE_MAX_WEIGHT,
    description: `Added to a node's preference (${PREFERENCE_MIN_WEIGHT}-${PREFERENCE_MAX_WEIGHT}) when the preference selector matches it. A node's weights are summed over every advertisement that applies and whose nodeSelectors allow it; the node with the highest sum announces.`,
  }),
  preference: Type.Object(LabelSelectorSchema.properties, { description: 'The nodes this weight is added to, by their labels.' }),
}, { description: 'A soft preference for some nodes, as a Pod\'s preferredDuringSchedulingIgnoredDuringExecution node affinity.' });
export type PreferredNodeSelector = Static<typeof PreferredNodeSelectorSchema>;

const selectors = (description: string) => Type.Optional(Type.Array(LabelSelectorSchema, { maxItems: SELECTORS_MAX_ITEMS, description }));

export const L2AdvertisementSpecSchema = Type.Object({
  ipAddressPools: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: OBJECT_NAME_MAX_LENGTH }), {
    maxItems: POOL_NAMES_MAX_ITEMS,
    'x-kubernetes-list-type': 'set',
    description: 'IPAddressPools whose IPs this advertisement announces, by name. With ipAddressPoolSelectors, a pool either names or selects is announced; with neither, every pool is.',
  })),
  ipAddressPoolSelectors: selectors('Label selectors for the IPAddressPools whose IPs this advertisement announces (any one of them selects).'),
  nodeSelectors: selectors('Label selectors for the nodes that may announce these IPs (any one of them admits a node). Empty: every node with a speaker.'),
  interfaces: Type.Optional(Type.Array(Type.String({ maxLength: INTERFACE_STRING_MAX_LENGTH, 'x-kubernetes-validations': INTERFACE_NAME_RULES }), {
    maxItems: INTERFACES_MAX_ITEMS,
    'x-kubernetes-list-type': 'set',
    description: `Network interfaces to announce on, by Linux name (at most ${INTERFACE_NAME_MAX_LENGTH} characters). Empty: the interface whose subnet holds the IP, else every eligible one.`,
  })),
  serviceSelectors: selectors('Label selectors for the Services whose IPs this advertisement announces (any one of them selects). Empty: every Service.'),
  preferredNodeSelectors: Type.Optional(Type.Array(PreferredNodeSelectorSchema, {
    maxItems: SELECTORS_MAX_ITEMS,
    description: 'Soft preferences among the nodes nodeSelectors allow: the eligible node with the highest summed weight announces; ties fall to a hash of node and IP.',
  })),
}, { description: 'Which IPs to announce by ARP/NDP, from which nodes and on which interfaces. Every field is optional: an empty spec announces every pool from every node.' });
export type L2AdvertisementSpec = Static<typeof L2AdvertisementSpecSchema>;

export const L2AdvertisementStatusSchema = Type.Object({
  conditions: Type.Optional(Type.Array(ConditionSchema, {
    maxItems: CONDITIONS_MAX_ITEMS,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
    description: 'Written by the controller. Ready is True (reason Valid) or False with a reason for what is wrong: InvalidSelector (a selector that cannot be used), NoPoolSelected (no existing pool named or selected), UnknownInterface (an interface no speaker\'s node lists on its presence Lease); the message names the values.',
  })),
}, { description: 'What Herald observes about the advertisement.' });
export type L2AdvertisementStatus = Static<typeof L2AdvertisementStatusSchema>;

/** The spec may be absent: MetalLB's simplest L2Advertisement has none. */
export type L2Advertisement = Omit<HeraldObject<'L2Advertisement', L2AdvertisementSpec, L2AdvertisementStatus>, 'spec'> & {
  spec?: L2AdvertisementSpec;
};
export const L2ADVERTISEMENT_KIND = 'L2Advertisement';
export const L2ADVERTISEMENT_PLURAL = 'l2advertisements';
