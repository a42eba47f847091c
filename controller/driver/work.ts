// The keys of the controller's work queue, and what the driver does with one that failed: which object it was for,
// how long it waits before the next try, and what the log says (the server's own reason, message and causes, not
// only a status code).
import type { PoolName, ServiceKey } from '../core-api.js';
import { IPADDRESSPOOL_KIND, L2ADVERTISEMENT_KIND } from '../../crds/v1beta1/index.js';
import type { BGPObjectKind } from '../../lib/config/index.js';
import { HEARTBEAT_SECRET_NAME } from '../../lib/heartbeat-secret.js';
import { describeFailure, uidMismatch, type ApiFailure } from '../../lib/kube/status.js';
import type { RetryOptions } from './queue.js';

/** A Service to reconcile (decide, then write). */
export type ServiceWork = `svc:${ServiceKey}`;
/** A pool whose status to write. */
export type PoolWork = `pool:${PoolName}`;
/** An L2Advertisement whose status to write. */
export type AdvertisementWork = `l2adv:${string}`;
/** A BGPPeer, BGPAdvertisement, BFDProfile or Community whose status to write: `bgp:BGPPeer/tor`. */
export type BGPWork = `bgp:${BGPObjectKind}/${string}`;
/** A pool outside Herald's namespace to report (a WrongNamespace event). */
export type StrayWork = `stray:${string}/${string}`;
/** The speakers' heartbeat key Secret, to create if it is missing (heartbeat-secret.ts). */
export type HeartbeatSecretWork = 'heartbeatSecret';
/**
 * Every key but Service, pool, advertisement, BGP object and Secret ones is the loop's own: a new term, a changed
 * pool or namespace set, a pool status pass, an advertisement status pass (after a change of advertisements, pools
 * or what the speakers' Leases say), a BGP status pass (after a change of a BGP object, a pool or a Secret), a
 * stray pool.
 */
export type WorkKey = ServiceWork | PoolWork | AdvertisementWork | BGPWork | StrayWork | HeartbeatSecretWork
  | 'term' | 'pools' | 'namespaces' | 'poolStatus' | 'advertisementStatus' | 'bgpStatus';

export const isServiceWork = (key: WorkKey): key is ServiceWork => key.startsWith('svc:');
export const isPoolWork = (key: WorkKey): key is PoolWork => key.startsWith('pool:');
export const isAdvertisementWork = (key: WorkKey): key is AdvertisementWork => key.startsWith('l2adv:');
export const isBGPWork = (key: WorkKey): key is BGPWork => key.startsWith('bgp:');
export const isStrayWork = (key: WorkKey): key is StrayWork => key.startsWith('stray:');

export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
}

/** The kind and name a BGP key writes to. */
export function bgpObjectOf(key: BGPWork): { kind: BGPObjectKind; name: string } {
  const ref = key.slice('bgp:'.length);
  const slash = ref.indexOf('/');
  return { kind: ref.slice(0, slash) as BGPObjectKind, name: ref.slice(slash + 1) };
}

/** The object a key writes to; undefined for the loop's own keys. `herald` is the pools' namespace. */
export function objectOf(key: WorkKey, herald: string): ObjectRef | undefined {
  if (isServiceWork(key)) {
    const [namespace = '', name = ''] = key.slice('svc:'.length).split('/');
    return { kind: 'Service', namespace, name };
  }
  if (isPoolWork(key)) return { kind: IPADDRESSPOOL_KIND, namespace: herald, name: key.slice('pool:'.length) };
  if (isAdvertisementWork(key)) return { kind: L2ADVERTISEMENT_KIND, namespace: herald, name: key.slice('l2adv:'.length) };
  if (isBGPWork(key)) return { ...bgpObjectOf(key), namespace: herald };
  if (key === 'heartbeatSecret') return { kind: 'Secret', namespace: herald, name: HEARTBEAT_SECRET_NAME };
  return undefined;
}

/**
 * A write that met a newer version of its object than the one it was decided for (409 Conflict), or a re-created
 * object (its uid precondition failed): the driver reads the object again and decides once more, soon.
 */
export function isStale(failure: ApiFailure): boolean {
  return failure.code === 409 || uidMismatch(failure);
}

/**
 * How much longer than the plain backoff (100 ms, 200 ms, ...) a request the server refused outright waits: a 4xx
 * (but a stale write) fails again for what it says until something changes, so 1 s, 2 s, 4 s, ... up to the cap.
 */
export const REFUSED_BACKOFF_SCALE = 10;

/** How the backoff of a failed key is stretched: by the server's Retry-After, or for a refusal; else not at all. */
export function retryOptions(failure: ApiFailure): RetryOptions {
  if (failure.retryAfterSeconds !== undefined) return { minDelayMs: failure.retryAfterSeconds * 1_000 };
  const { code } = failure;
  if (code === undefined || code < 400 || code >= 500 || isStale(failure)) return {};
  return { scale: REFUSED_BACKOFF_SCALE };
}

/**
 * The fields of the log line for a failed key: the object (`Kind namespace/name`, as the event recorder names it),
 * the one-line reason, and the server's Status in parts.
 */
export function failureLogFields(key: WorkKey, herald: string, failure: ApiFailure, retryInMs: number): Record<string, unknown> {
  const object = objectOf(key, herald);
  return {
    ...(object ? { object: `${object.kind} ${object.namespace}/${object.name}` } : { key }),
    err: describeFailure(failure),
    code: failure.code, reason: failure.reason, causes: failure.causes.length > 0 ? failure.causes : undefined,
    retryInMs,
  };
}
