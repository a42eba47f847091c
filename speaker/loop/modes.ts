// The modes as peers: each has a pure planner from the same context to its own part, and a driver (a port
// of the loop) that makes its part true: layer 2 (layer2/driver.ts) and BGP (bgp/mode-driver.ts).
import { EMPTY_BGP_PLAN, planBgp, type BgpPlan } from '../bgp/plan.js';
import { ownerInOrder } from '../election/index.js';
import type { LinkInfo } from '../layer2/decide/interfaces.js';
import { planAnnouncements, type Plan } from '../layer2/decide/plan.js';
import type { DesiredAnnouncements, Mode } from '../source/types.js';
import type { PlanCache } from './plan-cache.js';

/** What every mode's planner is given. */
export interface PlanContext {
  self: string;
  desired: DesiredAnnouncements;
  quorum: boolean;
  links: readonly LinkInfo[];
  /** The speakers membership hears, this node always among them. */
  alive: ReadonlySet<string>;
  /** The alive speakers that may not be elected owner yet (membership/core/state.ts settlingOf). */
  settling: ReadonlySet<string>;
  cache: PlanCache;
}

/** Each mode's part of a plan. */
export interface ModeParts {
  layer2: Plan;
  bgp: BgpPlan;
}

type Planners = { [M in Mode]: (context: PlanContext) => ModeParts[M] };

const PLANNERS: Planners = {
  layer2: planLayer2,
  // Every eligible node announces (bgp/plan.ts): no election, no quorum.
  bgp: ({ self, desired, links }) => planBgp({ self, desired, links }),
};

/** Every mode's part; with no context (no configuration yet) every mode announces nothing. */
export function planModes(context: PlanContext | null): ModeParts {
  if (context === null) return { layer2: { ips: [], announcements: [] }, bgp: EMPTY_BGP_PLAN };
  return { layer2: PLANNERS.layer2(context), bgp: PLANNERS.bgp(context) };
}

/** Layer 2: the first alive node in each IP's election order owns it, settled ones first (election/rank.ts). */
function planLayer2(context: PlanContext): Plan {
  const { self, desired, quorum, links, alive, settling, cache } = context;
  const owners = new Map<string, string | null>();
  for (const [ip, order] of cache.orders) owners.set(ip, ownerInOrder(order, alive, settling) ?? null);
  const layer2 = desired.ips.some((s) => !s.modes.includes('layer2'))
    ? { ...desired, ips: desired.ips.filter((s) => s.modes.includes('layer2')) }
    : desired;
  return planAnnouncements({ self, desired: layer2, quorum, links, interfaces: cache.interfaces, owners });
}
