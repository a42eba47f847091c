// Builders for tests: small V1Service and IPAddressPool objects with only the fields that matter, and a core
// to tell cluster stories with.
import type { V1Service } from '@kubernetes/client-node';
import type { IPAddressPool } from '../../crds/v1beta1/index.js';
import type { ControllerCoreOptions, ServiceKey } from '../core-api.js';
import { createControllerCore } from './core.js';

export const NOW = Date.parse('2024-06-01T00:00:00Z');

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

/** A core with these pools, restored from `existing`; `apply` reconciles a Service of that shape. */
export function cluster(pools: IPAddressPool[], options: ControllerCoreOptions = {}, existing: V1Service[] = []) {
  const core = createControllerCore(options);
  core.setPools(pools, NOW);
  const refused = core.restore(existing);
  const apply = (key: ServiceKey, shape: ServiceShape = {}) => core.reconcile(key, service(key, shape));
  const ips = (key: ServiceKey, shape: ServiceShape = {}) => apply(key, shape).ingress.map((i) => i.ip);
  const reasons = (key: ServiceKey, shape: ServiceShape = {}) => apply(key, shape).events.map((e) => e.reason);
  return { core, refused, apply, ips, reasons };
}
