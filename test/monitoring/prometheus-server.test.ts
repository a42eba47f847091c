// The whole chain with nothing stood in: a real Prometheus scrapes the real controller and speaker (on the test API
// server) every second and evaluates Herald's rule groups; what it reports is what an operator would see. Shop/web's
// IP is assigned and no speaker announces it (no advertisement exists), so HeraldAddressNotAnnounced goes pending at
// once and nothing else does; filling the pool makes the pool alerts pending. The dashboard's queries all run.
import { alerts, dashboardQueries, ruleGroups } from './artifacts.js';
import { POOL, startScrapedCluster, type ScrapedCluster } from './binaries.js';
import { createService, waitFor } from '../integration/harness.js';
import { startPrometheus, type PrometheusServer } from './prometheus-server.js';

interface ApiAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}
interface ApiRule {
  name: string;
  type: string;
  health: string;
  lastError?: string;
  lastEvaluation: string;
}
type VectorResult = { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };

let cluster: ScrapedCluster | undefined;
let prometheus: PrometheusServer | undefined;

const hostOf = (url: string): string => new URL(url).host;
const server = (): PrometheusServer => {
  if (prometheus === undefined) throw new Error('prometheus did not start');
  return prometheus;
};
const activeAlerts = async (): Promise<ApiAlert[]> => (await server().api<{ alerts: ApiAlert[] }>('alerts')).alerts;
const query = (expr: string): Promise<VectorResult> => server().api<VectorResult>('query', { query: expr });

beforeAll(async () => {
  cluster = await startScrapedCluster();
  prometheus = await startPrometheus([
    { job: 'herald-controller', address: hostOf(cluster.binaries.controllerMetricsUrl), labels: { namespace: 'herald-system', pod: 'herald-controller-0' } },
    { job: 'herald-speaker', address: hostOf(cluster.binaries.speakerMetricsUrl), honorLabels: true,
      labels: { namespace: 'herald-system', pod: 'herald-speaker-node-a', node: 'node-a' } },
  ], ruleGroups());
  // Two scrapes of each, and every rule evaluated after them.
  await waitFor('both targets scraped and every rule evaluated', async () => {
    const up = await query('count_over_time(up[1m]) >= 2');
    const rules = (await server().api<{ groups: { rules: ApiRule[] }[] }>('rules')).groups.flatMap((g) => g.rules);
    return up.result.length === 2 && rules.every((r) => !r.lastEvaluation.startsWith('0001-'));
  }, 60_000);
}, 240_000);

afterAll(async () => {
  await prometheus?.stop();
  await cluster?.stop();
});

test('Prometheus scrapes both binaries', async () => {
  const up = await query('up');
  expect(up.result.map((r) => [r.metric.job, r.value[1]]).sort()).toEqual([['herald-controller', '1'], ['herald-speaker', '1']]);
});

test('every alerting rule evaluates without error against what the binaries export', async () => {
  const rules = (await server().api<{ groups: { rules: ApiRule[] }[] }>('rules')).groups.flatMap((g) => g.rules);
  expect(rules.map((r) => ({ name: r.name, health: r.health, lastError: r.lastError ?? '' })).sort((a, b) => a.name.localeCompare(b.name)))
    .toEqual(alerts().map((a) => ({ name: a.alert, health: 'ok', lastError: '' })).sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')));
});

test('the IP nobody announces makes HeraldAddressNotAnnounced pending, naming it; nothing else is pending or firing', async () => {
  const active = await waitFor('HeraldAddressNotAnnounced pending', async () => {
    const now = await activeAlerts();
    return now.some((a) => a.labels.alertname === 'HeraldAddressNotAnnounced') ? now : undefined;
  }, 30_000);
  expect(active.map((a) => ({ ...a.labels, state: a.state }))).toEqual([
    { alertname: 'HeraldAddressNotAnnounced', service: 'shop/web', ip: '192.0.2.64', pool: POOL.name, severity: 'critical', state: 'pending' },
  ]);
});

test('filling the pool makes HeraldAddressPoolExhausted and HeraldAddressPoolNearlyExhausted pending for it', async () => {
  const env = cluster?.env;
  if (env === undefined) throw new Error('no cluster');
  for (let i = 1; i < POOL.size; i++) await createService(env, 'shop', `more-${i}`);
  const poolAlerts = await waitFor('the pool alerts pending', async () => {
    const now = (await activeAlerts()).filter((a) => a.labels.alertname?.startsWith('HeraldAddressPool'));
    return now.length === 2 ? now : undefined;
  }, 30_000);
  expect(poolAlerts.map((a) => `${a.labels.alertname ?? ''} ${a.labels.pool ?? ''} ${a.labels.family ?? ''} ${a.state}`).sort()).toEqual([
    `HeraldAddressPoolExhausted ${POOL.name} IPv4 pending`,
    `HeraldAddressPoolNearlyExhausted ${POOL.name} IPv4 pending`,
  ]);
  // The new Services' IPs join the unannounced one; their rule group may evaluate a moment after the pools' did.
  const all = ['192.0.2.64', '192.0.2.65', '192.0.2.66', '192.0.2.67'];
  const notAnnounced = await waitFor('every IP of the pool not announced', async () => {
    const ips = (await activeAlerts()).filter((a) => a.labels.alertname === 'HeraldAddressNotAnnounced').map((a) => a.labels.ip).sort();
    return JSON.stringify(ips) === JSON.stringify(all) ? ips : undefined;
  }, 30_000);
  expect(notAnnounced).toEqual(all);
});

test('every dashboard query runs on Prometheus (variables as Grafana sends them); the key panels show the cluster', async () => {
  for (const q of dashboardQueries()) {
    const expr = q.expr.replace(/\$pool/g, '.*');
    await expect(query(expr).then(() => 'ok', (err: Error) => `${q.where}: ${err.message}`)).resolves.toBe('ok');
  }
  const notAnnounced = dashboardQueries().find((q) => q.where.startsWith('panel "IPs without an announcer"'));
  expect(Number((await query(notAnnounced?.expr ?? 'absent(x)')).result[0]?.value[1])).toBeGreaterThanOrEqual(1);
  const use = dashboardQueries().find((q) => q.where.startsWith('panel "Pool use"'));
  const rows = (await query((use?.expr ?? '').replace(/\$pool/g, '.*'))).result;
  expect(rows.map((r) => [r.metric.pool, r.metric.family])).toEqual([[POOL.name, 'IPv4']]);
  expect(Number(rows[0]?.value[1])).toBeGreaterThan(0);
});
