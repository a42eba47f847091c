// The controller's heap under Services with the longest annotation the API server accepts (issue 12: 500 distinct
// 200 KiB loadBalancerIPs annotations once added 196 MiB of heap against the Deployment's 128 MiB old space).
// kube-apiserver refuses an object whose annotations hold more than 256 KiB in all (keys and values), so a 1 MiB
// annotation never reaches a controller: each Service here carries one herald.dev/loadBalancerIPs annotation of
// 256 KiB minus its key, a distinct invalid value each, which the controller must refuse with a short message.
// The controller runs in its production form (`node <the Deployment's NODE_OPTIONS> dist/controller/main.js`),
// with heap-probe.cjs preloaded so the figure is its live heap after a full collection.
//  - figure: the live heap's growth from the idle controller (caches synced, 0 Services) to N such Services, all
//    decided; anchor: the annotations' own size, which a cache keeping them whole would add.
import { join } from 'node:path';
import { startControllerProcess, type ControllerProcess, type LogLine } from '../integration/processes.js';
import { createPool, repoRoot, startEnv, waitFor, type Env } from '../integration/harness.js';
import { TOTAL_ANNOTATION_SIZE_LIMIT } from '../../lib/crd-schema/metadata.js';
import { binariesCurrent } from '../cluster/build.js';
import type { BackendName } from '../cluster/backend.js';
import { pinnedVersions } from '../cluster/versions.js';
import { build, deploymentNodeFlags } from './controller.bench.js';
import { ratio, type Benchmark, type Figure } from './figure.js';

const N = Number(process.env.HERALD_BENCH_ANNOTATED ?? 500);
const MiB = 1024 * 1024;
const NAMESPACE = 'annotated';
const KEY = 'herald.dev/loadBalancerIPs';
/** The longest value one annotation can have: the server counts keys and values together. */
export const LONGEST_VALUE = TOTAL_ANNOTATION_SIZE_LIMIT - KEY.length;

/** A distinct value of exactly LONGEST_VALUE bytes that is no IP address. */
export function annotationValue(i: number): string {
  const head = `not-an-ip-${i}-`;
  return head + 'x'.repeat(LONGEST_VALUE - head.length);
}

/** The child's live heap after a full collection (heap-probe.cjs answers SIGUSR2 with a log line). */
async function liveHeap(proc: ControllerProcess): Promise<number> {
  const before = proc.lines.length;
  proc.kill('SIGUSR2');
  const line = await proc.waitForLog((l) => l.msg === 'heap probe' && proc.lines.indexOf(l) >= before, 30_000, 'heap probe');
  return Number(line.heapUsed);
}

const signed = (n: number): string => `${n >= 0 ? '+' : ''}${n.toFixed(1)}`;

const decided = (l: LogLine): boolean => typeof l.service === 'string' && l.service.startsWith(`${NAMESPACE}/`) && l.decision === 'pending';

interface Run { idle: number; after: number; steps: string[] }

async function run(env: Env): Promise<Run> {
  const nodeFlags = [...deploymentNodeFlags(), '--expose-gc', '--require', join(repoRoot, 'test/bench/heap-probe.cjs')];
  const proc = startControllerProcess('annotations', env.controllerUser.kubeconfigPath, ['--no-leader-elect'], { compiled: true, nodeFlags });
  const steps: string[] = [];
  try {
    await proc.waitForLog((l) => l.msg === 'leadership term synced', 60_000, 'leadership term synced');
    const idle = await liveHeap(proc);
    // A controller that dies (out of heap under the Deployment's flags) fails the run at once, saying how far it got.
    let done = false;
    const died = proc.exited.then((code) => {
      if (!done) {
        throw new Error(`the controller exited (${String(code)}) after deciding ${proc.lines.filter(decided).length} of ${N} Services `
          + `(heap ${steps.join(', ')}): ${proc.lines.slice(-3).map((l) => l.msg).join(' | ')}`);
      }
    });
    const work = async (): Promise<number> => {
      await env.core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
      for (let i = 0; i < N; i++) {
        await env.core.createNamespacedService({ namespace: NAMESPACE, body: {
          metadata: { name: `svc-${i}`, annotations: { [KEY]: annotationValue(i) } },
          spec: { type: 'LoadBalancer', ports: [{ port: 80 }], allocateLoadBalancerNodePorts: false },
        } });
        if ((i + 1) % 100 === 0) steps.push(`${i + 1}: ${signed((await liveHeap(proc) - idle) / MiB)} MiB`);
      }
      await waitFor(`all ${N} Services decided`, async () => proc.lines.filter(decided).length >= N, 600_000);
      await new Promise((r) => setTimeout(r, 2000)); // the last condition writes and events
      return liveHeap(proc);
    };
    const after = await Promise.race([work(), died.then(() => 0)]);
    done = true;
    return { idle, after, steps };
  } finally {
    await proc.stop();
  }
}

export const benchmark: Benchmark = {
  name: 'annotations',
  async run(): Promise<Figure[]> {
    build();
    const figures: Figure[] = [];
    for (const backend of binariesCurrent() ? (['real', 'emulator'] as BackendName[]) : (['emulator'] as BackendName[])) {
      const env = await startEnv(backend);
      const server = backend === 'real' ? `kube-apiserver ${pinnedVersions().kubernetes} + etcd` : 'emulator';
      try {
        await createPool(env, 'bench', { addresses: ['10.0.0.0/16'] });
        const r = await run(env);
        const growth = (r.after - r.idle) / MiB;
        const annotations = (N * TOTAL_ANNOTATION_SIZE_LIMIT) / MiB;
        figures.push({
          name: `controller live heap growth, ${N} Services each with a ${(LONGEST_VALUE / 1024).toFixed(0)} KiB loadBalancerIPs annotation (${server})`,
          value: growth, unit: 'MiB',
          anchor: `the annotations themselves (idle heap ${(r.idle / MiB).toFixed(1)} MiB; ${r.steps.join(', ')})`, anchorValue: annotations,
          ratio: ratio(growth, annotations), target: '< 8 MiB, and alive under --max-old-space-size=128',
        });
      } finally {
        await env.stop();
      }
    }
    return figures;
  },
};
