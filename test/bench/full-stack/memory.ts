// The speaker's memory with the Kubernetes source and 1 000 LoadBalancer Services (IPv6, each with an
// EndpointSlice), all three speakers running and announcing their share; once all three are quiet (their status
// writes done), each speaker's median RSS over the next 30 s, and the largest of the three is reported, with its peak.
// The speaker is the one the image runs (`node dist/speaker/speaker.mjs`, scripts/bundle-speaker.ts: one bundle
// without client-node's generated API layer). Three floors, in node 1's namespace with the speaker's production
// node flags and environment: a bare Node process; one that imports what the bundle imports (idle-imports.ts,
// bundled the same way) and idles; and one that imports client-node whole (its index, as tsc's output would),
// pino and prom-client.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLUSTER_KUBECONFIG, kubectl, upCluster } from '../../lab/cluster.js';
import { findProc, killProc, sleep, spawnIn } from '../../lab/exec.js';
import { REPO_ROOT, down } from '../../lab/lab.js';
import { ensureSpeakerBundle, speakerMetrics, speakerNodeEnv, speakerNodeFlags, speakerRole, startClusterSpeaker, stopAllSpeakers, waitForSpeakerQuorum } from '../../lab/speakers.js';
import { NODES, hostByName, nsOf, v4Of } from '../../lab/topology.js';
import { cpuSeconds, residentMiB, type Resident } from '../l2/proc.js';

const SERVICES = Number(process.env.HERALD_BENCH_SPEAKER_SERVICES ?? 1000);
const NS = 'mem';
/** Under the repo, as the speaker's bundle is under dist/ (both resolve their require() from where they lie). */
const IDLE_IMPORTS_BUNDLE = join(REPO_ROOT, 'build', 'bench', 'idle-imports.mjs');

export interface SourceMemory {
  services: number;
  bare: Resident;
  /** Idle, importing what the speaker's bundle imports, bundled the same way. */
  imports: Resident;
  /** Idle, importing client-node's index (the whole generated layer), pino and prom-client. */
  clientNode: Resident;
  speaker: SpeakerResident;
}

/** The largest speaker's memory, and how long after the last IP was announced the speakers were quiet (if ever). */
export interface SpeakerResident extends Resident {
  quietAfterS: number | undefined;
}

/** idle-imports.ts through the speaker's own build script (scripts/bundle-speaker.ts), so it narrows client-node alike. */
async function bundleIdleImports(): Promise<string> {
  await promisify(execFile)(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'bundle-speaker.ts'),
    '--entry', join(REPO_ROOT, 'test', 'bench', 'full-stack', 'idle-imports.ts'), '--outfile', IDLE_IMPORTS_BUNDLE], { cwd: REPO_ROOT });
  return IDLE_IMPORTS_BUNDLE;
}

/** A process started with `args` after the speaker's node flags, 3 s after it started. */
async function idleMemory(args: readonly string[], role: string): Promise<Resident> {
  const { record } = spawnIn(nsOf('n1'), [process.execPath, ...speakerNodeFlags(), ...args], { role, cwd: REPO_ROOT, env: { ...process.env, ...speakerNodeEnv() } });
  try {
    await sleep(3000);
    return residentMiB(record.pid);
  } finally {
    await killProc(record, 'SIGKILL', 5000);
  }
}

const CLIENT_NODE_SCRIPT = `import { KubeConfig, CoreV1Api } from '@kubernetes/client-node'; import { pino } from 'pino';
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

/**
 * Steady state: every speaker has used under 10 % of a core for 3 s (its status writes, events and gratuitous
 * bursts for 1 000 Services go on for ~20 s after the last IP is announced, and raise RSS while they do). On a
 * loaded machine heartbeats can flap and the speakers never settle; then the figure is taken after 60 s and says
 * so. Resolves to the seconds it waited, or undefined when they never were quiet.
 */
async function quiet(pids: readonly number[]): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < 60_000) {
    const before = pids.map(cpuSeconds);
    await sleep(3000);
    if (pids.every((pid, i) => cpuSeconds(pid) - (before[i] ?? 0) < 0.3)) return (Date.now() - started) / 1000;
  }
  return undefined;
}

/** Readings of one speaker once quiet: 7 over 30 s. */
const STEADY_MS = 30_000;
const STEADY_EVERY_MS = 5000;

/** The reading with the median RSS (its private memory with it), and the last peak. */
function medianResident(readings: readonly Resident[]): Resident {
  const sorted = [...readings].sort((a, b) => a.rss - b.rss);
  const median = sorted[Math.floor(sorted.length / 2)];
  const last = readings[readings.length - 1];
  if (median === undefined || last === undefined) throw new Error('no readings');
  return { ...median, peak: last.peak };
}

/**
 * Starts the three speakers, waits until every IP is announced and they are quiet, and returns the largest median
 * of each speaker's readings over the next 30 s.
 */
async function speakersMemory(): Promise<SpeakerResident> {
  for (const node of NODES) startClusterSpeaker(node, CLUSTER_KUBECONFIG, ['--log-level', 'warn']);
  try {
    for (const node of NODES) await waitForSpeakerQuorum(node, 120_000);
    const deadline = Date.now() + 120_000;
    while ((await announcedIps()) < SERVICES) {
      if (Date.now() > deadline) throw new Error(`the speakers announce ${await announcedIps()} of ${SERVICES} IPs after 120 s`);
      await sleep(1000);
    }
    const pids = NODES.map((node) => {
      const record = findProc(speakerRole(node));
      if (!record) throw new Error(`the speaker on ${node} is gone`);
      return record.pid;
    });
    const quietAfterS = await quiet(pids);
    // RSS still moves by several MiB once quiet (V8's memory reducer collects after ~8 s without allocation, the
    // trimmer every 2 s), so each speaker's figure is the median of readings over STEADY_MS, the peak aside.
    const readings: Resident[][] = pids.map(() => []);
    for (let t = 0; t <= STEADY_MS; t += STEADY_EVERY_MS) {
      pids.forEach((pid, i) => readings[i]?.push(residentMiB(pid)));
      if (t < STEADY_MS) await sleep(STEADY_EVERY_MS);
    }
    let largest: Resident = { rss: 0, anon: 0, peak: 0 };
    for (const r of readings) {
      const median = medianResident(r);
      if (median.rss > largest.rss) largest = median;
    }
    return { ...largest, quietAfterS };
  } finally {
    await stopAllSpeakers('SIGTERM');
  }
}

export async function kubernetesSourceMemory(): Promise<SourceMemory> {
  ensureSpeakerBundle();
  const idleImports = await bundleIdleImports();
  await down();
  await upCluster({ speakers: false });
  try {
    await createServices();
    const speaker = await speakersMemory();
    const bare = await idleMemory(['--input-type=module', '-e', 'setInterval(() => undefined, 1000);'], 'idle-bare');
    const imports = await idleMemory([idleImports], 'idle-imports');
    const clientNode = await idleMemory(['--input-type=module', '-e', CLIENT_NODE_SCRIPT], 'idle-client-node');
    return { services: SERVICES, bare, imports, clientNode, speaker };
  } finally {
    await down();
  }
}
