// Which Event object a new occurrence goes to, like kube's EventCorrelator: the same type, reason and
// message on the same object bumps the count of the Event written before instead of creating another.
// Pure (names and times come in as arguments); the recorder does the writing.
// A key holds the message's SHA-256, not the message: the cache keeps 4 096 keys, and a message can quote what a
// Service's owner wrote.
import { createHash, randomInt } from 'node:crypto';

export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
}

export interface Occurrence {
  object: InvolvedObject;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export type EventAction =
  | { action: 'create'; key: string; name: string; count: 1; firstMs: number }
  | { action: 'bump'; key: string; name: string; count: number; firstMs: number };

interface Seen {
  name: string;
  count: number;
  firstMs: number;
}

/** The object (names the API server bounds), the type, the reason (ours) and the message's digest. */
export function aggregationKey(o: Occurrence): string {
  const obj = o.object;
  const message = createHash('sha256').update(o.message).digest('base64url');
  return [obj.kind, obj.namespace, obj.name, obj.uid ?? '', o.type, o.reason, message].join('\u0000');
}

/** Event names as kube makes them: the object's name, a dot, a unique hex suffix. */
export function eventName(objectName: string, nowMs: number, sequence: number): string {
  return `${objectName}.${(BigInt(nowMs) * 1_000_000n + BigInt(sequence % 1_000_000)).toString(16)}`;
}

export class EventAggregator {
  /** Insertion-ordered, so the oldest entry is dropped first when the cache is full (kube keeps 4096). */
  private readonly seen = new Map<string, Seen>();
  /**
   * Starts at a random point: several writers name events for one object (each speaker its nodeAssigned for the
   * same Service, reacting to the same watch event), and two that both started at 0 would pick one name in the
   * same millisecond, so the second create would fail with AlreadyExists and that event be lost. (kube's own
   * names use the wall clock's nanoseconds to the same end.)
   */
  private sequence: number;

  constructor(private readonly maxEntries = 4096, firstSequence = randomInt(1_000_000)) {
    this.sequence = firstSequence;
  }

  next(o: Occurrence, nowMs: number): EventAction {
    const key = aggregationKey(o);
    const prior = this.seen.get(key);
    if (prior) {
      prior.count += 1;
      this.seen.delete(key);
      this.seen.set(key, prior);
      return { action: 'bump', key, name: prior.name, count: prior.count, firstMs: prior.firstMs };
    }
    const name = eventName(o.object.name, nowMs, this.sequence++);
    this.seen.set(key, { name, count: 1, firstMs: nowMs });
    while (this.seen.size > this.maxEntries) {
      const oldest = this.seen.keys().next().value;
      if (oldest === undefined) break;
      this.seen.delete(oldest);
    }
    return { action: 'create', key, name, count: 1, firstMs: nowMs };
  }

  /** The Event we bumped is gone (expired by its TTL): the next occurrence creates a fresh one. */
  forget(key: string): void {
    this.seen.delete(key);
  }
}
