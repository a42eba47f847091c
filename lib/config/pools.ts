// configFromResources: IPAddressPool objects → the pools the allocator may use, plus every problem found.
// A bad pool never takes the controller down: it is left out (and reported), every other pool works on.
//
// Overlaps: when two pools share addresses, neither is left out and neither wins. Both stay usable, both
// are reported (OverlapsPool, naming the other pool and the shared ranges), and the shared addresses are
// withheld from new allocations in both until one pool drops them; a Service already holding one keeps it.
// No order between the pools (age, name) decides anything, so re-creating a pool, or applying a stale copy
// of another, can never take an address away from a Service (docs/address-pools.md).
import type { IPAddressPool, LabelSelector } from '../../crds/v1beta1/index.js';
import { commonIntervals, formatInterval, normalizeIntervals, parseAddressEntry, type Interval } from '../ip/index.js';
import type { Config, PoolAllocationModel, PoolModel, PoolOverlap, PoolProblem } from './model.js';
import { compileSelector, type LabelMatcher } from './selector.js';

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

function compileAll(name: string, selectors: readonly LabelSelector[] | undefined, field: string): Parsed<LabelMatcher[]> {
  const out: LabelMatcher[] = [];
  for (const selector of selectors ?? []) {
    const compiled = compileSelector(selector);
    if (!compiled.ok) {
      const value = JSON.stringify(selector);
      return { ok: false, problem: { pool: name, reason: 'InvalidSelector', value, message: `pool "${name}": ${field} ${value}: ${compiled.message}` } };
    }
    out.push(compiled.matches);
  }
  return { ok: true, value: out };
}

function parseAllocation(pool: IPAddressPool, name: string): Parsed<PoolAllocationModel | undefined> {
  const spec = pool.spec.serviceAllocation;
  if (!spec) return { ok: true, value: undefined };
  const namespaceSelectors = compileAll(name, spec.namespaceSelectors, 'namespaceSelectors');
  if (!namespaceSelectors.ok) return namespaceSelectors;
  const serviceSelectors = compileAll(name, spec.serviceSelectors, 'serviceSelectors');
  if (!serviceSelectors.ok) return serviceSelectors;
  return {
    ok: true,
    value: {
      priority: spec.priority,
      namespaces: spec.namespaces ?? [],
      namespaceSelectors: namespaceSelectors.value,
      serviceSelectors: serviceSelectors.value,
    },
  };
}

/** One pool on its own (no overlap check). */
export function poolFromResource(pool: IPAddressPool): Parsed<PoolModel> {
  const name = pool.metadata.name ?? '';
  const intervals = parseAddresses(name, pool.spec.addresses ?? []);
  if (!intervals.ok) return intervals;
  const allocation = parseAllocation(pool, name);
  if (!allocation.ok) return allocation;
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

function overlapProblem(pool: string, overlaps: readonly PoolOverlap[]): PoolProblem {
  const ranges = (o: PoolOverlap) => o.intervals.map(formatInterval).join(', ');
  const parts = overlaps.map((o) => `pool "${o.pool}" on ${ranges(o)}`);
  const named = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1] ?? ''}` : (parts[0] ?? '');
  return {
    pool, reason: 'OverlapsPool', value: overlaps.map(ranges).join(', '), otherPools: overlaps.map((o) => o.pool),
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
    else problems.push(one.problem);
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
