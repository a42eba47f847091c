// Which pools' statuses to write, and when: only those that differ, a failing one after its backoff unless its
// owner changed it since.
import type { IPAddressPool, IPAddressPoolStatus } from '../../crds/v1beta1/index.js';
import type { PoolOutcome } from '../core-api.js';
import { PoolStatusBook } from './pool-status.js';

function pool(name: string, generation = 1, status?: IPAddressPoolStatus): IPAddressPool {
  return { apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name, uid: `uid-${name}`, generation }, spec: { addresses: ['192.0.2.0/24'] }, status };
}
const outcome = (name: string, assignedIPv4: number): PoolOutcome => ({ name, status: { assignedIPv4 }, events: [] });

describe('PoolStatusBook', () => {
  test('plans a write for each pool whose status differs from the cluster\'s, and none for a deleted pool', () => {
    const book = new PoolStatusBook();
    const pools = new Map([['a', pool('a', 1, { assignedIPv4: 1 })], ['b', pool('b')]]);
    expect(book.plan([outcome('a', 1), outcome('b', 2), outcome('gone', 3)], (n) => pools.get(n))).toEqual([['b', 'afterBackoff']]);
    expect(book.next(pools.get('b') as IPAddressPool)).toEqual({ assignedIPv4: 2 });
    expect(book.next(pools.get('a') as IPAddressPool)).toBeUndefined();
  });

  test('what was written counts as the cluster\'s until the watch shows it, and the latest plan is what gets written', () => {
    const book = new PoolStatusBook();
    const b = pool('b');
    book.plan([outcome('b', 2)], () => b);
    book.wrote(b, { assignedIPv4: 2 });
    expect(book.plan([outcome('b', 2)], () => b)).toEqual([]);
    book.plan([outcome('b', 3)], () => b);
    expect(book.next(b)).toEqual({ assignedIPv4: 3 });
  });

  test('a pool whose write failed waits out its backoff, unless its owner changed it since', () => {
    const book = new PoolStatusBook();
    book.plan([outcome('big', 1)], () => pool('big', 1));
    book.failed(pool('big', 1));
    expect(book.plan([outcome('big', 2)], () => pool('big', 1))).toEqual([['big', 'afterBackoff']]);
    expect(book.plan([outcome('big', 2)], () => pool('big', 2))).toEqual([['big', 'now']]);
    book.wrote(pool('big', 2), { assignedIPv4: 2 });
    expect(book.plan([outcome('big', 3)], () => pool('big', 2))).toEqual([['big', 'afterBackoff']]);
  });
});
