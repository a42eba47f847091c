// Controller benchmarks against a real kube-apiserver (test/cluster/, where its binaries are built) and the in-repo
// API emulator (in this process), each in turn, with the controller as a child
// process in its production form (`node <the Deployment's NODE_OPTIONS> dist/controller/main.js`, built
// here first with `npm run build`'s tsc), so its memory is its own and is what a user gets:
//  - allocation: N Services (default 10 000) created one after another while the controller runs, until
//    every one has an IP. Anchor (the floor): the same N creates followed by N bare status PATCHes from this
//    process against the same server in the same run. Both include creating the Services, both are
//    observed by the same watch.
//  - controller RSS (VmRSS from /proc) once all N are served, and its peak (VmHWM); anchor: the same
//    process idle with zero Services (client-node loaded, caches synced), so the per-Service cost shows.
//  - leader takeover with the default lease timings (15 s / 10 s / 2 s): after SIGKILL, and after a
//    graceful stop that releases the lease.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CoreV1Api, Watch, type V1Service } from '@kubernetes/client-node';
import { createPool, ipsOf, repoRoot, serviceBody, startEnv, waitFor, type Env } from '../integration/harness.js';
import { becameLeader, startControllerProcess, type ChildOptions, type ControllerProcess } from '../integration/processes.js';
import { mergePatch } from '../support/merge-patch.js';
import { ratio, type Benchmark, type Figure } from './figure.js';
import type { BackendName } from '../cluster/backend.js';
import { binariesCurrent } from '../cluster/build.js';
import { pinnedVersions } from '../cluster/versions.js';

const N = Number(process.env.HERALD_BENCH_SERVICES ?? 10_000);
const MiB = 1024 * 1024;

/** Counts Services of `namespace` that show an IP, from one watch kept for the whole run. */
class ServedCounter {
  private readonly served = new Map<string, Set<string>>();
  private request: { abort(): void } | undefined;

  async start(env: Env): Promise<void> {
    this.request = await new Watch(env.kc).watch('/api/v1/services', {}, (phase: string, svc: V1Service) => {
      const ns = svc.metadata?.namespace ?? '';
      const set = this.served.get(ns) ?? new Set<string>();
      this.served.set(ns, set);
      if (phase !== 'DELETED' && ipsOf(svc).length > 0) set.add(svc.metadata?.name ?? '');
      else set.delete(svc.metadata?.name ?? '');
    }, () => undefined);
  }

  count(namespace: string): number {
    return this.served.get(namespace)?.size ?? 0;
  }

  stop(): void {
    this.request?.abort();
  }
}

/** Compiles the sources to dist/ (what `npm run build` does), so the child runs the code of this checkout. */
export function build(): void {
  const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(repoRoot, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${tsc.status ?? tsc.signal})`);
}

interface EnvVar { name?: string; value?: string }
interface DeploymentDoc { kind?: string; spec?: { template?: { spec?: { containers?: { name?: string; env?: EnvVar[] }[] } } } }

/** The node flags the controller Deployment runs with (its NODE_OPTIONS), so the figure is what a user gets. */
export function deploymentNodeFlags(): string[] {
  const path = join(repoRoot, 'config/controller/deployment.yaml');
  const docs = parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as DeploymentDoc);
  const container = docs.find((d) => d.kind === 'Deployment')?.spec?.template?.spec?.containers?.find((c) => c.name === 'controller');
  if (!container) throw new Error(`${path}: no Deployment with a "controller" container`);
  const value = container.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
  return value.split(' ').filter((f) => f !== '');
}

const production: ChildOptions = { compiled: true, nodeFlags: deploymentNodeFlags() };

/** The child's own view of its heap, from its /metrics (prom-client's default process metrics). */
async function heapUsedBytes(proc: ControllerProcess): Promise<number> {
  const started = await proc.waitForLog((l) => l.msg === 'controller started', 60_000, 'controller started');
  const text = await (await fetch(`http://127.0.0.1:${String(started.metricsPort)}/metrics`)).text();
  const m = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
  if (!m) throw new Error('no nodejs_heap_size_used_bytes in the controller\'s /metrics');
  return Number(m[1]);
}

async function createServices(core: CoreV1Api, namespace: string, n: number): Promise<void> {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  for (let i = 0; i < n; i++) await core.createNamespacedService({ namespace, body: serviceBody(namespace, `svc-${i}`, { allocateLoadBalancerNodePorts: false }) });
}

async function floorMs(env: Env, counter: ServedCounter): Promise<number> {
  const started = performance.now();
  await createServices(env.core, 'floor', N);
  for (let i = 0; i < N; i++) {
    const ip = `198.18.${Math.floor(i / 256)}.${i % 256}`;
    const body = { status: { loadBalancer: { ingress: [{ ip }] } } };
    await env.core.patchNamespacedServiceStatus({ namespace: 'floor', name: `svc-${i}`, body }, mergePatch);
  }
  await waitFor('the watch to see every floor PATCH', async () => counter.count('floor') === N, 60_000);
  const ms = performance.now() - started;
  // One deletecollection, done by the server itself: a namespace deletion waits for kube-controller-manager's
  // namespace controller, which took over 2 minutes for 10 000 Services on 2 busy cores.
  await env.core.deleteCollectionNamespacedService({ namespace: 'floor' });
  await waitFor('floor Services gone', async () => (await env.core.listNamespacedService({ namespace: 'floor', limit: 1 })).items.length === 0, 600_000);
  return ms;
}

interface ControllerRun { ms: number; rss: number; peak: number; heapUsed: number; idleRss: number }

async function controllerRun(env: Env, counter: ServedCounter): Promise<ControllerRun> {
  const proc = startControllerProcess('bench', env.controllerUser.kubeconfigPath, ['--no-leader-elect'], production);
  try {
    await proc.waitForLog((l) => l.msg === 'leadership term synced', 60_000, 'leadership term synced');
    await new Promise((r) => setTimeout(r, 1000)); // let start-up garbage go
    const idleRss = proc.rssBytes();
    const started = performance.now();
    await createServices(env.core, 'bench', N);
    let served = false;
    // A controller that dies (e.g. out of heap under the Deployment's flags) fails the run at once.
    const died = proc.exited.then((code) => {
      if (!served) throw new Error(`the controller exited (${String(code)}): ${proc.lines.slice(-3).map((l) => l.msg).join(' | ')}`);
    });
    await Promise.race([waitFor(`all ${N} Services to have an IP`, async () => counter.count('bench') === N, 600_000), died]);
    served = true;
    const ms = performance.now() - started;
    await new Promise((r) => setTimeout(r, 1000)); // let pool status writes and GC settle
    return { ms, rss: proc.rssBytes(), peak: proc.rssBytes(true), heapUsed: await heapUsedBytes(proc), idleRss };
  } finally {
    await proc.stop();
  }
}

async function takeover(env: Env): Promise<{ killMs: number; releaseMs: number }> {
  const procs: ControllerProcess[] = [];
  const start = (id: string) => {
    const p = startControllerProcess(id, env.controllerUser.kubeconfigPath, [], production);
    procs.push(p);
    return p;
  };
  try {
    const a = start('bench-a');
    await a.waitForLog(becameLeader, 60_000, 'became leader');
    const b = start('bench-b');
    await b.waitForLog((l) => l.msg === 'controller started', 60_000, 'controller started');
    await new Promise((r) => setTimeout(r, 3000)); // kill at a random point of the renewal cycle
    const killedAt = Date.now();
    a.kill('SIGKILL');
    const killMs = (await b.waitForLog(becameLeader, 60_000, 'became leader')).time - killedAt;
    const c = start('bench-c');
    await c.waitForLog((l) => l.msg === 'controller started', 60_000, 'controller started');
    const stoppedAt = Date.now();
    b.kill('SIGTERM');
    const releaseMs = (await c.waitForLog(becameLeader, 60_000, 'became leader')).time - stoppedAt;
    return { killMs, releaseMs };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

/** Allocation and memory on one backend: the floor first, then the controller, against the same server. */
async function allocationFigures(backend: BackendName): Promise<{ figures: Figure[]; env: Env; counter: ServedCounter }> {
  const env = await startEnv(backend);
  const counter = new ServedCounter();
  const server = backend === 'real' ? `kube-apiserver ${pinnedVersions().kubernetes} + etcd` : 'emulator';
  try {
    await createPool(env, 'bench', { addresses: ['10.0.0.0/16'] });
    await counter.start(env);
    const floor = await floorMs(env, counter);
    const run = await controllerRun(env, counter);
    const figures: Figure[] = [
      {
        name: `controller (${server}): ${N} Services created → all have an IP`, value: run.ms, unit: 'ms',
        anchor: `floor: ${N} creates + ${N} bare status PATCHes, serial, same ${server}, same run`, anchorValue: floor,
        ratio: ratio(run.ms, floor), target: 'ratio <= 1.5',
      },
      {
        name: `controller RSS with ${N} Services, ${server} (node ${production.nodeFlags?.join(' ') ?? ''} dist/controller/main.js)`, value: run.rss / MiB, unit: 'MiB',
        anchor: `same process idle, 0 Services (peak ${(run.peak / MiB).toFixed(0)} MiB, heap used ${(run.heapUsed / MiB).toFixed(0)} MiB)`,
        anchorValue: run.idleRss / MiB, ratio: ratio(run.rss, run.idleRss), target: '< 150 MiB',
      },
    ];
    return { figures, env, counter };
  } catch (err) {
    counter.stop();
    await env.stop();
    throw err;
  }
}

export const benchmark: Benchmark = {
  name: 'controller',
  async run(): Promise<Figure[]> {
    build();
    const figures: Figure[] = [];
    // The real control plane where its binaries are built (npm run cluster -- build); the emulator always.
    for (const backend of binariesCurrent() ? (['real', 'emulator'] as const) : (['emulator'] as const)) {
      const { figures: measured, env, counter } = await allocationFigures(backend);
      figures.push(...measured);
      counter.stop();
      try {
        if (backend === 'emulator' && !process.env.HERALD_BENCH_SKIP_TAKEOVER) {
          const lease = await takeover(env);
          figures.push(
            { name: 'controller leader takeover after SIGKILL (lease 15 s)', value: lease.killMs, unit: 'ms', anchor: 'lease duration', anchorValue: 15_000, ratio: ratio(lease.killMs, 15_000), target: '<= lease duration + retry period (17 s)' },
            { name: 'controller leader takeover after graceful stop', value: lease.releaseMs, unit: 'ms', anchor: 'retry period', anchorValue: 2_000, ratio: ratio(lease.releaseMs, 2_000), target: '< 1 s (watch on the Lease)' },
          );
        }
      } finally {
        await env.stop();
      }
    }
    return figures;
  },
};
