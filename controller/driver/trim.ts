// What the controller keeps of each Service and Namespace in its caches: the fields the core decides from and the
// writes compare against (Herald's own status condition, not others'), nothing else, and nothing a Service's owner
// writes unbounded (issue 12: 500 Services with 200 KiB annotations once filled the old generation): annotation values
// and spec.loadBalancerIP at most VALUE_MAX_CHARS each, labels and selector at most LABELS_MAX_CHARS each. A full Service from the watch is
// a few KiB of JSON (managedFields, clusterIPs, node ports, session affinity, ...); with 10 000 Services that is tens
// of MiB of cache and far more garbage. The objects built here are plain and small, and keep the
// V1Service/V1Namespace shapes so the core reads them as it reads full objects.
import type {
  KubernetesObject, V1Lease, V1LoadBalancerStatus, V1Namespace, V1ObjectMeta, V1Secret, V1Service, V1ServicePort, V1ServiceSpec, V1ServiceStatus,
} from '@kubernetes/client-node';
import type { BFDProfile, BGPAdvertisement, BGPPeer, Community, L2Advertisement } from '../../crds/v1beta1/index.js';
import { IFNAME_MAX_BYTES, INTERFACES_ANNOTATION, INTERFACES_MAX, INTERFACES_OMITTED_ANNOTATION } from '../../lib/presence.js';
import { ADDRESS_CONDITION, LABELS_MAX_CHARS, type CachedService } from '../core-api.js';
import { ANNOTATION_KEYS, boundedValue } from '../../lib/annotations.js';

/**
 * Only the annotations Herald reads or writes (lib/annotations.ts ANNOTATION_KEYS: four names under herald.dev/,
 * metallb.io/ and metallb.universe.tf/), each value bounded (boundedValue: a longer one is kept as its head and its
 * length, which the core refuses as it would the whole); undefined when none. The API server lets a Service's
 * annotations hold 256 KiB: kept whole, 500 such Services would fill the controller's old generation.
 */
export function heraldAnnotations(annotations: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!annotations) return undefined;
  let kept: Record<string, string> | undefined;
  for (const key of ANNOTATION_KEYS) {
    const value = annotations[key];
    if (value === undefined) continue;
    kept ??= {};
    kept[key] = boundedValue(value);
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

/** Whether two values from the API hold the same JSON (Dates by their time). Allocates nothing. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let count = 0;
  for (const key in x) {
    if (!Object.hasOwn(x, key)) continue;
    count++;
    if (!Object.hasOwn(y, key) || !sameJson(x[key], y[key])) return false;
  }
  for (const key in y) if (Object.hasOwn(y, key)) count--;
  return count === 0;
}

/**
 * `next`, or the previous version's value when it holds the same JSON. Every watch event and every write answer
 * is a whole new object; without this each version of a Service would bring its own copy of the spec, labels and
 * even the name (JSON.parse makes a new string each time), and the cache's old versions, long-lived enough to be
 * promoted, would fill the old generation with garbage.
 */
function reuse<T>(next: T, previous: T | undefined): T {
  return previous !== undefined && sameJson(next, previous) ? previous : next;
}

function trimMeta(meta: V1ObjectMeta | undefined, annotations: boolean, p: V1ObjectMeta = {}): V1ObjectMeta {
  const m = meta ?? {};
  return defined<V1ObjectMeta>({
    name: reuse(m.name, p.name), namespace: reuse(m.namespace, p.namespace), uid: reuse(m.uid, p.uid),
    resourceVersion: m.resourceVersion, generation: m.generation,
    creationTimestamp: reuse(toDate(m.creationTimestamp), p.creationTimestamp),
    deletionTimestamp: reuse(toDate(m.deletionTimestamp), p.deletionTimestamp),
    labels: reuse(m.labels, p.labels),
    annotations: annotations ? reuse(heraldAnnotations(m.annotations), p.annotations) : undefined,
  });
}

function trimSpec(spec: V1ServiceSpec | undefined, previous: V1ServiceSpec | undefined): V1ServiceSpec | undefined {
  if (!spec) return undefined;
  const ports = spec.ports?.map((p): V1ServicePort => defined({ port: p.port, protocol: p.protocol }));
  return reuse(defined<V1ServiceSpec>({
    // The API server does not check spec.loadBalancerIP: it is bounded like an annotation.
    type: spec.type, loadBalancerClass: spec.loadBalancerClass, loadBalancerIP: spec.loadBalancerIP === undefined ? undefined : boundedValue(spec.loadBalancerIP),
    ipFamilies: spec.ipFamilies, ipFamilyPolicy: spec.ipFamilyPolicy, ports,
    externalTrafficPolicy: spec.externalTrafficPolicy, selector: spec.selector,
  }), previous);
}

/** Characters of a label map's keys and values. */
function mapChars(map: Record<string, string> | undefined): number {
  let chars = 0;
  for (const key in map) if (Object.hasOwn(map, key)) chars += key.length + String(map[key]).length;
  return chars;
}

/** `map`'s size in words when it is over LABELS_MAX_CHARS (core-api.ts), else undefined. */
function oversized(what: string, map: Record<string, string> | undefined): string | undefined {
  const chars = mapChars(map);
  return chars > LABELS_MAX_CHARS ? `its ${what} hold ${chars} characters in ${Object.keys(map ?? {}).length} entries` : undefined;
}

/**
 * The Service as the controller caches it: see the file comment for what is kept. With `previous` (the version
 * the cache or the driver holds), the parts that did not change are shared with it. Labels or a selector over
 * LABELS_MAX_CHARS are not kept at all: `tooLarge` says so, and the core refuses the Service's request.
 */
export function trimService(obj: KubernetesObject, previous?: CachedService): CachedService {
  const svc = obj as V1Service;
  const loadBalancer: V1LoadBalancerStatus | undefined = reuse(svc.status?.loadBalancer, previous?.status?.loadBalancer);
  const ours = svc.status?.conditions?.filter((c) => c.type === ADDRESS_CONDITION);
  const conditions = ours && ours.length > 0 ? reuse(ours, previous?.status?.conditions) : undefined;
  const status = loadBalancer || conditions ? reuse(defined<V1ServiceStatus>({ loadBalancer, conditions }), previous?.status) : undefined;
  const labels = oversized('labels', svc.metadata?.labels);
  const selector = oversized('spec.selector', svc.spec?.selector);
  const metadata = labels ? { ...svc.metadata, labels: undefined } : svc.metadata;
  const spec = selector && svc.spec ? { ...svc.spec, selector: undefined } : svc.spec;
  const over = [labels, selector].filter((o) => o !== undefined);
  const tooLarge = over.length > 0 ? `${over.join(' and ')} (at most ${LABELS_MAX_CHARS} each)` : undefined;
  return defined<CachedService>({
    metadata: trimMeta(metadata, true, previous?.metadata),
    spec: trimSpec(spec, previous?.spec),
    status,
    tooLarge,
  });
}

/** A Namespace as the controller caches it: its name and labels (for serviceAllocation's namespaceSelectors). */
export function trimNamespace(obj: KubernetesObject, previous?: V1Namespace): V1Namespace {
  return { metadata: trimMeta(obj.metadata, false, previous?.metadata) };
}

/**
 * An L2Advertisement as the controller caches it: its identity, spec and status (its Ready condition is compared
 * before writing). The CRD bounds every field of it; they are few.
 */
export function trimAdvertisement(obj: KubernetesObject, previous?: L2Advertisement): L2Advertisement {
  const ad = obj as L2Advertisement;
  return defined<L2Advertisement>({
    apiVersion: ad.apiVersion, kind: ad.kind,
    metadata: trimMeta(ad.metadata, false, previous?.metadata),
    spec: reuse(ad.spec, previous?.spec), status: reuse(ad.status, previous?.status),
  });
}

/** A BGPPeer, BGPAdvertisement, BFDProfile or Community (the four kinds whose Ready condition the controller writes). */
export type BGPObject = BGPPeer | BGPAdvertisement | BFDProfile | Community;

/** What a BGPPeer's clear-text password becomes in the cache: only whether it is set matters (PasswordConflict). */
export const PASSWORD_KEPT = '(set)';

/**
 * A BGP object as the controller caches it: its identity and spec (a BGPPeer's password replaced by PASSWORD_KEPT:
 * the controller never holds a BGP key), and of its status only the conditions (compared before the Ready one is
 * written); a BGPPeer's `nodes`, the speakers' report, is not the controller's and is not kept. The CRDs bound
 * every field of the spec.
 */
export function trimBGPObject<T extends BGPObject>(obj: KubernetesObject, previous?: T): T {
  const o = obj as T;
  const peerSpec = o.kind === 'BGPPeer' ? (o as BGPPeer).spec : undefined;
  const spec = peerSpec?.password ? { ...peerSpec, password: PASSWORD_KEPT } : o.spec;
  const conditions = o.status?.conditions;
  return defined({
    apiVersion: o.apiVersion, kind: o.kind,
    metadata: trimMeta(o.metadata, false, previous?.metadata),
    spec: reuse(spec, previous?.spec),
    status: conditions ? reuse({ conditions }, previous?.status) : undefined,
  }) as T;
}

/**
 * A Secret in Herald's namespace as the controller caches it, for the BGPPeer passwordSecret check: its name, type
 * and the names of its keys (each with an empty value). Never a value: the controller holds no key.
 */
export function trimPasswordSecret(obj: KubernetesObject, previous?: V1Secret): V1Secret {
  const secret = obj as V1Secret;
  const keys = Object.keys(secret.data ?? {}).sort();
  const m = secret.metadata ?? {};
  return defined<V1Secret>({
    metadata: defined<V1ObjectMeta>({ name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion }),
    type: secret.type,
    data: reuse(Object.fromEntries(keys.map((k) => [k, ''])), previous?.data),
  });
}

/** The longest interface annotation kept: a valid one is far shorter; a longer one is kept cut, so it reads as incomplete. */
const INTERFACES_KEPT_CHARS = INTERFACES_MAX * (IFNAME_MAX_BYTES + 1) + 1;

/**
 * A speaker's presence Lease as the controller caches it: its name, its node (holderIdentity) and what it says about
 * the node's interfaces (lib/presence.ts), bounded; not its renewTime, which changes every renewal.
 */
export function trimPresenceLease(obj: KubernetesObject, previous?: V1Lease): V1Lease {
  const lease = obj as V1Lease;
  const annotations = lease.metadata?.annotations ?? {};
  const kept: Record<string, string> = {};
  for (const key of [INTERFACES_ANNOTATION, INTERFACES_OMITTED_ANNOTATION]) {
    const value = annotations[key];
    if (value !== undefined) kept[key] = value.slice(0, INTERFACES_KEPT_CHARS);
  }
  const m = lease.metadata ?? {};
  return {
    metadata: defined<V1ObjectMeta>({
      name: m.name, namespace: m.namespace, resourceVersion: m.resourceVersion,
      annotations: reuse(Object.keys(kept).length > 0 ? kept : undefined, previous?.metadata?.annotations),
    }),
    spec: defined({ holderIdentity: lease.spec?.holderIdentity?.slice(0, 253) }),
  };
}
