// A real Prometheus in the lab client's namespace, scraping every node's speaker on the node's address (the speakers
// must listen there: --metrics-host, or POD_IP as cluster.ts starts them), and optionally the controller, with Herald's
// rule groups (both binaries' metrics port is 7472), asked with curl from inside that namespace, since
// nothing of the lab is reachable from the test's own. The lab's `down` ends it if a test does not.
import { ruleGroups } from './artifacts.js';
import { startPrometheus, type PrometheusRunner, type PrometheusServer } from './prometheus-server.js';
import { execIn, forget, spawnIn } from '../lab/exec.js';
import { API_HOST } from '../lab/cluster.js';
import { SPEAKER_METRICS_PORT } from '../lab/speakers.js';
import { NODES, hostByName, nsOf, v4Of } from '../lab/topology.js';
import { repoRoot } from '../integration/harness.js';

export type Vector = { result: { metric: Record<string, string>; value: [number, string] }[] };

export interface LabPrometheus {
  server: PrometheusServer;
  /** An instant query's values by the series' `node` label. */
  perNode(expr: string): Promise<Record<string, number>>;
  /** The pending and firing alerts named `alertname`. */
  alerts(alertname: string): Promise<{ labels: Record<string, string>; state: string }[]>;
  stop(): Promise<void>;
}

/** `controller`: also scrape the full-stack lab's controller (cluster.ts: in the router's namespace, on the router's address). */
export async function startLabPrometheus(o: { controller?: boolean } = {}): Promise<LabPrometheus> {
  const pids: number[] = [];
  const runner: PrometheusRunner = {
    spawn: (argv) => {
      const spawned = spawnIn(nsOf('client'), argv, { role: 'prometheus', cwd: repoRoot });
      pids.push(spawned.record.pid);
      return spawned.child;
    },
    get: async (url) => {
      const r = await execIn(nsOf('client'), ['curl', '-s', '--max-time', '5', '-w', '\n%{http_code}', url]).catch(() => ({ stdout: '\n0' }));
      const cut = r.stdout.lastIndexOf('\n');
      return { status: Number(r.stdout.slice(cut + 1)), body: r.stdout.slice(0, cut) };
    },
  };
  const speakers = NODES.map((node) => ({
    job: 'herald-speaker', address: `${v4Of(hostByName(node))}:${SPEAKER_METRICS_PORT}`, honorLabels: true,
    labels: { namespace: 'herald-system', pod: `herald-speaker-${node}`, node },
  }));
  const controller = { job: 'herald-controller', address: `${API_HOST}:${SPEAKER_METRICS_PORT}`, labels: { namespace: 'herald-system', pod: 'herald-controller-lab' } };
  const server = await startPrometheus(o.controller === true ? [controller, ...speakers] : speakers, ruleGroups(), { runner, listen: '127.0.0.1:9090' });
  return {
    server,
    perNode: async (expr) => Object.fromEntries((await server.api<Vector>('query', { query: expr })).result
      .map((r) => [r.metric.node ?? '', Number(r.value[1])])),
    alerts: async (alertname) => (await server.api<{ alerts: { labels: Record<string, string>; state: string }[] }>('alerts')).alerts
      .filter((a) => a.labels.alertname === alertname),
    stop: async () => {
      await server.stop();
      for (const pid of pids) forget(pid);
    },
  };
}
