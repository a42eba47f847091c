// Stories of a cluster: pools and Services go in, IPs, events and statuses come out.
import type { ServiceKey } from '../core-api.js';
import { createControllerCore } from './core.js';
import { cluster, NOW, pool, service, type ServiceShape } from './fixtures.js';

describe('sharing an IP by allow-shared-ip key', () => {
  const shared = (key: string, port: number, more: ServiceShape = {}): ServiceShape =>
    ({ annotations: { 'herald.dev/allow-shared-ip': key }, ports: [{ port }], ...more });

  it('same key, different ports: the second Service reuses the first one\'s IP', () => {
    const { ips } = cluster([pool('p', ['192.0.2.0/29'])]);
    expect(ips('a/dns-tcp', shared('dns', 53))).toEqual(['192.0.2.0']);
    expect(ips('a/dns-udp', shared('dns', 54))).toEqual(['192.0.2.0']);
  });

  it('the metallb.universe.tf form of the annotation is honoured too', () => {
    const { ips } = cluster([pool('p', ['192.0.2.0/29'])]);
    ips('a/x', { annotations: { 'metallb.universe.tf/allow-shared-ip': 'k' }, ports: [{ port: 1 }] });
    expect(ips('a/y', { annotations: { 'metallb.io/allow-shared-ip': 'k' }, ports: [{ port: 2 }] })).toEqual(['192.0.2.0']);
  });

  it.each([
    ['the same port and protocol', shared('k', 80), shared('k', 80)],
    ['different keys', shared('k', 80), shared('other', 81)],
    ['no key on the second', shared('k', 80), { ports: [{ port: 81 }] }],
    ['Local traffic policy with different pods', shared('k', 80, { externalTrafficPolicy: 'Local', selector: { app: 'a' } }),
      shared('k', 81, { externalTrafficPolicy: 'Local', selector: { app: 'b' } })],
  ])('%s: no sharing, the second Service gets the next address', (_story, first, second) => {
    const { ips } = cluster([pool('p', ['192.0.2.0/29'])]);
    expect(ips('a/one', first)).toEqual(['192.0.2.0']);
    expect(ips('a/two', second)).toEqual(['192.0.2.1']);
  });

  it('Local traffic policy with the same pods shares; UDP and TCP on one port share', () => {
    const { ips } = cluster([pool('p', ['192.0.2.0/29'])]);
    const local = { externalTrafficPolicy: 'Local', selector: { app: 'dns' } };
    expect(ips('a/tcp', shared('k', 53, local))).toEqual(['192.0.2.0']);
    expect(ips('a/udp', { ...shared('k', 53, local), ports: [{ port: 53, protocol: 'UDP' }] })).toEqual(['192.0.2.0']);
  });

  it('the address stays held while one sharer remains, and is freed after the last', () => {
    const { core, ips } = cluster([pool('p', ['192.0.2.0/29'])]);
    ips('a/one', shared('k', 1));
    ips('a/two', shared('k', 2));
    core.reconcile('a/one', undefined);
    expect(ips('a/three')).toEqual(['192.0.2.1']);
    core.reconcile('a/two', undefined);
    expect(ips('a/four')).toEqual(['192.0.2.0']);
  });

  it.each([
    ['its ports now collide with the other sharer\'s', shared('k', 1)],
    ['its key changes', shared('other', 2)],
    ['it drops the key', { ports: [{ port: 2 }] }],
    ['Local traffic policy now selects other pods', shared('k', 2, { externalTrafficPolicy: 'Local', selector: { app: 'b' } })],
  ])('a sharer that may no longer share (%s) moves to a free address; the other keeps the shared one', (_story, changed) => {
    const { apply, ips } = cluster([pool('p', ['192.0.2.0/29'])]);
    expect(ips('a/one', shared('k', 1))).toEqual(['192.0.2.0']);
    expect(ips('a/two', shared('k', 2))).toEqual(['192.0.2.0']);
    const moved = apply('a/two', changed);
    expect(moved.ingress.map((i) => i.ip)).toEqual(['192.0.2.1']);
    expect(moved.events.map((e) => e.reason)).toEqual(['IPChanged']);
    expect(ips('a/one', shared('k', 1))).toEqual(['192.0.2.0']);
  });

  it('a sharer\'s new ports are what later Services are checked against', () => {
    const { ips } = cluster([pool('p', ['192.0.2.0/29'])]);
    expect(ips('a/one', shared('k', 1))).toEqual(['192.0.2.0']);
    expect(ips('a/one', shared('k', 2))).toEqual(['192.0.2.0']); // no clash with anyone: it keeps its address
    expect(ips('a/two', shared('k', 2))).toEqual(['192.0.2.1']);
    expect(ips('a/three', shared('k', 1))).toEqual(['192.0.2.0']);
  });

  // A sharer whose request names something that is not there (unmet), or cannot be read (retained), keeps its
  // address; the ports it now uses must still be what the next key-mate is checked against, or two Services end
  // up on one port of one address (and a port it gave up stays blocked).
  it.each<[string, ServiceShape]>([
    ['a typo in its address-pool annotation', { annotations: { 'herald.dev/allow-shared-ip': 'k', 'herald.dev/address-pool': 'typo' } }],
    ['an unreadable loadBalancerIPs annotation', { annotations: { 'herald.dev/allow-shared-ip': 'k', 'herald.dev/loadBalancerIPs': '192.0.2.x' } }],
  ])('a sharer that changes its ports while keeping its address under %s is checked by its new ports', (_story, mistake) => {
    const { apply, ips } = cluster([pool('p', ['192.0.2.0/29'])]);
    expect(ips('a/one', shared('k', 1))).toEqual(['192.0.2.0']);
    expect(ips('a/two', shared('k', 2))).toEqual(['192.0.2.0']);
    const kept = apply('a/one', { ...mistake, ports: [{ port: 3 }], ingress: ['192.0.2.0'] });
    expect([kept.ingress.map((i) => i.ip), kept.events.map((e) => e.type)]).toEqual([['192.0.2.0'], ['Warning']]);
    expect(ips('a/three', shared('k', 3))).toEqual(['192.0.2.1']); // port 3 is a/one's now
    expect(ips('a/four', shared('k', 1))).toEqual(['192.0.2.0']); // port 1 was given up
  });

  it('a Service that may share two key-mates\' addresses takes the lowest', () => {
    const { ips } = cluster([pool('p', ['192.0.2.0/29'])]);
    expect(ips('a/one', shared('k', 1))).toEqual(['192.0.2.0']);
    expect(ips('a/two', shared('k', 1))).toEqual(['192.0.2.1']);
    expect(ips('a/three', shared('k', 2))).toEqual(['192.0.2.0']);
  });

  it('a key-mate\'s address of the other family is not reused: an IPv4 Service gets an IPv4 address', () => {
    const { ips } = cluster([pool('dual', ['192.0.2.0/29', '2001:db8::/64'])]);
    expect(ips('a/v6', shared('k', 1, { ipFamilies: ['IPv6'] }))).toEqual(['2001:db8::']);
    expect(ips('a/v4', shared('k', 2))).toEqual(['192.0.2.0']);
  });

  it('a typo in a sharer\'s request does not let it keep an address it may no longer share', () => {
    const { apply, ips } = cluster([pool('p', ['192.0.2.0/29'])]);
    ips('a/one', shared('k', 1));
    ips('a/two', shared('k', 2));
    const typo = apply('a/two', { ...shared('k', 1), annotations: { 'herald.dev/allow-shared-ip': 'k', 'herald.dev/loadBalancerIPs': '192.0.2.x' } });
    expect(typo.ingress).toEqual([]);
    expect(typo.events.map((e) => e.reason)).toContain('InvalidRequest');
    expect(ips('a/one', shared('k', 1))).toEqual(['192.0.2.0']);
  });

  it('when a key-mate\'s pool cannot serve it (no address of its family), the other pools are still tried', () => {
    const { ips } = cluster([pool('late', ['192.0.2.0/29'], { serviceAllocation: { priority: 5 } }), pool('early', ['2001:db8::/64'], { serviceAllocation: { priority: 1 } })]);
    expect(ips('a/one', { ...shared('k', 1), annotations: { 'herald.dev/allow-shared-ip': 'k', 'herald.dev/address-pool': 'late' } })).toEqual(['192.0.2.0']);
    expect(ips('a/two', shared('k', 2, { ipFamilies: ['IPv6'] }))).toEqual(['2001:db8::']);
  });

  it('a Service whose port clashes at one shared address shares another key-mate\'s address', () => {
    const { ips } = cluster([pool('p', ['192.0.2.0/29'])]);
    ips('a/one', shared('k', 1));
    expect(ips('a/two', shared('k', 1))).toEqual(['192.0.2.1']);
    expect(ips('a/three', shared('k', 2))).toEqual(['192.0.2.0']);
    expect(ips('a/four', shared('k', 2))).toEqual(['192.0.2.1']);
  });

  it('after one of three sharers leaves, a newcomer with the key still finds the shared address', () => {
    const { core, ips } = cluster([pool('p', ['192.0.2.0/29'])]);
    ips('a/one', shared('k', 1));
    ips('a/two', shared('k', 2));
    core.reconcile('a/two', undefined);
    expect(ips('a/three', shared('k', 3))).toEqual(['192.0.2.0']);
  });

  it('an address whose sharers are all gone is not held back for their key: the lowest free address is given', () => {
    const { core, ips } = cluster([pool('p', ['192.0.2.0/29'])]);
    ips('a/plain');
    expect(ips('a/one', shared('k', 1))).toEqual(['192.0.2.1']);
    core.reconcile('a/plain', undefined);
    core.reconcile('a/one', undefined);
    expect(ips('a/two', shared('k', 2))).toEqual(['192.0.2.0']);
  });

  it.each([
    ['it carries no key', { ports: [{ port: 2 }] }, 'not both Services carry an allow-shared-ip key'],
    ['their keys differ', shared('other', 2), 'their allow-shared-ip keys differ'],
    ['they select different pods under the Local policy', shared('k', 2, { externalTrafficPolicy: 'Local', selector: { app: 'b' } }), 'they select different pods while externalTrafficPolicy is Local'],
    ['they use the same port', shared('k', 1), 'they use the same port and protocol'],
  ])('a requested IP another Service holds is refused when %s, saying why', (_story, shape, why) => {
    const { apply, ips } = cluster([pool('p', ['192.0.2.0/29'])]);
    ips('a/one', shared('k', 1));
    const refused = apply('a/two', { ...shape, loadBalancerIP: '192.0.2.0' });
    expect(refused.ingress).toEqual([]);
    expect(refused.events[0]?.message).toContain(`"192.0.2.0" is already used by a/one and cannot be shared: ${why}`);
  });

  it('a key-mate\'s pool is tried before a higher-priority pool', () => {
    const { ips } = cluster([pool('late', ['192.0.2.0/29'], { serviceAllocation: { priority: 5 } }), pool('early', ['198.51.100.0/29'], { serviceAllocation: { priority: 1 } })]);
    expect(ips('a/one', { ...shared('k', 1), annotations: { 'herald.dev/allow-shared-ip': 'k', 'herald.dev/address-pool': 'late' } })).toEqual(['192.0.2.0']);
    expect(ips('a/two', shared('k', 2))).toEqual(['192.0.2.0']);
  });
});

describe('dual-stack', () => {
  const dual = [pool('dual', ['192.0.2.0/29', '2001:db8::/64'])];
  it.each([
    ['SingleStack IPv6', { ipFamilies: ['IPv6'] }, ['2001:db8::']],
    ['PreferDualStack, IPv6 first: IPv4 still listed first', { ipFamilies: ['IPv6', 'IPv4'], ipFamilyPolicy: 'PreferDualStack' }, ['192.0.2.0', '2001:db8::']],
    ['RequireDualStack', { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' }, ['192.0.2.0', '2001:db8::']],
    ['SingleStack with two families listed takes the first', { ipFamilies: ['IPv6', 'IPv4'], ipFamilyPolicy: 'SingleStack' }, ['2001:db8::']],
  ])('%s', (_story, shape, expected) => {
    expect(cluster(dual).ips('a/s', shape)).toEqual(expected);
  });

  it('PreferDualStack from an IPv4-only pool gets IPv4 only', () => {
    expect(cluster([pool('v4', ['192.0.2.0/29'])]).ips('a/s', { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'PreferDualStack' })).toEqual(['192.0.2.0']);
  });

  it('RequireDualStack skips a single-family pool for one that has both, and fails naming every pool tried', () => {
    const require = { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' };
    expect(cluster([pool('a-v4', ['198.51.100.0/29']), ...dual]).ips('a/s', require)).toEqual(['192.0.2.0', '2001:db8::']);
    const outcome = cluster([pool('a-v4', ['192.0.2.0/29']), pool('b-v6', ['2001:db8::/120'])]).apply('a/s', require);
    expect(outcome.ingress).toEqual([]);
    expect(outcome.result).toBe('retry');
    expect(outcome.events[0]?.reason).toBe('AllocationFailed');
    expect(outcome.events[0]?.message).toMatch(/"a-v4".*"b-v6"/);
  });
});

describe('which pool: requested IP, annotation, serviceAllocation by priority, then by name', () => {
  const pools = () => [
    pool('zz-plain', ['203.0.113.0/29']),
    pool('aa-plain', ['203.0.113.8/29']),
    pool('prio-9', ['198.51.100.0/29'], { serviceAllocation: { priority: 9 } }),
    pool('prio-1-team', ['198.51.100.8/29'], { serviceAllocation: { priority: 1, namespaces: ['team'] } }),
    pool('no-prio', ['198.51.100.16/29'], { serviceAllocation: { serviceSelectors: [{ matchLabels: { tier: 'web' } }] } }),
    pool('manual', ['192.0.2.0/29'], { autoAssign: false }),
  ];
  it.each([
    ['a namespace listed by the priority-1 pool goes there', 'team/s', {}, '198.51.100.8'],
    ['any other Service takes priority 9 first', 'other/s', {}, '198.51.100.0'],
    ['the address-pool annotation wins over priority', 'team/s', { annotations: { 'herald.dev/address-pool': 'zz-plain' } }, '203.0.113.0'],
    ['a requested IP wins over all', 'team/s', { loadBalancerIP: '203.0.113.12' }, '203.0.113.12'],
    ['an autoAssign:false pool serves an annotation', 'other/s', { annotations: { 'metallb.io/address-pool': 'manual' } }, '192.0.2.0'],
    ['an autoAssign:false pool serves a requested IP', 'other/s', { annotations: { 'herald.dev/loadBalancerIPs': '192.0.2.5' } }, '192.0.2.5'],
  ])('%s', (_story, key, shape, expected) => {
    expect(cluster(pools()).ips(key as ServiceKey, shape)).toEqual([expected]);
  });

  it('pools of equal priority are taken by name, whatever order they are listed in', () => {
    for (const listed of [['b', 'a'], ['a', 'b']]) {
      const pools = listed.map((name) => pool(name, [name === 'a' ? '192.0.2.0/29' : '198.51.100.0/29'], { serviceAllocation: { priority: 3 } }));
      expect(cluster(pools).ips('n/s')).toEqual(['192.0.2.0']);
    }
  });

  it('when priorities fill up: no-priority selector pool, then plain pools by name; never the autoAssign:false pool', () => {
    const { ips } = cluster(pools());
    const got = Array.from({ length: 32 }, (_, i) => ips(`other/s${i}`, { labels: { tier: 'web' } })[0]);
    expect(got.slice(0, 8)).toEqual(Array.from({ length: 8 }, (_, i) => `198.51.100.${i}`));
    expect(got.slice(8, 16)).toEqual(Array.from({ length: 8 }, (_, i) => `198.51.100.${16 + i}`));
    expect(got.slice(16, 24)).toEqual(Array.from({ length: 8 }, (_, i) => `203.0.113.${8 + i}`));
    expect(got.slice(24)).toEqual(Array.from({ length: 8 }, (_, i) => `203.0.113.${i}`));
    const full = cluster(pools());
    const failing = full.apply('other/late', { annotations: { 'herald.dev/address-pool': 'nope' } });
    expect(failing.events[0]?.message).toContain('"nope"');
  });

  it('namespaceSelectors match the namespace\'s labels', () => {
    const { core, ips } = cluster([pool('gold', ['192.0.2.0/29'], { serviceAllocation: { namespaceSelectors: [{ matchLabels: { plan: 'gold' } }] } }), pool('rest', ['203.0.113.0/29'])]);
    core.setNamespaces([{ metadata: { name: 'rich', labels: { plan: 'gold' } } }, { metadata: { name: 'poor', labels: {} } }]);
    expect(ips('rich/s')).toEqual(['192.0.2.0']);
    expect(ips('poor/s')).toEqual(['203.0.113.0']);
    expect(ips('poor/t', { annotations: { 'herald.dev/address-pool': 'gold' } })).toEqual([]);
  });
});

describe('exhaustion and freeing', () => {
  it('the third Service of a two-address pool fails naming the pool, and gets the IP freed by a deletion', () => {
    const { core, apply, ips } = cluster([pool('tiny', ['192.0.2.10-192.0.2.11'])]);
    expect(ips('a/one')).toEqual(['192.0.2.10']);
    expect(ips('a/two')).toEqual(['192.0.2.11']);
    const third = apply('a/three');
    expect(third.events).toEqual([expect.objectContaining({ reason: 'AllocationFailed', type: 'Warning' })]);
    expect(third.events[0]?.message).toContain('"tiny"');
    expect(core.pending()).toEqual(['a/three']);
    expect(core.reconcile('a/one', undefined).result).toBe('reprocessAll');
    expect(ips('a/three')).toEqual(['192.0.2.10']);
    expect(core.pending()).toEqual([]);
  });
});

describe('pools that shrink or go away', () => {
  it('a Service outside the shrunk pool moves (IPChanged); with no pool left it is cleared (IPReleased)', () => {
    const { core, apply, ips } = cluster([pool('p', ['192.0.2.0/29'])]);
    ips('a/one');
    ips('a/two');
    expect(core.setPools([pool('p', ['192.0.2.0-192.0.2.0', '192.0.2.4/30'])], NOW).servicesToReprocess).toEqual(['a/two']);
    const moved = apply('a/two', { ingress: ['192.0.2.1'] });
    expect(moved.ingress.map((i) => i.ip)).toEqual(['192.0.2.4']);
    expect(moved.events.map((e) => [e.reason, e.message])).toEqual([['IPChanged', expect.stringContaining('"192.0.2.1"')]]);
    expect(core.setPools([], NOW).servicesToReprocess.sort()).toEqual(['a/one', 'a/two']);
    expect(apply('a/one').events.map((e) => e.reason)).toEqual(['AllocationFailed', 'IPReleased']);
  });

  // Found by the restart property: the running controller kept this IP while a restarted one cleared it.
  it('a deleted pool whose address another pool covers: the Service is decided again, as after a restart', () => {
    const annotated: ServiceShape = { annotations: { 'herald.dev/address-pool': 'inner' } };
    const { core, apply, ips } = cluster([pool('inner', ['198.51.100.0/30'])]);
    expect(ips('a/asks-inner', annotated)).toEqual(['198.51.100.0']);
    expect(ips('a/any')).toEqual(['198.51.100.1']);
    // "inner" goes; "outer" covers both addresses. Neither Service is displaced, both are re-homed.
    expect(core.setPools([pool('outer', ['198.51.100.0/31'])], NOW).servicesToReprocess).toEqual(['a/any', 'a/asks-inner']);
    // The one that asked for "inner" cannot keep an address of "outer"; the other keeps its IP.
    const asked = apply('a/asks-inner', { ...annotated, ingress: ['198.51.100.0'] });
    expect(asked.ingress).toEqual([]);
    expect(asked.events.map((e) => e.reason)).toEqual(['AllocationFailed', 'IPReleased']);
    expect(apply('a/any', { ingress: ['198.51.100.1'] }).ingress.map((i) => i.ip)).toEqual(['198.51.100.1']);
  });
});

describe('restore after a restart', () => {
  it('keeps every recorded IP, lowest-first resumes around them, and a new pool order moves nothing', () => {
    const existing = [service('a/x', { ingress: ['192.0.2.3'] }), service('a/y', { ingress: ['192.0.2.0'] })];
    const { refused, ips, reasons } = cluster([pool('p', ['192.0.2.0/29']), pool('a-first', ['198.51.100.0/29'])], {}, existing);
    expect(refused).toEqual([]);
    expect(reasons('a/x', { ingress: ['192.0.2.3'] })).toEqual([]);
    expect(ips('a/x', { ingress: ['192.0.2.3'] })).toEqual(['192.0.2.3']);
    expect(ips('a/new')).toEqual(['198.51.100.0']);
  });

  it('a restored IP in a namespace-selected pool stays even before the namespace labels are known', () => {
    const gold = pool('gold', ['192.0.2.0/29'], { serviceAllocation: { namespaceSelectors: [{ matchLabels: { plan: 'gold' } }] } });
    const { ips } = cluster([gold, pool('rest', ['203.0.113.0/29'])], {}, [service('rich/s', { ingress: ['192.0.2.4'] })]);
    expect(ips('rich/s', { ingress: ['192.0.2.4'] })).toEqual(['192.0.2.4']);
    expect(ips('rich/new')).toEqual(['203.0.113.0']);
  });

  it('two Services claiming one IP without a sharing right: the older keeps it, the newer is reported and moves', () => {
    const existing = [
      service('a/newer', { ingress: ['192.0.2.1'], created: '2024-03-01T00:00:00Z' }),
      service('a/older', { ingress: ['192.0.2.1'], created: '2024-02-01T00:00:00Z' }),
      service('a/lost', { ingress: ['10.9.9.9'] }),
    ];
    const { refused, apply } = cluster([pool('p', ['192.0.2.0/29'])], {}, existing);
    expect(refused.sort()).toEqual(['a/lost', 'a/newer']);
    expect(apply('a/older', { ingress: ['192.0.2.1'] }).events).toEqual([]);
    const moved = apply('a/newer', { ingress: ['192.0.2.1'] });
    expect(moved.ingress.map((i) => i.ip)).toEqual(['192.0.2.0']);
    expect(moved.events.map((e) => e.reason)).toEqual(['IPChanged']);
  });
});

describe('requests that change or are bad', () => {
  it('a new requested IP moves the Service; an unchanged one keeps it', () => {
    const { apply, ips } = cluster([pool('p', ['192.0.2.0/29'])]);
    expect(ips('a/s', { loadBalancerIP: '192.0.2.5' })).toEqual(['192.0.2.5']);
    const moved = apply('a/s', { annotations: { 'herald.dev/loadBalancerIPs': '192.0.2.6' } });
    expect(moved.ingress.map((i) => i.ip)).toEqual(['192.0.2.6']);
    expect(moved.events.map((e) => e.reason)).toEqual(['IPChanged']);
    expect(apply('a/t', { loadBalancerIP: '192.0.2.6' }).events[0]?.message).toContain('a/s');
  });

  it('a new address-pool annotation re-allocates from that pool', () => {
    const { ips } = cluster([pool('a', ['192.0.2.0/29']), pool('b', ['198.51.100.0/29'])]);
    expect(ips('n/s')).toEqual(['192.0.2.0']);
    expect(ips('n/s', { annotations: { 'herald.dev/address-pool': 'b' } })).toEqual(['198.51.100.0']);
  });

  it.each([
    ['not an IP', { 'herald.dev/loadBalancerIPs': '192.0.2.x' }, '"192.0.2.x"'],
    ['two IPv4 addresses', { 'herald.dev/loadBalancerIPs': '192.0.2.1,192.0.2.2' }, 'one IP per family'],
    ['an IPv6 address on an IPv4-only Service', { 'herald.dev/loadBalancerIPs': '2001:db8::1' }, 'IPv6'],
  ])('%s: InvalidRequest quoting the value; an IP already held is kept', (_story, annotations, quoted) => {
    const { apply, ips } = cluster([pool('p', ['192.0.2.0/29'])]);
    const fresh = apply('a/new', { annotations });
    expect(fresh.ingress).toEqual([]);
    expect(fresh.events[0]).toMatchObject({ reason: 'InvalidRequest', type: 'Warning' });
    expect(fresh.events[0]?.message).toContain(quoted);
    expect(ips('a/held')).toEqual(['192.0.2.0']);
    expect(ips('a/held', { annotations })).toEqual(['192.0.2.0']);
  });
});

describe('what a Service keeps when its request changes', () => {
  const dual = () => cluster([pool('dual', ['192.0.2.0/29', '2001:db8::/64'])]);
  const both = { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' };
  it.each([
    ['single-stack to RequireDualStack: it gains the other family', {}, both, ['192.0.2.0', '2001:db8::']],
    ['dual-stack to SingleStack: it keeps one address', both, {}, ['192.0.2.0']],
    ['dual-stack to SingleStack with both families still listed: it keeps one address', both, { ...both, ipFamilyPolicy: 'SingleStack' }, ['192.0.2.0']],
    ['the IPv6 family removed while PreferDualStack: it gives the IPv6 address back', both, { ipFamilies: ['IPv4'], ipFamilyPolicy: 'PreferDualStack' }, ['192.0.2.0']],
  ])('%s', (_story, before, after, expected) => {
    const { ips } = dual();
    ips('a/s', before);
    expect(ips('a/s', after)).toEqual(expected);
  });

  it('requested IPs are listed IPv4 first whatever their order; changing one of two moves the Service to it', () => {
    const { ips } = dual();
    const v6First = { ipFamilies: ['IPv6', 'IPv4'], ipFamilyPolicy: 'RequireDualStack' };
    expect(ips('a/s', { ...v6First, annotations: { 'herald.dev/loadBalancerIPs': '2001:db8::5,192.0.2.5' } })).toEqual(['192.0.2.5', '2001:db8::5']);
    expect(ips('a/s', { ...v6First, annotations: { 'herald.dev/loadBalancerIPs': '2001:db8::6,192.0.2.5' } })).toEqual(['192.0.2.5', '2001:db8::6']);
  });

  // autoAssign decides only where a new address comes from (docs/address-pools.md): once held, an address of a
  // usable pool fits a request that names no pool, as a restarted controller, which cannot tell how it was given,
  // must decide too. Naming another pool is what moves it.
  it('dropping the address-pool annotation of an autoAssign:false pool keeps the address; naming another pool moves it', () => {
    const { ips } = cluster([pool('auto', ['198.51.100.0/29']), pool('manual', ['192.0.2.0/29'], { autoAssign: false })]);
    expect(ips('a/s', { annotations: { 'herald.dev/address-pool': 'manual' } })).toEqual(['192.0.2.0']);
    expect(ips('a/s', { ingress: ['192.0.2.0'] })).toEqual(['192.0.2.0']);
    expect(ips('a/s', { annotations: { 'herald.dev/address-pool': 'auto' }, ingress: ['192.0.2.0'] })).toEqual(['198.51.100.0']);
  });

  it('a requested IP outside the annotated pool is refused, naming both pools', () => {
    const outcome = cluster([pool('a', ['192.0.2.0/29']), pool('b', ['198.51.100.0/29'])])
      .apply('n/s', { loadBalancerIP: '198.51.100.5', annotations: { 'herald.dev/address-pool': 'a' } });
    expect(outcome.ingress).toEqual([]);
    expect(outcome.events[0]?.message).toContain('requested "198.51.100.5" is in pool "b", not in the annotated pool "a"');
  });

  it('a pool that lacks a family the Service needs says so', () => {
    const outcome = cluster([pool('v4', ['192.0.2.0/29'])]).apply('a/s', { ipFamilies: ['IPv6'] });
    expect(outcome.ingress).toEqual([]);
    expect(outcome.events[0]?.message).toContain('pool "v4" has no IPv6 addresses');
  });

  it('PreferDualStack listing only IPv6 gets nothing from an IPv4-only pool', () => {
    const outcome = cluster([pool('v4', ['192.0.2.0/29'])]).apply('a/s', { ipFamilies: ['IPv6'], ipFamilyPolicy: 'PreferDualStack' });
    expect(outcome.ingress).toEqual([]);
    expect(outcome.events[0]?.reason).toBe('AllocationFailed');
  });

  it('an annotation naming a pool that does not exist is reported with that pool as the one tried', () => {
    const outcome = cluster([pool('p', ['192.0.2.0/29'])]).apply('a/s', { annotations: { 'herald.dev/address-pool': 'nope' } });
    expect(outcome.events[0]?.message).toMatch(/pool "nope" does not exist or is not usable.*"nope"/);
  });
});

describe('which Services are Herald\'s', () => {
  it('by default only Services without a class; a class change releases the IP', () => {
    const { apply, ips } = cluster([pool('p', ['192.0.2.0/29'])]);
    expect(apply('a/other', { loadBalancerClass: 'vendor.example/lb' })).toMatchObject({ managed: false, ingress: [], events: [] });
    expect(ips('a/s')).toEqual(['192.0.2.0']);
    const moved = apply('a/s', { loadBalancerClass: 'vendor.example/lb' });
    expect(moved).toMatchObject({ managed: false, ingress: [], poolAnnotation: null });
    expect(moved.events.map((e) => e.reason)).toEqual(['IPReleased']);
  });

  it('with a class configured, only that class', () => {
    const { ips } = cluster([pool('p', ['192.0.2.0/29'])], { loadBalancerClass: 'herald.dev/lb' });
    expect(ips('a/none')).toEqual([]);
    expect(ips('a/ours', { loadBalancerClass: 'herald.dev/lb' })).toEqual(['192.0.2.0']);
  });

  it('a Service turned into ClusterIP releases its IP', () => {
    const { apply, ips } = cluster([pool('p', ['192.0.2.0/29'])]);
    ips('a/s');
    expect(apply('a/s', { type: 'ClusterIP' }).events.map((e) => e.reason)).toEqual(['IPReleased']);
    expect(ips('a/t')).toEqual(['192.0.2.0']);
  });
});

describe('avoidBuggyIPs and exact counts', () => {
  it('skips .255 and .0 across a /24 boundary', () => {
    const { ips } = cluster([pool('p', ['192.0.2.254-192.0.3.2'], { avoidBuggyIPs: true })]);
    expect([ips('a/1'), ips('a/2'), ips('a/3'), ips('a/4')].flat()).toEqual(['192.0.2.254', '192.0.3.1', '192.0.3.2']);
  });

  it('an IPv6 /64 counts exactly in status (2^64 - 1 available as a decimal string)', () => {
    const { core, ips } = cluster([pool('v6', ['2001:db8::/64', '192.0.2.0/24'], { avoidBuggyIPs: true })]);
    ips('a/s', { ipFamilies: ['IPv6'] });
    const status = core.poolStatuses(NOW)[0]?.status;
    expect(status).toMatchObject({ assignedIPv6: 1, assignedIPv4: 0, availableIPv6: '18446744073709551615', availableIPv4: 254 });
    expect(BigInt(status?.availableIPv6 ?? '0') + BigInt(status?.assignedIPv6 ?? 0)).toBe(1n << 64n);
  });
});

describe('pool status', () => {
  it('Ready=True Valid; a bad pool Ready=False naming the value, with one PoolInvalid event; times move only on a change', () => {
    const core = createControllerCore({});
    core.setPools([pool('good', ['192.0.2.0/29']), pool('bad', ['192.0.2.9-192.0.2.8'], {}, '2024-01-01T00:00:00Z', 4)], NOW);
    const [good, bad] = core.poolStatuses(NOW);
    expect(good?.status.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'True', reason: 'Valid', lastTransitionTime: '2024-06-01T00:00:00Z' });
    expect(bad?.status.conditions?.[0]).toMatchObject({ status: 'False', reason: 'ReversedRange', observedGeneration: 4 });
    expect(bad?.status.conditions?.[0]?.message).toContain('"192.0.2.9-192.0.2.8"');
    expect(bad?.events.map((e) => e.reason)).toEqual(['PoolInvalid']);
    const later = core.poolStatuses(NOW + 60_000);
    expect(later[1]?.events).toEqual([]);
    expect(later[1]?.status.conditions?.[0]?.lastTransitionTime).toBe('2024-06-01T00:00:00Z');
    core.setPools([pool('good', ['192.0.2.0/29']), pool('bad', ['192.0.2.9-192.0.2.10'])], NOW + 120_000);
    const fixed = core.poolStatuses(NOW + 120_000)[1];
    expect(fixed?.events.map((e) => e.reason)).toEqual(['PoolReady']);
    expect(fixed?.status.conditions?.[0]?.lastTransitionTime).toBe('2024-06-01T00:02:00Z');
  });
});
