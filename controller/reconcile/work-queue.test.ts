// What the core tells the driver to do next, besides writing the outcome: `result` (ok, retry, or reprocessAll:
// "an address was freed while Services wait, decide them all again now"), the pending() order in which waiting
// Services are decided (those waiting for addresses they requested first, then by name), and the Services
// setPools asks to decide again. A wrong hint does not change an address by itself; it decides how soon a waiting
// Service gets the one freed for it, and which waiting Service gets the lowest free address first.
import type { ReconcileResult, ServiceKey } from '../core-api.js';
import { cluster, NOW, pool, type ServiceShape } from './fixtures.js';

/** A two-address pool: 192.0.2.10 and 192.0.2.11. */
const tiny = () => cluster([pool('tiny', ['192.0.2.10-192.0.2.11'])]);
type Cluster = ReturnType<typeof tiny>;
const wantsIPv6: ServiceShape = { ipFamilies: ['IPv6'] };
const pinned = (ip: string): ServiceShape => ({ loadBalancerIP: ip });

describe('result: reprocessAll exactly when an address was freed while another Service waits', () => {
  it.each<[string, ReconcileResult, (c: Cluster) => ReconcileResult]>([
    ['a Service deleted while another waits for the pool', 'reprocessAll', (c) => {
      c.apply('a/one'); c.apply('a/two'); c.apply('a/three');
      return c.core.reconcile('a/one', undefined).result;
    }],
    ['a Service deleted while none waits', 'ok', (c) => {
      c.apply('a/one');
      return c.core.reconcile('a/one', undefined).result;
    }],
    ['a Service that held nothing deleted while another waits', 'ok', (c) => {
      c.apply('a/one'); c.apply('a/two'); c.apply('a/three');
      return c.core.reconcile('a/never-seen', undefined).result;
    }],
    ['a new Service given an address while another waits for a taken one', 'ok', (c) => {
      c.apply('a/one'); c.apply('a/wants-ten', pinned('192.0.2.10'));
      return c.apply('a/new').result;
    }],
    ['a held Service decided again, unchanged, while another waits', 'ok', (c) => {
      c.apply('a/one'); c.apply('a/wants-ten', pinned('192.0.2.10'));
      return c.apply('a/one', { ingress: ['192.0.2.10'] }).result;
    }],
    ['a held Service that moves off an address another waits for', 'reprocessAll', (c) => {
      c.apply('a/one'); c.apply('a/wants-ten', pinned('192.0.2.10'));
      return c.apply('a/one', { ...pinned('192.0.2.11'), ingress: ['192.0.2.10'] }).result;
    }],
    ['a held Service whose request now fails, while another waits', 'reprocessAll', (c) => {
      c.apply('a/one'); c.apply('a/two'); c.apply('a/three');
      return c.apply('a/one', { ...wantsIPv6, ingress: ['192.0.2.10'] }).result;
    }],
    ['a held Service whose request now fails, with no other waiting', 'retry', (c) => {
      c.apply('a/one');
      return c.apply('a/one', { ...wantsIPv6, ingress: ['192.0.2.10'] }).result;
    }],
    ['a new Service that cannot be served', 'retry', (c) => c.apply('a/one', wantsIPv6).result],
  ])('%s: %s', (_story, expected, act) => {
    expect(act(tiny())).toBe(expected);
  });

  it('the waiting Service then gets the freed address', () => {
    const c = tiny();
    c.apply('a/one');
    c.apply('a/wants-ten', pinned('192.0.2.10'));
    expect(c.apply('a/one', { ...pinned('192.0.2.11'), ingress: ['192.0.2.10'] }).result).toBe('reprocessAll');
    expect(c.core.pending()).toEqual(['a/wants-ten']);
    expect(c.ips('a/wants-ten', pinned('192.0.2.10'))).toEqual(['192.0.2.10']);
    expect(c.core.pending()).toEqual([]);
  });
});

describe('pending(): Services waiting for addresses they requested first, then the others, each by name', () => {
  it('a full pool with two automatic Services and one requesting a taken address waiting', () => {
    const c = tiny();
    c.apply('a/one');
    c.apply('a/two');
    for (const key of ['a/c', 'a/b-pinned', 'a/a'] as ServiceKey[]) c.apply(key, key === 'a/b-pinned' ? pinned('192.0.2.10') : {});
    expect(c.core.pending()).toEqual(['a/b-pinned', 'a/a', 'a/c']);
  });

  it('a Service displaced by a shrunk pool waits with the automatic ones, not ahead of them', () => {
    const c = tiny();
    c.apply('a/one');
    c.apply('a/z-displaced');
    c.apply('a/b-waiting');
    c.apply('a/pinned', pinned('192.0.2.10'));
    const update = c.core.setPools([pool('tiny', ['192.0.2.10'])], NOW + 1);
    expect(update.servicesToReprocess).toEqual(['a/pinned', 'a/b-waiting', 'a/z-displaced']);
  });

  it('a waiting Service that is deleted, or stops being Herald\'s, waits no more', () => {
    const c = tiny();
    c.apply('a/one');
    c.apply('a/two');
    c.apply('a/deleted');
    c.apply('a/clusterip');
    expect(c.core.pending()).toEqual(['a/clusterip', 'a/deleted']);
    c.core.reconcile('a/deleted', undefined);
    c.apply('a/clusterip', { type: 'ClusterIP' });
    expect(c.core.pending()).toEqual([]);
    expect(c.core.setPools([pool('tiny', ['192.0.2.10-192.0.2.12'])], NOW + 1).servicesToReprocess).toEqual([]);
  });
});

describe('setPools asks again about a Service whose request names a missing pool only while it does', () => {
  const typo: ServiceShape = { annotations: { 'herald.dev/address-pool': 'porduction' } };
  it.each<[string, (c: Cluster) => void]>([
    ['the typo is fixed', (c) => c.apply('a/web', { ingress: ['192.0.2.10'] })],
    ['the Service is deleted', (c) => c.core.reconcile('a/web', undefined)],
    ['the request becomes unreadable', (c) => c.apply('a/web', { ...pinned('192.0.2.x'), ingress: ['192.0.2.10'] })],
  ])('%s: it is not listed any more', (_story, act) => {
    const c = tiny();
    c.apply('a/web');
    expect(c.ips('a/web', { ...typo, ingress: ['192.0.2.10'] })).toEqual(['192.0.2.10']);
    expect(c.core.setPools([pool('tiny', ['192.0.2.10-192.0.2.11'])], NOW + 1).servicesToReprocess).toEqual(['a/web']);
    act(c);
    expect(c.core.setPools([pool('tiny', ['192.0.2.10-192.0.2.11'])], NOW + 2).servicesToReprocess).toEqual([]);
  });
});
