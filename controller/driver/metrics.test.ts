import { ControllerMetrics, poolFigures } from './metrics.js';
import type { ReconcileResult, ServiceEvent } from '../core-api.js';
import { startMetricsServer, type MetricsServer } from '../../lib/metrics/server.js';

describe('pool figures', () => {
  test('IPv4 and IPv6 counts become total and in-use per family', () => {
    const figures = poolFigures({
      name: 'dual', events: [],
      status: { assignedIPv4: 3, availableIPv4: 253, assignedIPv6: 2, availableIPv6: '18446744073709551614' },
    });
    expect(figures).toEqual([
      { pool: 'dual', family: 4, total: 256, inUse: 3 },
      // 2^64 is a power of two, so the double holds a /64's size exactly.
      { pool: 'dual', family: 6, total: 2 ** 64, inUse: 2 },
    ]);
  });

  test('a family without addresses is left out', () => {
    expect(poolFigures({ name: 'v4', events: [], status: { assignedIPv4: 0, availableIPv4: 10 } }))
      .toEqual([{ pool: 'v4', family: 4, total: 10, inUse: 0 }]);
  });
});

describe('metrics server', () => {
  let server: MetricsServer;
  let ready: string | undefined = 'caches not synced';
  const metrics = new ControllerMetrics({ processMetrics: false });

  beforeAll(async () => {
    server = await startMetricsServer({ registry: metrics.registry, port: 0, host: '127.0.0.1', notReadyReason: () => ready });
  });
  afterAll(() => server.stop());
  const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);

  test('healthz is 200 at once; readyz is 503 with the reason until ready', async () => {
    expect((await get('/healthz')).status).toBe(200);
    const notReady = await get('/readyz');
    expect(notReady.status).toBe(503);
    expect(await notReady.text()).toContain('caches not synced');
    ready = undefined;
    expect((await get('/readyz')).status).toBe(200);
  });

  test('/metrics shows pools, reconciles, errors and leadership; a deleted pool disappears', async () => {
    metrics.setPools([{ name: 'p1', events: [], status: { assignedIPv4: 1, availableIPv4: 9 } }]);
    const decided = (result: ReconcileResult) => metrics.serviceDecided('apps/web', { result, events: [], ingress: [], poolAnnotation: null });
    decided('ok');
    decided('ok');
    decided('retry');
    metrics.reconcileFailed();
    metrics.setLeader(true);
    let text = await (await get('/metrics')).text();
    expect(text).toContain('herald_address_pool_addresses_total{pool="p1",family="IPv4"} 10');
    expect(text).toContain('herald_address_pool_addresses_in_use{pool="p1",family="IPv4"} 1');
    expect(text).toContain('herald_controller_reconciles_total{result="ok"} 2');
    expect(text).toContain('herald_controller_reconciles_total{result="retry"} 1');
    expect(text).toContain('herald_controller_reconcile_errors_total 1');
    expect(text).toContain('herald_controller_is_leader 1');
    metrics.setPools([]);
    text = await (await get('/metrics')).text();
    expect(text).not.toContain('pool="p1"');
  });

  test('allocation failures count per Warning reason; a Service\'s assigned IPs are shown while it holds them, and go with leadership', async () => {
    const failed: ServiceEvent = { type: 'Warning', reason: 'AllocationFailed', message: 'no pool has a free address' };
    metrics.setLeader(true);
    metrics.serviceDecided('apps/pending', { result: 'retry', events: [failed], ingress: [], poolAnnotation: null });
    metrics.serviceDecided('apps/pending', { result: 'retry', events: [failed], ingress: [], poolAnnotation: null });
    metrics.serviceDecided('apps/typo', { result: 'ok', events: [{ type: 'Warning', reason: 'InvalidRequest', message: 'bad' }], ingress: [], poolAnnotation: null });
    metrics.serviceDecided('apps/web', { result: 'ok', events: [{ type: 'Normal', reason: 'IPAllocated', message: 'ok' }],
      ingress: [{ ip: '192.0.2.1' }, { ip: '2001:db8::1' }], poolAnnotation: 'p1' });
    let text = await (await get('/metrics')).text();
    expect(text).toContain('herald_controller_allocation_failures_total{reason="AllocationFailed"} 2');
    expect(text).toContain('herald_controller_allocation_failures_total{reason="InvalidRequest"} 1');
    expect(text).toContain('herald_controller_address_assigned{service="apps/web",ip="192.0.2.1",pool="p1"} 1');
    expect(text).toContain('herald_controller_address_assigned{service="apps/web",ip="2001:db8::1",pool="p1"} 1');
    metrics.serviceDecided('apps/web', { result: 'ok', events: [], ingress: [{ ip: '192.0.2.7' }], poolAnnotation: 'p2' });
    text = await (await get('/metrics')).text();
    expect(text).not.toContain('ip="192.0.2.1"');
    expect(text).not.toContain('ip="2001:db8::1"');
    expect(text).toContain('herald_controller_address_assigned{service="apps/web",ip="192.0.2.7",pool="p2"} 1');
    metrics.setPools([{ name: 'p1', events: [], status: { assignedIPv4: 1, availableIPv4: 9 } }]);
    metrics.setLeader(false);
    text = await (await get('/metrics')).text();
    expect(text).not.toContain('herald_controller_address_assigned{');
    expect(text).not.toContain('herald_address_pool_addresses_total{');
    expect(text).toContain('herald_controller_is_leader 0');
  });

  test('unknown paths are 404 and do not echo the path', async () => {
    const res = await get('/nope');
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('/nope');
  });
});
