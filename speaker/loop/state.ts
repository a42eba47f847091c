// The speaker loop's state and the pure step that folds one event into it (STYLE.md §5). Sources,
// membership and the interface watcher only enqueue these events; the loop applies them one at a time.
import type { LinkInfo } from '../layer2/decide/interfaces.js';
import { planAnnouncements, type Plan } from '../layer2/decide/plan.js';
import { carrierRegained, type ReannounceCause } from '../layer2/decide/reannounce.js';
import type { DesiredAnnouncements } from '../source/types.js';
import { planCacheFor, type PlanCache } from './plan-cache.js';

export type SpeakerEvent =
  | { kind: 'desired'; desired: DesiredAnnouncements }
  | { kind: 'membership'; alive: readonly string[]; quorum: boolean }
  | { kind: 'links'; links: readonly LinkInfo[] }
  /** The loop's retry timer fired: nothing changed, but announcements that failed are tried again. */
  | { kind: 'retry' }
  /** Nothing to change, but clients may point elsewhere: held IPs get their gratuitous burst again. */
  | { kind: 'reannounce'; cause: ReannounceCause };

export interface SpeakerState {
  /** Null until the source delivered its first configuration: nothing is announced before that. */
  desired: DesiredAnnouncements | null;
  alive: ReadonlySet<string>;
  quorum: boolean;
  links: readonly LinkInfo[];
}

/**
 * The state before any event. Quorum starts false: a speaker that just started has heard nobody yet,
 * and must not claim IPs that a running peer announces (membership reports quorum once it knows).
 */
export function initialState(): SpeakerState {
  return { desired: null, alive: new Set(), quorum: false, links: [] };
}

export function applyEvent(state: SpeakerState, event: SpeakerEvent): SpeakerState {
  switch (event.kind) {
    case 'desired':
      return { ...state, desired: event.desired };
    case 'membership':
      return { ...state, alive: new Set(event.alive), quorum: event.quorum };
    case 'links':
      return { ...state, links: event.links };
    case 'retry':
    case 'reannounce':
      return state;
  }
}

/** Why `event`, arriving in `state`, calls for a fresh burst of IPs already held (decide/reannounce.ts). */
export function reannounceCauses(state: SpeakerState, event: SpeakerEvent): ReannounceCause[] {
  if (event.kind === 'reannounce') return [event.cause];
  if (event.kind !== 'links') return [];
  return carrierRegained(state.links, event.links).map((ifname) => ({ kind: 'carrierRegained', ifname }));
}

/**
 * Who owns what, and what this node announces, in `state`. `cache` (plan-cache.ts) carries the work that
 * depends only on the configuration and the links; without one it is worked out here.
 */
export function planFor(state: SpeakerState, self: string, defaultInterfaces?: readonly string[], cache?: PlanCache): Plan {
  if (state.desired === null) return { ips: [], announcements: [] };
  const { orders, interfaces } = cache?.desired === state.desired && cache.links === state.links
    ? cache
    : planCacheFor(null, state.desired, state.links, defaultInterfaces);
  // This node is alive by definition while it runs, whatever membership has heard so far.
  const isAlive = (n: string): boolean => n === self || state.alive.has(n);
  const owners = new Map<string, string | null>();
  // The first alive node in the IP's order: what electOwner computes, without hashing again.
  for (const [ip, order] of orders) owners.set(ip, order.find(isAlive) ?? null);
  return planAnnouncements({ self, desired: state.desired, quorum: state.quorum, links: state.links, interfaces, owners });
}
