// The controller's Prometheus metrics. The pure core returns figures (pool statuses, reconcile results);
// only the driver calls these setters (STYLE.md §3: MetalLB's allocator writing gauges is the counter-example).
//
// IPv6 totals: a gauge is a double, which holds every integer up to 2^53 exactly. A /64 holds 2^64
// addresses, itself a power of two and so exact, but a pool of e.g. 2^64 - 3 addresses is exposed rounded to
// the nearest double (relative error below 1.2e-16). The exact counts are in the pool's status
// (`availableIPv6` is a decimal string) and in `kubectl get ipaddresspools`.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { familyName, type Family } from '../../lib/ip/index.js';
import { familyCounts } from '../../lib/pool-figures.js';
import type { PoolOutcome, ServiceKey, ServiceOutcome } from '../core-api.js';

export interface PoolFigure {
  pool: string;
  family: Family;
  total: number;
  inUse: number;
}

/** The per-family figures in a pool's status (lib/pool-figures.ts), as doubles (see the IPv6 note above). */
export function poolFigures(outcome: PoolOutcome): PoolFigure[] {
  return familyCounts(outcome.status).map((c) => ({
    pool: outcome.name, family: c.family, total: Number(c.assigned + c.available), inUse: Number(c.assigned),
  }));
}

export class ControllerMetrics {
  readonly registry: Registry;
  private readonly poolTotal: Gauge<'pool' | 'family'>;
  private readonly poolInUse: Gauge<'pool' | 'family'>;
  private readonly reconciles: Counter<'result'>;
  private readonly reconcileErrors: Counter;
  private readonly isLeader: Gauge;
  private readonly allocationFailures: Counter<'reason'>;
  private readonly assignedAddresses: Gauge<'service' | 'ip' | 'pool'>;
  private shownPools = new Set<string>();
  /** The `herald_controller_address_assigned` series shown per Service, so a changed or released IP's series goes. */
  private shownAddresses = new Map<ServiceKey, { service: string; ip: string; pool: string }[]>();

  constructor(opts: { registry?: Registry; processMetrics?: boolean } = {}) {
    this.registry = opts.registry ?? new Registry();
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.poolTotal = new Gauge({ name: 'herald_address_pool_addresses_total', help: 'Usable addresses in the pool, per family (IPv6: a double, see docs)', labelNames: ['pool', 'family'], registers });
    this.poolInUse = new Gauge({ name: 'herald_address_pool_addresses_in_use', help: 'Addresses of the pool given to Services, per family', labelNames: ['pool', 'family'], registers });
    this.reconciles = new Counter({ name: 'herald_controller_reconciles_total', help: 'Service reconciles by result', labelNames: ['result'], registers });
    this.reconcileErrors = new Counter({ name: 'herald_controller_reconcile_errors_total', help: 'Reconciles whose API writes failed', registers });
    this.isLeader = new Gauge({ name: 'herald_controller_is_leader', help: '1 while this replica holds the leader lease', registers });
    this.isLeader.set(0);
    this.allocationFailures = new Counter({
      name: 'herald_controller_allocation_failures_total', labelNames: ['reason'], registers,
      help: 'Service decisions that could not give what was asked, by the Warning event\'s reason (AllocationFailed, InvalidRequest); once per retry',
    });
    this.assignedAddresses = new Gauge({
      name: 'herald_controller_address_assigned', labelNames: ['service', 'ip', 'pool'], registers,
      help: 'One series (value 1) per IP the leader has given a Service (namespace/name), with its pool; none on a follower',
    });
  }

  setPools(outcomes: readonly PoolOutcome[]): void {
    const now = new Set<string>();
    for (const f of outcomes.flatMap(poolFigures)) {
      const labels = { pool: f.pool, family: familyName(f.family) };
      now.add(`${labels.pool}\u0000${labels.family}`);
      this.poolTotal.set(labels, f.total);
      this.poolInUse.set(labels, f.inUse);
    }
    // A deleted pool (or a family it lost) must disappear rather than report its last figures forever.
    for (const key of this.shownPools) {
      if (now.has(key)) continue;
      const [pool = '', family = ''] = key.split('\u0000');
      this.poolTotal.remove({ pool, family });
      this.poolInUse.remove({ pool, family });
    }
    this.shownPools = now;
  }

  /** One Service decided: its result, its allocation failures, and the IPs it now holds (none: released or pending). */
  serviceDecided(key: ServiceKey, outcome: Pick<ServiceOutcome, 'result' | 'events' | 'ingress' | 'poolAnnotation'>): void {
    this.reconciles.inc({ result: outcome.result });
    for (const e of outcome.events) {
      if (e.type === 'Warning' && (e.reason === 'AllocationFailed' || e.reason === 'InvalidRequest')) this.allocationFailures.inc({ reason: e.reason });
    }
    for (const labels of this.shownAddresses.get(key) ?? []) this.assignedAddresses.remove(labels);
    const now = outcome.ingress.flatMap((i) => (i.ip === undefined ? [] : [{ service: key, ip: i.ip, pool: outcome.poolAnnotation ?? '' }]));
    for (const labels of now) this.assignedAddresses.set(labels, 1);
    if (now.length > 0) this.shownAddresses.set(key, now);
    else this.shownAddresses.delete(key);
  }

  reconcileFailed(): void {
    this.reconcileErrors.inc();
  }

  /**
   * A follower shows no pools and no assignments: only the leader's core knows them, and a former leader's figures
   * would go stale beside the new leader's (a dashboard summing over replicas would count them twice).
   */
  setLeader(leading: boolean): void {
    this.isLeader.set(leading ? 1 : 0);
    if (leading) return;
    this.poolTotal.reset();
    this.poolInUse.reset();
    this.shownPools.clear();
    this.assignedAddresses.reset();
    this.shownAddresses.clear();
  }
}
