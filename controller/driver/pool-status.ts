// Pool status writes, one work key per pool: what each pool's status should be (the core's latest answer), what we
// last wrote, and which pools the server refused. The driver writes every pool on its own key, so a pool whose
// write fails (or is slow) never holds back another pool's status.
import type { IPAddressPool, IPAddressPoolStatus } from '../../crds/v1beta1/index.js';
import type { PoolName, PoolOutcome } from '../core-api.js';
import { canonicalJson } from './writes.js';

/** 'now': write it at once; 'afterBackoff': at once too, unless its last write failed and it waits out a backoff. */
export type PoolWriteUrgency = 'now' | 'afterBackoff';
export type PlannedPoolWrite = [PoolName, PoolWriteUrgency];

/** The pool as its owner last changed it: uid and generation (our status writes change neither). */
function specVersion(pool: IPAddressPool): string {
  return `${pool.metadata.uid ?? ''}/${pool.metadata.generation ?? 0}`;
}

const writtenKey = (pool: IPAddressPool): string => `${pool.metadata.uid ?? ''}/${pool.metadata.name ?? ''}`;

export class PoolStatusBook {
  private desired = new Map<PoolName, IPAddressPoolStatus>();
  /** What the cluster has after our last write (by uid/name), before the watch shows it to us. */
  private readonly written = new Map<string, string>();
  /** Pools whose last write failed, with the spec version it failed at. */
  private readonly failing = new Map<PoolName, string>();

  /** Takes the core's latest statuses; returns the pools that need a write. */
  plan(outcomes: readonly PoolOutcome[], poolOf: (name: PoolName) => IPAddressPool | undefined): PlannedPoolWrite[] {
    this.desired = new Map();
    const writes: PlannedPoolWrite[] = [];
    for (const { name, status } of outcomes) {
      const pool = poolOf(name);
      if (!pool) continue;
      this.desired.set(name, status);
      if (!this.differs(pool, status)) continue;
      const failedAt = this.failing.get(name);
      // Its owner changed the pool since the server refused its status: that may be the fix, so try at once.
      writes.push([name, failedAt !== undefined && failedAt !== specVersion(pool) ? 'now' : 'afterBackoff']);
    }
    return writes;
  }

  /** The status to write to `pool` now, or undefined when the cluster has it already. */
  next(pool: IPAddressPool): IPAddressPoolStatus | undefined {
    const status = this.desired.get(pool.metadata.name ?? '');
    return status && this.differs(pool, status) ? status : undefined;
  }

  wrote(pool: IPAddressPool, status: IPAddressPoolStatus): void {
    this.written.set(writtenKey(pool), canonicalJson(status));
    this.failing.delete(pool.metadata.name ?? '');
  }

  failed(pool: IPAddressPool): void {
    this.failing.set(pool.metadata.name ?? '', specVersion(pool));
  }

  /** A new leadership term starts from what the caches show. */
  clear(): void {
    this.desired = new Map();
    this.written.clear();
    this.failing.clear();
  }

  private differs(pool: IPAddressPool, status: IPAddressPoolStatus): boolean {
    return canonicalJson(status) !== (this.written.get(writtenKey(pool)) ?? canonicalJson(pool.status ?? {}));
  }
}
