// Which peers need to hear a speaker fast. Failure detection only has to be quick where a death moves an
// IP: when the owner of an IP dies, the next alive node in that IP's order must notice within the
// failover budget; every other node can learn it from the slow beats. So a speaker sends fast beats to
// the next `successors` alive nodes after itself in the order of each IP it currently owns, and slow
// beats to everyone else (see membership/core/defaults.ts for the two intervals and the cost figures).
//
// Why more than one successor (default 2): the first successor may itself have died a moment ago
// without the owner knowing yet (it beats the owner slowly); the second one then still hears the owner
// die fast. A double failure closer together than the slow dead time can still take a slow timeout.
import { rankNodes, type IpCandidates } from './rank.js';

/** Default number of successors per owned IP that get fast beats. */
export const DEFAULT_FAST_SUCCESSORS = 2;

/** The alive nodes after `self` in `order`, up to `count`; empty when self is not the first alive one. */
function successorsIfOwner(self: string, order: readonly string[], alive: ReadonlySet<string>, count: number): string[] {
  const aliveOrder = order.filter((n) => n === self || alive.has(n));
  if (aliveOrder[0] !== self) return [];
  return aliveOrder.slice(1, 1 + count);
}

/**
 * The peers `self` sends fast heartbeats to, given the IPs and their candidates and the alive set as
 * `self` sees it. `self` counts as alive even when absent from `alive`. Never contains `self`.
 */
export function heartbeatTargets(
  self: string,
  ips: readonly IpCandidates[],
  alive: ReadonlySet<string>,
  successors: number = DEFAULT_FAST_SUCCESSORS,
): Set<string> {
  if (!Number.isInteger(successors) || successors < 0) {
    throw new Error(`heartbeatTargets: successors must be a non-negative integer, got ${successors}`);
  }
  const targets = new Set<string>();
  for (const { ip, nodes } of ips) {
    if (!nodes.some((n) => n.name === self)) continue;
    for (const s of successorsIfOwner(self, rankNodes(ip, nodes), alive, successors)) targets.add(s);
  }
  return targets;
}
