// Builders for tests: small V1Service and IPAddressPool objects with only the fields that matter.
import type { V1Service } from '@kubernetes/client-node';

export interface ServiceShape {
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  type?: string;
  loadBalancerClass?: string;
  loadBalancerIP?: string;
  ipFamilies?: readonly string[];
  ipFamilyPolicy?: string;
  ports?: { port: number; protocol?: string }[];
  externalTrafficPolicy?: string;
  selector?: Record<string, string>;
  ingress?: string[];
  created?: string;
}

/** `service('ns/name', {...})`: a LoadBalancer Service, IPv4 SingleStack unless told otherwise. */
export function service(key: string, shape: ServiceShape = {}): V1Service {
  const [namespace = '', name = ''] = key.split('/');
  return {
    metadata: {
      namespace, name, annotations: shape.annotations, labels: shape.labels,
      creationTimestamp: new Date(shape.created ?? '2024-01-01T00:00:00Z'),
    },
    spec: {
      type: shape.type ?? 'LoadBalancer',
      loadBalancerClass: shape.loadBalancerClass,
      loadBalancerIP: shape.loadBalancerIP,
      ipFamilies: [...(shape.ipFamilies ?? ['IPv4'])],
      ipFamilyPolicy: shape.ipFamilyPolicy ?? 'SingleStack',
      ports: (shape.ports ?? [{ port: 80 }]).map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' })),
      externalTrafficPolicy: shape.externalTrafficPolicy ?? 'Cluster',
      selector: shape.selector ?? { app: name },
    },
    status: { loadBalancer: { ingress: (shape.ingress ?? []).map((ip) => ({ ip, ipMode: 'VIP' })) } },
  };
}

export { pool } from '../../lib/config/fixtures.js';
