// ServiceBGPStatus: the peers a Service's IPs are advertised to from one node. Status-only, as MetalLB's and as
// ServiceL2Status: the speaker creates one per (Service, node) in the Service's namespace, owned by the Service.
import { Type, type Static } from '@sinclair/typebox';
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { API_VERSION } from './common.js';
import { OBJECT_NAME_MAX_LENGTH } from './l2advertisement.js';
import { DNS_LABEL_MAX_LENGTH } from './servicel2status.js';
import { PEER_NAMES_MAX_ITEMS } from './bgpadvertisement.js';

export const ServiceBGPStatusStatusSchema = Type.Object({
  node: Type.Optional(Type.String({ maxLength: OBJECT_NAME_MAX_LENGTH, description: 'The node whose speaker advertises the Service\'s IPs.' })),
  serviceName: Type.Optional(Type.String({ maxLength: DNS_LABEL_MAX_LENGTH, description: 'The Service\'s name.' })),
  serviceNamespace: Type.Optional(Type.String({ maxLength: DNS_LABEL_MAX_LENGTH, description: 'The Service\'s namespace.' })),
  peers: Type.Optional(Type.Array(Type.String({ maxLength: OBJECT_NAME_MAX_LENGTH }), {
    maxItems: PEER_NAMES_MAX_ITEMS,
    description: 'The BGPPeers the IPs are to be advertised to from this node, by name (whether a session is up is in each BGPPeer\'s status).',
  })),
}, { description: 'Where the Service\'s IPs are advertised from this node, written by its speaker.' });
export type ServiceBGPStatusStatus = Static<typeof ServiceBGPStatusStatusSchema>;

/** No spec: every field is the speaker's observation. */
export interface ServiceBGPStatus {
  apiVersion: typeof API_VERSION;
  kind: 'ServiceBGPStatus';
  metadata: V1ObjectMeta;
  status?: ServiceBGPStatusStatus;
}
export const SERVICEBGPSTATUS_KIND = 'ServiceBGPStatus';
export const SERVICEBGPSTATUS_PLURAL = 'servicebgpstatuses';
