// What a plan needs that changes only with the configuration or the links: every IP's election order
// and the interfaces it would go on. Worked out once per change of either and reused by every pass, so
// a membership change (the failover path) costs a walk over ready orders: no hashing, no address
// parsing, and next to no garbage for the collector to grow the heap over.
import { rankIps, type RankedIp } from '../election/index.js';
import { interfaceChooser, type LinkInfo } from '../layer2/decide/interfaces.js';
import type { DesiredAnnouncements } from '../source/types.js';

export interface PlanCache {
  desired: DesiredAnnouncements;
  links: readonly LinkInfo[];
  /** Each IP's candidates in preference order (rankNodes), keyed by IP. */
  orders: ReadonlyMap<string, readonly string[]>;
  /** Each IP's interfaces (chooseInterfaces), keyed by IP. */
  interfaces: ReadonlyMap<string, readonly string[]>;
}

/** Ranked once per configuration object, shared by the loop and the heartbeat targets (Speaker). */
const rankedByDesired = new WeakMap<DesiredAnnouncements, RankedIp[]>();

export function rankedFor(desired: DesiredAnnouncements): RankedIp[] {
  let ranked = rankedByDesired.get(desired);
  if (ranked === undefined) {
    const weights = new Map(desired.nodes.map((n) => [n.name, n.weight]));
    ranked = rankIps(desired.ips.map((s) => ({ ip: s.ip, nodes: s.nodes.map((name) => ({ name, weight: weights.get(name) ?? 0 })) })));
    rankedByDesired.set(desired, ranked);
  }
  return ranked;
}

/** `previous` when neither the configuration nor the links changed (by identity), else a fresh cache. */
export function planCacheFor(
  previous: PlanCache | null,
  desired: DesiredAnnouncements,
  links: readonly LinkInfo[],
  defaultInterfaces?: readonly string[],
): PlanCache {
  if (previous !== null && previous.desired === desired && previous.links === links) return previous;
  const orders = previous !== null && previous.desired === desired
    ? previous.orders
    : new Map(rankedFor(desired).map((r) => [r.ip, r.order]));
  const choose = interfaceChooser(links);
  const interfaces = new Map(desired.ips.map((s) => [s.ip, choose(s.ip, s.interfaces ?? defaultInterfaces)]));
  return { desired, links, orders, interfaces };
}
