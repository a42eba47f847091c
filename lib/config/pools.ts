// configFromResources: IPAddressPool objects → the pools the allocator may use, plus every problem found.
// A bad pool never takes the controller down: it is left out (and reported), every other pool works on.
//
// Overlaps: when two pools share addresses, the OLDER pool (by creationTimestamp, then name) keeps
// working and the newer one is left out. Creating a pool can therefore never move an IP that is
// already allocated; only editing an older pool to overlap a newer one displaces the newer pool's IPs.
import type { IPAddressPool, LabelSelector } from '../../crds/v1beta1/index.js';
import { formatInterval, intersection, normalizeIntervals, parseAddressEntry, type Interval } from '../ip/index.js';
import type { Config, PoolAllocationModel, PoolModel, PoolProblem } from './model.js';
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
      createdAtMs: timestampMs(pool.metadata.creationTimestamp),
      generation: pool.metadata.generation,
    },
  };
}

/** Older first: creationTimestamp, then name. The order in which pools claim their addresses. */
export function compareAge(a: PoolModel, b: PoolModel): number {
  if (a.createdAtMs !== b.createdAtMs) return a.createdAtMs < b.createdAtMs ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function findOverlap(pool: PoolModel, accepted: readonly PoolModel[]): PoolProblem | undefined {
  for (const older of accepted) {
    for (const mine of pool.intervals) {
      for (const theirs of older.intervals) {
        const common = intersection(mine, theirs);
        if (!common) continue;
        const range = formatInterval(common);
        return {
          pool: pool.name, reason: 'OverlapsPool', value: range, otherPool: older.name,
          message: `pool "${pool.name}" overlaps older pool "${older.name}" on ${range}; "${older.name}" keeps those addresses`,
        };
      }
    }
  }
  return undefined;
}

export function configFromResources(resources: Resources): Config {
  const problems: PoolProblem[] = [];
  const candidates: PoolModel[] = [];
  for (const resource of resources.pools) {
    const parsed = poolFromResource(resource);
    if (parsed.ok) candidates.push(parsed.value);
    else problems.push(parsed.problem);
  }
  const accepted: PoolModel[] = [];
  for (const pool of candidates.sort(compareAge)) {
    const overlap = findOverlap(pool, accepted);
    if (overlap) problems.push(overlap);
    else accepted.push(pool);
  }
  accepted.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { pools: accepted, problems };
}
