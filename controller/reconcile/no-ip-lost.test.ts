// "No configuration mistake releases an IP a Service holds" (docs/address-pools.md): the stories a user trial
// found, and the deliberate acts that still release. Each mistake keeps every IP, is reported on the object at
// fault and on the Service, and stops nothing else.
import type { ServiceKey, ServiceOutcome } from '../core-api.js';
import { cluster, NOW, pool, service, type ServiceShape } from './fixtures.js';

const ipsOf = (outcome: ServiceOutcome) => outcome.ingress.map((i) => i.ip);
const eventsOf = (outcome: ServiceOutcome) => outcome.events.map((e) => [e.type, e.reason, e.message]);
const pinned = (ip: string): ServiceShape => ({ annotations: { 'herald.dev/loadBalancerIPs': ip } });
const inPool = (name: string, more: Record<string, string> = {}): ServiceShape => ({ annotations: { 'herald.dev/address-pool': name, ...more } });

describe('overlapping pools withhold only the overlap, only from new allocations', () => {
  // The user trial: "prod" is deleted and re-applied (so it is now the newer pool), then a stale file gives the
  // older "legacy" addresses of prod's. Before, prod went Ready=False as a whole and all its Services, the pinned
  // one outside the overlap too, lost their IPs.
  const legacy = (addresses: string[]) => pool('legacy', addresses, { autoAssign: false }, '2024-01-01T00:00:00Z');
  // Re-applied after legacy was created: the newer of the two.
  const prod = pool('prod', ['192.0.2.0/28'], {}, '2024-05-01T00:00:00Z');
  const story = () => {
    const c = cluster([legacy(['198.51.100.0/30']), prod]);
    expect(c.ips('apps/old', inPool('legacy'))).toEqual(['198.51.100.0']);
    expect(c.ips('apps/web')).toEqual(['192.0.2.0']);
    expect(c.ips('apps/api')).toEqual(['192.0.2.1']);
    expect(c.ips('apps/pinned', pinned('192.0.2.14'))).toEqual(['192.0.2.14']);
    return c;
  };
  const held = { 'apps/old': ['198.51.100.0', inPool('legacy')], 'apps/web': ['192.0.2.0', {}], 'apps/api': ['192.0.2.1', {}], 'apps/pinned': ['192.0.2.14', pinned('192.0.2.14')] } as const;

  it('a stale copy of the older pool overlapping the re-applied one: every Service in both keeps its IP, with no event', () => {
    const { core, apply } = story();
    const stale = legacy(['198.51.100.0/30', '192.0.2.0/29']);
    const update = core.setPools([stale, prod], NOW + 1000);
    for (const key of update.servicesToReprocess) expect(eventsOf(apply(key))).toEqual([]);
    for (const [key, [ip, shape]] of Object.entries(held)) {
      const outcome = apply(key as ServiceKey, { ...shape, ingress: [ip] });
      expect([key, ipsOf(outcome), outcome.events]).toEqual([key, [ip], []]);
    }
  });

  it('both pools report the other and the shared range: Ready=False OverlapsPool and one PoolInvalid event each; fixed, PoolReady', () => {
    const { core } = story();
    core.poolStatuses(NOW);
    core.setPools([legacy(['198.51.100.0/30', '192.0.2.0/29']), prod], NOW + 1000);
    const [old, fresh] = core.poolStatuses(NOW + 1000);
    const tail = 'those addresses go to no new Service until one of the pools drops them, and Services holding them keep them';
    expect(old?.status.conditions?.[0]).toMatchObject({ status: 'False', reason: 'OverlapsPool', message: `pool "legacy" overlaps pool "prod" on 192.0.2.0-192.0.2.7; ${tail}` });
    expect(fresh?.status.conditions?.[0]).toMatchObject({ status: 'False', reason: 'OverlapsPool', message: `pool "prod" overlaps pool "legacy" on 192.0.2.0-192.0.2.7; ${tail}` });
    expect([old?.events, fresh?.events].map((e) => e?.map((x) => [x.type, x.reason]))).toEqual([[['Warning', 'PoolInvalid']], [['Warning', 'PoolInvalid']]]);
    // The counts stay: prod still has its 3 Services, and only what is neither held nor withheld is available.
    expect(fresh?.status).toMatchObject({ assignedIPv4: 3, availableIPv4: 16 - 8 - 1 });
    expect(old?.status).toMatchObject({ assignedIPv4: 1, availableIPv4: 3 });
    // A further overlap is news: one more PoolInvalid, on the pool whose message changed; the time stays.
    core.setPools([legacy(['198.51.100.0/30', '192.0.2.0/29']), prod, pool('third', ['192.0.2.15'])], NOW + 1500);
    const more = core.poolStatuses(NOW + 1500);
    expect(more.map((p) => [p.name, p.events.map((e) => e.reason)])).toEqual([['legacy', []], ['prod', ['PoolInvalid']], ['third', ['PoolInvalid']]]);
    expect(more[1]?.status.conditions?.[0]).toMatchObject({ message: expect.stringContaining('pool "legacy" on 192.0.2.0-192.0.2.7 and pool "third" on 192.0.2.15;'), lastTransitionTime: '2024-06-01T00:00:01Z' });
    core.setPools([legacy(['198.51.100.0/30']), prod], NOW + 2000);
    const fixed = core.poolStatuses(NOW + 2000);
    expect(fixed.map((p) => [p.status.conditions?.[0]?.reason, p.events.map((e) => e.reason)])).toEqual([['Valid', ['PoolReady']], ['Valid', ['PoolReady']]]);
  });

  it.each<[string, ServiceShape, string[], string]>([
    ['an automatic Service gets the first free address outside the overlap', {}, ['192.0.2.8'], ''],
    ['one annotated with either pool, likewise', inPool('legacy'), ['198.51.100.1'], ''],
    ['one requesting an address in the overlap is refused, naming both pools', pinned('192.0.2.5'), [],
      'requested "192.0.2.5" is in pool "legacy" and in pool "prod": an address two pools list goes to no new Service until one of them drops it (pools tried: "legacy")'],
    ['a key-mate of a Service holding an overlap address does not join it', { annotations: { 'herald.dev/allow-shared-ip': 'k', 'herald.dev/address-pool': 'prod' }, ports: [{ port: 81 }] }, ['192.0.2.8'], ''],
  ])('a new Service: %s', (_story, shape, expected, failure) => {
    const { core, apply } = story();
    apply('apps/web', { annotations: { 'herald.dev/allow-shared-ip': 'k' }, ingress: ['192.0.2.0'] });
    core.setPools([legacy(['198.51.100.0/30', '192.0.2.0/29']), prod], NOW + 1000);
    const outcome = apply('apps/new', shape);
    expect(ipsOf(outcome)).toEqual(expected);
    if (failure) expect(eventsOf(outcome)).toEqual([['Warning', 'AllocationFailed', failure]]);
  });

  it('a full pool whose free addresses are all shared says so', () => {
    const { core, apply } = cluster([pool('a', ['192.0.2.0/31']), pool('b', ['192.0.2.1'])]);
    apply('apps/one');
    expect(core.poolStatuses(NOW)[0]?.status).toMatchObject({ assignedIPv4: 1, availableIPv4: 0 });
    expect(eventsOf(apply('apps/two', inPool('a')))).toEqual([['Warning', 'AllocationFailed',
      'no address could be given: pool "a" has no free IPv4 address (the addresses it shares with pool "b" are withheld) (pools tried: "a")']]);
  });

  it('after a restart each Service holding an overlap address stays in the pool its Service records, so nothing moves', () => {
    const recorded = (pool: string, ip: string, shape: ServiceShape = {}) =>
      ({ ...shape, annotations: { ...shape.annotations, 'herald.dev/ip-allocated-from-pool': pool }, ingress: [ip] });
    const shared = (port: number): ServiceShape => ({ annotations: { 'herald.dev/allow-shared-ip': 'k' }, ports: [{ port }] });
    const shapes: Record<ServiceKey, ServiceShape> = {
      'apps/in-b': recorded('b', '192.0.2.1', inPool('b')),
      'apps/in-a': recorded('a', '192.0.2.2', inPool('a')),
      // Sharers hold an address in one pool, even when the second's record is missing (its annotation write was lost).
      'apps/share-1': recorded('b', '192.0.2.3', shared(1)),
      'apps/share-2': { ...shared(2), ingress: ['192.0.2.3'] },
    };
    const existing = Object.entries(shapes).map(([key, shape]) => service(key, shape));
    const { refused, apply } = cluster([pool('a', ['192.0.2.0/29']), pool('b', ['192.0.2.0/30'])], {}, existing);
    expect(refused).toEqual([]);
    for (const [key, shape] of Object.entries(shapes)) {
      const outcome = apply(key as ServiceKey, shape);
      expect([key, ipsOf(outcome), outcome.poolAnnotation, outcome.events]).toEqual([key, shape.ingress, shape.annotations?.['herald.dev/ip-allocated-from-pool'] ?? 'b', []]);
    }
  });

  it('a restored Service whose addresses other Services hold in two different pools is refused (reconciled anew), not a crash', () => {
    const both = ['192.0.2.0/30', '2001:db8::/126'];
    const shared = (port: number, more: ServiceShape): ServiceShape => ({ ...more, annotations: { 'herald.dev/allow-shared-ip': 'k', ...more.annotations }, ports: [{ port }] });
    const existing = [
      service('apps/s1', shared(1, { annotations: { 'herald.dev/ip-allocated-from-pool': 'a' }, ingress: ['192.0.2.1'] })),
      service('apps/s2', shared(2, { annotations: { 'herald.dev/ip-allocated-from-pool': 'b' }, ingress: ['2001:db8::1'], ipFamilies: ['IPv6'] })),
      service('apps/s3', shared(3, { ingress: ['192.0.2.1', '2001:db8::1'], ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' })),
    ];
    expect(cluster([pool('a', both), pool('b', both)], {}, existing).refused).toEqual(['apps/s3']);
  });
});

describe('an annotation naming a pool or addresses that are not there keeps the IP', () => {
  const base = () => {
    const sel = pool('sel', ['203.0.113.0/29'], { serviceAllocation: { serviceSelectors: [{ matchExpressions: [{ key: 'x', operator: 'In' }] }] } });
    const c = cluster([pool('ipv4', ['192.0.2.0/29']), pool('broken', ['203.0.114.9-203.0.114.1']), sel]);
    expect(c.ips('apps/web')).toEqual(['192.0.2.0']);
    return c;
  };

  it.each<[string, ServiceShape, string]>([
    ['an address-pool annotation with a typo', inPool('ipv44'), 'pool "ipv44" does not exist or is not usable (pools tried: "ipv44")'],
    ['an address-pool annotation naming an unusable pool (Ready=False)', inPool('broken'), 'pool "broken" does not exist or is not usable (pools tried: "broken")'],
    ['an address-pool annotation naming a pool whose selector cannot be used', inPool('sel'),
      'pool "sel" cannot admit this Service until its serviceAllocation selector is fixed (pools tried: "sel")'],
    ['the metallb.io form with a typo', { annotations: { 'metallb.io/address-pool': 'ipv44' } }, 'pool "ipv44" does not exist or is not usable (pools tried: "ipv44")'],
    ['loadBalancerIPs naming an address in no pool', pinned('192.0.3.1'), 'requested "192.0.3.1": not inside one usable pool'],
    ['both, with a typo in the pool', inPool('ipv44', { 'herald.dev/loadBalancerIPs': '192.0.2.5' }), 'pool "ipv44" does not exist or is not usable (pools tried: "ipv44")'],
  ])('%s: the Service keeps its IP and pool, with a warning saying what is missing and what it keeps', (_story, shape, why) => {
    const { core, apply } = base();
    const outcome = apply('apps/web', { ...shape, ingress: ['192.0.2.0'] });
    expect(outcome).toMatchObject({ ingress: [{ ip: '192.0.2.0' }], poolAnnotation: 'ipv4', result: 'ok' });
    expect(eventsOf(outcome)).toEqual([['Warning', 'AllocationFailed', `${why}; keeping "192.0.2.0" from pool "ipv4"`]]);
    expect(core.pending()).toEqual([]);
    expect(core.poolStatuses(NOW)[0]?.status.assignedIPv4).toBe(1);
    // Fixing the annotation: no event, nothing moves.
    expect(apply('apps/web', { ingress: ['192.0.2.0'] }).events).toEqual([]);
  });

  it('once the named pool appears, the Service gets what it asked for (a deliberate ask, now met)', () => {
    const { core, apply } = base();
    apply('apps/web', { ...inPool('ipv44'), ingress: ['192.0.2.0'] });
    const update = core.setPools([pool('ipv4', ['192.0.2.0/29']), pool('ipv44', ['198.51.100.0/29'])], NOW);
    expect(update.servicesToReprocess).toEqual(['apps/web']);
    const moved = apply('apps/web', { ...inPool('ipv44'), ingress: ['192.0.2.0'] });
    expect([ipsOf(moved), moved.poolAnnotation, moved.events.map((e) => e.reason)]).toEqual([['198.51.100.0'], 'ipv44', ['IPChanged']]);
  });

  it('a restarted controller decides the same: the kept IP is restored and kept again', () => {
    const shape = { ...inPool('ipv44'), ingress: ['192.0.2.0'] };
    const existing = [service('apps/web', { ...shape, annotations: { ...shape.annotations, 'herald.dev/ip-allocated-from-pool': 'ipv4' } })];
    const { refused, apply } = cluster([pool('ipv4', ['192.0.2.0/29'])], {}, existing);
    expect(refused).toEqual([]);
    expect(ipsOf(apply('apps/web', shape))).toEqual(['192.0.2.0']);
  });
});

describe('a pool switched to autoAssign: false keeps what it gave automatically', () => {
  // autoAssign says which pools give new addresses without being asked; like serviceAllocation it is checked when
  // allocating, never when keeping. Before, the next decision about each automatic Service (any edit of it, or a
  // restart) released its address, or moved it to another autoAssign pool.
  const manual = pool('ipv4', ['192.0.2.0/29'], { autoAssign: false });
  const other = pool('other', ['198.51.100.0/29']);
  const shapes: Record<ServiceKey, ServiceShape> = { 'apps/web': {}, 'apps/api': { labels: { tier: 'api' } }, 'apps/named': inPool('ipv4') };
  const held: Record<ServiceKey, string> = { 'apps/web': '192.0.2.0', 'apps/api': '192.0.2.1', 'apps/named': '192.0.2.2' };

  it('every Service keeps its address, with no event, also when edited; only new automatic Services go elsewhere', () => {
    const { core, apply, ips } = cluster([pool('ipv4', ['192.0.2.0/29']), other]);
    expect(Object.entries(shapes).map(([key, shape]) => ips(key as ServiceKey, shape))).toEqual([['192.0.2.0'], ['192.0.2.1'], ['192.0.2.2']]);
    core.setPools([manual, other], NOW + 1000);
    for (const [key, ip] of Object.entries(held)) {
      const shape = shapes[key as ServiceKey] ?? {};
      const outcome = apply(key as ServiceKey, { ...shape, labels: { ...shape.labels, edited: 'yes' }, ingress: [ip] });
      expect([key, ipsOf(outcome), outcome.poolAnnotation, outcome.events, outcome.condition?.reason]).toEqual([key, [ip], 'ipv4', [], 'Assigned']);
    }
    expect(core.poolStatuses(NOW + 1000).map((p) => [p.name, p.status.assignedIPv4])).toEqual([['ipv4', 3], ['other', 0]]);
    expect(ips('apps/new')).toEqual(['198.51.100.0']);
    expect(ips('apps/asks', inPool('ipv4'))).toEqual(['192.0.2.3']);
  });

  it('a restarted controller restores and keeps them too', () => {
    const existing = Object.entries(held).map(([key, ip]) => service(key, { ...shapes[key as ServiceKey], ingress: [ip] }));
    const { refused, apply } = cluster([manual, other], {}, existing);
    expect(refused).toEqual([]);
    for (const [key, ip] of Object.entries(held)) {
      const outcome = apply(key as ServiceKey, { ...shapes[key as ServiceKey], ingress: [ip] });
      expect([key, ipsOf(outcome), outcome.events]).toEqual([key, [ip], []]);
    }
  });
});

it('a pool\'s serviceAllocation that no longer admits a Service (its labels or its namespace\'s changed) takes nothing away', () => {
  const team = pool('team', ['192.0.2.0/29'], { serviceAllocation: { namespaceSelectors: [{ matchLabels: { team: 'a' } }], serviceSelectors: [{ matchLabels: { tier: 'web' } }] } });
  const { core, apply } = cluster([team, pool('rest', ['198.51.100.0/29'])]);
  core.setNamespaces([{ metadata: { name: 'apps', labels: { team: 'a' } } }]);
  expect(ipsOf(apply('apps/web', { labels: { tier: 'web' } }))).toEqual(['192.0.2.0']);
  const relabelled = apply('apps/web', { labels: { tier: 'db' }, ingress: ['192.0.2.0'] });
  expect([ipsOf(relabelled), relabelled.events]).toEqual([['192.0.2.0'], []]);
  core.setNamespaces([{ metadata: { name: 'apps', labels: { team: 'b' } } }]);
  const moved = apply('apps/web', { labels: { tier: 'db' }, ingress: ['192.0.2.0'] });
  expect([ipsOf(moved), moved.events]).toEqual([['192.0.2.0'], []]);
  // A new Service with those labels is not admitted: the rule applies to new addresses only.
  expect(ipsOf(apply('apps/new', { labels: { tier: 'db' } }))).toEqual(['198.51.100.0']);
});

describe('deliberate acts still release', () => {
  const start = () => {
    const c = cluster([pool('p', ['192.0.2.0/29']), pool('q', ['198.51.100.0/29'], { autoAssign: false })]);
    expect(c.ips('apps/web', inPool('p'))).toEqual(['192.0.2.0']);
    return c;
  };
  it.each<[string, (c: ReturnType<typeof start>) => ServiceOutcome, string[], string[]]>([
    ['deleting the Service', (c) => c.core.reconcile('apps/web', undefined), [], []],
    ['changing its type', (c) => c.apply('apps/web', { type: 'ClusterIP', ingress: ['192.0.2.0'] }), [], ['IPReleased']],
    ['changing its class', (c) => c.apply('apps/web', { loadBalancerClass: 'other', ingress: ['192.0.2.0'] }), [], ['IPReleased']],
    ['annotating it with another pool that exists', (c) => c.apply('apps/web', { ...inPool('q'), ingress: ['192.0.2.0'] }), ['198.51.100.0'], ['IPChanged']],
    ['deleting its pool', (c) => { c.core.setPools([pool('q', ['198.51.100.0/29'], { autoAssign: false })], NOW); return c.apply('apps/web', { ...inPool('p'), ingress: ['192.0.2.0'] }); },
      [], ['AllocationFailed', 'IPReleased']],
    ['shrinking its pool', (c) => { c.core.setPools([pool('p', ['192.0.2.4/30'])], NOW); return c.apply('apps/web', { ...inPool('p'), ingress: ['192.0.2.0'] }); },
      ['192.0.2.4'], ['IPChanged']],
  ])('%s', (_story, act, ips, reasons) => {
    const outcome = act(start());
    expect([ipsOf(outcome), outcome.events.map((e) => e.reason)]).toEqual([ips, reasons]);
  });
});

describe('a pool deleted and created again (no memory of earlier assignments)', () => {
  it('moved Services stay where they moved; waiting ones are served requested-first, then by namespace/name, lowest free first', () => {
    const p = pool('p', ['192.0.2.0/29'], { serviceAllocation: { priority: 1 } });
    const spare = pool('spare', ['198.51.100.0/29']);
    const { core, apply, ips } = cluster([p, spare]);
    // Served in this order: the pinned one first, then the others.
    const shapes: Record<ServiceKey, ServiceShape> = { 'c/pinned': pinned('192.0.2.0'), 'z/first': {}, 'a/second': {}, 'b/annotated': inPool('p') };
    expect(Object.entries(shapes).map(([key, shape]) => ips(key as ServiceKey, shape)[0])).toEqual(['192.0.2.0', '192.0.2.1', '192.0.2.2', '192.0.2.3']);
    const run = (keys: readonly ServiceKey[]) => Object.fromEntries(keys.map((key) => {
      const outcome = apply(key, shapes[key]);
      return [key, [ipsOf(outcome)[0] ?? 'none', ...outcome.events.map((e) => e.reason)]];
    }));

    // Deleted: who can use "spare" moves there, the others are cleared.
    const deleted = core.setPools([spare], NOW);
    expect(deleted.servicesToReprocess).toEqual(['a/second', 'b/annotated', 'c/pinned', 'z/first']);
    expect(run(deleted.servicesToReprocess)).toEqual({
      'a/second': ['198.51.100.0', 'IPChanged'], 'b/annotated': ['none', 'AllocationFailed', 'IPReleased'],
      'c/pinned': ['none', 'AllocationFailed', 'IPReleased'], 'z/first': ['198.51.100.1', 'IPChanged'],
    });
    shapes['a/late'] = inPool('p');
    expect(run(['a/late'])).toEqual({ 'a/late': ['none', 'AllocationFailed'] });

    // Created again with the same addresses: the pinned Service first, then the others waiting, by key.
    const recreated = core.setPools([p, spare], NOW);
    expect(recreated.servicesToReprocess).toEqual(['c/pinned', 'a/late', 'b/annotated']);
    expect(run(recreated.servicesToReprocess)).toEqual({
      'c/pinned': ['192.0.2.0', 'IPAllocated'], 'a/late': ['192.0.2.1', 'IPAllocated'], 'b/annotated': ['192.0.2.2', 'IPAllocated'],
    });
    // The moved ones are not reprocessed, and would not move back.
    expect(run(['a/second', 'z/first'])).toEqual({ 'a/second': ['198.51.100.0'], 'z/first': ['198.51.100.1'] });
  });
});
