// What a speaker's presence Lease says, shared by the speaker that writes it (speaker/source/kubernetes/) and the
// controller that reads it to tell an L2Advertisement naming an interface no node has (controller/reconcile/
// advertisement-status.ts). Pure: names and text in, names and text out.
//
// The interfaces go in one annotation, their names sorted and joined by ",": readable in `kubectl get lease -o yaml`,
// bounded (INTERFACES_MAX names of at most 15 bytes each), and parsed defensively, since anyone who may write
// Leases in herald-system could write anything there. A speaker with more usable interfaces than that, or with one
// whose name cannot be written (a "," in it), says how many it left out in a second annotation; a list that is not
// complete, or a Lease without the annotation (a speaker older than it), is never evidence that an interface is missing.

/** The label every presence Lease carries, so one watch finds them all and nothing else. */
export const PRESENCE_LABEL = 'herald.dev/presence';
export const PRESENCE_LABEL_VALUE = 'speaker';
/** The annotation that carries the node's heartbeat address. */
export const HEARTBEAT_ADDRESS_ANNOTATION = 'herald.dev/heartbeat-address';
/** The annotation listing the node's usable interfaces (up, not enslaved, ARP on, not container plumbing). */
export const INTERFACES_ANNOTATION = 'herald.dev/interfaces';
/** How many usable interfaces the list above leaves out; absent when it lists them all. */
export const INTERFACES_OMITTED_ANNOTATION = 'herald.dev/interfaces-omitted';

/** The most interface names one Lease lists: as many as one L2Advertisement may name. */
export const INTERFACES_MAX = 64;
/** Linux IFNAMSIZ (16) less the terminating NUL. */
export const IFNAME_MAX_BYTES = 15;

/** Names of links that pods, CNIs and kube-proxy create: never where a VIP should be announced unless listed. */
const CONTAINER_PREFIXES = ['veth', 'cali', 'cni', 'docker', 'flannel', 'kube-ipvs'];

/** Loopback or a link pods, CNIs or kube-proxy create, by its name. */
export function isContainerPlumbing(name: string): boolean {
  return name === 'lo' || CONTAINER_PREFIXES.some((p) => name.startsWith(p));
}

/**
 * A name Linux accepts (net/core/dev.c dev_valid_name: 1-15 bytes, not "." or "..", no "/", ":" or white space),
 * narrowed to printable ASCII as the L2Advertisement CRD narrows it, and without "," (the list's separator).
 */
export function isListableInterfaceName(name: string): boolean {
  return name.length >= 1 && name.length <= IFNAME_MAX_BYTES && /^[!-~]+$/.test(name)
    && !/[/:,]/.test(name) && name !== '.' && name !== '..';
}

/**
 * The two annotations for a node whose usable interfaces are `names`: the first INTERFACES_MAX listable ones,
 * sorted, and how many were left out (null: none, so a merge patch removes an earlier count).
 */
export function interfacesAnnotations(names: readonly string[]): Record<string, string | null> {
  const unique = [...new Set(names)];
  const listable = unique.filter(isListableInterfaceName).sort();
  const listed = listable.slice(0, INTERFACES_MAX);
  const omitted = unique.length - listed.length;
  return { [INTERFACES_ANNOTATION]: listed.join(','), [INTERFACES_OMITTED_ANNOTATION]: omitted > 0 ? String(omitted) : null };
}

/** What a Lease's annotations say about its node's interfaces. */
export interface ReportedInterfaces {
  /** The names listed (listable ones only, at most INTERFACES_MAX). */
  names: readonly string[];
  /** Whether they are every usable interface of the node: nothing left out, nothing unreadable. */
  complete: boolean;
}

/** The interfaces a presence Lease reports, or undefined when it reports none (a speaker without the annotation). */
export function reportedInterfaces(annotations: Readonly<Record<string, string>> | undefined): ReportedInterfaces | undefined {
  const text = annotations?.[INTERFACES_ANNOTATION];
  if (text === undefined) return undefined;
  // Bounded before splitting: a valid list is at most 64 names of 15 bytes and 63 commas.
  const limit = INTERFACES_MAX * (IFNAME_MAX_BYTES + 1);
  const entries = text.slice(0, limit).split(',').filter((n) => n !== '');
  const names = [...new Set(entries.filter(isListableInterfaceName))].slice(0, INTERFACES_MAX);
  const complete = text.length <= limit && names.length === entries.length && annotations?.[INTERFACES_OMITTED_ANNOTATION] === undefined;
  return { names, complete };
}
