// The object store: one bucket per storage key (`group/plural`), objects by namespace then name, one global
// resourceVersion counter (as etcd's revision), and a bounded per-bucket event history that watches replay
// from. Every operation is O(1) per object; only list walks a bucket (or one namespace of it).
import type { KubeObject } from './types.js';

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: StoreEventType;
  rv: number;
  object: KubeObject;
  /** The object before this change, so selector watches can turn "stopped matching" into DELETED. */
  previous?: KubeObject;
  /** Encoded watch lines by apiVersion, filled by the first watcher that needs one (fan-out encodes once). */
  encoded?: Map<string, string>;
}

export type StoreListener = (event: StoreEvent) => void;

/** Fixed-size ring of the latest events; `compactedRV` is the newest revision no longer replayable. */
class History {
  private readonly ring: StoreEvent[] = [];
  private head = 0;
  compactedRV = 0;

  constructor(private readonly capacity: number) {}

  push(event: StoreEvent): void {
    if (this.ring.length < this.capacity) {
      this.ring.push(event);
      return;
    }
    const evicted = this.ring[this.head];
    if (evicted) this.compactedRV = evicted.rv;
    this.ring[this.head] = event;
    this.head = (this.head + 1) % this.capacity;
  }

  /** Events newer than `rv`, oldest first. */
  since(rv: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    for (let i = 0; i < this.ring.length; i++) {
      const event = this.ring[(this.head + i) % this.ring.length];
      if (event && event.rv > rv) out.push(event);
    }
    return out;
  }
}

class Bucket {
  readonly byNamespace = new Map<string, Map<string, KubeObject>>();
  readonly listeners = new Set<StoreListener>();
  size = 0;
  constructor(readonly history: History) {}
}

export class TooOldResourceVersion extends Error {
  constructor(readonly requested: number, readonly oldest: number) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

export class Store {
  private revision = 1;
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly historyWindow: number) {}

  currentRV(): number {
    return this.revision;
  }

  private bucket(key: string): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new Bucket(new History(this.historyWindow));
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /** The stored object itself: callers must treat it as read-only. */
  get(key: string, namespace: string, name: string): KubeObject | undefined {
    return this.buckets.get(key)?.byNamespace.get(namespace)?.get(name);
  }

  /** Objects of one namespace, or of all namespaces when `namespace` is undefined. */
  list(key: string, namespace?: string): KubeObject[] {
    const bucket = this.buckets.get(key);
    if (!bucket) return [];
    if (namespace !== undefined) return [...(bucket.byNamespace.get(namespace)?.values() ?? [])];
    const out: KubeObject[] = [];
    for (const objects of bucket.byNamespace.values()) for (const obj of objects.values()) out.push(obj);
    return out;
  }

  count(key: string, namespace?: string): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return 0;
    return namespace === undefined ? bucket.size : (bucket.byNamespace.get(namespace)?.size ?? 0);
  }

  /** Stores `obj` (taking ownership) with a new resourceVersion and tells watchers. */
  put(key: string, obj: KubeObject): KubeObject {
    const bucket = this.bucket(key);
    const namespace = obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    let objects = bucket.byNamespace.get(namespace);
    if (!objects) {
      objects = new Map();
      bucket.byNamespace.set(namespace, objects);
    }
    const previous = objects.get(name);
    obj.metadata.resourceVersion = String(++this.revision);
    objects.set(name, obj);
    if (!previous) bucket.size++;
    this.emit(bucket, { type: previous ? 'MODIFIED' : 'ADDED', rv: this.revision, object: obj, previous });
    return obj;
  }

  /** Removes the object; the DELETED event carries a fresh resourceVersion as kube's does. */
  remove(key: string, namespace: string, name: string): KubeObject | undefined {
    const bucket = this.buckets.get(key);
    const objects = bucket?.byNamespace.get(namespace);
    const previous = objects?.get(name);
    if (!bucket || !objects || !previous) return undefined;
    objects.delete(name);
    bucket.size--;
    if (objects.size === 0) bucket.byNamespace.delete(namespace);
    const gone: KubeObject = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(++this.revision) } };
    this.emit(bucket, { type: 'DELETED', rv: this.revision, object: gone, previous });
    return gone;
  }

  private emit(bucket: Bucket, event: StoreEvent): void {
    bucket.history.push(event);
    for (const listener of bucket.listeners) listener(event);
  }

  /** Events after `rv`, or TooOldResourceVersion when some of them were already compacted away. */
  eventsSince(key: string, rv: number): StoreEvent[] {
    const history = this.bucket(key).history;
    if (rv < history.compactedRV) throw new TooOldResourceVersion(rv, history.compactedRV + 1);
    return history.since(rv);
  }

  subscribe(key: string, listener: StoreListener): () => void {
    const bucket = this.bucket(key);
    bucket.listeners.add(listener);
    return () => bucket.listeners.delete(listener);
  }

  /** Drops a whole bucket (a deleted CRD's objects), emitting DELETED for each object. */
  removeAll(key: string): void {
    for (const obj of this.list(key)) this.remove(key, obj.metadata.namespace ?? '', obj.metadata.name ?? '');
  }
}
