// A work queue like client-go's: keys are deduplicated (a burst of updates to one Service is one
// reconcile), a key handed out is not handed out again until done(), and failed keys come back after a
// capped exponential backoff. One consumer takes keys one at a time (STYLE.md §5).

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryOptions {
  scale?: number;
  minDelayMs?: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 100, maxDelayMs: 60_000 };

/** Delay before the n-th retry (n >= 1): base · 2^(n-1), capped. */
export function backoffDelay(failures: number, opts: BackoffOptions): number {
  if (failures < 1) return 0;
  return Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** Math.min(failures - 1, 40));
}

export class WorkQueue<K extends string> {
  private readonly queue: K[] = [];
  private readonly queued = new Set<K>();
  private readonly processing = new Set<K>();
  /** Keys added while being processed: queued again when done() is called. */
  private readonly dirty = new Set<K>();
  /**
   * Keys asked for with addRespectingBackoff() while being processed: done() queues them only if that processing
   * did not fail, since a failure starts a backoff that a request made before it must not cut short.
   */
  private readonly dirtyRespectingBackoff = new Set<K>();
  private readonly failures = new Map<K, number>();
  private readonly timers = new Map<K, NodeJS.Timeout>();
  private waiter: ((key: K | undefined) => void) | undefined;
  private closed = false;

  constructor(private readonly backoff: BackoffOptions = DEFAULT_BACKOFF) {}

  get length(): number {
    return this.queue.length;
  }

  add(key: K): void {
    if (this.closed) return;
    this.cancelTimer(key);
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter(this.take());
    }
  }

  /**
   * Like add(), except for a key waiting out a backoff: that one comes back when its backoff ends, not before.
   * For work that is re-requested on a timer or by unrelated changes, so a failing key is not retried at their pace.
   */
  addRespectingBackoff(key: K): void {
    if (this.timers.has(key) || this.closed) return;
    if (this.processing.has(key)) this.dirtyRespectingBackoff.add(key);
    else this.add(key);
  }

  /**
   * Queues `key` again after its backoff grows by one step; an add() in the meantime wins. `scale` stretches the
   * backoff (a request the server refused outright), `minDelayMs` is a floor (the server said how long to wait);
   * the cap holds either way.
   */
  retry(key: K, { scale = 1, minDelayMs = 0 }: RetryOptions = {}): number {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    const delay = Math.min(this.backoff.maxDelayMs, Math.max(minDelayMs, scale * backoffDelay(failures, this.backoff)));
    if (this.closed || this.timers.has(key)) return delay;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delay);
    timer.unref();
    this.timers.set(key, timer);
    return delay;
  }

  /** The key succeeded: its next failure starts from the base delay again. */
  forget(key: K): void {
    this.failures.delete(key);
  }

  failureCount(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /**
   * Marks `key` as being processed outside next() (a full resync walks every key itself). False when it is
   * already being processed: it is then marked to come back once that finishes.
   */
  claim(key: K): boolean {
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return false;
    }
    if (this.queued.delete(key)) this.queue.splice(this.queue.indexOf(key), 1);
    this.cancelTimer(key);
    this.processing.add(key);
    return true;
  }

  /** The next key, waiting for one if the queue is empty; undefined once shut down. */
  next(): Promise<K | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    if (this.queue.length > 0) return Promise.resolve(this.take());
    if (this.waiter) throw new Error('work queue: only one consumer may wait at a time');
    return new Promise((resolve) => { this.waiter = resolve; });
  }

  done(key: K): void {
    this.processing.delete(key);
    const respectingBackoff = this.dirtyRespectingBackoff.delete(key);
    if (this.dirty.delete(key)) this.add(key);
    else if (respectingBackoff) this.addRespectingBackoff(key);
  }

  shutDown(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.queue.length = 0;
    this.queued.clear();
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(undefined);
  }

  private take(): K {
    const key = this.queue.shift();
    if (key === undefined) throw new Error('work queue: take() on an empty queue');
    this.queued.delete(key);
    this.processing.add(key);
    return key;
  }

  private cancelTimer(key: K): void {
    const t = this.timers.get(key);
    if (!t) return;
    clearTimeout(t);
    this.timers.delete(key);
  }
}
