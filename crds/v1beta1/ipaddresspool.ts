// IPAddressPool: a set of addresses Herald may give to LoadBalancer Services.
// Field names follow MetalLB's metallb.io/v1beta1 IPAddressPool so existing YAML carries over.
import { Type, type Static } from '@sinclair/typebox';
import { ConditionSchema, LabelSelectorSchema, type HeraldObject } from './common.js';

export const ServiceAllocationSchema = Type.Object({
  /** Lower number = tried first. Pools without a priority come after every pool with one. */
  priority: Type.Optional(Type.Integer({ minimum: 0 })),
  namespaces: Type.Optional(Type.Array(Type.String())),
  namespaceSelectors: Type.Optional(Type.Array(LabelSelectorSchema)),
  serviceSelectors: Type.Optional(Type.Array(LabelSelectorSchema)),
});
export type ServiceAllocation = Static<typeof ServiceAllocationSchema>;

export const IPAddressPoolSpecSchema = Type.Object({
  /** CIDRs ("192.0.2.0/24", "2001:db8::/64") or inclusive ranges ("192.0.2.10-192.0.2.20"). */
  addresses: Type.Array(Type.String(), { minItems: 1 }),
  autoAssign: Type.Optional(Type.Boolean({ default: true })),
  /** Skip IPv4 addresses ending in .0 or .255, which some old clients mistake for broadcast. */
  avoidBuggyIPs: Type.Optional(Type.Boolean({ default: false })),
  serviceAllocation: Type.Optional(ServiceAllocationSchema),
});
export type IPAddressPoolSpec = Static<typeof IPAddressPoolSpecSchema>;

export const IPAddressPoolStatusSchema = Type.Object({
  assignedIPv4: Type.Optional(Type.Integer({ minimum: 0 })),
  assignedIPv6: Type.Optional(Type.Integer({ minimum: 0 })),
  availableIPv4: Type.Optional(Type.Integer({ minimum: 0 })),
  /** A decimal string: an IPv6 pool can hold more addresses than an int64 (or a double) counts exactly. */
  availableIPv6: Type.Optional(Type.String({ pattern: '^[0-9]+$' })),
  conditions: Type.Optional(Type.Array(ConditionSchema)),
});
export type IPAddressPoolStatus = Static<typeof IPAddressPoolStatusSchema>;

export type IPAddressPool = HeraldObject<'IPAddressPool', IPAddressPoolSpec, IPAddressPoolStatus>;
export const IPADDRESSPOOL_KIND = 'IPAddressPool';
export const IPADDRESSPOOL_PLURAL = 'ipaddresspools';
