// configFromResources: IPAddressPool objects → the pools the allocator may use, plus every problem found.
// A bad pool never takes the controller down: it is left out (and reported), every other pool works on.
// A pool whose serviceAllocation has a selector that cannot be used (InvalidSelector; the CRD schema lets some
// through) is reported but stays: Services holding its addresses keep them, and only a Service that nothing but
// that selector could admit gets no new address from it (controller/allocator/order.ts).
//
// Overlaps: when two pools share addresses, neither is left out and neither wins. Both stay usable, both
// are reported (OverlapsPool, naming the other pool and the shared ranges), and the shared addresses are
// withheld from new allocations in both until one pool drops them; a Service already holding one keeps it.
// No order between the pools (age, name) decides anything, so re-creating a pool, or applying a stale copy
// of another, can never take an address away from a Service (docs/address-pools.md).
import type { IPAddressPool, LabelSelector } from '../../crds/v1beta1/index.js';
import { commonIntervals, formatInterval, normalizeIntervals, parseAddressEntry, type Interval } from '../ip/index.js';
import { clip, count, joinAnd, someOf, SHOWN_ITEMS } from './messages.js';
import type { Config, PoolAllocationModel, PoolModel, PoolOverlap, PoolProblem } from './model.js';
import { compileSelector, type SelectorCompile } from './selector.js';

export interface Resources {
  pools: readonly IPAddressPool[];
}

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: PoolProblem };

/** creationTimestamp arrives as a Date from typed client-node APIs and as a string from custom objects. */
export function timestampMs(ts: Date | string | undefined): number {
  if (ts === undefined) return Infinity;
  const ms = ts instanceof Date ? ts.getTime() : Date.parse(ts);
  return Number.isNaN(ms) ? Infinity : ms;
}

function parseAddresses(name: string, entries: readonly string[]): Parsed<Interval[]> {
  if (entries.length === 0) {
    return { ok: false, problem: { pool: name, reason: 'EmptyAddresses', value: '[]', message: `pool "${name}" lists no addresses` } };
  }
  const intervals: Interval[] = [];
  for (const entry of entries) {
    const parsed = parseAddressEntry(entry);
    if (!parsed.ok) {
      return { ok: false, problem: { pool: name, reason: parsed.reason, value: entry, message: `pool "${name}": ${parsed.message}` } };
    }
    intervals.push(parsed.interval);
  }
  return { ok: true, value: normalizeIntervals(intervals) };
}

/** A selector quoted in a message: its JSON, clipped. */
const SELECTOR_SHOWN_CHARS = 120;

interface CompiledSelectors { selectors: SelectorCompile[]; unusable: string[]; firstValue: string }

function compileAll(selectors: readonly LabelSelector[] | undefined, field: string): CompiledSelectors {
  const compiled: CompiledSelectors = { selectors: [], unusable: [], firstValue: '' };
  (selectors ?? []).forEach((selector, i) => {
    const one = compileSelector(selector);
    compiled.selectors.push(one);
    if (one.ok) return;
    const value = clip(JSON.stringify(selector), SELECTOR_SHOWN_CHARS);
    if (compiled.unusable.length === 0) compiled.firstValue = value;
    compiled.unusable.push(`${field}[${i}] ${value}: ${one.message}`);
  });
  return compiled;
}

function selectorProblem(name: string, unusable: readonly string[], value: string): PoolProblem {
  const more = unusable.length > 1 ? ` (and ${count(unusable.length - 1, 'more selector')} it cannot use)` : '';
  return {
    pool: name, reason: 'InvalidSelector', value,
    message: `pool "${name}": ${unusable[0] ?? ''}${more}; until it is fixed the pool gives no new address to a Service `
      + 'that only this selector could admit, and Services holding its addresses keep them',
  };
}

type AllocationParse = { value: PoolAllocationModel | undefined; problem?: PoolProblem };

function parseAllocation(pool: IPAddressPool, name: string): AllocationParse {
  const spec = pool.spec.serviceAllocation;
  if (!spec) return { value: undefined };
  const namespaceSelectors = compileAll(spec.namespaceSelectors, 'namespaceSelectors');
  const serviceSelectors = compileAll(spec.serviceSelectors, 'serviceSelectors');
  const value = {
    priority: spec.priority,
    namespaces: spec.namespaces ?? [],
    namespaceSelectors: namespaceSelectors.selectors,
    serviceSelectors: serviceSelectors.selectors,
  };
  const unusable = [...namespaceSelectors.unusable, ...serviceSelectors.unusable];
  if (unusable.length === 0) return { value };
  return { value, problem: selectorProblem(name, unusable, namespaceSelectors.firstValue || serviceSelectors.firstValue) };
}

/** One pool on its own (no overlap check); a usable pool may still come with a problem (InvalidSelector). */
export function poolFromResource(pool: IPAddressPool): Parsed<PoolModel> & { problem?: PoolProblem } {
  const name = pool.metadata.name ?? '';
  const intervals = parseAddresses(name, pool.spec.addresses ?? []);
  if (!intervals.ok) return intervals;
  const allocation = parseAllocation(pool, name);
  return {
    ok: true,
    value: {
      name,
      intervals: intervals.value,
      autoAssign: pool.spec.autoAssign ?? true,
      avoidBuggyIPs: pool.spec.avoidBuggyIPs ?? false,
      allocation: allocation.value,
      generation: pool.metadata.generation,
      overlaps: [],
    },
    ...(allocation.problem ? { problem: allocation.problem } : {}),
  };
}

const byName = (a: PoolModel, b: PoolModel) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** For each pool (sorted by name), the other pools it shares addresses with, in name order. */
function findOverlaps(pools: readonly PoolModel[]): Map<string, PoolOverlap[]> {
  const found = new Map<string, PoolOverlap[]>(pools.map((p) => [p.name, []]));
  pools.forEach((a, i) => {
    for (const b of pools.slice(i + 1)) {
      const intervals = commonIntervals(a.intervals, b.intervals);
      if (intervals.length === 0) continue;
      found.get(a.name)?.push({ pool: b.name, intervals });
      found.get(b.name)?.push({ pool: a.name, intervals });
    }
  });
  return found;
}

/** `pool "b" on 192.0.2.0-192.0.2.7`, or with many ranges `pool "b" on 1000 ranges (x, y, z and 997 more)`. */
function overlapWith(o: PoolOverlap): string {
  const ranges = o.intervals.map(formatInterval);
  if (ranges.length <= SHOWN_ITEMS) return `pool "${o.pool}" on ${ranges.join(', ')}`;
  return `pool "${o.pool}" on ${count(ranges.length, 'range')} (${someOf(ranges)})`;
}

function overlapProblem(pool: string, overlaps: readonly PoolOverlap[]): PoolProblem {
  const parts = overlaps.map(overlapWith);
  const named = parts.length <= SHOWN_ITEMS ? joinAnd(parts) : someOf(parts, SHOWN_ITEMS, 'pool');
  return {
    pool, reason: 'OverlapsPool', value: someOf(overlaps.flatMap((o) => o.intervals.map(formatInterval))), otherPools: overlaps.map((o) => o.pool),
    message: `pool "${pool}" overlaps ${named}; those addresses go to no new Service until one of the pools drops them, `
      + 'and Services holding them keep them',
  };
}

export function configFromResources(resources: Resources): Config {
  const problems: PoolProblem[] = [];
  const parsed: PoolModel[] = [];
  for (const resource of resources.pools) {
    const one = poolFromResource(resource);
    if (one.ok) parsed.push(one.value);
    if (one.problem) problems.push(one.problem);
  }
  parsed.sort(byName);
  const overlaps = findOverlaps(parsed);
  const pools = parsed.map((pool) => {
    const mine = overlaps.get(pool.name) ?? [];
    if (mine.length > 0) problems.push(overlapProblem(pool.name, mine));
    return { ...pool, overlaps: mine };
  });
  return { pools, problems };
}
