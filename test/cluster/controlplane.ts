// A real Kubernetes control plane on loopback, like controller-runtime's envtest: etcd, kube-apiserver (its own
// CA, client certificates, RBAC on, service-account signing, a service CIDR per family) and
// kube-controller-manager (the namespace, garbage-collector, EndpointSlice, service-account and
// ClusterRole-aggregation controllers; there are no kubelets, so pods stay Pending). Ports are picked free, so
// several can share a machine; every process is recorded (PID + start time) in the state folder, and stop ends
// exactly those and removes the folder.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { ProcessRecords, isAlive, sleep, spawnRecorded, type ProcRecord } from '../support/process-records.js';
import { base64File, makePki, type Pki } from './pki.js';
import { binaryDir, binaryPath, pinnedVersions } from './versions.js';

/** One CIDR per family (IPv4 primary), as kube's own defaults; no packet is ever sent to them. */
export const SERVICE_CIDRS = ['10.96.0.0/16', 'fd00:10:96::/108'];
const FIRST_SERVICE_IPS = ['10.96.0.1', 'fd00:10:96::1'];

export const KUBE_CONTROLLERS = [
  'namespace-controller', 'garbage-collector-controller', 'endpointslice-controller',
  'serviceaccount-controller', 'serviceaccount-token-controller',
  // Fills the aggregated ClusterRoles (admin, edit, view) as on every cluster.
  'clusterrole-aggregation-controller',
];

export interface ControlPlaneState {
  dir: string;
  url: string;
  kubeconfigPath: string;
  version: string;
  ports: { etcdClient: number; etcdPeer: number; apiserver: number };
  startedAt: string;
}

export interface ControlPlane extends ControlPlaneState {
  /** Ends the processes this control plane started and removes its state folder. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** State folder (certificates, etcd data, logs, process records); created, and removed by stop. */
  dir: string;
  /** Outlive the caller (`npm run cluster -- up`). */
  detached?: boolean;
  binDir?: string;
  /** How long to wait for /readyz; default 60 s. */
  readyTimeoutMs?: number;
  /** Where kube-apiserver listens (and what its serving certificate names); 127.0.0.1 by default. */
  host?: string;
  /** Run every process inside this network namespace (the network lab's router), etcd on its loopback. */
  netns?: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function kubeconfigYaml(url: string, pki: Pki, user: string, cert: string, key: string): string {
  return stringify({
    apiVersion: 'v1', kind: 'Config',
    clusters: [{ name: 'herald-test', cluster: { server: url, 'certificate-authority-data': base64File(pki.caCert) } }],
    users: [{ name: user, user: { 'client-certificate-data': base64File(cert), 'client-key-data': base64File(key) } }],
    contexts: [{ name: 'herald-test', context: { cluster: 'herald-test', user, namespace: 'default' } }],
    'current-context': 'herald-test',
  });
}

function etcdArgs(dir: string, ports: ControlPlaneState['ports']): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    '--name=herald-test', `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${client}`, `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`, `--initial-advertise-peer-urls=${peer}`, `--initial-cluster=herald-test=${peer}`,
    // A test cluster's data dies with it: skipping fsync makes every write (10 000 Service statuses) cheap.
    '--unsafe-no-fsync', '--log-level=warn',
  ];
}

function apiserverArgs(pki: Pki, ports: ControlPlaneState['ports'], host: string): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    `--bind-address=${host}`, `--advertise-address=${host}`, `--secure-port=${ports.apiserver}`,
    `--tls-cert-file=${pki.servingCert}`, `--tls-private-key-file=${pki.servingKey}`, `--client-ca-file=${pki.caCert}`,
    '--authorization-mode=RBAC', '--allow-privileged=true',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.serviceAccountPub}`, `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    `--service-cluster-ip-range=${SERVICE_CIDRS.join(',')}`,
    // The `kubernetes` Service's endpoints would be 127.0.0.1, which EndpointSlice validation refuses.
    '--endpoint-reconciler-type=none',
    '--profiling=false', '-v=1',
  ];
}

function controllerManagerArgs(dir: string, pki: Pki): string[] {
  return [
    `--kubeconfig=${join(dir, 'controller-manager.kubeconfig')}`,
    `--controllers=${KUBE_CONTROLLERS.join(',')}`,
    `--service-account-private-key-file=${pki.serviceAccountKey}`, `--root-ca-file=${pki.caCert}`,
    '--use-service-account-credentials=true', '--leader-elect=false',
    // No health port is needed; 0 turns the secure listener off.
    '--secure-port=0', '--profiling=false', '-v=1',
  ];
}

/** GET url with the admin certificate; resolves with the status code and body, or rejects on a network error. */
function adminGet(url: string, pki: Pki): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      ca: readFileSync(pki.caCert), cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey), timeout: 2000,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.once('error', reject).end();
  });
}

function logTail(record: ProcRecord, lines = 15): string {
  try {
    return readFileSync(record.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

type AdminGet = (url: string) => Promise<{ status: number; body: string }>;

/**
 * The same GET from inside a network namespace, with curl: the test process stays in its own namespace, where
 * the lab's addresses do not exist.
 */
function adminGetIn(netns: string, pki: Pki): AdminGet {
  return async (url) => {
    const { stdout } = await promisify(execFile)('ip', ['netns', 'exec', netns, 'curl', '-s', '--max-time', '2', '--cacert', pki.caCert,
      '--cert', pki.adminCert, '--key', pki.adminKey, '-w', '\n%{http_code}', url]);
    const cut = stdout.lastIndexOf('\n');
    return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
  };
}

async function waitReady(url: string, get: AdminGet, watched: ProcRecord[], timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    const dead = watched.find((r) => !isAlive(r));
    if (dead) throw new Error(`${dead.role} exited while the control plane started; the end of ${dead.logFile}:\n${logTail(dead)}`);
    const ready = await get(`${url}/readyz`).catch((err: unknown) => ({ status: 0, body: String(err) }));
    if (ready.status === 200) {
      const version = await get(`${url}/version`);
      return (JSON.parse(version.body) as { gitVersion: string }).gitVersion;
    }
    last = `${ready.status} ${ready.body.slice(0, 300)}`;
    if (Date.now() > deadline) throw new Error(`kube-apiserver at ${url} was not ready after ${timeoutMs} ms (last: ${last})`);
    await sleep(100);
  }
}

/**
 * Starts the control plane. Its ports are picked free and bound by the processes a moment later, so another process
 * (a test's ephemeral port, while the real pass's pool starts the next control plane beside a running test) can take
 * one in between: a start that fails on a taken port is tried again, with new ports, twice at most.
 */
export async function startControlPlane(o: StartOptions): Promise<ControlPlane> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(o);
    } catch (err) {
      const portTaken = err instanceof Error && err.message.includes('address already in use');
      if (!portTaken || attempt >= 3) throw err;
    }
  }
}

async function startOnce(o: StartOptions): Promise<ControlPlane> {
  const binDir = o.binDir ?? binaryDir(pinnedVersions());
  const { dir } = o;
  if (existsSync(join(dir, 'state.json'))) throw new Error(`a control plane already runs from ${dir}: stop it first`);
  mkdirSync(dir, { recursive: true });
  const records = new ProcessRecords(join(dir, 'procs'));
  const ports = { etcdClient: await freePort(), etcdPeer: await freePort(), apiserver: await freePort() };
  const host = o.host ?? '127.0.0.1';
  const url = `https://${host}:${ports.apiserver}`;
  const pki = await makePki(join(dir, 'pki'), host === '127.0.0.1' ? FIRST_SERVICE_IPS : [...FIRST_SERVICE_IPS, host]);
  const kubeconfigPath = join(dir, 'admin.kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigYaml(url, pki, 'herald-test-admin', pki.adminCert, pki.adminKey), { mode: 0o600 });
  writeFileSync(join(dir, 'controller-manager.kubeconfig'),
    kubeconfigYaml(url, pki, 'system:kube-controller-manager', pki.controllerManagerCert, pki.controllerManagerKey), { mode: 0o600 });
  const spawn = (role: 'etcd' | 'kube-apiserver' | 'kube-controller-manager', args: string[]): ProcRecord =>
    spawnRecorded(records, [...(o.netns ? ['ip', 'netns', 'exec', o.netns] : []), binaryPath(role, binDir), ...args],
      { role, logDir: join(dir, 'logs'), detached: o.detached }, {}).record;
  const get: AdminGet = o.netns ? adminGetIn(o.netns, pki) : (u) => adminGet(u, pki);
  const stop = (): Promise<void> => stopControlPlane(dir);
  try {
    const etcd = spawn('etcd', etcdArgs(dir, ports));
    const apiserver = spawn('kube-apiserver', apiserverArgs(pki, ports, host));
    const version = await waitReady(url, get, [etcd, apiserver], o.readyTimeoutMs ?? 60_000);
    spawn('kube-controller-manager', controllerManagerArgs(dir, pki));
    const state: ControlPlaneState = { dir, url, kubeconfigPath, version, ports, startedAt: new Date().toISOString() };
    writeFileSync(join(dir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
    return { ...state, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The state of the control plane run from `dir`, with the processes still alive; undefined when none is up. */
export function controlPlaneStatus(dir: string): (ControlPlaneState & { processes: ProcRecord[] }) | undefined {
  let state: ControlPlaneState;
  try {
    state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as ControlPlaneState;
  } catch {
    return undefined;
  }
  return { ...state, processes: new ProcessRecords(join(dir, 'procs')).list() };
}

/** Ends the processes recorded in `dir` (controller manager, apiserver, then etcd) and removes the folder. */
export async function stopControlPlane(dir: string): Promise<void> {
  const records = new ProcessRecords(join(dir, 'procs'));
  for (const role of ['kube-controller-manager', 'kube-apiserver', 'etcd']) {
    for (const record of records.list().filter((r) => r.role === role)) await records.kill(record, 'SIGTERM', 10_000);
  }
  rmSync(dir, { recursive: true, force: true });
}
