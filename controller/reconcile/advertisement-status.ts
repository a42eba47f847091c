// The Ready condition of every L2Advertisement: what is wrong with it, decided from the advertisements, the pools and
// what the speakers' presence Leases say about their nodes' interfaces. Pure: the driver (controller/driver/
// controller.ts) feeds it the caches and writes back the statuses that differ.
//
// Problems, in this order (the first one's reason is the condition's; the message names every one):
//   InvalidSelector   a selector does not compile (lib/config/advertisements.ts finds it; its message is reused);
//   NoPoolSelected    ipAddressPools and ipAddressPoolSelectors together select no existing pool, or it announces
//                     every pool and there is none;
//   UnknownInterface  `interfaces` names one that no speaker lists on its presence Lease. Judged only when there is
//                     evidence: at least one presence Lease, and every one of them listing all of its node's usable
//                     interfaces (a speaker older than the list, or one with too many to list, proves nothing).
import type { Condition, IPAddressPool, L2Advertisement, LabelSelector } from '../../crds/v1beta1/index.js';
import { advertisementFromResource, boundedMessage, clip, count, someOf, type L2AdvertisementModel } from '../../lib/config/index.js';
import type { ReportedInterfaces } from '../../lib/presence.js';
import type { AdvertisementEvent, AdvertisementOutcome, AdvertisementReadyReason } from '../core-api.js';
import { nextReadyCondition, readyEvent, type ReadyMemory } from './status.js';

/** What one speaker's presence Lease says about its node's interfaces; undefined: it says nothing. */
export interface SpeakerInterfaces {
  node: string;
  interfaces: ReportedInterfaces | undefined;
}

/** A pool as the check reads it: its name and labels. Any IPAddressPool is one. */
export type PoolLabels = Pick<IPAddressPool, 'metadata'>;

export interface AdvertisementInputs {
  advertisements: readonly L2Advertisement[];
  pools: readonly PoolLabels[];
  speakers: readonly SpeakerInterfaces[];
}

export type AdvertisementReadyProblem = { reason: Exclude<AdvertisementReadyReason, 'Valid'>; message: string };

/** A pool name or a selector quoted in a message. */
const NAME_SHOWN_CHARS = 64;
const SELECTOR_SHOWN_CHARS = 120;
const quoted = (names: readonly string[]): string[] => names.map((n) => `"${clip(n, NAME_SHOWN_CHARS)}"`);

/** The pools the advertisement selects, by name (sorted), and the names it gives that no pool has. */
function selectedPools(model: L2AdvertisementModel, pools: readonly PoolLabels[]): { selected: string[]; missing: string[] } {
  const everyPool = model.poolNames.length === 0 && model.poolSelectors.length === 0;
  const names = new Set(pools.map((p) => p.metadata.name ?? ''));
  const selected = pools.filter((p) => {
    const name = p.metadata.name ?? '';
    return everyPool || model.poolNames.includes(name) || model.poolSelectors.some((s) => s.ok && s.matches(p.metadata.labels ?? {}));
  }).map((p) => p.metadata.name ?? '').sort();
  return { selected, missing: model.poolNames.filter((n) => !names.has(n)) };
}

function noPoolProblem(ad: L2Advertisement, model: L2AdvertisementModel): AdvertisementReadyProblem {
  const name = clip(model.name, NAME_SHOWN_CHARS);
  if (model.poolNames.length === 0 && model.poolSelectors.length === 0) {
    return { reason: 'NoPoolSelected', message: `L2Advertisement "${name}" announces every IPAddressPool, but there is none` };
  }
  const parts: string[] = [];
  if (model.poolNames.length > 0) parts.push(`no pool is named ${someOf(quoted(model.poolNames))}`);
  const selectors = (ad.spec?.ipAddressPoolSelectors ?? []).map((s: LabelSelector, i) =>
    `ipAddressPoolSelectors[${i}] ${clip(JSON.stringify(s), SELECTOR_SHOWN_CHARS)}`);
  if (selectors.length > 0) parts.push(`no pool matches ${someOf(selectors)}`);
  return { reason: 'NoPoolSelected', message: `L2Advertisement "${name}" selects no IPAddressPool: ${parts.join('; ')}; it announces nothing` };
}

/** The interfaces every speaker lists, or why they cannot be checked. */
function knownInterfaces(speakers: readonly SpeakerInterfaces[]): Set<string> | string {
  if (speakers.length === 0) return 'no speaker has a presence Lease yet';
  const silent = speakers.filter((s) => s.interfaces === undefined || !s.interfaces.complete).map((s) => s.node).sort();
  if (silent.length > 0) return `the presence Lease of ${someOf(quoted(silent), undefined, 'node')} does not list all of its interfaces`;
  return new Set(speakers.flatMap((s) => s.interfaces?.names ?? []));
}

function interfaceProblem(model: L2AdvertisementModel, known: Set<string> | string): AdvertisementReadyProblem | undefined {
  if (typeof known === 'string') return undefined;
  const unknown = model.interfaces.filter((i) => !known.has(i));
  if (unknown.length === 0) return undefined;
  const [what, verb] = unknown.length === 1 ? ['interface', 'is'] : ['interfaces', 'are'];
  return {
    reason: 'UnknownInterface',
    message: `L2Advertisement "${clip(model.name, NAME_SHOWN_CHARS)}": ${what} ${someOf(quoted(unknown))} ${verb} usable on no node with a speaker `
      + '(no presence Lease lists it: a speaker lists the interfaces that are up, not enslaved to a bridge or bond, and answer ARP); '
      + 'no node announces on it',
  };
}

function validMessage(model: L2AdvertisementModel, pools: { selected: string[]; missing: string[] }, known: Set<string> | string): string {
  const every = model.poolNames.length === 0 && model.poolSelectors.length === 0 ? 'every pool: ' : '';
  let message = `announces ${every}${count(pools.selected.length, 'pool')} ${someOf(quoted(pools.selected))}`;
  if (pools.missing.length > 0) message += `; no pool is named ${someOf(quoted(pools.missing))}`;
  if (model.interfaces.length > 0) {
    message += `; on ${someOf(quoted(model.interfaces))}`;
    if (typeof known === 'string') message += ` (not checked: ${known})`;
  }
  return message;
}

/** Every problem of the advertisement, in the order above; `kubectl herald validate` reports these one by one. */
export function advertisementProblems(ad: L2Advertisement, pools: readonly PoolLabels[], speakers: readonly SpeakerInterfaces[]): AdvertisementReadyProblem[] {
  const { advertisement: model, problem: selectorProblem } = advertisementFromResource(ad);
  const problems: AdvertisementReadyProblem[] = [];
  if (selectorProblem) problems.push({ reason: 'InvalidSelector', message: selectorProblem.message });
  if (selectedPools(model, pools).selected.length === 0) problems.push(noPoolProblem(ad, model));
  const unknown = interfaceProblem(model, knownInterfaces(speakers));
  if (unknown) problems.push(unknown);
  return problems;
}

/** The advertisement's Ready condition (without its transition time), from what it selects and what nodes have. */
export function advertisementReady(
  ad: L2Advertisement, pools: readonly PoolLabels[], speakers: readonly SpeakerInterfaces[],
): Omit<Condition, 'lastTransitionTime'> & { reason: AdvertisementReadyReason } {
  const { advertisement: model } = advertisementFromResource(ad);
  const chosen = selectedPools(model, pools);
  const known = knownInterfaces(speakers);
  const problems = advertisementProblems(ad, pools, speakers);
  const base = { type: 'Ready', observedGeneration: ad.metadata.generation };
  const [first] = problems;
  if (first) {
    return { ...base, status: 'False', reason: first.reason, message: boundedMessage(problems.map((p) => p.message).join('; also ')) };
  }
  return { ...base, status: 'True', reason: 'Valid', message: boundedMessage(validMessage(model, chosen, known)) };
}

const EVENT_REASONS = { invalid: 'AdvertisementInvalid', ready: 'AdvertisementReady' } as const;

/**
 * Every advertisement's status, its events and (when it changed) the readiness to log. `memory` holds the conditions
 * last reported (seeded from the objects by rememberWrittenConditions), so an unchanged condition keeps its
 * lastTransitionTime and fires no event; it forgets advertisements that are gone.
 */
export function advertisementOutcomes(inputs: AdvertisementInputs, memory: ReadyMemory, nowMs: number): AdvertisementOutcome[] {
  const names = new Set(inputs.advertisements.map((ad) => ad.metadata.name ?? ''));
  for (const name of memory.keys()) if (!names.has(name)) memory.delete(name);
  return inputs.advertisements.map((ad) => {
    const name = ad.metadata.name ?? '';
    const previous = memory.get(name);
    const { condition, changed } = nextReadyCondition(advertisementReady(ad, inputs.pools, inputs.speakers), previous, nowMs);
    memory.set(name, condition);
    const events: AdvertisementEvent[] = readyEvent(condition, previous, EVENT_REASONS);
    const status = { conditions: [condition] };
    if (!changed) return { name, status, events };
    return { name, status, events, readiness: { ready: condition.status === 'True', reason: condition.reason, message: condition.message } };
  });
}
