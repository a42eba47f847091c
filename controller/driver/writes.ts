// The controller's only writes: a Service's status.loadBalancer.ingress (through /status), its
// ip-allocated-from-pool annotation (metadata merge patch), and a pool's status (through /status).
// Each is a JSON merge patch computed from the difference, so nothing is written when nothing differs.
// They go out as plain JSON (lib/kube/request.ts) and each answer is trimmed at once: a generated client call
// would go through fetch and build a full model object of every answer, thousands of times a minute, only to
// throw most of it away.
import { HttpMethod, type KubeConfig, type KubernetesObject, type V1LoadBalancerIngress, type V1Service } from '@kubernetes/client-node';
import { IP_ALLOCATED_FROM_POOL } from '../../lib/annotations.js';
import { apiJson, apiText, mergePatchRequest } from '../../lib/kube/request.js';
import { GROUP, IPADDRESSPOOL_PLURAL, VERSION, type IPAddressPool, type IPAddressPoolStatus } from '../../crds/v1beta1/index.js';
import type { ServiceOutcome } from '../core-api.js';
import { trimService } from './trim.js';

export const POOL_ANNOTATION = `herald.dev/${IP_ALLOCATED_FROM_POOL}`;

/** What makes two ingress lists the same for us: the IPs and hostnames, in order (servers may add ipMode). */
function ingressShape(list: readonly V1LoadBalancerIngress[] | undefined): string {
  return JSON.stringify((list ?? []).map((i) => [i.ip ?? '', i.hostname ?? '']));
}

export interface ServiceWrites {
  status: boolean;
  annotation: boolean;
}

/** Which writes `outcome` needs against the Service as the cluster has it. */
export function serviceWritesNeeded(current: V1Service, outcome: ServiceOutcome): ServiceWrites {
  const annotation = current.metadata?.annotations?.[POOL_ANNOTATION] ?? null;
  const touchedByUs = annotation !== null;
  // A Service Herald does not manage and never wrote to belongs to someone else (another class's
  // controller writes its status): leave it alone entirely.
  if (!outcome.managed && !touchedByUs) return { status: false, annotation: false };
  return {
    status: ingressShape(current.status?.loadBalancer?.ingress) !== ingressShape(outcome.ingress),
    annotation: annotation !== outcome.poolAnnotation,
  };
}

/** Pool statuses compared as JSON with sorted keys, so field order from the server does not matter. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
  });
}

/** A merge patch turning `current` into `desired` at the top level: fields to drop become null. */
export function statusMergePatch(current: IPAddressPoolStatus | undefined, desired: IPAddressPoolStatus): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...desired };
  for (const key of Object.keys(current ?? {})) if (!(key in desired)) patch[key] = null;
  return patch;
}

function servicePath(namespace: string, name: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(name)}`;
}

export class ClusterWriter {
  constructor(private readonly kubeConfig: KubeConfig, private readonly herald: string) {}

  // Services come back trimmed as the caches hold them (trim.ts), sharing what did not change with the version
  // written over: the driver keeps them until the watch catches up.

  async readService(namespace: string, name: string): Promise<V1Service> {
    return trimService(await apiJson<KubernetesObject>(this.kubeConfig, { method: HttpMethod.GET, path: servicePath(namespace, name) }));
  }

  /** Writes status.loadBalancer.ingress; an empty list removes the field. Returns the Service as written. */
  async writeIngress(svc: V1Service, ingress: V1LoadBalancerIngress[]): Promise<V1Service> {
    const { name = '', namespace = '' } = svc.metadata ?? {};
    const body = { status: { loadBalancer: { ingress: ingress.length > 0 ? ingress : null } } };
    return trimService(await apiJson<KubernetesObject>(this.kubeConfig, mergePatchRequest(`${servicePath(namespace, name)}/status`, body)), svc);
  }

  async writePoolAnnotation(svc: V1Service, pool: string | null): Promise<V1Service> {
    const { name = '', namespace = '' } = svc.metadata ?? {};
    const body = { metadata: { annotations: { [POOL_ANNOTATION]: pool } } };
    return trimService(await apiJson<KubernetesObject>(this.kubeConfig, mergePatchRequest(servicePath(namespace, name), body)), svc);
  }

  /** The answer (the pool as patched) is not read: the pool watch brings it. */
  async writePoolStatus(pool: IPAddressPool, status: IPAddressPoolStatus): Promise<void> {
    const name = encodeURIComponent(pool.metadata.name ?? '');
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(this.herald)}/${IPADDRESSPOOL_PLURAL}/${name}/status`;
    await apiText(this.kubeConfig, mergePatchRequest(path, { status: statusMergePatch(pool.status, status) }));
  }
}
