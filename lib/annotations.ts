// Service annotations Herald reads and writes. Each has a herald.dev/ form and the two MetalLB forms,
// honoured so a cluster migrating from MetalLB needs no Service edits; when several are set, ours win.
export const ANNOTATION_PREFIXES = ['herald.dev/', 'metallb.io/', 'metallb.universe.tf/'] as const;

export const ADDRESS_POOL = 'address-pool';
export const LOADBALANCER_IPS = 'loadBalancerIPs';
export const ALLOW_SHARED_IP = 'allow-shared-ip';
/** Written by the controller: the pool each Service's IPs came from. */
export const IP_ALLOCATED_FROM_POOL = 'ip-allocated-from-pool';

/** The value of an annotation under the first prefix that sets it (herald.dev/ first). */
export function readAnnotation(annotations: Record<string, string> | undefined, name: string): string | undefined {
  if (!annotations) return undefined;
  for (const prefix of ANNOTATION_PREFIXES) {
    const value = annotations[prefix + name];
    if (value !== undefined) return value;
  }
  return undefined;
}
