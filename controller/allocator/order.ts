// Which pools a Service may draw from, and in what order.
//
// Automatic order (no requested IP, no address-pool annotation): only autoAssign pools whose
// serviceAllocation admits the Service. First the pools that have a serviceAllocation block, by priority
// (lower first; no priority after every number), then the pools without one; ties by name. Names make the
// order stable across restarts and replicas.
import type { Labels, PoolModel, SelectorCompile } from '../../lib/config/index.js';
import type { AllocationRequest } from './types.js';

/** Whether a pool's serviceAllocation lets a Service in. 'selectorUnusable': it would, or would not, depending on a
 *  selector that does not compile (InvalidSelector), so the pool gives it nothing new; what it holds it keeps. */
export type Admission = 'admitted' | 'refused' | 'selectorUnusable';

/** Three-valued: undefined where an unusable selector leaves the answer unknown. */
type Verdict = boolean | undefined;

const anyOf = (verdicts: readonly Verdict[]): Verdict =>
  verdicts.includes(true) ? true : verdicts.includes(undefined) ? undefined : false;

const verdict = (selector: SelectorCompile, labels: Labels): Verdict => (selector.ok ? selector.matches(labels) : undefined);

/** namespaces OR namespaceSelectors; AND serviceSelectors. An unusable selector is neither a match nor a miss. */
export function admission(pool: PoolModel, request: AllocationRequest): Admission {
  const rules = pool.allocation;
  if (!rules) return 'admitted';
  const namespaceConstrained = rules.namespaces.length > 0 || rules.namespaceSelectors.length > 0;
  const namespaceOk = !namespaceConstrained || anyOf([
    rules.namespaces.includes(request.namespace), ...rules.namespaceSelectors.map((s) => verdict(s, request.namespaceLabels)),
  ]);
  const serviceOk = rules.serviceSelectors.length === 0 || anyOf(rules.serviceSelectors.map((s) => verdict(s, request.labels)));
  if (namespaceOk === false || serviceOk === false) return 'refused';
  return namespaceOk === undefined || serviceOk === undefined ? 'selectorUnusable' : 'admitted';
}

export function poolAdmits(pool: PoolModel, request: AllocationRequest): boolean {
  return admission(pool, request) === 'admitted';
}

function rank(pool: PoolModel): [number, number] {
  if (!pool.allocation) return [1, Infinity];
  return [0, pool.allocation.priority ?? Infinity];
}

export function compareAutoOrder(a: PoolModel, b: PoolModel): number {
  const [ga, pa] = rank(a);
  const [gb, pb] = rank(b);
  if (ga !== gb) return ga - gb;
  if (pa !== pb) return pa < pb ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The pools tried, in order, for a Service that names neither an IP nor a pool. */
export function autoAssignOrder<P extends { model: PoolModel }>(pools: Iterable<P>, request: AllocationRequest): P[] {
  return [...pools]
    .filter((p) => p.model.autoAssign && poolAdmits(p.model, request))
    .sort((a, b) => compareAutoOrder(a.model, b.model));
}
