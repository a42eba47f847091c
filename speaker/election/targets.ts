// Which peers need to hear a speaker fast. Failure detection only has to be quick where a death moves an
// IP: when the owner of an IP dies, the next alive node in that IP's order must notice within the
// failover budget; every other node can learn it from the slow beats. So a speaker sends fast beats to
// the next `successors` alive nodes after itself in the order of each IP it currently owns, and slow
// beats to everyone else (see membership/core/defaults.ts for the two intervals and the cost figures).
//
// Why more than one successor (default 2): the first successor may itself have died a moment ago
// without the owner knowing yet (it beats the owner slowly); the second one then still hears the owner
// die fast. A double failure closer together than the slow dead time can still take a slow timeout.
import { ownerInOrder, rankNodes, type IpCandidates } from './rank.js';

/** Default number of successors per owned IP that get fast beats. */
export const DEFAULT_FAST_SUCCESSORS = 2;

/** An IP with its candidates already in preference order (rankNodes), to rank once and reuse. */
export interface RankedIp {
  ip: string;
  order: readonly string[];
}

/** Ranks every IP once; the speaker keeps the result until the IPs or their candidates change. */
export function rankIps(ips: readonly IpCandidates[]): RankedIp[] {
  return ips.map(({ ip, nodes }) => ({ ip, order: rankNodes(ip, nodes) }));
}

/**
 * The nodes that would own the IP after `self` (in `order`), up to `count`: the alive ones that are not
 * settling first, as the election takes them (rank.ts ownerInOrder), then settling ones. Empty when self is
 * not the owner. `alive` must contain self.
 */
function successorsIfOwner(self: string, order: readonly string[], alive: ReadonlySet<string>, settling: ReadonlySet<string>, count: number): string[] {
  if (ownerInOrder(order, alive, settling) !== self) return [];
  const others = order.filter((n) => n !== self && alive.has(n));
  return [...others.filter((n) => !settling.has(n)), ...others.filter((n) => settling.has(n))].slice(0, count);
}

function checkCount(successors: number): void {
  if (!Number.isInteger(successors) || successors < 0) {
    throw new Error(`heartbeatTargets: successors must be a non-negative integer, got ${successors}`);
  }
}

/** heartbeatTargets over IPs ranked once by rankIps: what a speaker calls on every alive change. */
export function heartbeatTargetsRanked(
  self: string,
  ranked: readonly RankedIp[],
  alive: ReadonlySet<string>,
  successors: number = DEFAULT_FAST_SUCCESSORS,
  settling: ReadonlySet<string> = new Set(),
): Set<string> {
  checkCount(successors);
  const targets = new Set<string>();
  const withSelf = alive.has(self) ? alive : new Set([...alive, self]);
  for (const { order } of ranked) {
    for (const s of successorsIfOwner(self, order, withSelf, settling, successors)) targets.add(s);
  }
  return targets;
}

/**
 * The peers `self` sends fast heartbeats to, given the IPs and their candidates and the alive set as
 * `self` sees it. `self` counts as alive even when absent from `alive`. Never contains `self`.
 * Ranks every IP on each call; a speaker that calls it often should rankIps once and use heartbeatTargetsRanked.
 */
export function heartbeatTargets(
  self: string,
  ips: readonly IpCandidates[],
  alive: ReadonlySet<string>,
  successors: number = DEFAULT_FAST_SUCCESSORS,
): Set<string> {
  return heartbeatTargetsRanked(self, rankIps(ips), alive, successors);
}
