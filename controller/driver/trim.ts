// What the controller keeps of each Service and Namespace in its caches: the fields the core decides from and
// the writes compare against, nothing else. A full Service from the watch is a few KiB of JSON (managedFields,
// clusterIPs, node ports, session affinity, ...); with 10 000 Services that is tens of MiB of cache and far
// more garbage. The objects built here are plain and small, and keep the V1Service/V1Namespace shapes so the
// core reads them as it reads full objects.
import type { KubernetesObject, V1LoadBalancerStatus, V1Namespace, V1ObjectMeta, V1Service, V1ServicePort, V1ServiceSpec } from '@kubernetes/client-node';
import { ANNOTATION_PREFIXES } from '../../lib/annotations.js';

/** Only the annotations Herald reads or writes (herald.dev/, metallb.io/, metallb.universe.tf/); undefined when none. */
export function heraldAnnotations(annotations: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!annotations) return undefined;
  let kept: Record<string, string> | undefined;
  for (const [key, value] of Object.entries(annotations)) {
    if (!ANNOTATION_PREFIXES.some((prefix) => key.startsWith(prefix))) continue;
    kept ??= {};
    kept[key] = value;
  }
  return kept;
}

/** A copy of `source` without its undefined fields (an absent property costs nothing; an undefined one does). */
function defined<T extends object>(source: T): T {
  const out: Partial<T> = {};
  for (const key of Object.keys(source) as (keyof T)[]) {
    if (source[key] !== undefined) out[key] = source[key];
  }
  return out as T;
}

/** JSON from the watch carries timestamps as strings; model objects carry Dates. The cache holds Dates. */
function toDate(value: Date | string | undefined): Date | undefined {
  if (value === undefined || value instanceof Date) return value;
  return new Date(value);
}

function trimMeta(meta: V1ObjectMeta | undefined, annotations: boolean): V1ObjectMeta {
  const m = meta ?? {};
  return defined<V1ObjectMeta>({
    name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, generation: m.generation,
    creationTimestamp: toDate(m.creationTimestamp), deletionTimestamp: toDate(m.deletionTimestamp), labels: m.labels,
    annotations: annotations ? heraldAnnotations(m.annotations) : undefined,
  });
}

function trimSpec(spec: V1ServiceSpec | undefined): V1ServiceSpec | undefined {
  if (!spec) return undefined;
  const ports = spec.ports?.map((p): V1ServicePort => defined({ port: p.port, protocol: p.protocol }));
  return defined<V1ServiceSpec>({
    type: spec.type, loadBalancerClass: spec.loadBalancerClass, loadBalancerIP: spec.loadBalancerIP,
    ipFamilies: spec.ipFamilies, ipFamilyPolicy: spec.ipFamilyPolicy, ports,
    externalTrafficPolicy: spec.externalTrafficPolicy, selector: spec.selector,
  });
}

/** The Service as the controller caches it: see the file comment for what is kept. */
export function trimService(obj: KubernetesObject): V1Service {
  const svc = obj as V1Service;
  const loadBalancer: V1LoadBalancerStatus | undefined = svc.status?.loadBalancer;
  return defined<V1Service>({
    metadata: trimMeta(svc.metadata, true),
    spec: trimSpec(svc.spec),
    status: loadBalancer ? { loadBalancer } : undefined,
  });
}

/** A Namespace as the controller caches it: its name and labels (for serviceAllocation's namespaceSelectors). */
export function trimNamespace(obj: KubernetesObject): V1Namespace {
  return { metadata: trimMeta(obj.metadata, false) };
}
