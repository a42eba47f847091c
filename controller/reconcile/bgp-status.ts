// The Ready condition of every BGPPeer, BGPAdvertisement, BFDProfile and Community as the controller writes it:
// lib/config decides each (bgpReadinessFromResources: the reason and the message naming the object and the value);
// this gives it its transition time, the events and the readiness to log, as advertisement-status.ts does for
// L2Advertisements. Pure: the driver (controller/driver/controller.ts) feeds it the caches and writes back the
// statuses that differ.
//
// Only the Ready condition is Herald's: a condition of another type is carried over as the object has it, and a
// BGPPeer's `nodes` (each speaker's session) is never part of what the controller writes.
import type { Condition } from '../../crds/v1beta1/index.js';
import { bgpReadinessFromResources, type BGPObjectKind, type BGPReadiness, type BGPResources } from '../../lib/config/index.js';
import type { BGPEvent, BGPOutcome } from '../core-api.js';
import { nextReadyCondition, readyEvent, rememberWrittenConditions, type ReadyMemory } from './status.js';

export const BGP_KINDS: readonly BGPObjectKind[] = ['BGPPeer', 'BGPAdvertisement', 'BFDProfile', 'Community'];

/** The Ready condition last reported per object, by kind. */
export type BGPReadyMemory = Map<BGPObjectKind, ReadyMemory>;

/** A BGP object as this reads it: its name, generation and conditions. Any of the four kinds is one. */
interface BGPObjectLike {
  metadata: { name?: string; generation?: number };
  status?: { conditions?: readonly Condition[] };
}

const EVENT_REASONS = {
  BGPPeer: { invalid: 'PeerInvalid', ready: 'PeerReady' },
  BGPAdvertisement: { invalid: 'AdvertisementInvalid', ready: 'AdvertisementReady' },
  BFDProfile: { invalid: 'BFDProfileInvalid', ready: 'BFDProfileReady' },
  Community: { invalid: 'CommunityInvalid', ready: 'CommunityReady' },
} as const satisfies Record<BGPObjectKind, { invalid: BGPEvent['reason']; ready: BGPEvent['reason'] }>;

function objectsOf(resources: BGPResources): Record<BGPObjectKind, readonly BGPObjectLike[]> {
  return { BGPPeer: resources.peers, BGPAdvertisement: resources.advertisements, BFDProfile: resources.bfdProfiles, Community: resources.communities };
}

/** The object's conditions with `ready` in place of its Ready condition (or added last); the others as they are. */
export function withReady(conditions: readonly Condition[] | undefined, ready: Condition): Condition[] {
  const list = conditions ?? [];
  return list.some((c) => c.type === 'Ready') ? list.map((c) => (c.type === 'Ready' ? ready : c)) : [...list, ready];
}

function outcome(kind: BGPObjectKind, object: BGPObjectLike, readiness: BGPReadiness, memory: ReadyMemory, nowMs: number): BGPOutcome {
  const name = object.metadata.name ?? '';
  const previous = memory.get(name);
  const fresh = { type: 'Ready', status: readiness.status, reason: readiness.reason, message: readiness.message, observedGeneration: object.metadata.generation };
  const { condition, changed } = nextReadyCondition(fresh, previous, nowMs);
  memory.set(name, condition);
  const events: BGPEvent[] = readyEvent(condition, previous, EVENT_REASONS[kind]);
  const status = { conditions: withReady(object.status?.conditions, condition) };
  if (!changed) return { kind, name, status, events };
  return { kind, name, status, events, readiness: { ready: condition.status === 'True', reason: condition.reason, message: condition.message } };
}

/**
 * Every BGP object's status, its events and (when it changed) the readiness to log. `memory` holds the conditions
 * last reported, seeded from the objects' own status (so a new leader neither re-fires events nor resets times);
 * it forgets objects that are gone.
 */
export function bgpOutcomes(resources: BGPResources, memory: BGPReadyMemory, nowMs: number): BGPOutcome[] {
  const readiness = new Map(bgpReadinessFromResources(resources).map((r) => [`${r.kind}/${r.name}`, r]));
  const objects = objectsOf(resources);
  return BGP_KINDS.flatMap((kind) => {
    const ofKind = memory.get(kind) ?? new Map<string, Condition>();
    memory.set(kind, ofKind);
    const names = new Set(objects[kind].map((o) => o.metadata.name ?? ''));
    for (const name of ofKind.keys()) if (!names.has(name)) ofKind.delete(name);
    rememberWrittenConditions(ofKind, objects[kind]);
    return objects[kind].flatMap((object) => {
      const decided = readiness.get(`${kind}/${object.metadata.name ?? ''}`);
      return decided ? [outcome(kind, object, decided, ofKind, nowMs)] : [];
    });
  });
}
