import { backoffDelay, WorkQueue } from './queue.js';

describe('work queue', () => {
  test('a key added several times before it is taken is handed out once', async () => {
    const q = new WorkQueue<string>();
    q.add('a'); q.add('b'); q.add('a');
    expect(await q.next()).toBe('a');
    expect(await q.next()).toBe('b');
    expect(q.length).toBe(0);
  });

  test('a key added while being processed comes back after done(), not before', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    expect(await q.next()).toBe('a');
    q.add('a');
    expect(q.length).toBe(0);
    q.done('a');
    expect(q.length).toBe(1);
    expect(await q.next()).toBe('a');
  });

  test('a waiting consumer gets the next key added', async () => {
    const q = new WorkQueue<string>();
    const waiting = q.next();
    q.add('x');
    expect(await waiting).toBe('x');
  });

  test('retry brings a key back after a delay that doubles up to the cap', async () => {
    const q = new WorkQueue<string>({ baseDelayMs: 5, maxDelayMs: 20 });
    expect(q.retry('k')).toBe(5);
    expect(q.length).toBe(0);
    const started = Date.now();
    expect(await q.next()).toBe('k');
    expect(Date.now() - started).toBeGreaterThanOrEqual(4);
    q.done('k');
    expect([q.retry('k'), q.retry('k'), q.retry('k')]).toEqual([10, 20, 20]);
    q.forget('k');
    expect(q.failureCount('k')).toBe(0);
    q.shutDown();
  });

  test('an add() during a backoff serves the key at once', async () => {
    const q = new WorkQueue<string>({ baseDelayMs: 60_000, maxDelayMs: 60_000 });
    q.retry('k');
    q.add('k');
    expect(await q.next()).toBe('k');
    q.shutDown();
  });

  test('addRespectingBackoff leaves a backing-off key to its timer, and queues any other key at once', async () => {
    const q = new WorkQueue<string>({ baseDelayMs: 60_000, maxDelayMs: 60_000 });
    q.retry('failing');
    q.addRespectingBackoff('failing');
    q.addRespectingBackoff('fine');
    expect(q.length).toBe(1);
    expect(await q.next()).toBe('fine');
    q.shutDown();
  });

  test('a key asked for respecting its backoff while it is processed, then failing, waits out that backoff', async () => {
    const q = new WorkQueue<string>({ baseDelayMs: 60_000, maxDelayMs: 60_000 });
    q.add('refused');
    expect(await q.next()).toBe('refused');
    q.addRespectingBackoff('refused'); // a periodic re-plan while the write is in flight
    q.retry('refused'); // the write failed
    q.done('refused');
    expect(q.length).toBe(0);

    q.add('ok');
    expect(await q.next()).toBe('ok');
    q.addRespectingBackoff('ok');
    q.done('ok'); // succeeded: the request made meanwhile is served at once
    expect(q.length).toBe(1);
    q.shutDown();
  });

  test('retry stretches the backoff by its scale, waits at least its floor, and never past the cap', () => {
    const q = new WorkQueue<string>({ baseDelayMs: 100, maxDelayMs: 5_000 });
    expect([1, 2, 3, 4, 5, 6, 7].map(() => q.retry('refused', { scale: 10 }))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000, 5_000, 5_000]);
    expect([1, 2, 3, 4, 5].map(() => q.retry('throttled', { minDelayMs: 1_000 }))).toEqual([1_000, 1_000, 1_000, 1_000, 1_600]);
    expect(q.retry('b', { minDelayMs: 60_000 })).toBe(5_000);
    q.shutDown();
  });

  test('shutDown releases a waiting consumer with undefined', async () => {
    const q = new WorkQueue<string>();
    const waiting = q.next();
    q.shutDown();
    expect(await waiting).toBeUndefined();
  });

  test.each([[0, 0], [1, 100], [2, 200], [5, 1600], [30, 60_000]])('backoff after %i failures is %i ms', (n, ms) => {
    expect(backoffDelay(n, { baseDelayMs: 100, maxDelayMs: 60_000 })).toBe(ms);
  });
});
