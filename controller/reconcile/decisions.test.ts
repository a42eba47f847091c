// What a user reads when a Service has no IP, or keeps one despite a problem: the herald.dev/AddressAssigned
// condition on the Service, and one info line per decision in `kubectl logs` (decision), never one per retry.
import { MESSAGE_MAX_BYTES, utf8Length } from '../../lib/config/index.js';
import type { ServiceKey, ServiceOutcome } from '../core-api.js';
import { cluster, NOW, pool, service } from './fixtures.js';

const web: ServiceKey = 'apps/web';
const typo = { annotations: { 'herald.dev/address-pool': 'porduction' } };

test('an IP given: condition True Assigned naming it and its pool; the decision "allocated" once', () => {
  const { apply } = cluster([pool('p', ['192.0.2.10-192.0.2.11'])]);
  const first = apply(web);
  expect(first.condition).toEqual({ status: 'True', reason: 'Assigned', message: '"192.0.2.10" from pool "p"' });
  expect(first.decision).toEqual({ action: 'allocated', ips: ['192.0.2.10'], pool: 'p' });
  // Decided again (an update to the Service that changes nothing): the same condition, no new line.
  const again = apply(web, { ingress: ['192.0.2.10'] });
  expect([again.condition, again.decision]).toEqual([first.condition, undefined]);
});

test('no IP to give: condition False AllocationFailed with the reason; "pending" logged once, not on every retry', () => {
  const { apply } = cluster([pool('p', ['192.0.2.10'])]);
  apply('apps/first');
  const waiting = apply(web);
  expect(waiting.condition).toEqual({ status: 'False', reason: 'AllocationFailed', message: expect.stringContaining('(pools tried: "p")') });
  expect(waiting.decision).toEqual({ action: 'pending', ips: [], why: waiting.condition?.message });
  expect([apply(web).decision, apply(web).decision]).toEqual([undefined, undefined]);
  expect(apply(web).result).toBe('retry');
});

test('a pending Service that gets an IP is "allocated"; if it waits again later, that is news again', () => {
  const { core, apply } = cluster([pool('p', ['192.0.2.10'])]);
  apply('apps/first');
  expect(apply(web).decision?.action).toBe('pending');
  expect(core.reconcile('apps/first', undefined).decision).toEqual({ action: 'released', ips: [], previous: ['192.0.2.10'], why: 'the Service was deleted' });
  expect(apply(web).decision).toEqual({ action: 'allocated', ips: ['192.0.2.10'], pool: 'p' });
  core.setPools([pool('q', ['198.51.100.1'], { autoAssign: false })], NOW + 1);
  const lost = apply(web, { ingress: ['192.0.2.10'] });
  expect(lost.decision).toMatchObject({ action: 'released', previous: ['192.0.2.10'] });
  expect(lost.condition).toMatchObject({ status: 'False', reason: 'AllocationFailed' });
  // Released then pending for the same reason: the release said it, the retries say nothing.
  expect(apply(web).decision).toBeUndefined();
});

test('a typo in the pool annotation: the Service keeps its IP, condition True RequestNotMet says why, "kept" once', () => {
  const { apply } = cluster([pool('production', ['192.0.2.10-192.0.2.11'])]);
  apply(web);
  const kept = apply(web, { ...typo, ingress: ['192.0.2.10'] });
  expect(kept.ingress.map((i) => i.ip)).toEqual(['192.0.2.10']);
  expect(kept.condition).toEqual({ status: 'True', reason: 'RequestNotMet', message: expect.stringMatching(/^pool "porduction" does not exist or is not usable .*; keeping "192\.0\.2\.10" from pool "production"$/) });
  expect(kept.decision).toMatchObject({ action: 'kept', ips: ['192.0.2.10'], pool: 'production', why: expect.stringContaining('"porduction"') });
  expect(apply(web, { ...typo, ingress: ['192.0.2.10'] }).decision).toBeUndefined();
  // Fixed: the condition is Assigned again; the IP never moved, so nothing is logged as allocated or moved.
  const fixed = apply(web, { ingress: ['192.0.2.10'] });
  expect([fixed.condition?.reason, fixed.decision]).toEqual(['Assigned', undefined]);
});

test('an invalid request: True InvalidRequest while an IP is kept, False InvalidRequest when there is none', () => {
  const { apply } = cluster([pool('p', ['192.0.2.10-192.0.2.11'])]);
  apply(web);
  const bad = { annotations: { 'herald.dev/loadBalancerIPs': '192.0.2.300' } };
  const keeping = apply(web, { ...bad, ingress: ['192.0.2.10'] });
  expect(keeping.condition).toMatchObject({ status: 'True', reason: 'InvalidRequest', message: expect.stringMatching(/"192\.0\.2\.300" is not an IP address.*; keeping "192\.0\.2\.10"$/) });
  expect(keeping.decision).toMatchObject({ action: 'kept', ips: ['192.0.2.10'] });
  const fresh = apply('apps/new', bad);
  expect(fresh.condition).toMatchObject({ status: 'False', reason: 'InvalidRequest', message: expect.stringContaining('192.0.2.300') });
  expect(fresh.decision).toMatchObject({ action: 'pending', ips: [] });
});

test('a shrunk pool moves the Service: "moved" with both lists', () => {
  const { core, apply } = cluster([pool('p', ['192.0.2.10-192.0.2.11'])]);
  apply('apps/a');
  apply(web);
  core.setPools([pool('p', ['192.0.2.10', '192.0.2.12'])], NOW + 1);
  expect(apply(web, { ingress: ['192.0.2.11'] }).decision).toEqual({ action: 'moved', ips: ['192.0.2.12'], previous: ['192.0.2.11'], pool: 'p' });
});

test('not Herald\'s Service any more: the condition is removed (null), and the release logged with why', () => {
  const { apply } = cluster([pool('p', ['192.0.2.10'])]);
  apply(web);
  const other = apply(web, { loadBalancerClass: 'other.example/lb', ingress: ['192.0.2.10'] });
  expect([other.condition, other.managed]).toEqual([null, false]);
  expect(other.decision).toEqual({ action: 'released', ips: [], previous: ['192.0.2.10'], why: 'the Service is no longer a LoadBalancer of this controller\'s class' });
});

test('a Service restored with its IP after a restart logs nothing new', () => {
  const existing = [service(web, { ingress: ['192.0.2.10'] })];
  const { apply } = cluster([pool('p', ['192.0.2.10'])], {}, existing);
  const outcome = apply(web, { ingress: ['192.0.2.10'] });
  expect([outcome.decision, outcome.condition?.reason]).toEqual([undefined, 'Assigned']);
});

test('pool readiness is logged when it is first known and when it changes, not on every status pass', () => {
  const { core } = cluster([pool('a', ['192.0.2.0/29'])]);
  expect(core.poolStatuses(NOW).map((p) => p.readiness)).toEqual([{ ready: true, reason: 'Valid', message: 'addresses "192.0.2.0/29" are in use' }]);
  expect(core.poolStatuses(NOW + 1).map((p) => p.readiness)).toEqual([undefined]);
  core.setPools([pool('a', ['192.0.2.0/29']), pool('b', ['192.0.2.4/30'])], NOW + 2);
  const overlap = core.poolStatuses(NOW + 2);
  expect(overlap.map((p) => [p.name, p.readiness?.ready, p.readiness?.reason])).toEqual([['a', false, 'OverlapsPool'], ['b', false, 'OverlapsPool']]);
});

describe('what an address change says, word for word: the event and the logged decision', () => {
  const dual = () => cluster([pool('dual', ['192.0.2.10-192.0.2.11', '2001:db8::/126'])]);
  const both = { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' };
  const said = (outcome: ServiceOutcome) =>
    ({ managed: outcome.managed, events: outcome.events.map((e) => `${e.type} ${e.reason}: ${e.message}`), decision: outcome.decision });
  const taken = 'requested "192.0.2.11" is already used by apps/holder and cannot be shared: not both Services carry an allow-shared-ip key (pools tried: "dual")';

  it.each<[string, (c: ReturnType<typeof dual>) => ServiceOutcome, ReturnType<typeof said>]>([
    ['a dual-stack Service is given both addresses', (c) => c.apply(web, both), {
      managed: true,
      events: ['Normal IPAllocated: assigned "192.0.2.10", "2001:db8::" from pool "dual"'],
      decision: { action: 'allocated', ips: ['192.0.2.10', '2001:db8::'], pool: 'dual' },
    }],
    ['a single-stack Service becomes dual-stack: it keeps its IPv4 address and gains one', (c) => {
      c.apply(web);
      return c.apply(web, { ...both, ingress: ['192.0.2.10'] });
    }, {
      managed: true,
      events: ['Normal IPChanged: moved from "192.0.2.10" to "192.0.2.10", "2001:db8::" (pool "dual")'],
      decision: { action: 'moved', ips: ['192.0.2.10', '2001:db8::'], previous: ['192.0.2.10'], pool: 'dual' },
    }],
    ['a dual-stack Service asks for another IPv6 address: only that one moves', (c) => {
      c.apply(web, { ...both, annotations: { 'herald.dev/loadBalancerIPs': '192.0.2.10,2001:db8::1' } });
      return c.apply(web, { ...both, annotations: { 'herald.dev/loadBalancerIPs': '192.0.2.10,2001:db8::2' }, ingress: ['192.0.2.10', '2001:db8::1'] });
    }, {
      managed: true,
      events: ['Normal IPChanged: moved from "192.0.2.10", "2001:db8::1" to "192.0.2.10", "2001:db8::2" (pool "dual")'],
      decision: { action: 'moved', ips: ['192.0.2.10', '2001:db8::2'], previous: ['192.0.2.10', '2001:db8::1'], pool: 'dual' },
    }],
    ['a dual-stack Service moves to another controller\'s class: both addresses are released', (c) => {
      c.apply(web, both);
      return c.apply(web, { ...both, loadBalancerClass: 'vendor.example/lb', ingress: ['192.0.2.10', '2001:db8::'] });
    }, {
      managed: false,
      events: ['Normal IPReleased: released "192.0.2.10", "2001:db8::": the Service is no longer a LoadBalancer of this controller\'s class'],
      decision: { action: 'released', ips: [], previous: ['192.0.2.10', '2001:db8::'], why: 'the Service is no longer a LoadBalancer of this controller\'s class' },
    }],
    ['a Service asks for an address another Service holds: it loses the one it had', (c) => {
      c.apply(web);
      c.apply('apps/holder', { loadBalancerIP: '192.0.2.11' });
      return c.apply(web, { loadBalancerIP: '192.0.2.11', ingress: ['192.0.2.10'] });
    }, {
      managed: true,
      events: [
        `Warning AllocationFailed: ${taken}`,
        'Warning IPReleased: released "192.0.2.10": it no longer fits the Service\'s request or any usable pool',
      ],
      decision: { action: 'released', ips: [], previous: ['192.0.2.10'], why: taken },
    }],
    ['a sharer whose request cannot be read, and whose ports now clash with its key-mate\'s', (c) => {
      const shared = (port: number) => ({ annotations: { 'herald.dev/allow-shared-ip': 'k' }, ports: [{ port }] });
      c.apply('apps/mate', shared(1));
      c.apply(web, shared(2));
      return c.apply(web, { ...shared(1), annotations: { 'herald.dev/allow-shared-ip': 'k', 'herald.dev/loadBalancerIPs': '192.0.2.x' }, ingress: ['192.0.2.10'] });
    }, {
      managed: true,
      events: [
        'Warning InvalidRequest: loadBalancerIPs annotation "192.0.2.x": "192.0.2.x" is not an IP address: expected a dotted quad like 192.0.2.1',
        'Warning IPReleased: released "192.0.2.10": its sharing terms no longer fit',
      ],
      decision: {
        action: 'released', ips: [], previous: ['192.0.2.10'],
        why: 'loadBalancerIPs annotation "192.0.2.x": "192.0.2.x" is not an IP address: expected a dotted quad like 192.0.2.1; its sharing terms no longer fit',
      },
    }],
  ])('%s', (_story, act, expected) => {
    expect(said(act(dual()))).toEqual(expected);
  });
});

describe('a decision is logged once per reason, and again when it is news', () => {
  it('kept despite a typo, then released when its pool goes, for the same words: the release is logged', () => {
    const { core, apply } = cluster([pool('production', ['192.0.2.10-192.0.2.11'])]);
    apply(web);
    const kept = apply(web, { ...typo, ingress: ['192.0.2.10'] });
    const why = 'pool "porduction" does not exist or is not usable (pools tried: "porduction")';
    expect(kept.decision).toEqual({ action: 'kept', ips: ['192.0.2.10'], pool: 'production', why });
    core.setPools([pool('other', ['198.51.100.0/30'])], NOW + 1);
    expect(apply(web, { ...typo, ingress: ['192.0.2.10'] }).decision).toEqual({ action: 'released', ips: [], previous: ['192.0.2.10'], why });
    expect(apply(web, typo).decision).toBeUndefined();
  });

  it('kept despite a typo, moved by naming another pool, then the same typo again: kept is logged again', () => {
    const { apply } = cluster([pool('production', ['192.0.2.10-192.0.2.11']), pool('staging', ['198.51.100.10'])]);
    apply(web);
    expect(apply(web, { ...typo, ingress: ['192.0.2.10'] }).decision?.action).toBe('kept');
    expect(apply(web, { annotations: { 'herald.dev/address-pool': 'staging' }, ingress: ['192.0.2.10'] }).decision?.action).toBe('moved');
    expect(apply(web, { ...typo, ingress: ['198.51.100.10'] }).decision).toMatchObject({ action: 'kept', ips: ['198.51.100.10'] });
  });

  it('a waiting Service that stops being a LoadBalancer and comes back waits again: logged again', () => {
    const { apply } = cluster([pool('p', ['192.0.2.10'])]);
    apply('apps/first');
    const pending = apply(web).decision;
    expect(pending).toMatchObject({ action: 'pending' });
    expect(apply(web, { type: 'ClusterIP' }).decision).toBeUndefined();
    expect(apply(web).decision).toEqual(pending);
  });

  it('a reason longer than an event may be is logged as the condition says it: bounded the same way', () => {
    const name = (c: string) => `${c}${'-x'.repeat(120)}`;
    const { apply } = cluster(['a', 'b', 'c'].map((c, i) => pool(name(c), [`192.0.2.${i}`])));
    for (const i of [0, 1, 2]) apply(`apps/s${i}`);
    const waiting = apply(web);
    expect(utf8Length(waiting.condition?.message ?? '')).toBeLessThanOrEqual(MESSAGE_MAX_BYTES);
    expect(waiting.condition?.message).toMatch(/…/);
    expect(waiting.decision).toEqual({ action: 'pending', ips: [], why: waiting.condition?.message });
  });
});
