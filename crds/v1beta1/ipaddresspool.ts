// IPAddressPool: a set of addresses Herald may give to LoadBalancer Services.
// Field names follow MetalLB's metallb.io/v1beta1 IPAddressPool so existing YAML carries over.
// Descriptions live in TypeBox `description`s (not only doc comments) so the CRD, and so
// `kubectl explain`, carries them.
import { Type, type Static } from '@sinclair/typebox';
import { ADDRESS_MAX_LENGTH, ADDRESS_RULES, ADDRESSES_MAX_ITEMS } from './address-rules.js';
import { ConditionSchema, LabelSelectorSchema, type HeraldObject } from './common.js';

/** Namespaces one pool may name (as many as it may list addresses). */
export const NAMESPACES_MAX_ITEMS = 1000;
/** A namespace's name is a DNS label. */
export const NAMESPACE_MAX_LENGTH = 63;
/** Selectors in namespaceSelectors, and in serviceSelectors (any one of them admits). */
export const SELECTORS_MAX_ITEMS = 32;
/** Conditions in a pool's status (the controller writes one, Ready). */
export const CONDITIONS_MAX_ITEMS = 16;
/** The digits of the largest count an IPv6 pool can have, 2^128. */
export const IPV6_COUNT_MAX_DIGITS = 39;

export const ServiceAllocationSchema = Type.Object({
  /** Lower number = tried first. Pools without a priority come after every pool with one. */
  priority: Type.Optional(Type.Integer({
    minimum: 0,
    description: 'Order among pools whose serviceAllocation matches a Service: lower is tried first. Pools without a priority come after every pool with one.',
  })),
  namespaces: Type.Optional(Type.Array(Type.String({ maxLength: NAMESPACE_MAX_LENGTH }), {
    maxItems: NAMESPACES_MAX_ITEMS,
    description: 'Namespaces whose Services this pool serves (by name).',
  })),
  namespaceSelectors: Type.Optional(Type.Array(LabelSelectorSchema, {
    maxItems: SELECTORS_MAX_ITEMS,
    description: 'Label selectors for the namespaces whose Services this pool serves.',
  })),
  serviceSelectors: Type.Optional(Type.Array(LabelSelectorSchema, {
    maxItems: SELECTORS_MAX_ITEMS,
    description: 'Label selectors for the Services this pool serves.',
  })),
}, {
  description: 'Restricts the pool to some Services, and orders it before pools without serviceAllocation. Every field set must match.',
});
export type ServiceAllocation = Static<typeof ServiceAllocationSchema>;

export const IPAddressPoolSpecSchema = Type.Object({
  /** CIDRs ("192.0.2.0/24", "2001:db8::/64") or inclusive ranges ("192.0.2.10-192.0.2.20"). */
  addresses: Type.Array(
    Type.String({ maxLength: ADDRESS_MAX_LENGTH, 'x-kubernetes-validations': ADDRESS_RULES }),
    {
      minItems: 1,
      maxItems: ADDRESSES_MAX_ITEMS,
      description: 'CIDRs ("192.0.2.0/24", "2001:db8::/64") or inclusive ranges ("192.0.2.10-192.0.2.20"); IPv4 and IPv6 may be mixed in one pool.',
    },
  ),
  autoAssign: Type.Optional(Type.Boolean({
    default: true,
    description: 'Whether Services that do not ask for this pool (by annotation or IP) may get addresses from it.',
  })),
  /** Skip IPv4 addresses ending in .0 or .255, which some old clients mistake for broadcast. */
  avoidBuggyIPs: Type.Optional(Type.Boolean({
    default: false,
    description: 'Skip IPv4 addresses ending in .0 or .255, which some old clients and routers mistake for broadcast.',
  })),
  serviceAllocation: Type.Optional(ServiceAllocationSchema),
}, { description: 'The addresses of the pool and which Services may use them.' });
export type IPAddressPoolSpec = Static<typeof IPAddressPoolSpecSchema>;

export const IPAddressPoolStatusSchema = Type.Object({
  assignedIPv4: Type.Optional(Type.Integer({ minimum: 0, description: 'IPv4 addresses of the pool held by Services.' })),
  assignedIPv6: Type.Optional(Type.Integer({ minimum: 0, description: 'IPv6 addresses of the pool held by Services.' })),
  availableIPv4: Type.Optional(Type.Integer({ minimum: 0, description: 'IPv4 addresses of the pool still free (not counting those an overlap withholds).' })),
  /** A decimal string: an IPv6 pool can hold more addresses than an int64 (or a double) counts exactly. */
  availableIPv6: Type.Optional(Type.String({
    pattern: '^[0-9]+$',
    maxLength: IPV6_COUNT_MAX_DIGITS,
    description: 'IPv6 addresses of the pool still free, as a decimal string: a /64 holds more than an int64 counts.',
  })),
  /** What the ADDRESSES column shows: a printer column is a JSONPath and cannot shorten a long list itself. */
  addressesSummary: Type.Optional(Type.String({
    maxLength: 256,
    description: 'The first entries of spec.addresses and "+N more" (the ADDRESSES column of kubectl get).',
  })),
  conditions: Type.Optional(Type.Array(ConditionSchema, {
    maxItems: CONDITIONS_MAX_ITEMS,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
    description: 'Ready is False, with a reason, when the pool is invalid (not used), overlaps another (the shared addresses go to no new Service) or has a selector that cannot be used (no new address for a Service only it could admit).',
  })),
}, { description: 'What the controller observes about the pool.' });
export type IPAddressPoolStatus = Static<typeof IPAddressPoolStatusSchema>;

export type IPAddressPool = HeraldObject<'IPAddressPool', IPAddressPoolSpec, IPAddressPoolStatus>;
export const IPADDRESSPOOL_KIND = 'IPAddressPool';
export const IPADDRESSPOOL_PLURAL = 'ipaddresspools';
