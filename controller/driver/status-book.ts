// Status writes of Herald's own objects (pools, L2Advertisements, the BGP kinds), one work key per object: what each object's status
// should be (the core's latest answer), what we last wrote, and which objects the server refused. The driver writes
// every object on its own key, so one whose write fails (or is slow) never holds back another's status.
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { canonicalJson } from './writes.js';

/** 'now': write it at once; 'afterBackoff': at once too, unless its last write failed and it waits out a backoff. */
export type WriteUrgency = 'now' | 'afterBackoff';
export type PlannedWrite = [string, WriteUrgency];

/**
 * An object of ours whose status the controller writes (a merge patch through /status): whole, or for a BGP object
 * the part its cache keeps (the conditions; trim.ts), so a field the cache does not hold is never in the patch.
 */
export interface StatusObject<Status> {
  metadata: V1ObjectMeta;
  status?: Status;
}

/** The object as its owner last changed it: uid and generation (our status writes change neither). */
function specVersion(object: StatusObject<unknown>): string {
  return `${object.metadata.uid ?? ''}/${object.metadata.generation ?? 0}`;
}

const writtenKey = (object: StatusObject<unknown>): string => `${object.metadata.uid ?? ''}/${object.metadata.name ?? ''}`;

export class StatusBook<Status, T extends StatusObject<Status> = StatusObject<Status>> {
  private desired = new Map<string, Status>();
  /** What the cluster has after our last write (by uid/name), before the watch shows it to us. */
  private readonly written = new Map<string, string>();
  /** Objects whose last write failed, with the spec version it failed at. */
  private readonly failing = new Map<string, string>();

  /** Takes the core's latest statuses; returns the objects that need a write. */
  plan(outcomes: readonly { name: string; status: Status }[], objectOf: (name: string) => T | undefined): PlannedWrite[] {
    this.desired = new Map();
    const writes: PlannedWrite[] = [];
    for (const { name, status } of outcomes) {
      const object = objectOf(name);
      if (!object) continue;
      this.desired.set(name, status);
      if (!this.differs(object, status)) continue;
      const failedAt = this.failing.get(name);
      // Its owner changed the object since the server refused its status: that may be the fix, so try at once.
      writes.push([name, failedAt !== undefined && failedAt !== specVersion(object) ? 'now' : 'afterBackoff']);
    }
    return writes;
  }

  /** The status to write to `object` now, or undefined when the cluster has it already. */
  next(object: T): Status | undefined {
    const status = this.desired.get(object.metadata.name ?? '');
    return status !== undefined && this.differs(object, status) ? status : undefined;
  }

  wrote(object: T, status: Status): void {
    this.written.set(writtenKey(object), canonicalJson(status));
    this.failing.delete(object.metadata.name ?? '');
  }

  failed(object: T): void {
    this.failing.set(object.metadata.name ?? '', specVersion(object));
  }

  /** A new leadership term starts from what the caches show. */
  clear(): void {
    this.desired = new Map();
    this.written.clear();
    this.failing.clear();
  }

  private differs(object: T, status: Status): boolean {
    return canonicalJson(status) !== (this.written.get(writtenKey(object)) ?? canonicalJson(object.status ?? {}));
  }
}
