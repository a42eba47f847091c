// The controller and the speaker as real processes (`tsx controller/main.ts`, `tsx speaker/main.ts`) on one API
// server (the test backend: the emulator, or the real kube-apiserver with HERALD_API_BACKEND=real), each serving
// /metrics on loopback, for the monitoring tests to scrape what they really export.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createPool, createService, repoRoot, startEnv, waitFor, type Env } from '../integration/harness.js';
import { speakerKubeConfig } from '../integration/controller-identity.js';
import { startControllerProcess, type ControllerProcess } from '../integration/processes.js';

export interface Binaries {
  controllerMetricsUrl: string;
  speakerMetricsUrl: string;
  stop(): Promise<void>;
}

export interface ScrapedCluster {
  env: Env;
  binaries: Binaries;
  stop(): Promise<void>;
}

/** The pool the cluster starts with: four addresses, one of them given to shop/web. */
export const POOL = { name: 'lab', addresses: ['192.0.2.64/30'], size: 4 } as const;

/**
 * The test backend with both binaries, a pool, a Service with an IP (shop/web: pool figures and an assignment, which
 * no speaker announces, as no advertisement exists) and one asking for a pool that does not exist (shop/lost: an
 * allocation failure). Resolves once the controller exports both.
 */
export async function startScrapedCluster(): Promise<ScrapedCluster> {
  const env = await startEnv();
  try {
    const real = env.backend.name === 'real';
    const speakerKubeconfig = real ? join(env.scratchDir, 'speaker.kubeconfig') : env.controllerUser.kubeconfigPath;
    await speakerKubeConfig(env.kc, real, speakerKubeconfig);
    await createPool(env, POOL.name, { addresses: [...POOL.addresses] });
    const binaries = await startBinaries(env, speakerKubeconfig);
    await createService(env, 'shop', 'web');
    await createService(env, 'shop', 'lost', { annotations: { 'herald.dev/address-pool': 'no-such-pool' } });
    await waitFor('the controller to export the assignment and the failure', async () => {
      const text = await scrape(binaries.controllerMetricsUrl);
      return text.includes('herald_controller_address_assigned{') && text.includes('herald_controller_allocation_failures_total{');
    });
    return { env, binaries, stop: async () => { await binaries.stop(); await env.stop(); } };
  } catch (err) {
    await env.stop();
    throw err;
  }
}

/** A TCP port free on loopback now (the speaker's --metrics-port 0 means "off", so it needs a real one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when `output()` matches `done`; rejects with the output's tail when the process exits or time runs out. */
async function waitForOutput(what: string, child: ChildProcess, output: () => string, done: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = done.exec(output());
    if (m !== null) return m;
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`${what}: no ${done} (exit ${child.exitCode}); output:\n${output().slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startSpeaker(kubeconfigPath: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'speaker/main.ts'), '--source', 'kubernetes',
    '--kubeconfig', kubeconfigPath, '--namespace', 'herald-system', '--node-name', 'node-a', '--heartbeat-address', '127.0.0.1',
    '--bind-address', '127.0.0.1', '--heartbeat-port', '0', '--metrics-port', String(port), '--metrics-host', '127.0.0.1'],
  { cwd: repoRoot, env: { ...process.env, KUBECONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
  await waitForOutput('herald-speaker', child, () => output, /"msg":"speaker started"/);
  return { child, url: `http://127.0.0.1:${port}/metrics` };
}

/** Starts both; the controller first, as the speaker waits for the heartbeat key Secret the controller creates. */
export async function startBinaries(env: Env, speakerKubeconfigPath: string): Promise<Binaries> {
  const controller: ControllerProcess = startControllerProcess('monitoring-controller', env.controllerUser.kubeconfigPath);
  try {
    const started = await controller.waitForLog((l) => l.msg === 'controller started', 60_000, 'controller started');
    const speaker = await startSpeaker(speakerKubeconfigPath);
    return {
      controllerMetricsUrl: `http://127.0.0.1:${String(started.metricsPort)}/metrics`,
      speakerMetricsUrl: speaker.url,
      stop: async () => {
        const exited = new Promise((resolve) => speaker.child.once('exit', resolve));
        if (speaker.child.exitCode === null) speaker.child.kill('SIGTERM');
        await Promise.all([speaker.child.exitCode === null ? exited : undefined, controller.stop()]);
      },
    };
  } catch (err) {
    await controller.stop();
    throw err;
  }
}

export async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  return res.text();
}
