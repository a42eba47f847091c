// V1Service → what the allocator is asked, or why Herald leaves the Service alone, or why its request is bad.
import type { V1Service } from '@kubernetes/client-node';
import type { CachedService, ServiceKey } from '../core-api.js';
import { ALLOW_SHARED_IP, ADDRESS_POOL, LOADBALANCER_IPS, readAnnotation, tooLong, VALUE_MAX_CHARS } from '../../lib/annotations.js';
import { clip, type Labels } from '../../lib/config/index.js';
import { AddressParseError, familyFromName, familyName, parseAddress, type Address, type Family } from '../../lib/ip/index.js';
import type { AllocationRequest, FamilyPolicy, SharingTerms } from '../allocator/index.js';
import { unmanagedWhy, type UnmanagedWhy } from '../../lib/service-class.js';

export type ServiceDecision =
  | { kind: 'unmanaged'; why: UnmanagedWhy }
  | { kind: 'invalid'; message: string }
  | { kind: 'request'; request: AllocationRequest };

export { serviceKey } from '../core-api.js';

/** Whether Herald handles this Service at all, and if not, why: one rule with the speaker's (lib/service-class.ts). */
export { unmanagedWhy, type UnmanagedWhy };

/** MetalLB's sharing inputs: the key, the ports, and the pod selector when externalTrafficPolicy is Local. */
export function sharingTerms(service: V1Service): SharingTerms {
  const spec = service.spec;
  const ports = (spec?.ports ?? []).map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' }));
  const local = spec?.externalTrafficPolicy === 'Local';
  const backendKey = local
    ? Object.entries(spec.selector ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join(',')
    : '';
  return { key: readAnnotation(service.metadata?.annotations, ALLOW_SHARED_IP), ports, backendKey };
}

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** How much of a refused long value a message quotes. */
export const QUOTED_CHARS = 40;

/**
 * Why the Service's request is refused for its length, or undefined: a text its owner writes and Herald reads
 * (lib/annotations.ts VALUE_MAX_CHARS) is refused whole, and only its head is quoted.
 */
export function overlongText(service: V1Service): string | undefined {
  const annotations = service.metadata?.annotations;
  const texts: [string, string | undefined][] = [
    ['the loadBalancerIPs annotation', readAnnotation(annotations, LOADBALANCER_IPS)],
    ['spec.loadBalancerIP', service.spec?.loadBalancerIP],
    ['the address-pool annotation', readAnnotation(annotations, ADDRESS_POOL)],
    ['the allow-shared-ip annotation', readAnnotation(annotations, ALLOW_SHARED_IP)],
  ];
  const [what, value] = texts.find(([, v]) => v !== undefined && tooLong(v)) ?? [];
  // Sliced before clip, which splits what it is given into characters: the head is all it needs.
  const head = clip((value ?? '').slice(0, 2 * QUOTED_CHARS), QUOTED_CHARS);
  return what === undefined ? undefined : `${what} is longer than ${VALUE_MAX_CHARS} characters ("${head}")`;
}

/** Requested IPs: the loadBalancerIPs annotation (comma-separated, one per family) or spec.loadBalancerIP. */
export function requestedIPs(service: V1Service): Parsed<Address[]> {
  const raw = readAnnotation(service.metadata?.annotations, LOADBALANCER_IPS);
  // A blank annotation counts as unset.
  const annotation = raw !== undefined && raw.trim() !== '' ? raw : undefined;
  const specIP = service.spec?.loadBalancerIP;
  if (annotation !== undefined && specIP) {
    return { ok: false, message: `both the loadBalancerIPs annotation "${annotation}" and spec.loadBalancerIP "${specIP}" are set; use one` };
  }
  const source = annotation !== undefined ? `loadBalancerIPs annotation "${annotation}"` : `spec.loadBalancerIP "${specIP ?? ''}"`;
  const texts = (annotation ?? specIP ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '');
  const addresses: Address[] = [];
  for (const text of texts) {
    try {
      addresses.push(parseAddress(text));
    } catch (err) {
      if (err instanceof AddressParseError) return { ok: false, message: `${source}: ${err.message}` };
      throw err;
    }
  }
  if (addresses.length > 2 || new Set(addresses.map((a) => a.family)).size !== addresses.length) {
    return { ok: false, message: `${source}: at most one IP per family` };
  }
  return { ok: true, value: addresses };
}

function familiesOf(service: V1Service, requested: readonly Address[]): Parsed<Family[]> {
  const names = service.spec?.ipFamilies ?? [];
  const families: Family[] = [];
  for (const name of names) {
    const family = familyFromName(name);
    if (family === undefined) return { ok: false, message: `spec.ipFamilies has an unknown family "${name}"` };
    if (!families.includes(family)) families.push(family);
  }
  // The API server always defaults ipFamilies; fall back on the requested IPs, then IPv4, for hand-made objects.
  if (families.length === 0) families.push(...(requested.length > 0 ? requested.map((a) => a.family) : [4 as Family]));
  return { ok: true, value: families };
}

function policyOf(service: V1Service): Parsed<FamilyPolicy> {
  const policy = service.spec?.ipFamilyPolicy ?? 'SingleStack';
  if (policy === 'SingleStack' || policy === 'PreferDualStack' || policy === 'RequireDualStack') return { ok: true, value: policy };
  return { ok: false, message: `spec.ipFamilyPolicy "${policy}" is unknown` };
}

function checkRequestedFamilies(requested: readonly Address[], families: readonly Family[], policy: FamilyPolicy): string | undefined {
  const stray = requested.find((a) => !families.includes(a.family));
  if (stray) return `requested ${familyName(stray.family)} address but spec.ipFamilies is ${families.map(familyName).join(',')}`;
  if (requested.length === 0) return undefined;
  if (policy === 'SingleStack' && requested.length > 1) return 'two IPs requested for a SingleStack Service';
  if (policy === 'RequireDualStack' && requested.length < 2) return 'RequireDualStack needs one requested IP per family';
  return undefined;
}

export function decideService(
  key: ServiceKey, service: CachedService | undefined, loadBalancerClass: string | undefined, namespaceLabels: Labels,
): ServiceDecision {
  const why = unmanagedWhy(service, loadBalancerClass);
  if (why || !service) return { kind: 'unmanaged', why: why ?? 'deleted' };
  if (service.tooLarge !== undefined) return { kind: 'invalid', message: `the Service is too large for Herald: ${service.tooLarge}` };
  const overlong = overlongText(service);
  if (overlong) return { kind: 'invalid', message: overlong };
  const requested = requestedIPs(service);
  if (!requested.ok) return { kind: 'invalid', message: requested.message };
  const families = familiesOf(service, requested.value);
  if (!families.ok) return { kind: 'invalid', message: families.message };
  const policy = policyOf(service);
  if (!policy.ok) return { kind: 'invalid', message: policy.message };
  const familyProblem = checkRequestedFamilies(requested.value, families.value, policy.value);
  if (familyProblem) return { kind: 'invalid', message: familyProblem };
  const pool = readAnnotation(service.metadata?.annotations, ADDRESS_POOL);
  return {
    kind: 'request',
    request: {
      key,
      namespace: service.metadata?.namespace ?? '',
      labels: service.metadata?.labels ?? {},
      namespaceLabels,
      families: families.value,
      policy: policy.value,
      requestedIPs: requested.value,
      pool: pool === undefined || pool.trim() === '' ? undefined : pool.trim(),
      sharing: sharingTerms(service),
    },
  };
}
