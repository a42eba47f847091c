// client-node objects → the views the announcement function reads (views.ts). Pure, so the driver's caches and
// the tests build views the same way. What a Service's owner writes is bounded as the controller bounds it
// (lib/annotations.ts): the pool annotation's value, and the labels as a whole.
import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import type { IPAddressPool } from '../../../crds/v1beta1/index.js';
import { boundedValue, IP_ALLOCATED_FROM_POOL, readAnnotation } from '../../../lib/annotations.js';
import type { EndpointSliceView, EndpointView, NodeView, PoolView, ServiceView } from './views.js';

/**
 * Characters of a Service's labels (keys and values) the view keeps; the controller's own bound (LABELS_MAX_CHARS).
 * Kubernetes bounds each label but not how many there are. A Service over it gets no IP from the controller, whose
 * request is refused for the same reason; the view then keeps no labels, so only serviceSelectors that match a
 * Service without labels select it.
 */
export const SERVICE_LABELS_MAX_CHARS = 4096;
/** Ingress IPs kept per Service: Herald writes at most two (one per family); more come only from another writer. */
export const INGRESS_MAX_IPS = 16;
/** The label the EndpointSlice controller puts on every slice it manages, naming its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

function labelChars(labels: Record<string, string>): number {
  let chars = 0;
  for (const [key, value] of Object.entries(labels)) chars += key.length + value.length;
  return chars;
}

export function serviceView(svc: V1Service): ServiceView {
  const labels = svc.metadata?.labels ?? EMPTY;
  const pool = readAnnotation(svc.metadata?.annotations, IP_ALLOCATED_FROM_POOL);
  const ingressIPs = (svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip === undefined ? [] : [boundedValue(i.ip)]));
  return {
    namespace: svc.metadata?.namespace ?? '',
    name: svc.metadata?.name ?? '',
    uid: svc.metadata?.uid ?? '',
    type: svc.spec?.type,
    loadBalancerClass: svc.spec?.loadBalancerClass,
    externalTrafficPolicy: svc.spec?.externalTrafficPolicy,
    labels: labelChars(labels) > SERVICE_LABELS_MAX_CHARS ? EMPTY : labels,
    ingressIPs: ingressIPs.slice(0, INGRESS_MAX_IPS),
    pool: pool === undefined ? undefined : boundedValue(pool),
    deleting: svc.metadata?.deletionTimestamp !== undefined && svc.metadata.deletionTimestamp !== null,
  };
}

/**
 * Serving as kube-proxy reads it: the `serving` condition, else `ready` (older writers set only that), else
 * serving (the API's documented meaning of an unknown condition).
 */
export function endpointServing(conditions: { serving?: boolean; ready?: boolean } | undefined): boolean {
  return conditions?.serving ?? conditions?.ready ?? true;
}

/** A slice of up to 1 000 endpoints, kept as its distinct (node, serving) pairs: all the function asks of it. */
export function endpointSliceView(slice: V1EndpointSlice): EndpointSliceView {
  const seen = new Map<string, EndpointView>();
  for (const endpoint of slice.endpoints ?? []) {
    const view: EndpointView = { nodeName: endpoint.nodeName, serving: endpointServing(endpoint.conditions) };
    seen.set(`${view.nodeName ?? ''}\u0000${view.serving}`, view);
  }
  return {
    namespace: slice.metadata?.namespace ?? '',
    name: slice.metadata?.name ?? '',
    serviceName: slice.metadata?.labels?.[SERVICE_NAME_LABEL],
    endpoints: [...seen.values()],
  };
}

export function nodeView(node: V1Node): NodeView {
  return {
    name: node.metadata?.name ?? '',
    labels: node.metadata?.labels ?? EMPTY,
    networkUnavailable: (node.status?.conditions ?? []).some((c) => c.type === 'NetworkUnavailable' && c.status === 'True'),
  };
}

export function poolView(pool: IPAddressPool): PoolView {
  return { name: pool.metadata.name ?? '', labels: pool.metadata.labels ?? EMPTY, addresses: pool.spec.addresses ?? [] };
}
