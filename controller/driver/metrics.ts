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
import type { PoolOutcome, ReconcileResult } from '../core-api.js';

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
  private shownPools = new Set<string>();

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

  reconciled(result: ReconcileResult): void {
    this.reconciles.inc({ result });
  }

  reconcileFailed(): void {
    this.reconcileErrors.inc();
  }

  setLeader(leading: boolean): void {
    this.isLeader.set(leading ? 1 : 0);
  }
}
