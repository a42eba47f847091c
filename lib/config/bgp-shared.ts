// Helpers shared by the BGP readers (bgp-peers.ts, bgp-advertisements.ts, bgp.ts): quoting names and values in
// messages, selector compilation that records what cannot be used, and ordering.
import type { LabelSelector } from '../../crds/v1beta1/index.js';
import { clip, count } from './messages.js';
import type { BGPObjectKind, BGPProblem } from './bgp-model.js';
import { compileSelector, type SelectorCompile } from './selector.js';

/** A name quoted in a message (names may be 253 characters). */
export const NAME_SHOWN_CHARS = 64;
/** A value (a selector's JSON, a community, a duration) quoted in a message. */
export const VALUE_SHOWN_CHARS = 120;

export const q = (name: string): string => `"${clip(name, NAME_SHOWN_CHARS)}"`;
export const v = (value: string): string => clip(value, VALUE_SHOWN_CHARS);

export function problem(kind: BGPObjectKind, name: string, reason: BGPProblem['reason'], field: string, value: string, what: string): BGPProblem {
  return { kind, name, reason, field, value: v(value), message: `${kind} ${q(name)}: ${what}` };
}

export interface UnusableSelector { field: string; value: string; why: string }

/** Compiles `selectors` of `field`, recording each that does not compile in `unusable`; it stays in place. */
export function compileSelectors(unusable: UnusableSelector[], field: string, selectors: readonly LabelSelector[] | undefined): SelectorCompile[] {
  return (selectors ?? []).map((selector, i) => {
    const one = compileSelector(selector);
    if (!one.ok) unusable.push({ field: `${field}[${i}]`, value: v(JSON.stringify(selector)), why: one.message });
    return one;
  });
}

/** One InvalidSelector problem per object, naming the first unusable selector and counting the others. */
export function selectorProblem(kind: BGPObjectKind, name: string, unusable: readonly UnusableSelector[]): BGPProblem | undefined {
  const [first] = unusable;
  if (!first) return undefined;
  const more = unusable.length > 1 ? ` (and ${count(unusable.length - 1, 'more selector')} it cannot use)` : '';
  return problem(kind, name, 'InvalidSelector', first.field, first.value,
    `${first.field} ${first.value}: ${first.why}${more}; until it is fixed that selector matches nothing, and the other selectors work on`);
}

/** Text in code-unit order (Go's sort.Strings), the same on every machine. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const byName = (a: { name: string }, b: { name: string }): number => compareText(a.name, b.name);

/** An object's name (only an object that was never stored has none: the API server requires one). */
export const nameOf = (object: { metadata: { name?: string } }): string => object.metadata.name ?? '';
