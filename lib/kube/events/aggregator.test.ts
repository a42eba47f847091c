import { aggregationKey, EventAggregator, eventName, type Occurrence } from './aggregator.js';

const svc = { apiVersion: 'v1', kind: 'Service', namespace: 'ns', name: 'web', uid: 'u1' };
const occ = (over: Partial<Occurrence> = {}): Occurrence => ({ object: svc, type: 'Warning', reason: 'AllocationFailed', message: 'no IP in "p"', ...over });

describe('event aggregation', () => {
  test('the same reason and message on the same object bumps one Event', () => {
    const agg = new EventAggregator();
    const first = agg.next(occ(), 1000);
    const second = agg.next(occ(), 2000);
    const third = agg.next(occ(), 3000);
    expect(first.action).toBe('create');
    expect(second).toMatchObject({ action: 'bump', name: first.name, count: 2, firstMs: 1000 });
    expect(third).toMatchObject({ action: 'bump', name: first.name, count: 3 });
  });

  test.each([
    ['another message', { message: 'other' }],
    ['another reason', { reason: 'IPAllocated' }],
    ['another type', { type: 'Normal' as const }],
    ['another object', { object: { ...svc, name: 'api' } }],
    ['a recreated object (new uid)', { object: { ...svc, uid: 'u2' } }],
  ])('%s makes a new Event', (_, change) => {
    const agg = new EventAggregator();
    const first = agg.next(occ(), 1000);
    const other = agg.next(occ(change), 1000);
    expect(other.action).toBe('create');
    expect(other.name).not.toBe(first.name);
  });

  test('forget() after the Event expired starts a new one', () => {
    const agg = new EventAggregator();
    const first = agg.next(occ(), 1000);
    agg.forget(first.key);
    expect(agg.next(occ(), 2000)).toMatchObject({ action: 'create', count: 1 });
  });

  test('the cache is bounded: the least recently seen is dropped first', () => {
    const agg = new EventAggregator(2);
    agg.next(occ({ message: 'a' }), 1);
    agg.next(occ({ message: 'b' }), 2);
    agg.next(occ({ message: 'a' }), 3);
    agg.next(occ({ message: 'c' }), 4);
    expect(agg.next(occ({ message: 'a' }), 5).action).toBe('bump');
    expect(agg.next(occ({ message: 'b' }), 6).action).toBe('create');
  });

  test('a key holds a digest of the message, not the message: 4 096 keys of 1 MiB messages would be 4 GiB', () => {
    const long = 'x'.repeat(1024 * 1024);
    const key = aggregationKey(occ({ message: `${long}a` }));
    expect(key.length).toBeLessThan(200);
    expect(key).not.toBe(aggregationKey(occ({ message: `${long}b` })));
    expect(key).toBe(aggregationKey(occ({ message: `${long}a` })));
  });

  test('names are the object name and a hex suffix, unique within one millisecond', () => {
    expect(eventName('web', 1, 0)).toBe('web.f4240');
    expect(eventName('web', 1, 1)).not.toBe(eventName('web', 1, 0));
  });

  test('two writers (two speakers) naming an event for one object in the same millisecond pick different names', () => {
    const first = (agg: EventAggregator) => agg.next(occ({}), 1_700_000_000_000).name;
    expect(first(new EventAggregator())).not.toBe(first(new EventAggregator()));
  });
});
