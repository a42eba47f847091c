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
