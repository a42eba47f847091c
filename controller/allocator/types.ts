// What the allocator is asked and what it answers. Requests are plain values built by
// controller/reconcile from a V1Service; the allocator never sees Kubernetes objects.
import type { ServiceKey } from '../core-api.js';
import type { Labels } from '../../lib/config/index.js';
import type { Address, Family } from '../../lib/ip/index.js';

export type FamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';

export interface ServicePort {
  port: number;
  protocol: string;
}

/** What decides whether two Services may share an address (MetalLB's rules). */
export interface SharingTerms {
  /** The allow-shared-ip annotation; undefined: this Service shares with nobody. */
  key: string | undefined;
  ports: readonly ServicePort[];
  /** The pod selector when externalTrafficPolicy is Local, else ''. Sharers must have equal backend keys. */
  backendKey: string;
}

export interface AllocationRequest {
  key: ServiceKey;
  namespace: string;
  labels: Labels;
  namespaceLabels: Labels;
  /** spec.ipFamilies in order, never empty. */
  families: readonly Family[];
  policy: FamilyPolicy;
  /** loadBalancerIPs annotation or spec.loadBalancerIP: at most one per family. */
  requestedIPs: readonly Address[];
  /** The address-pool annotation. */
  pool: string | undefined;
  sharing: SharingTerms;
}

export interface Allocation {
  pool: string;
  /** IPv4 before IPv6. */
  addresses: readonly Address[];
}

/** Why a request cannot be met, and the pools tried for it. */
export interface Unmet {
  message: string;
  triedPools: readonly string[];
}

export type AllocateResult =
  /** `unmet`: the request names a pool or addresses that are not there; the Service keeps `allocation`, what it held. */
  | { ok: true; allocation: Allocation; unmet?: Unmet }
  | { ok: false; message: string; triedPools: readonly string[] };

export type ClaimResult = { ok: true; allocation: Allocation } | { ok: false; message: string };
