// What the speakers cost the API server at steady state (issue 9 §7): 1 000 LoadBalancer Services with their IPs,
// three speakers' Kubernetes sources running against the emulator, and every request counted over a window once
// everything has settled. A watch counts once, when it is opened. The anchor is what Lease-per-Service designs
// cost (Cilium's and kube-vip's layer 2: one renewal per Service every 2 s), measured as the same arithmetic on the
// same Service count; the target is 1 % of it.
import { HERALD_NAMESPACE } from '../../crds/v1beta1/index.js';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { KubernetesSource } from '../../speaker/source/kubernetes/source.js';
import { createPool, createService, startEnv, startTestController, waitFor, type Env } from '../integration/harness.js';
import { ratio, type Benchmark, type Figure } from './figure.js';

const SERVICES = Number(process.env.HERALD_BENCH_SPEAKER_SERVICES ?? 1000);
const SPEAKERS = 3;
const WINDOW_MS = Number(process.env.HERALD_BENCH_SPEAKER_WINDOW_MS ?? 60_000);
/** Cilium and kube-vip renew one Lease per Service every 2 s. */
const LEASE_PER_SERVICE_RPS = 0.5;

async function steadyStateRps(): Promise<{ rps: number; requests: number }> {
  let counting = false;
  let requests = 0;
  const seen = new Map<string, number>();
  const env: Env = await startEnv('emulator', { emulator: { onRequest: (req) => {
    if (!counting) return;
    requests++;
    const what = `${req.method ?? ''} ${(req.url ?? '').split('?')[0] ?? ''}${(req.url ?? '').includes('watch=') ? ' (watch)' : ''}`;
    seen.set(what, (seen.get(what) ?? 0) + 1);
  } } });
  const sources: KubernetesSource[] = [];
  try {
    await startTestController(env);
    await createPool(env, 'bench', { addresses: ['2001:db8:1::1:0/116'] });
    await env.custom.createNamespacedCustomObject({
      group: 'herald.dev', version: 'v1beta1', namespace: HERALD_NAMESPACE, plural: 'l2advertisements',
      body: { apiVersion: 'herald.dev/v1beta1', kind: 'L2Advertisement', metadata: { name: 'bench', namespace: HERALD_NAMESPACE } },
    });
    for (let i = 0; i < SERVICES; i++) await createService(env, 'bench', `svc-${i}`, { ipFamilies: ['IPv6'] });
    await waitFor('every Service allocated', async () => {
      const list = await env.core.listNamespacedService({ namespace: 'bench' });
      return list.items.filter((s) => s.status?.loadBalancer?.ingress?.length).length === SERVICES;
    }, 120_000);
    for (let n = 1; n <= SPEAKERS; n++) {
      const source = new KubernetesSource({
        kubeConfig: env.kc, namespace: HERALD_NAMESPACE, node: `n${n}`, address: `192.0.2.${10 + n}`, loadBalancerClass: undefined,
        clock: systemClock, logger: silentLogger(),
      });
      sources.push(source);
      await source.start();
    }
    await new Promise((r) => setTimeout(r, 10_000)); // the first renewals and any watch reconnects after the lists
    counting = true;
    const started = performance.now();
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    counting = false;
    if (process.env.HERALD_BENCH_VERBOSE) console.error([...seen].map(([k, v]) => `  ${v} ${k}`).join('\n'));
    return { rps: requests / ((performance.now() - started) / 1000), requests };
  } finally {
    for (const s of sources) await s.stop();
    await env.stop();
  }
}

export const benchmark: Benchmark = {
  name: 'speaker-api',
  async run(): Promise<Figure[]> {
    const { rps, requests } = await steadyStateRps();
    const anchor = LEASE_PER_SERVICE_RPS * SERVICES;
    return [{
      name: `API requests/s from ${SPEAKERS} speakers at steady state, ${SERVICES} LoadBalancer Services (${requests} in ${WINDOW_MS / 1000} s)`,
      value: rps, unit: 'req/s',
      anchor: `one Lease renewal per Service every 2 s (Cilium, kube-vip), ${SERVICES} Services`, anchorValue: anchor,
      ratio: ratio(rps, anchor), target: 'ratio <= 0.01',
    }];
  },
};
