// Which Services Herald serves at all: the controller allocates only for them, and the speaker announces only
// their IPs. One rule for both binaries, so a Service of another loadBalancerClass is never half-handled.
import type { V1Service } from '@kubernetes/client-node';

export type UnmanagedWhy = 'deleted' | 'notLoadBalancer' | 'otherClass';

/** The facts the rule reads; the speaker's trimmed Service view has them under these names. */
export interface ServiceClassFacts {
  deleting: boolean;
  type: string | undefined;
  loadBalancerClass: string | undefined;
}

/**
 * Why Herald leaves a Service alone, or undefined when it serves it: a Service being deleted, not of type
 * LoadBalancer, or whose spec.loadBalancerClass is not exactly Herald's (undefined matches only undefined: with no
 * --load-balancer-class Herald serves the Services that name no class, as the Kubernetes docs ask).
 */
export function unmanagedWhyOf(facts: ServiceClassFacts | undefined, loadBalancerClass: string | undefined): UnmanagedWhy | undefined {
  if (!facts || facts.deleting) return 'deleted';
  if (facts.type !== 'LoadBalancer') return 'notLoadBalancer';
  if (facts.loadBalancerClass !== loadBalancerClass) return 'otherClass';
  return undefined;
}

/** unmanagedWhyOf for a client-node Service. */
export function unmanagedWhy(service: V1Service | undefined, loadBalancerClass: string | undefined): UnmanagedWhy | undefined {
  if (!service) return 'deleted';
  return unmanagedWhyOf({
    deleting: Boolean(service.metadata?.deletionTimestamp),
    type: service.spec?.type,
    loadBalancerClass: service.spec?.loadBalancerClass,
  }, loadBalancerClass);
}
