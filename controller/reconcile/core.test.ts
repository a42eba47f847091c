import { MESSAGE_MAX_BYTES, utf8Length } from '../../lib/config/index.js';
import { createControllerCore } from './core.js';
import { pool, service } from './fixtures.js';

const NOW = Date.parse('2024-06-01T00:00:00Z');

describe('ControllerCore: a first Service gets the lowest address', () => {
  it('allocates, keeps on re-reconcile, releases on delete', () => {
    const core = createControllerCore({});
    core.setPools([pool('default', ['192.0.2.0/30'])], NOW);
    expect(core.restore([])).toEqual([]);
    const first = core.reconcile('shop/web', service('shop/web'));
    expect(first.ingress).toEqual([{ ip: '192.0.2.0', ipMode: 'VIP' }]);
    expect(first.poolAnnotation).toBe('default');
    expect(first.events.map((e) => e.reason)).toEqual(['IPAllocated']);
    expect(first.events[0]?.message).toContain('"192.0.2.0"');
    const again = core.reconcile('shop/web', service('shop/web', { ingress: ['192.0.2.0'] }));
    expect(again.ingress).toEqual(first.ingress);
    expect(again.events).toEqual([]);
    const gone = core.reconcile('shop/web', undefined);
    expect(gone.managed).toBe(false);
    expect(gone.ingress).toEqual([]);
    expect(core.poolStatuses(NOW)[0]?.status.assignedIPv4).toBe(0);
  });
});

describe('requested IPs', () => {
  it('a blank loadBalancerIPs annotation counts as unset: spec.loadBalancerIP still applies', () => {
    const core = createControllerCore({});
    core.setPools([pool('default', ['192.0.2.0/29'])], NOW);
    core.restore([]);
    const out = core.reconcile('shop/web', service('shop/web', { annotations: { 'herald.dev/loadBalancerIPs': ' ' }, loadBalancerIP: '192.0.2.5' }));
    expect(out.ingress).toEqual([{ ip: '192.0.2.5', ipMode: 'VIP' }]);
  });
});

describe('Service event messages stay short whatever the input', () => {
  it('many pools tried: the first three say why, the others are counted', () => {
    const pools = Array.from({ length: 10 }, (_, i) => pool(`p${i}`, [`192.0.2.${i}`]));
    const core = createControllerCore({});
    core.setPools(pools, NOW);
    core.restore([]);
    for (let i = 0; i < 10; i++) core.reconcile(`shop/s${i}`, service(`shop/s${i}`));
    const [failed] = core.reconcile('shop/late', service('shop/late')).events;
    expect(failed?.message).toBe('no address could be given: pool "p0" has no free IPv4 address; pool "p1" has no free IPv4 address; '
      + 'pool "p2" has no free IPv4 address; and 7 more pools with nothing to give (pools tried: "p0", "p1", "p2" and 7 more)');
  });

  it('a huge annotation is quoted only up to the bound', () => {
    const core = createControllerCore({});
    core.setPools([pool('default', ['192.0.2.0/29'])], NOW);
    core.restore([]);
    const huge = `192.0.2.${'1'.repeat(100_000)}`;
    const [invalid] = core.reconcile('shop/web', service('shop/web', { annotations: { 'herald.dev/loadBalancerIPs': huge } })).events;
    expect(invalid?.reason).toBe('InvalidRequest');
    expect(utf8Length(invalid?.message ?? '')).toBeLessThanOrEqual(MESSAGE_MAX_BYTES);
    // Longer than any valid request: refused for its length, only its head quoted (long-values.test.ts).
    expect(invalid?.message).toBe(`the loadBalancerIPs annotation is longer than 256 characters ("${huge.slice(0, 39)}…")`);
  });
});
