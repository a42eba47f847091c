// advertisementsFromResources: L2Advertisement objects → the model the speaker's announcement function reads,
// plus every problem found. One bad advertisement never stops the others.
//
// A selector that does not compile (the CRD schema lets some through: In with no values, Exists with values)
// stays in its place, unusable, as in a pool's serviceAllocation (pools.ts): what it would have matched is
// unknown, so it matches nothing. It never widens to everything, which would announce an IP from nodes the user
// meant to keep out; the other selectors of the same list still match, and the problem says what is lost.
import type { L2Advertisement, LabelSelector } from '../../crds/v1beta1/index.js';
import { clip, count } from './messages.js';
import { compileSelector, type SelectorCompile } from './selector.js';

export interface PreferenceModel {
  weight: number;
  /** Unusable (ok: false) when it does not compile: it then adds its weight to no node. */
  preference: SelectorCompile;
}

export interface L2AdvertisementModel {
  name: string;
  /** spec.ipAddressPools. With poolSelectors both empty: every pool. */
  poolNames: readonly string[];
  poolSelectors: readonly SelectorCompile[];
  /** Empty: every node. */
  nodeSelectors: readonly SelectorCompile[];
  /** Empty: every Service. */
  serviceSelectors: readonly SelectorCompile[];
  /** Empty: the speaker chooses (the interface whose subnet holds the IP, else every eligible one). */
  interfaces: readonly string[];
  preferredNodeSelectors: readonly PreferenceModel[];
}

export type AdvertisementProblemReason = 'InvalidSelector';

export interface AdvertisementProblem {
  advertisement: string;
  reason: AdvertisementProblemReason;
  /** The first offending selector, as JSON (clipped); the message quotes it too. */
  value: string;
  message: string;
}

export interface AdvertisementConfig {
  /** Every advertisement, sorted by name, unusable selectors in place. */
  advertisements: L2AdvertisementModel[];
  problems: AdvertisementProblem[];
}

/** A selector quoted in a message: its JSON, clipped. */
const SELECTOR_SHOWN_CHARS = 120;

interface Compiled { unusable: { field: string; value: string; why: string }[] }

function compileOne(compiled: Compiled, field: string, selector: LabelSelector): SelectorCompile {
  const one = compileSelector(selector);
  if (!one.ok) compiled.unusable.push({ field, value: clip(JSON.stringify(selector), SELECTOR_SHOWN_CHARS), why: one.message });
  return one;
}

function compileField(compiled: Compiled, field: string, selectors: readonly LabelSelector[] | undefined): SelectorCompile[] {
  return (selectors ?? []).map((selector, i) => compileOne(compiled, `${field}[${i}]`, selector));
}

/** What an unusable selector in each field takes away, for the message. */
const EFFECT: Record<string, string> = {
  ipAddressPoolSelectors: 'selects no pool',
  nodeSelectors: 'admits no node',
  serviceSelectors: 'selects no Service',
  preferredNodeSelectors: 'adds its weight to no node',
};

function selectorProblem(name: string, unusable: Compiled['unusable']): AdvertisementProblem | undefined {
  const [first] = unusable;
  if (!first) return undefined;
  const field = first.field.replace(/\[.*$/, '');
  const more = unusable.length > 1 ? ` (and ${count(unusable.length - 1, 'more selector')} it cannot use)` : '';
  return {
    advertisement: name, reason: 'InvalidSelector', value: first.value,
    message: `L2Advertisement "${name}": ${first.field} ${first.value}: ${first.why}${more}; until it is fixed that selector `
      + `${EFFECT[field] ?? 'matches nothing'}, and the advertisement's other selectors work on`,
  };
}

/** One advertisement on its own, and its problem if a selector cannot be used. */
export function advertisementFromResource(ad: L2Advertisement): { advertisement: L2AdvertisementModel; problem?: AdvertisementProblem } {
  const name = ad.metadata.name ?? '';
  const spec = ad.spec ?? {};
  const compiled: Compiled = { unusable: [] };
  const advertisement: L2AdvertisementModel = {
    name,
    poolNames: [...new Set(spec.ipAddressPools ?? [])],
    poolSelectors: compileField(compiled, 'ipAddressPoolSelectors', spec.ipAddressPoolSelectors),
    nodeSelectors: compileField(compiled, 'nodeSelectors', spec.nodeSelectors),
    serviceSelectors: compileField(compiled, 'serviceSelectors', spec.serviceSelectors),
    interfaces: [...new Set(spec.interfaces ?? [])].sort(),
    preferredNodeSelectors: (spec.preferredNodeSelectors ?? []).map((p, i) => ({
      weight: p.weight,
      preference: compileOne(compiled, `preferredNodeSelectors[${i}].preference`, p.preference),
    })),
  };
  const problem = selectorProblem(name, compiled.unusable);
  return problem ? { advertisement, problem } : { advertisement };
}

export function advertisementsFromResources(ads: readonly L2Advertisement[]): AdvertisementConfig {
  const advertisements: L2AdvertisementModel[] = [];
  const problems: AdvertisementProblem[] = [];
  for (const ad of ads) {
    const one = advertisementFromResource(ad);
    advertisements.push(one.advertisement);
    if (one.problem) problems.push(one.problem);
  }
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  advertisements.sort(byName);
  problems.sort((a, b) => byName({ name: a.advertisement }, { name: b.advertisement }));
  return { advertisements, problems };
}
