// Who announces each IP. Rendezvous (highest-random-weight) hashing with a preference weight in front:
// for each IP, nodes are ordered by weight (higher first), then by nodeIpHash(node, ip) (lower first),
// then by name (a final tie-break so the order is total even on a hash collision). The first *alive*
// node in that order announces. Because each (node, IP) pair is scored on its own, removing a node
// moves only the IPs it owned, and a node coming back takes back exactly the IPs it ranks first for
// among the alive nodes; no other IP moves. Pure: every speaker computes the same answer.
import { nodeIpHash } from './hash.js';

/** A node that may announce an IP, with its preference (default 0; higher is preferred). */
export interface Candidate {
  name: string;
  weight?: number;
}

/** One IP and the nodes eligible to announce it (already filtered by selectors, readiness, ...). */
export interface IpCandidates {
  ip: string;
  nodes: readonly Candidate[];
}

interface Scored {
  name: string;
  weight: number;
  hash: number;
}

function score(ip: string, c: Candidate): Scored {
  return { name: c.name, weight: c.weight ?? 0, hash: nodeIpHash(c.name, ip) };
}

/** Negative when `a` is preferred over `b`. Total order: weight desc, hash asc, name asc. */
function compare(a: Scored, b: Scored): number {
  if (a.weight !== b.weight) return b.weight - a.weight;
  if (a.hash !== b.hash) return a.hash - b.hash;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The candidates listed twice keep their highest weight, so a duplicated entry in a config cannot make
 * two speakers disagree about the order.
 */
function dedupe(nodes: readonly Candidate[]): Candidate[] {
  const best = new Map<string, Candidate>();
  for (const n of nodes) {
    const seen = best.get(n.name);
    if (seen === undefined || (n.weight ?? 0) > (seen.weight ?? 0)) best.set(n.name, n);
  }
  return [...best.values()];
}

/** The full preference order of `nodes` for `ip`, most preferred first, alive or not. */
export function rankNodes(ip: string, nodes: readonly Candidate[]): string[] {
  return dedupe(nodes).map((c) => score(ip, c)).sort(compare).map((s) => s.name);
}

/**
 * The owner in an IP's preference `order` (rankNodes): the first alive node that is not settling (a speaker
 * that has just joined, membership/core/state.ts settlingOf), or, when every alive one is settling (a mesh
 * that starts together), the first alive one. Every speaker computes it from the same sets, so all agree.
 */
export function ownerInOrder(order: readonly string[], alive: ReadonlySet<string>, settling: ReadonlySet<string> = NONE): string | undefined {
  let firstAlive: string | undefined;
  for (const n of order) {
    if (!alive.has(n)) continue;
    if (!settling.has(n)) return n;
    firstAlive ??= n;
  }
  return firstAlive;
}

const NONE: ReadonlySet<string> = new Set();

/** The most preferred alive candidate for `ip`, or undefined when none is alive. One pass, no sort. */
export function electOwner(ip: string, nodes: readonly Candidate[], alive: ReadonlySet<string>): string | undefined {
  let best: Scored | undefined;
  for (const c of nodes) {
    if (!alive.has(c.name)) continue;
    const s = score(ip, c);
    if (best === undefined || compare(s, best) < 0) best = s;
  }
  return best?.name;
}

/** Owner of every IP (undefined: no eligible node is alive). Keys are the IPs, in input order. */
export function electOwners(ips: readonly IpCandidates[], alive: ReadonlySet<string>): Map<string, string | undefined> {
  const owners = new Map<string, string | undefined>();
  for (const { ip, nodes } of ips) owners.set(ip, electOwner(ip, nodes, alive));
  return owners;
}
