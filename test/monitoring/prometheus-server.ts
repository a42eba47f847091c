// A real Prometheus server (Debian's prometheus package, beside promtool) scraping the running controller and speaker
// every second, with Herald's rule groups loaded and evaluated every second, for the tests to ask over its HTTP API
// what it sees: targets, rule health, pending and firing alerts, and the dashboard's queries.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { RuleGroup } from './artifacts.js';
import { freePort } from './binaries.js';

export interface ScrapeTarget {
  job: string;
  /** host:port of its /metrics. */
  address: string;
  /** Target labels, as the PodMonitors would set them (namespace, pod, node). */
  labels: Record<string, string>;
  honorLabels?: boolean;
}

export interface PrometheusServer {
  url: string;
  /** GET /api/v1/<path>; throws unless Prometheus answers status "success". */
  api<T>(path: string, params?: Record<string, string>): Promise<T>;
  stop(): Promise<void>;
}

function configOf(targets: readonly ScrapeTarget[]): string {
  return stringify({
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: ['rules.yaml'],
    scrape_configs: targets.map((t) => ({
      job_name: t.job, honor_labels: t.honorLabels ?? false, static_configs: [{ targets: [t.address], labels: t.labels }],
    })),
  });
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then((r) => r.status === 200, () => false);
    if (ready) return;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`prometheus did not become ready; output:\n${output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startPrometheus(targets: readonly ScrapeTarget[], groups: readonly RuleGroup[]): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-prometheus-'));
  writeFileSync(join(dir, 'prometheus.yml'), configOf(targets));
  writeFileSync(join(dir, 'rules.yaml'), stringify({ groups }));
  const port = await freePort();
  const child = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) => reject(new Error('cannot run prometheus: install Debian\'s prometheus package (test/monitoring/install-deps.sh)', { cause: err })));
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await spawned;
    await waitReady(url, child, () => output);
  } catch (err) {
    if (child.pid !== undefined) await stop();
    throw err;
  }
  return {
    url,
    api: async <T>(path: string, params: Record<string, string> = {}): Promise<T> => {
      const res = await fetch(`${url}/api/v1/${path}?${new URLSearchParams(params).toString()}`);
      const body = await res.json() as { status: string; data: T; error?: string };
      if (body.status !== 'success') throw new Error(`prometheus ${path} ${JSON.stringify(params)}: ${body.error ?? body.status}`);
      return body.data;
    },
    stop,
  };
}
