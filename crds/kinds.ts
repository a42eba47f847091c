// Every herald.dev kind that becomes a CRD. A new kind (L2Advertisement, BGPPeer, ...) is one more entry:
// its TypeBox spec/status schemas, names, printer columns and any whole-object CEL rules.
import type { TSchema } from '@sinclair/typebox';
import {
  IPADDRESSPOOL_KIND, IPADDRESSPOOL_PLURAL, IPAddressPoolSpecSchema, IPAddressPoolStatusSchema,
  L2ADVERTISEMENT_KIND, L2ADVERTISEMENT_PLURAL, L2AdvertisementSpecSchema, L2AdvertisementStatusSchema,
  SERVICEL2STATUS_KIND, SERVICEL2STATUS_PLURAL, ServiceL2StatusStatusSchema,
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
  /** Omitted for status-only kinds (ServiceL2Status). */
  spec?: TSchema;
  /** Whether an object without a spec is refused (IPAddressPool). MetalLB's simplest L2Advertisement has none. */
  specRequired?: boolean;
  /** Omitted for kinds without status. */
  status?: TSchema;
  /** Whether status is a subresource (its own endpoint, ignored by writes of the object); false for status-only kinds. */
  statusSubresource?: boolean;
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
    specRequired: true,
    status: IPAddressPoolStatusSchema,
    statusSubresource: true,
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
  {
    kind: L2ADVERTISEMENT_KIND,
    plural: L2ADVERTISEMENT_PLURAL,
    shortNames: ['l2adv'],
    description: 'L2Advertisement says which IPs Herald announces by ARP/NDP, from which nodes and on which interfaces.',
    spec: L2AdvertisementSpecSchema,
    status: L2AdvertisementStatusSchema,
    statusSubresource: true,
    columns: [
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason' },
      // Lists print as JSON; they are bounded by the schema, and the selectors only show with -o wide (priority 1).
      { name: 'IPAddressPools', type: 'string', jsonPath: '.spec.ipAddressPools' },
      { name: 'Interfaces', type: 'string', jsonPath: '.spec.interfaces' },
      { name: 'IPAddressPool Selectors', type: 'string', jsonPath: '.spec.ipAddressPoolSelectors', priority: 1 },
      { name: 'Node Selectors', type: 'string', jsonPath: '.spec.nodeSelectors', priority: 1 },
      AGE,
    ],
  },
  {
    kind: SERVICEL2STATUS_KIND,
    plural: SERVICEL2STATUS_PLURAL,
    shortNames: ['l2status'],
    description: 'ServiceL2Status names the node that announces a Service\'s IPs by ARP/NDP, and its interfaces. Written by the speaker; one per Service and announcing node, in the Service\'s namespace.',
    status: ServiceL2StatusStatusSchema,
    // No subresource: there is no spec to keep apart, and the speaker then creates each object with its status in
    // one request (with a status subresource, a create drops the status and a second write is needed).
    statusSubresource: false,
    columns: [
      { name: 'Node', type: 'string', jsonPath: '.status.node' },
      { name: 'Service Name', type: 'string', jsonPath: '.status.serviceName' },
      { name: 'Service Namespace', type: 'string', jsonPath: '.status.serviceNamespace' },
      AGE,
    ],
  },
];
