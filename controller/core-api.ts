// The seam between the controller's pure core (allocator + reconcile decisions) and its Kubernetes
// driver. The driver owns informers, writes and timers; it feeds the core plain objects and writes back
// exactly what the core returns. Nothing here may do I/O (STYLE.md §3-4).
import type { V1LoadBalancerIngress, V1Namespace, V1Service } from '@kubernetes/client-node';
import type { Condition, IPAddressPool, IPAddressPoolStatus, L2AdvertisementStatus } from '../crds/v1beta1/index.js';
import type { BGPObjectKind } from '../lib/config/index.js';

import type { ServiceKey } from '../lib/service-key.js';

export { serviceKey, type ServiceKey } from '../lib/service-key.js';
export type PoolName = string;

export type ReconcileResult = 'ok' | 'retry' | 'reprocessAll';

/**
 * The most characters (keys and values together) of a Service's labels, and of its spec.selector, the core reads.
 * Kubernetes bounds each label but not how many a Service has: an object may be 1.5 MiB. Typical Services carry a few
 * hundred characters of labels.
 */
export const LABELS_MAX_CHARS = 4096;

/**
 * A Service as the driver caches it (controller/driver/trim.ts). When its owner wrote more labels or selector than
 * LABELS_MAX_CHARS, the cache keeps none of them and says so in `tooLarge`, and the core refuses the Service's request
 * (it cannot tell which pools admit it) as it would with all of them. Any V1Service is one.
 */
export type CachedService = V1Service & { tooLarge?: string };

export type ServiceEventReason =
  | 'IPAllocated'      // a Service got its IP(s)
  | 'IPChanged'        // its IP(s) moved, e.g. its pool shrank or was deleted
  | 'IPReleased'       // it no longer holds an IP (deleted, no longer LoadBalancer, other class)
  | 'AllocationFailed' // nothing could be given, or (ending "; keeping …") the pool or addresses asked for are not there; names every pool tried
  | 'InvalidRequest';  // a bad annotation or spec.loadBalancerIP; the message quotes the value

export interface CoreEvent<Reason extends string> {
  type: 'Normal' | 'Warning';
  reason: Reason;
  message: string;
}
export type ServiceEvent = CoreEvent<ServiceEventReason>;
export type PoolEvent = CoreEvent<'PoolInvalid' | 'PoolReady'>;
export type AdvertisementEvent = CoreEvent<'AdvertisementInvalid' | 'AdvertisementReady'>;
/** On a BGPPeer, BGPAdvertisement, BFDProfile or Community: `<kind>Invalid` and `<kind>Ready` (PeerInvalid, ...). */
export type BGPEvent = CoreEvent<
  'PeerInvalid' | 'PeerReady' | 'AdvertisementInvalid' | 'AdvertisementReady' | 'BFDProfileInvalid' | 'BFDProfileReady'
  | 'CommunityInvalid' | 'CommunityReady'>;

/**
 * The type of Herald's entry in a Service's `status.conditions` (metav1.Condition, merged by type, so other
 * controllers' conditions stay). True: the Service has its IP(s), with a reason saying whether a problem with its
 * request is being ridden out; False: it has none, and the message says why.
 */
export const ADDRESS_CONDITION = 'herald.dev/AddressAssigned';

export type AddressConditionReason =
  | 'Assigned'         // True: the IP(s) asked for, or the lowest free
  | 'RequestNotMet'    // True: the pool or addresses asked for are not there; the Service keeps what it holds
  | 'InvalidRequest'   // True while an address is kept, else False: a bad annotation or spec.loadBalancerIP
  | 'AllocationFailed'; // False: nothing could be given (pool full, no pool fits, addresses taken)

/** Herald's condition on a Service, without the transition time (the driver keeps it across unchanged writes). */
export interface AddressCondition {
  status: 'True' | 'False';
  reason: AddressConditionReason;
  message: string;
}

/** What a decision did, for the info line `kubectl logs` shows (one per decision, never one per retry). */
export type DecisionAction = 'allocated' | 'moved' | 'released' | 'kept' | 'pending';

export interface Decision {
  action: DecisionAction;
  /** The Service's IPs after the decision (none when released or pending). */
  ips: string[];
  /** What it held before, when that changed (moved, released). */
  previous?: string[];
  pool?: string;
  /** Why, in the words of the event or condition (for kept, released and pending). */
  why?: string;
}

/** What the driver must make true for one Service. */
export interface ServiceOutcome {
  /** The desired `status.loadBalancer.ingress`; an empty list means "clear it". */
  ingress: V1LoadBalancerIngress[];
  /** Desired value of the `herald.dev/ip-allocated-from-pool` annotation; null removes it. */
  poolAnnotation: string | null;
  /** Whether Herald manages this Service at all (false: other class, not LoadBalancer, deleted). When false
   *  and Herald never touched it, the driver writes nothing. */
  managed: boolean;
  events: ServiceEvent[];
  /** Herald's status condition for the Service; null removes it (not Herald's Service, or deleted). */
  condition: AddressCondition | null;
  /** The decision to log, when it is news; undefined when nothing changed (a retry, a re-check). */
  decision?: Decision;
  /** 'retry': try again later (e.g. no free IP yet); 'reprocessAll': something freed, reconcile pending Services. */
  result: ReconcileResult;
}

export interface PoolOutcome {
  name: PoolName;
  status: IPAddressPoolStatus;
  /** Events to record on the pool (only on a change of validity, never on every pass). */
  events: PoolEvent[];
  /** The Ready condition to log, when it changed (or is first known); undefined on an unchanged pass. */
  readiness?: { ready: boolean; reason: string; message: string };
}

/** An L2Advertisement's name (they all live in Herald's namespace). */
export type AdvertisementName = string;

/**
 * The reason of an L2Advertisement's Ready condition: True `Valid`; False for what is wrong, the first problem's
 * reason when there are several (the message names each).
 */
export type AdvertisementReadyReason =
  | 'Valid'
  | 'InvalidSelector'   // a selector that does not compile (lib/config/advertisements.ts)
  | 'NoPoolSelected'    // its ipAddressPools and ipAddressPoolSelectors select no existing pool
  | 'UnknownInterface'; // it names an interface no speaker's presence Lease lists (lib/presence.ts)

export interface AdvertisementOutcome {
  name: AdvertisementName;
  status: L2AdvertisementStatus;
  /** AdvertisementInvalid when it turns not Ready (or a new problem while not), AdvertisementReady on recovery. */
  events: AdvertisementEvent[];
  /** The Ready condition to log, when it changed (or is first known); undefined on an unchanged pass. */
  readiness?: { ready: boolean; reason: string; message: string };
}

/**
 * What the controller writes of a BGP object's status: its conditions, Ready (the controller's) replaced in place and
 * any other type carried over as the object has it. Never a BGPPeer's `nodes`, which the speakers write.
 */
export interface BGPObjectStatus {
  /** Always set in an outcome; optional so that every BGP kind's own status is one. */
  conditions?: Condition[];
}

export interface BGPOutcome {
  kind: BGPObjectKind;
  name: string;
  status: BGPObjectStatus;
  /** `<kind>Invalid` when it turns not Ready (or a new problem while not), `<kind>Ready` on recovery. */
  events: BGPEvent[];
  /** The Ready condition to log, when it changed (or is first known); undefined on an unchanged pass. */
  readiness?: { ready: boolean; reason: string; message: string };
}

export interface PoolsUpdate {
  /** Reconcile these, in this order: Services waiting for an IP (as pending() orders them), then those whose IPs
   *  now lie in another pool or in none, and those keeping IPs while asking for a pool or addresses that were not
   *  there (they may be now). */
  servicesToReprocess: ServiceKey[];
}

export interface ControllerCoreOptions {
  /** Only Services with this spec.loadBalancerClass are handled; undefined = only Services without a class. */
  loadBalancerClass?: string;
}

/** The pure controller core. One instance per leader term; rebuilt from the cluster on every start. */
export interface ControllerCore {
  setNamespaces(namespaces: V1Namespace[]): void;
  /** Replace the full set of pools (invalid ones are kept out of use and reported in poolStatuses). */
  setPools(pools: IPAddressPool[], nowMs: number): PoolsUpdate;
  /** Rebuild allocations from the Services' current statuses. Must be called with every Service before the
   *  first reconcile, so a restart never moves an IP. Returns Services whose recorded IP cannot be kept
   *  (outside every pool, or a conflict), to be reconciled. */
  restore(services: V1Service[]): ServiceKey[];
  /** Decide one Service; `service` undefined means it was deleted. */
  reconcile(key: ServiceKey, service: V1Service | undefined): ServiceOutcome;
  /** Services that want an IP and have none (served again after a release or a pool change): those requesting
   *  specific addresses first, so nobody is given one of those before them, then by key. */
  pending(): ServiceKey[];
  /** Every pool's status (counts per family, Ready condition), for the driver to write when it differs. */
  poolStatuses(nowMs: number): PoolOutcome[];
}
