// Service annotations Herald reads and writes. Each has a herald.dev/ form and the two MetalLB forms,
// honoured so a cluster migrating from MetalLB needs no Service edits; when several are set, ours win.
export const ANNOTATION_PREFIXES = ['herald.dev/', 'metallb.io/', 'metallb.universe.tf/'] as const;

export const ADDRESS_POOL = 'address-pool';
export const LOADBALANCER_IPS = 'loadBalancerIPs';
export const ALLOW_SHARED_IP = 'allow-shared-ip';
/** Written by the controller: the pool each Service's IPs came from. */
export const IP_ALLOCATED_FROM_POOL = 'ip-allocated-from-pool';

/** Every annotation name Herald reads or writes; under each prefix, these are all a cache needs to keep. */
export const ANNOTATION_NAMES = [ADDRESS_POOL, LOADBALANCER_IPS, ALLOW_SHARED_IP, IP_ALLOCATED_FROM_POOL] as const;
/** The full keys of ANNOTATION_NAMES under every prefix (herald.dev/address-pool, metallb.io/address-pool, ...). */
export const ANNOTATION_KEYS: ReadonlySet<string> = new Set(ANNOTATION_PREFIXES.flatMap((p) => ANNOTATION_NAMES.map((n) => p + n)));

/**
 * The longest value Herald accepts in a text a Service's owner writes and Herald reads (its annotations,
 * spec.loadBalancerIP), in UTF-16 code units: two IPv6 addresses written out in full, a pool's name (at most 253)
 * and any sharing key in use fit. The API server lets one annotation hold up to 256 KiB (all of an object's
 * together) and does not check spec.loadBalancerIP at all; a longer value makes the Service's request invalid,
 * and no cache, message, log line or key ever holds it whole.
 */
export const VALUE_MAX_CHARS = 256;

export function tooLong(value: string): boolean {
  return value.length > VALUE_MAX_CHARS;
}

/**
 * What a cache keeps of a user's value: the value, or when tooLong its first VALUE_MAX_CHARS code units (never half
 * of a surrogate pair) and its length. What is kept of a long value is still tooLong, so a reader refuses it as it
 * would the whole.
 */
export function boundedValue(value: string): string {
  if (!tooLong(value)) return value;
  const last = value.charCodeAt(VALUE_MAX_CHARS - 1);
  const cut = last >= 0xd800 && last <= 0xdbff ? VALUE_MAX_CHARS - 1 : VALUE_MAX_CHARS; // a high surrogate: its pair is cut off
  // Copied by join, not sliced: V8 makes a slice of a long string point into it, so the kept head of a 256 KiB
  // value would keep all of it alive.
  return `${[...value.slice(0, cut)].join('')}… (${value.length} characters)`;
}

/** The value of an annotation under the first prefix that sets it (herald.dev/ first). */
export function readAnnotation(annotations: Record<string, string> | undefined, name: string): string | undefined {
  if (!annotations) return undefined;
  for (const prefix of ANNOTATION_PREFIXES) {
    const value = annotations[prefix + name];
    if (value !== undefined) return value;
  }
  return undefined;
}
