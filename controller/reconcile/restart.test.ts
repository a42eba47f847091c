// A restarted (or newly elected) controller starts from what the objects say: each Service's recorded IPs
// (restore), and each pool's Ready condition as the last leader wrote it. Nothing a user sees may change
// because of the restart: no address moves, no event or log line repeats, no lastTransitionTime resets.
import type { Condition } from '../../crds/v1beta1/index.js';
import type { ServiceKey } from '../core-api.js';
import { createControllerCore } from './core.js';
import { cluster, NOW, pool, service } from './fixtures.js';

const SAME_SECOND = '2024-02-01T00:00:00Z';

describe('restore: two Services recorded on one address that they may not share', () => {
  const LATER = '2024-03-01T00:00:00Z';
  it.each<[string, [ServiceKey, string][], ServiceKey]>([
    ['created in the same second, listed in name order: the first by name', [['a/alpha', SAME_SECOND], ['a/beta', SAME_SECOND]], 'a/alpha'],
    ['created in the same second, listed in reverse name order: the first by name', [['a/beta', SAME_SECOND], ['a/alpha', SAME_SECOND]], 'a/alpha'],
    ['the older listed first: the older, whatever its name', [['a/zulu', SAME_SECOND], ['a/alpha', LATER]], 'a/zulu'],
    ['the older listed last: the older, whatever its name', [['a/alpha', LATER], ['a/zulu', SAME_SECOND]], 'a/zulu'],
  ])('%s keeps it', (_story, listed, keeper) => {
    const existing = listed.map(([key, created]) => service(key, { ingress: ['192.0.2.1'], created }));
    const { refused, apply } = cluster([pool('p', ['192.0.2.0/29'])], {}, existing);
    expect(refused).toEqual(listed.map(([key]) => key).filter((key) => key !== keeper));
    expect(apply(keeper, { ingress: ['192.0.2.1'] }).events).toEqual([]);
  });
});

describe('restore: what a Service records decides what its first decision says', () => {
  it('a recorded ingress IP Herald cannot read as an address: refused (decided anew), not claimed', () => {
    const { refused, ips } = cluster([pool('p', ['192.0.2.0/29'])], {}, [service('a/odd', { ingress: ['192.0.2.300'] })]);
    expect(refused).toEqual(['a/odd']);
    expect(ips('a/odd', { ingress: ['192.0.2.300'] })).toEqual(['192.0.2.0']);
  });

  it('a restored Service deleted before its first decision: its release is logged with the address it held', () => {
    const { core } = cluster([pool('p', ['192.0.2.0/29'])], {}, [service('a/web', { ingress: ['192.0.2.3'] })]);
    expect(core.reconcile('a/web', undefined).decision).toEqual({ action: 'released', ips: [], previous: ['192.0.2.3'], why: 'the Service was deleted' });
  });

  it('a Service handed over from another load-balancer class: its move from that class\'s address is IPChanged', () => {
    const other = { loadBalancerClass: 'vendor.example/lb', ingress: ['203.0.113.7'] };
    const { apply } = cluster([pool('p', ['192.0.2.0/29'])], {}, [service('a/web', other)]);
    const ours = apply('a/web', { ingress: ['203.0.113.7'] });
    expect(ours.events.map((e) => [e.reason, e.message])).toEqual([['IPChanged', 'moved from "203.0.113.7" to "192.0.2.0" (pool "p")']]);
    expect(ours.decision).toEqual({ action: 'moved', ips: ['192.0.2.0'], previous: ['203.0.113.7'], pool: 'p' });
  });
});

describe('pool Ready conditions the last leader wrote', () => {
  const written = (status: 'True' | 'False', reason: string, message: string): Condition =>
    ({ type: 'Ready', status, reason, message, observedGeneration: 1, lastTransitionTime: '2024-01-01T00:00:00Z' });
  const valid = written('True', 'Valid', 'addresses "192.0.2.0/29" are in use');
  const withStatus = (conditions: Condition[]) => ({ ...pool('p', ['192.0.2.0/29']), status: { conditions } });
  const firstPass = (conditions: Condition[]) => {
    const core = createControllerCore({});
    core.setPools([withStatus(conditions)], NOW);
    const [outcome] = core.poolStatuses(NOW);
    return { time: outcome?.status.conditions?.[0]?.lastTransitionTime, events: outcome?.events.map((e) => e.reason), readiness: outcome?.readiness };
  };

  it.each<[string, Condition[], { time: string; events: string[]; logged: boolean }]>([
    ['the same Ready=True: kept, with its time; no event; readiness not logged again', [valid], { time: '2024-01-01T00:00:00Z', events: [], logged: false }],
    ['the same Ready=True after another controller\'s condition', [{ ...valid, type: 'Other', status: 'False' }, valid], { time: '2024-01-01T00:00:00Z', events: [], logged: false }],
    ['Ready=False, now valid: PoolReady, a new time', [written('False', 'ReversedRange', 'pool "p": range reversed')], { time: '2024-06-01T00:00:00Z', events: ['PoolReady'], logged: true }],
    ['only another controller\'s condition: as a first status, no event', [{ ...valid, type: 'Other' }], { time: '2024-06-01T00:00:00Z', events: [], logged: true }],
    ['no status at all: as a first status, no event', [], { time: '2024-06-01T00:00:00Z', events: [], logged: true }],
  ])('%s', (_story, conditions, expected) => {
    const pass = firstPass(conditions);
    expect({ time: pass.time, events: pass.events, logged: pass.readiness !== undefined }).toEqual(expected);
  });

  it('a status the leader wrote earlier than what it knows now does not bring back the old condition', () => {
    const core = createControllerCore({});
    core.setPools([withStatus([valid])], NOW);
    core.setPools([pool('p', ['192.0.2.9-192.0.2.8']), pool('q', ['198.51.100.0/29'])], NOW + 1000);
    expect(core.poolStatuses(NOW + 1000)[0]?.events.map((e) => e.reason)).toEqual(['PoolInvalid']);
    // The informer still shows the object as it was before that write: the memory keeps the newer condition.
    core.setPools([withStatus([valid])], NOW + 2000);
    const [again] = core.poolStatuses(NOW + 2000);
    expect(again?.events.map((e) => e.reason)).toEqual(['PoolReady']);
    expect(again?.status.conditions?.[0]?.lastTransitionTime).toBe('2024-06-01T00:00:02Z');
  });
});
