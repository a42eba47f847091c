// Every herald.dev kind that becomes a CRD. A new kind (L2Advertisement, BGPPeer, ...) is one more entry:
// its TypeBox spec/status schemas, names, printer columns and any whole-object CEL rules.
import type { TSchema } from '@sinclair/typebox';
import {
  IPADDRESSPOOL_KIND, IPADDRESSPOOL_PLURAL, IPAddressPoolSpecSchema, IPAddressPoolStatusSchema,
  L2ADVERTISEMENT_KIND, L2ADVERTISEMENT_PLURAL, L2AdvertisementSpecSchema, L2AdvertisementStatusSchema,
  SERVICEL2STATUS_KIND, SERVICEL2STATUS_PLURAL, ServiceL2StatusStatusSchema,
  BGPPEER_KIND, BGPPEER_PLURAL, BGPPeerSpecSchema, BGPPeerStatusSchema,
  BGPADVERTISEMENT_KIND, BGPADVERTISEMENT_PLURAL, BGPAdvertisementSpecSchema, BGPAdvertisementStatusSchema,
  BFDPROFILE_KIND, BFDPROFILE_PLURAL, BFDProfileSpecSchema, BFDProfileStatusSchema,
  COMMUNITY_KIND, COMMUNITY_PLURAL, CommunitySpecSchema, CommunityStatusSchema,
  SERVICEBGPSTATUS_KIND, SERVICEBGPSTATUS_PLURAL, ServiceBGPStatusStatusSchema,
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
const READY: PrinterColumn = { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' };
const REASON: PrinterColumn = { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason' };

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
      READY, REASON,
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
      READY, REASON,
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
  // BGP (issue 10): validated by the controller (Ready conditions), announced by the speakers (docs/bgp.md).
  {
    kind: BGPPEER_KIND,
    plural: BGPPEER_PLURAL,
    shortNames: ['bgpp'],
    description: 'BGPPeer is a BGP router the selected nodes\' speakers peer with.',
    spec: BGPPeerSpecSchema,
    specRequired: true,
    status: BGPPeerStatusSchema,
    statusSubresource: true,
    columns: [
      READY, REASON,
      // MetalLB's columns.
      { name: 'Address', type: 'string', jsonPath: '.spec.peerAddress' },
      { name: 'ASN', type: 'string', jsonPath: '.spec.peerASN' },
      { name: 'BFD Profile', type: 'string', jsonPath: '.spec.bfdProfile' },
      { name: 'Multi Hops', type: 'string', jsonPath: '.spec.ebgpMultiHop' },
      { name: 'My ASN', type: 'string', jsonPath: '.spec.myASN', priority: 1 },
      { name: 'Dynamic ASN', type: 'string', jsonPath: '.spec.dynamicASN', priority: 1 },
      { name: 'Node Selectors', type: 'string', jsonPath: '.spec.nodeSelectors', priority: 1 },
      AGE,
    ],
  },
  {
    kind: BGPADVERTISEMENT_KIND,
    plural: BGPADVERTISEMENT_PLURAL,
    shortNames: ['bgpadv'],
    description: 'BGPAdvertisement says which IPs Herald announces by BGP, to which peers, from which nodes and with which attributes.',
    spec: BGPAdvertisementSpecSchema,
    status: BGPAdvertisementStatusSchema,
    statusSubresource: true,
    columns: [
      READY, REASON,
      { name: 'IPAddressPools', type: 'string', jsonPath: '.spec.ipAddressPools' },
      { name: 'IPAddressPool Selectors', type: 'string', jsonPath: '.spec.ipAddressPoolSelectors' },
      { name: 'Peers', type: 'string', jsonPath: '.spec.peers' },
      { name: 'Node Selectors', type: 'string', jsonPath: '.spec.nodeSelectors', priority: 1 },
      AGE,
    ],
  },
  {
    kind: BFDPROFILE_KIND,
    plural: BFDPROFILE_PLURAL,
    shortNames: ['bfdp'],
    description: 'BFDProfile holds the settings of a BFD session a BGPPeer may use.',
    spec: BFDProfileSpecSchema,
    status: BFDProfileStatusSchema,
    statusSubresource: true,
    columns: [
      READY, REASON,
      { name: 'Passive Mode', type: 'boolean', jsonPath: '.spec.passiveMode' },
      { name: 'Transmit Interval', type: 'integer', jsonPath: '.spec.transmitInterval' },
      { name: 'Receive Interval', type: 'integer', jsonPath: '.spec.receiveInterval' },
      { name: 'Multiplier', type: 'integer', jsonPath: '.spec.detectMultiplier' },
      AGE,
    ],
  },
  {
    kind: COMMUNITY_KIND,
    plural: COMMUNITY_PLURAL,
    shortNames: ['bgpcomm'],
    description: 'Community gives names to BGP communities for BGPAdvertisements to use.',
    spec: CommunitySpecSchema,
    status: CommunityStatusSchema,
    statusSubresource: true,
    columns: [READY, REASON, AGE],
  },
  {
    kind: SERVICEBGPSTATUS_KIND,
    plural: SERVICEBGPSTATUS_PLURAL,
    shortNames: ['bgpstatus'],
    description: 'ServiceBGPStatus names the peers a Service\'s IPs are advertised to from one node. Written by the speaker; one per Service and node, in the Service\'s namespace.',
    status: ServiceBGPStatusStatusSchema,
    // No subresource, as ServiceL2Status: the speaker creates each object with its status in one request.
    statusSubresource: false,
    columns: [
      { name: 'Node', type: 'string', jsonPath: '.status.node' },
      { name: 'Service Name', type: 'string', jsonPath: '.status.serviceName' },
      { name: 'Service Namespace', type: 'string', jsonPath: '.status.serviceNamespace' },
      AGE,
    ],
  },
];
