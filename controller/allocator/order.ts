// Which pools a Service may draw from, and in what order.
//
// Automatic order (no requested IP, no address-pool annotation): only autoAssign pools whose
// serviceAllocation admits the Service. First the pools that have a serviceAllocation block, by priority
// (lower first; no priority after every number), then the pools without one; ties by name. Names make the
// order stable across restarts and replicas.
import type { PoolModel } from '../../lib/config/index.js';
import type { AllocationRequest } from './types.js';

/** Whether the pool's serviceAllocation (namespaces OR namespaceSelectors; AND serviceSelectors) lets the Service in. */
export function poolAdmits(pool: PoolModel, request: AllocationRequest): boolean {
  const rules = pool.allocation;
  if (!rules) return true;
  const namespaceConstrained = rules.namespaces.length > 0 || rules.namespaceSelectors.length > 0;
  const namespaceOk = !namespaceConstrained
    || rules.namespaces.includes(request.namespace)
    || rules.namespaceSelectors.some((m) => m(request.namespaceLabels));
  const serviceOk = rules.serviceSelectors.length === 0 || rules.serviceSelectors.some((m) => m(request.labels));
  return namespaceOk && serviceOk;
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
