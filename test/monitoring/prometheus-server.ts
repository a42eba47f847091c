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
  /** Keep the target's own labels over these where both have one (the speaker PodMonitor's honorLabels); per job. */
  honorLabels?: boolean;
}

/**
 * How the server runs and is reached: here by default (a child process and fetch); the lab's runs in a network
 * namespace and is asked with curl inside it.
 */
export interface PrometheusRunner {
  spawn(argv: readonly string[]): ChildProcess;
  /** GET `url`: status 0 when nothing answers. */
  get(url: string): Promise<{ status: number; body: string }>;
}

export const localRunner: PrometheusRunner = {
  spawn: (argv) => spawn(argv[0] ?? '', argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] }),
  get: (url) => fetch(url).then(async (r) => ({ status: r.status, body: await r.text() }), () => ({ status: 0, body: '' })),
};

export interface StartOptions {
  runner?: PrometheusRunner;
  /** The address it listens on (default loopback, on a free port). */
  listen?: string;
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
    // One scrape config per job (Prometheus refuses two with one name), each target with its own labels.
    scrape_configs: [...new Set(targets.map((t) => t.job))].map((job) => {
      const mine = targets.filter((t) => t.job === job);
      return {
        job_name: job, honor_labels: mine.some((t) => t.honorLabels === true),
        static_configs: mine.map((t) => ({ targets: [t.address], labels: t.labels })),
      };
    }),
  });
}

async function waitReady(url: string, runner: PrometheusRunner, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if ((await runner.get(`${url}/-/ready`)).status === 200) return;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`prometheus did not become ready; output:\n${output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startPrometheus(targets: readonly ScrapeTarget[], groups: readonly RuleGroup[], o: StartOptions = {}): Promise<PrometheusServer> {
  const runner = o.runner ?? localRunner;
  const dir = mkdtempSync(join(tmpdir(), 'herald-prometheus-'));
  writeFileSync(join(dir, 'prometheus.yml'), configOf(targets));
  writeFileSync(join(dir, 'rules.yaml'), stringify({ groups }));
  const listen = o.listen ?? `127.0.0.1:${await freePort()}`;
  const child = runner.spawn(['prometheus', `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=${listen}`, '--log.level=warn']);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) => reject(new Error('cannot run prometheus: install Debian\'s prometheus package (test/monitoring/install-deps.sh)', { cause: err })));
  });
  const url = `http://${listen}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await spawned;
    await waitReady(url, runner, child, () => output);
  } catch (err) {
    if (child.pid !== undefined) await stop();
    throw err;
  }
  return {
    url,
    api: async <T>(path: string, params: Record<string, string> = {}): Promise<T> => {
      const res = await runner.get(`${url}/api/v1/${path}?${new URLSearchParams(params).toString()}`);
      const body = JSON.parse(res.body || '{"status":"no answer"}') as { status: string; data: T; error?: string };
      if (body.status !== 'success') throw new Error(`prometheus ${path} ${JSON.stringify(params)}: ${body.error ?? body.status}`);
      return body.data;
    },
    stop,
  };
}
