// The speaker's memory with the Kubernetes source and 1 000 LoadBalancer Services (IPv6, each with an
// EndpointSlice), all three speakers running and announcing their share; the largest of the three is reported.
// Twice: the compiled speaker the image runs (`node dist/speaker/main.js`), and the same code as one esbuild
// bundle (what a tree-shaken build would save: client-node's generated API layer is mostly code the speaker never
// calls). Two floors, in node 1's namespace with the speaker's production node flags: a bare Node process, and
// one that imports client-node, pino and prom-client and idles.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLUSTER_KUBECONFIG, kubectl, upCluster } from '../../lab/cluster.js';
import { findProc, killProc, sleep, spawnIn } from '../../lab/exec.js';
import { REPO_ROOT, down } from '../../lab/lab.js';
import { speakerMetrics, speakerNodeFlags, speakerRole, startClusterSpeaker, stopAllSpeakers, waitForSpeakerQuorum } from '../../lab/speakers.js';
import { NODES, hostByName, nsOf, v4Of } from '../../lab/topology.js';
import { buildIfStale } from '../l2/memory.js';
import { residentMiB, type Resident } from '../l2/proc.js';

const SERVICES = Number(process.env.HERALD_BENCH_SPEAKER_SERVICES ?? 1000);
const NS = 'mem';
/** Under the repo, so the bundle finds build/Release/herald_packet.node by walking up, as dist/ does. */
const BUNDLE = join(REPO_ROOT, 'build', 'bench', 'speaker.mjs');

export interface SourceMemory {
  services: number;
  bare: Resident;
  floor: Resident;
  compiled: Resident;
  bundled: Resident;
}

/** esbuild's one-file bundle of speaker/main.ts; CommonJS dependencies get a `require` from createRequire. */
async function bundleSpeaker(): Promise<string> {
  mkdirSync(join(REPO_ROOT, 'build', 'bench'), { recursive: true });
  await promisify(execFile)(join(REPO_ROOT, 'node_modules', '.bin', 'esbuild'), [
    join(REPO_ROOT, 'speaker', 'main.ts'), '--bundle', '--platform=node', '--format=esm', '--target=node24', `--outfile=${BUNDLE}`,
    '--banner:js=import { createRequire as heraldRequire } from "node:module"; const require = heraldRequire(import.meta.url);',
    '--log-level=warning',
  ]);
  return BUNDLE;
}

async function idleMemory(script: string, role: string): Promise<Resident> {
  const { record } = spawnIn(nsOf('n1'), [process.execPath, ...speakerNodeFlags(), '--input-type=module', '-e', script], { role, cwd: REPO_ROOT });
  try {
    await sleep(3000);
    return residentMiB(record.pid);
  } finally {
    await killProc(record, 'SIGKILL', 5000);
  }
}

const FLOOR_SCRIPT = `import { KubeConfig, CoreV1Api } from '@kubernetes/client-node'; import { pino } from 'pino';
import { Registry } from 'prom-client'; import { createServer } from 'node:http';
const kc = new KubeConfig(); kc.loadFromDefault(); const api = kc.makeApiClient(CoreV1Api); const r = new Registry();
pino({ level: 'warn' }).info({ api: typeof api, r: r.contentType }, 'idle'); createServer(() => undefined).listen(0, '127.0.0.1');
setInterval(() => undefined, 1000);`;

/** The cluster's objects: a pool of 4 096 IPv6 addresses, an advertisement, SERVICES Services with endpoints. */
async function createServices(): Promise<void> {
  await kubectl(['apply', '-f', '-'], [
    { apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name: NS, namespace: 'herald-system' }, spec: { addresses: ['2001:db8:1::1:0/116'] } },
    { apiVersion: 'herald.dev/v1beta1', kind: 'L2Advertisement', metadata: { name: NS, namespace: 'herald-system' }, spec: { ipAddressPools: [NS] } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
  ].map((o) => JSON.stringify(o)).join('\n'));
  for (let from = 0; from < SERVICES; from += 100) {
    const objects: object[] = [];
    for (let i = from; i < Math.min(SERVICES, from + 100); i++) {
      objects.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: NS },
        spec: { type: 'LoadBalancer', ipFamilies: ['IPv6'], selector: { app: `a${i}` }, ports: [{ port: 80, protocol: 'TCP' }] } });
      objects.push({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
        metadata: { name: `svc-${i}-lab`, namespace: NS, labels: { 'kubernetes.io/service-name': `svc-${i}` } },
        addressType: 'IPv6', ports: [{ port: 80, protocol: 'TCP' }],
        endpoints: NODES.map((n) => ({ addresses: [`2001:db8:100::${hostByName(n).octet}`], nodeName: n, conditions: { ready: true, serving: true } })) });
    }
    await kubectl(['create', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n'));
  }
  const deadline = Date.now() + 180_000;
  for (;;) {
    const ips = (await kubectl(['get', 'services', '-n', NS, '-o', 'jsonpath={.items[*].status.loadBalancer.ingress[0].ip}'])).split(' ').filter((s) => s !== '');
    if (ips.length === SERVICES) return;
    if (Date.now() > deadline) throw new Error(`${ips.length} of ${SERVICES} Services got an IP within 180 s`);
    await sleep(1000);
  }
}

/** IPs the speakers announce, all together, from their /metrics. */
async function announcedIps(): Promise<number> {
  let total = 0;
  for (const node of NODES) {
    const text = await speakerMetrics(node, v4Of(hostByName(node)));
    total += text.split('\n').filter((l) => l.startsWith('herald_speaker_announced{') && l.endsWith(' 1')).length;
  }
  return total;
}

/** Starts the three speakers (compiled, or the bundle), waits until every IP is announced, returns the largest. */
async function speakersMemory(options: { compiled?: boolean; bundle?: string }): Promise<Resident> {
  for (const node of NODES) startClusterSpeaker(node, CLUSTER_KUBECONFIG, ['--log-level', 'warn'], options);
  try {
    for (const node of NODES) await waitForSpeakerQuorum(node, 120_000);
    const deadline = Date.now() + 120_000;
    while ((await announcedIps()) < SERVICES) {
      if (Date.now() > deadline) throw new Error(`the speakers announce ${await announcedIps()} of ${SERVICES} IPs after 120 s`);
      await sleep(1000);
    }
    await sleep(5000); // past the last gratuitous burst
    let largest: Resident = { rss: 0, anon: 0 };
    for (const node of NODES) {
      const record = findProc(speakerRole(node));
      if (!record) throw new Error(`the speaker on ${node} is gone`);
      const r = residentMiB(record.pid);
      if (r.rss > largest.rss) largest = r;
    }
    return largest;
  } finally {
    await stopAllSpeakers('SIGTERM');
  }
}

export async function kubernetesSourceMemory(): Promise<SourceMemory> {
  await buildIfStale();
  const bundle = await bundleSpeaker();
  await down();
  await upCluster({ speakers: false });
  try {
    await createServices();
    const compiled = await speakersMemory({ compiled: true });
    const bundled = await speakersMemory({ bundle });
    const bare = await idleMemory('setInterval(() => undefined, 1000);', 'idle-bare');
    const floor = await idleMemory(FLOOR_SCRIPT, 'idle-client-node');
    return { services: SERVICES, bare, floor, compiled, bundled };
  } finally {
    await down();
  }
}
