// The speaker loop's state and the pure steps over it (STYLE.md §5): fold one event into the state, and
// from the state, one plan per mode plus what membership must know. Sources, membership, the interface
// watcher and timers only enqueue these events; the loop applies them one at a time, in arrival order.
import { heartbeatTargetsRanked } from '../election/index.js';
import type { LinkInfo } from '../layer2/decide/interfaces.js';
import { carrierRegained, type ReannounceCause } from '../layer2/decide/reannounce.js';
import type { DesiredAnnouncements, NodeSpec } from '../source/types.js';
import { planModes, type ModeParts } from './modes.js';
import { planCacheFor, type PlanCache } from './plan-cache.js';

export type SpeakerEvent =
  | { kind: 'desired'; desired: DesiredAnnouncements }
  /** `settling`: membership/core/state.ts settlingOf; none when absent. */
  | { kind: 'membership'; alive: readonly string[]; quorum: boolean; settling?: readonly string[] }
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
  /** The alive speakers that may not be elected owner yet (membership/core/state.ts settlingOf). */
  settling: ReadonlySet<string>;
  links: readonly LinkInfo[];
  /** Election orders and interface choices for `desired` and `links` (plan-cache.ts); null without `desired`. */
  cache: PlanCache | null;
}

/** What does not change while the speaker runs. */
export interface SpeakerSettings {
  self: string;
  /** --interfaces: where IPs without their own list are announced. */
  defaultInterfaces?: readonly string[];
}

/**
 * The state before any event. Quorum starts false: a speaker that just started has heard nobody yet,
 * and must not claim IPs that a running peer announces (membership reports quorum once it knows).
 */
export function initialState(): SpeakerState {
  return { desired: null, alive: new Set(), quorum: false, settling: new Set(), links: [], cache: null };
}

export function applyEvent(state: SpeakerState, event: SpeakerEvent, settings: SpeakerSettings): SpeakerState {
  switch (event.kind) {
    case 'desired':
      return withCache({ ...state, desired: event.desired }, settings);
    case 'membership':
      return { ...state, alive: new Set(event.alive), quorum: event.quorum, settling: new Set(event.settling ?? []) };
    case 'links':
      return withCache({ ...state, links: event.links }, settings);
    case 'retry':
    case 'reannounce':
      return state;
  }
}

function withCache(state: SpeakerState, settings: SpeakerSettings): SpeakerState {
  if (state.desired === null) return state;
  return { ...state, cache: planCacheFor(state.cache, state.desired, state.links, settings.defaultInterfaces) };
}

/** Why `event`, arriving in `state`, calls for a fresh burst of IPs already held (decide/reannounce.ts). */
export function reannounceCauses(state: SpeakerState, event: SpeakerEvent): ReannounceCause[] {
  if (event.kind === 'reannounce') return [event.cause];
  if (event.kind !== 'links') return [];
  return carrierRegained(state.links, event.links).map((ifname) => ({ kind: 'carrierRegained', ifname }));
}

/** What membership must know, from the loop: who the speakers are, and which of them must hear this node fast. */
export interface MembershipPlan {
  peers: readonly NodeSpec[];
  /** Peers that get fast heartbeats (election/targets.ts): the next candidates of every IP this node owns. */
  fastTargets: ReadonlySet<string>;
}

/** The same speakers at the same addresses, in the same order. */
export function samePeers(a: readonly NodeSpec[], b: readonly NodeSpec[]): boolean {
  return a === b || (a.length === b.length && a.every((n, i) => n.name === b[i]?.name && n.address === b[i]?.address));
}

export interface SpeakerPlan {
  /** Each mode's part, for that mode's driver. */
  modes: ModeParts;
  /** Null until the source delivered its first configuration. */
  membership: MembershipPlan | null;
}

/** Who owns what, what each mode announces, and what membership needs, in `state`. */
export function planFor(state: SpeakerState, settings: SpeakerSettings): SpeakerPlan {
  const { self } = settings;
  const { desired, cache } = state;
  if (desired === null || cache === null) return { modes: planModes(null), membership: null };
  // This node is alive by definition while it runs, whatever membership has heard so far.
  const alive = state.alive.has(self) ? state.alive : new Set([...state.alive, self]);
  const { settling } = state;
  const modes = planModes({ self, desired, quorum: state.quorum, links: state.links, alive, settling, cache });
  return { modes, membership: { peers: desired.nodes, fastTargets: heartbeatTargetsRanked(self, cache.ranked, alive, undefined, settling) } };
}
