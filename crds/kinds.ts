// Every herald.dev kind that becomes a CRD. A new kind (L2Advertisement, BGPPeer, ...) is one more entry:
// its TypeBox spec/status schemas, names, printer columns and any whole-object CEL rules.
import type { TSchema } from '@sinclair/typebox';
import {
  IPADDRESSPOOL_KIND, IPADDRESSPOOL_PLURAL, IPAddressPoolSpecSchema, IPAddressPoolStatusSchema,
} from './v1beta1/index.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface KindEntry {
  kind: string;
  plural: string;
  shortNames: string[];
  description: string;
  spec: TSchema;
  /** Omitted for kinds without status; when present the status subresource is enabled. */
  status?: TSchema;
  columns: PrinterColumn[];
  /** Rules on the whole object (self = the object), for checks across spec fields. */
  validations?: { rule: string; message?: string; messageExpression?: string; fieldPath?: string }[];
}

const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

export const KINDS: KindEntry[] = [
  {
    kind: IPADDRESSPOOL_KIND,
    plural: IPADDRESSPOOL_PLURAL,
    shortNames: ['ipp'],
    description: 'IPAddressPool is a set of addresses Herald gives to Services of type LoadBalancer.',
    spec: IPAddressPoolSpecSchema,
    status: IPAddressPoolStatusSchema,
    columns: [
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason' },
      // Written by the controller: the first entries and "+N more", so a pool of 1000 entries stays one short cell.
      { name: 'Addresses', type: 'string', jsonPath: '.status.addressesSummary' },
      { name: 'Auto Assign', type: 'boolean', jsonPath: '.spec.autoAssign' },
      { name: 'Assigned IPv4', type: 'integer', jsonPath: '.status.assignedIPv4' },
      { name: 'Assigned IPv6', type: 'integer', jsonPath: '.status.assignedIPv6' },
      { name: 'Available IPv4', type: 'integer', jsonPath: '.status.availableIPv4' },
      // A string: a /64's count does not fit an integer column.
      { name: 'Available IPv6', type: 'string', jsonPath: '.status.availableIPv6' },
      AGE,
    ],
  },
];
