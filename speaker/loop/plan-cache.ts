// What a plan needs that changes only with the configuration or the links: every IP's election order
// and the interfaces it would go on. Worked out once per change of either (the loop's state holds it) and
// reused by every pass, so a membership change (the failover path) costs a walk over ready orders: no
// hashing, no address parsing, and next to no garbage for the collector to grow the heap over.
import { rankIps, type RankedIp } from '../election/index.js';
import { interfaceChooser, type LinkInfo } from '../layer2/decide/interfaces.js';
import type { DesiredAnnouncements } from '../source/types.js';

export interface PlanCache {
  desired: DesiredAnnouncements;
  links: readonly LinkInfo[];
  /** Every layer 2 IP's candidates in preference order: the election, and the heartbeat targets. */
  ranked: readonly RankedIp[];
  /** The same orders keyed by IP. */
  orders: ReadonlyMap<string, readonly string[]>;
  /** Each IP's interfaces (chooseInterfaces), keyed by IP. */
  interfaces: ReadonlyMap<string, readonly string[]>;
}

/** Every layer 2 IP of `desired` with its eligible nodes ranked (election/rank.ts). */
export function rankDesired(desired: DesiredAnnouncements): RankedIp[] {
  return rankIps(desired.ips.filter((s) => s.modes.includes('layer2')).map((s) => ({ ip: s.ip, nodes: s.nodes })));
}

/** `previous` when neither the configuration nor the links changed (by identity), else a fresh cache. */
export function planCacheFor(
  previous: PlanCache | null,
  desired: DesiredAnnouncements,
  links: readonly LinkInfo[],
  defaultInterfaces?: readonly string[],
): PlanCache {
  if (previous !== null && previous.desired === desired && previous.links === links) return previous;
  const sameDesired = previous !== null && previous.desired === desired;
  const ranked = sameDesired ? previous.ranked : rankDesired(desired);
  const orders = sameDesired ? previous.orders : new Map(ranked.map((r) => [r.ip, r.order]));
  const choose = interfaceChooser(links);
  const interfaces = new Map(desired.ips.map((s) => [s.ip, choose(s.ip, s.interfaces ?? defaultInterfaces)]));
  return { desired, links, ranked, orders, interfaces };
}
