// The controller's only writes: a Service's status.loadBalancer.ingress, its herald.dev/AddressAssigned condition and
// its ip-allocated-from-pool annotation (one strategic merge patch through /status, so the conditions of others are
// merged by type, not replaced), and a pool's, an L2Advertisement's or a BGP object's status (a JSON merge patch through
// /status; for a BGP object only its conditions, so a BGPPeer's `nodes`, the speakers', is never touched). Each patch is computed
// from the difference, so nothing is written when nothing differs. They go out as plain JSON (lib/kube/request.ts) and
// each answer is trimmed at once: a generated client call would go through fetch and build a full model object of
// every answer, thousands of times a minute, only to throw most of it away.
//
// One request per Service, not two: a Service's status strategy in kube-apiserver resets only the spec on a /status
// write and keeps the metadata sent, so the annotation rides along with the ingress. Requests are what the API
// server spends its time on while Services are created in bulk (the allocation bench): a new Service now costs it
// two (this write and the IPAllocated event), not three. The patch carries the Service's metadata.uid as a precondition: a Service deleted and
// re-created under the same name since we read it has another uid, and the server refuses the write
// (422 naming metadata.uid) instead of landing our decision for the old one on the new one.
import { HttpMethod, type KubeConfig, type KubernetesObject, type V1Condition, type V1LoadBalancerIngress, type V1Service } from '@kubernetes/client-node';
import { IP_ALLOCATED_FROM_POOL } from '../../lib/annotations.js';
import { apiJson, apiText, mergePatchRequest, strategicMergePatchRequest } from '../../lib/kube/request.js';
import {
  GROUP, IPADDRESSPOOL_PLURAL, L2ADVERTISEMENT_PLURAL, VERSION, type IPAddressPool, type IPAddressPoolStatus, type L2Advertisement,
  type L2AdvertisementStatus,
} from '../../crds/v1beta1/index.js';
import type { BGPObjectKind } from '../../lib/config/index.js';
import { BGP_PLURALS } from './informers.js';
import type { BGPObject } from './trim.js';
import type { StatusObject } from './status-book.js';
import { ADDRESS_CONDITION, type AddressCondition, type BGPObjectStatus, type ServiceOutcome } from '../core-api.js';
import { kubeTime } from '../reconcile/index.js';
import { trimService } from './trim.js';

export const POOL_ANNOTATION = `herald.dev/${IP_ALLOCATED_FROM_POOL}`;

/** What makes two ingress lists the same for us: the IPs and hostnames, in order (servers may add ipMode). */
function ingressShape(list: readonly V1LoadBalancerIngress[] | undefined): string {
  return JSON.stringify((list ?? []).map((i) => [i.ip ?? '', i.hostname ?? '']));
}

export interface ServiceWrites {
  status: boolean;
  annotation: boolean;
  condition: boolean;
}

/** Herald's condition as written, or a directive removing it (a strategic merge patch merges conditions by type). */
export type ConditionPatch = V1Condition | { type: typeof ADDRESS_CONDITION; $patch: 'delete' };

/** A strategic merge patch of a Service's /status: the uid it was decided for, and what changes. */
export interface ServicePatch {
  metadata: { uid?: string; annotations?: Record<string, string | null> };
  status?: { loadBalancer?: { ingress: V1LoadBalancerIngress[] | null }; conditions?: ConditionPatch[] };
}

/** Herald's condition on the Service as the cluster has it. */
export function addressCondition(service: V1Service): V1Condition | undefined {
  return service.status?.conditions?.find((c) => c.type === ADDRESS_CONDITION);
}

function sameCondition(written: V1Condition | undefined, wanted: AddressCondition | null): boolean {
  if (!written || !wanted) return written === undefined && wanted === null;
  return written.status === wanted.status && written.reason === wanted.reason && written.message === wanted.message;
}

/** Which writes `outcome` needs against the Service as the cluster has it. */
export function serviceWritesNeeded(current: V1Service, outcome: ServiceOutcome): ServiceWrites {
  const annotation = current.metadata?.annotations?.[POOL_ANNOTATION] ?? null;
  const touchedByUs = annotation !== null || addressCondition(current) !== undefined;
  // A Service Herald does not manage and never wrote to belongs to someone else (another class's
  // controller writes its status): leave it alone entirely.
  if (!outcome.managed && !touchedByUs) return { status: false, annotation: false, condition: false };
  return {
    status: ingressShape(current.status?.loadBalancer?.ingress) !== ingressShape(outcome.ingress),
    annotation: annotation !== outcome.poolAnnotation,
    condition: !sameCondition(addressCondition(current), outcome.condition),
  };
}

/** The condition to write: its transition time moves only when its status does (metav1.Condition's rule). */
function conditionPatch(written: V1Condition | undefined, wanted: AddressCondition | null, nowMs: number): ConditionPatch {
  if (!wanted) return { type: ADDRESS_CONDITION, $patch: 'delete' };
  const since = written?.status === wanted.status ? written.lastTransitionTime : undefined;
  const lastTransitionTime = since === undefined ? kubeTime(nowMs) : typeof since === 'string' ? since : kubeTime(new Date(since).getTime());
  return { type: ADDRESS_CONDITION, ...wanted, lastTransitionTime } as unknown as V1Condition;
}

/** The one write `outcome` needs on `current` (the Service as we last saw it), or undefined when nothing differs. */
export function servicePatch(current: V1Service, outcome: ServiceOutcome, nowMs: number): ServicePatch | undefined {
  const needed = serviceWritesNeeded(current, outcome);
  if (!needed.status && !needed.annotation && !needed.condition) return undefined;
  const patch: ServicePatch = { metadata: { uid: current.metadata?.uid } };
  if (needed.annotation) patch.metadata.annotations = { [POOL_ANNOTATION]: outcome.poolAnnotation };
  if (!needed.status && !needed.condition) return patch;
  const status: NonNullable<ServicePatch['status']> = {};
  if (needed.status) status.loadBalancer = { ingress: outcome.ingress.length > 0 ? outcome.ingress : null };
  if (needed.condition) status.conditions = [conditionPatch(addressCondition(current), outcome.condition, nowMs)];
  return { ...patch, status };
}

/**
 * Whether the server kept the annotation `patch` wrote through /status (kube-apiserver does for Services). A
 * server that dropped it would leave the Service without one for good and nobody would know; it is an error instead.
 */
export function annotationKept(answer: V1Service, patch: ServicePatch): boolean {
  const wanted = patch.metadata.annotations?.[POOL_ANNOTATION];
  return wanted === undefined || (answer.metadata?.annotations?.[POOL_ANNOTATION] ?? null) === wanted;
}

/** Pool statuses compared as JSON with sorted keys, so field order from the server does not matter. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
  });
}

/** A merge patch turning `current` into `desired` at the top level: fields to drop become null. */
export function statusMergePatch<Status extends object>(current: Status | undefined, desired: Status): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...(desired as Record<string, unknown>) };
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

  /** Sends `patch` (servicePatch) to the Service's /status. Returns the Service as written. */
  async writeService(svc: V1Service, patch: ServicePatch): Promise<V1Service> {
    const { name = '', namespace = '' } = svc.metadata ?? {};
    const answer = await apiJson<KubernetesObject>(this.kubeConfig, strategicMergePatchRequest(`${servicePath(namespace, name)}/status`, patch));
    const written = trimService(answer, svc);
    if (!annotationKept(written, patch)) {
      throw new Error(`Service ${namespace}/${name}: the server did not keep the ${POOL_ANNOTATION} annotation written through services/status`);
    }
    return written;
  }

  async writePoolStatus(pool: IPAddressPool, status: IPAddressPoolStatus): Promise<void> {
    await this.writeStatus(IPADDRESSPOOL_PLURAL, pool, status);
  }

  async writeAdvertisementStatus(advertisement: L2Advertisement, status: L2AdvertisementStatus): Promise<void> {
    await this.writeStatus(L2ADVERTISEMENT_PLURAL, advertisement, status);
  }

  /**
   * A BGP object's conditions. The cache holds only the conditions of its status (trimBGPObject), so the patch
   * names no other field: a BGPPeer's `nodes` stays as its speakers wrote it.
   */
  async writeBGPStatus(kind: BGPObjectKind, object: BGPObject, status: BGPObjectStatus): Promise<void> {
    await this.writeStatus(BGP_PLURALS[kind], object, status);
  }

  /**
   * The status of one of Herald's objects in its namespace, the only place it writes one. The answer (the object as
   * patched) is not read: the watch brings it.
   */
  private async writeStatus<Status extends object>(plural: string, object: StatusObject<Status>, status: Status): Promise<void> {
    const name = encodeURIComponent(object.metadata.name ?? '');
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(this.herald)}/${plural}/${name}/status`;
    await apiText(this.kubeConfig, mergePatchRequest(path, { status: statusMergePatch(object.status, status) }));
  }
}
