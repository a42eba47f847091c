// ServiceL2Status: which node announces a Service's IPs by ARP/NDP, and on which interfaces. Status-only, as
// MetalLB's: the announcing speaker creates one per (Service, node) in the Service's namespace, with an owner
// reference to the Service so the garbage collector removes it with the Service, and deletes it when it stops.
import { Type, type Static } from '@sinclair/typebox';
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { API_VERSION } from './common.js';
import { INTERFACES_MAX_ITEMS, INTERFACE_NAME_MAX_LENGTH, OBJECT_NAME_MAX_LENGTH } from './l2advertisement.js';

/** A namespace's or a Service's name: a DNS label. */
export const DNS_LABEL_MAX_LENGTH = 63;

export const ServiceL2StatusStatusSchema = Type.Object({
  node: Type.Optional(Type.String({ maxLength: OBJECT_NAME_MAX_LENGTH, description: 'The node whose speaker announces the Service\'s IPs.' })),
  serviceName: Type.Optional(Type.String({ maxLength: DNS_LABEL_MAX_LENGTH, description: 'The Service\'s name.' })),
  serviceNamespace: Type.Optional(Type.String({ maxLength: DNS_LABEL_MAX_LENGTH, description: 'The Service\'s namespace.' })),
  interfaces: Type.Optional(Type.Array(Type.Object({
    name: Type.String({ maxLength: INTERFACE_NAME_MAX_LENGTH, description: 'The interface\'s Linux name.' }),
  }, { description: 'One interface the IPs are announced on.' }), {
    maxItems: INTERFACES_MAX_ITEMS,
    description: 'The interfaces the speaker announces the IPs on.',
  })),
}, { description: 'Who announces the Service\'s IPs, written by the announcing speaker.' });
export type ServiceL2StatusStatus = Static<typeof ServiceL2StatusStatusSchema>;

/** No spec: every field is the speaker's observation. */
export interface ServiceL2Status {
  apiVersion: typeof API_VERSION;
  kind: 'ServiceL2Status';
  metadata: V1ObjectMeta;
  status?: ServiceL2StatusStatus;
}
export const SERVICEL2STATUS_KIND = 'ServiceL2Status';
export const SERVICEL2STATUS_PLURAL = 'servicel2statuses';
