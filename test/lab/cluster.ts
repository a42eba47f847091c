// The lab as a cluster: an API server on the router's address, Herald installed into it with kubectl the way a
// user installs it (config/default), a Node object per lab node, the controller, and a speaker in every node
// namespace started exactly as the Deployment and the DaemonSet start them (same flags and environment; a
// kubeconfig instead of the in-cluster service account). Everything stays inside the lab's namespaces: the API
// server listens on 192.0.2.1 in hl-router, and kubectl runs from the client's namespace, as a user's laptop would.
//
// The API server is the one HERALD_API_BACKEND names (test/cluster/backend.ts), as for the API suites: the in-repo
// emulator by default, or with `real` the real control plane (etcd, kube-apiserver, kube-controller-manager built
// by `npm run cluster -- build`), all inside hl-router. No kubelet runs here, so nothing would start the
// Deployment's or the DaemonSet's pods anyway; the processes below are what those pods would run.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyFileSync } from 'node:fs';
import { kubeconfigYaml } from '../apiserver/kubeconfig.js';
import { API_BACKEND, kubectlCommand } from '../cluster/backend.js';
import { controlPlaneStatus, startControlPlane } from '../cluster/controlplane.js';
import { execIn, findProc, sleep, spawnIn, type ProcRecord, type RunResult } from './exec.js';
import { REPO_ROOT, up } from './lab.js';
import type { SpeakerLauncher } from './failover.js';
import { startClusterSpeaker, type StartOptions } from './speakers.js';
import { NODES, STATE_DIR, hostByName, nsOf, v4Of } from './topology.js';

export const API_HOST = v4Of(hostByName('router'));
export const API_PORT = 6443;
export const CLUSTER_KUBECONFIG = join(STATE_DIR, 'cluster.kubeconfig');
/** The real control plane's state folder, when HERALD_API_BACKEND=real (lab.ts's down stops it). */
export const CONTROL_PLANE_DIR = join(STATE_DIR, 'controlplane');
const API_ROLE = 'apiserver';
const CONTROLLER_ROLE = 'controller';

/** kubectl from the client's namespace against the lab's API server; rejects with its stderr when it fails. */
export async function kubectl(args: readonly string[], input?: string): Promise<string> {
  const result: RunResult = await execIn(nsOf('client'), [kubectlCommand(), '--kubeconfig', CLUSTER_KUBECONFIG, ...args], input);
  return result.stdout;
}

async function waitForApi(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await kubectl(['get', '--raw', '/readyz']);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`the lab's API server did not answer within ${timeoutMs} ms: ${(err as Error).message}`);
      await sleep(100);
    }
  }
}

function nodeObject(node: string): object {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name: node, labels: { 'kubernetes.io/hostname': node, 'kubernetes.io/os': 'linux' } },
  };
}

/** What a user applies to get a Service announced in the lab: a pool, an L2Advertisement, a namespace, a Service. */
export function userObjects(namespace: string, addresses: readonly string[]): object[] {
  return [
    { apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name: 'lab', namespace: 'herald-system' }, spec: { addresses } },
    { apiVersion: 'herald.dev/v1beta1', kind: 'L2Advertisement', metadata: { name: 'lab', namespace: 'herald-system' }, spec: { ipAddressPools: ['lab'] } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace },
      spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP' }] } },
  ];
}

/**
 * No kubelet runs pods in the lab: the EndpointSlice an EndpointSlice controller would write for a Service whose
 * pods run on `nodes` (serving, one endpoint per node).
 */
export function endpointSlice(namespace: string, service: string, nodes: readonly string[], family: 'IPv4' | 'IPv6' = 'IPv4'): object {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: `${service}-lab`, namespace, labels: { 'kubernetes.io/service-name': service } },
    addressType: family, ports: [{ port: 80, protocol: 'TCP' }],
    endpoints: nodes.map((node) => ({
      addresses: [family === 'IPv4' ? `198.51.100.${hostByName(node).octet}` : `2001:db8:100::${hostByName(node).octet}`],
      nodeName: node, conditions: { ready: true, serving: true },
    })),
  };
}

/** Applies `objects` with kubectl from the client's namespace. */
export async function applyObjects(objects: readonly object[]): Promise<string> {
  return kubectl(['apply', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n'));
}

/** Waits for the Service's first external IP and returns it. */
export async function externalIp(namespace: string, service: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ip = (await kubectl(['get', 'service', service, '-n', namespace, '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])).trim();
    if (ip !== '') return ip;
    if (Date.now() > deadline) throw new Error(`${namespace}/${service} got no external IP within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * Brings the lab up (if it is not) with the cluster on it. Idempotent: what already runs is left running.
 * `speakers: false` leaves the speakers to the caller (a benchmark that starts and kills them itself).
 * Returns the kubeconfig's path.
 */
export async function upCluster(o: { speakers?: boolean } = {}): Promise<string> {
  await up();
  mkdirSync(STATE_DIR, { recursive: true });
  await startApiServer();
  await waitForApi(30_000);
  await kubectl(['apply', '-k', join(REPO_ROOT, 'config/default')]);
  await kubectl(['apply', '-f', '-'], NODES.map((n) => JSON.stringify(nodeObject(n))).join('\n'));
  if (!findProc(CONTROLLER_ROLE)) {
    // config/controller/deployment.yaml: `node dist/controller/main.js --log-level=info` with POD_NAME and
    // POD_NAMESPACE; POD_IP makes /metrics listen on the router's address.
    spawnIn(nsOf('router'), [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'controller/main.ts'), '--log-level=info', '--kubeconfig', CLUSTER_KUBECONFIG], {
      role: CONTROLLER_ROLE, detached: true, cwd: REPO_ROOT,
      env: { ...process.env, POD_NAME: 'herald-controller-lab', POD_NAMESPACE: 'herald-system', POD_IP: API_HOST },
    });
  }
  for (const node of o.speakers === false ? [] : NODES) {
    if (!findProc(`speaker-${node}`)) startClusterSpeaker(node, CLUSTER_KUBECONFIG, [], { detached: true });
  }
  return CLUSTER_KUBECONFIG;
}

/** Starts the lab's API server (HERALD_API_BACKEND's) in hl-router unless it runs, and writes the kubeconfig. */
async function startApiServer(): Promise<void> {
  if (API_BACKEND === 'real') {
    if (controlPlaneStatus(CONTROL_PLANE_DIR) !== undefined) return;
    const cp = await startControlPlane({ dir: CONTROL_PLANE_DIR, host: API_HOST, netns: nsOf('router'), detached: true });
    copyFileSync(cp.kubeconfigPath, CLUSTER_KUBECONFIG);
    return;
  }
  if (!existsSync(CLUSTER_KUBECONFIG)) writeFileSync(CLUSTER_KUBECONFIG, kubeconfigYaml(`http://${API_HOST}:${API_PORT}`), { mode: 0o600 });
  if (!findProc(API_ROLE)) {
    spawnIn(nsOf('router'), [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'test/apiserver/main.ts'), '--host', API_HOST, '--port', String(API_PORT)],
      { role: API_ROLE, detached: true, cwd: REPO_ROOT });
  }
}

/** The real control plane's processes (it keeps its own records), as the lab lists its own. */
export function controlPlaneProcesses(): ProcRecord[] {
  return (controlPlaneStatus(CONTROL_PLANE_DIR)?.processes ?? []).map((p) => ({ ...p, ns: nsOf('router') }));
}

/** The PID of the process serving the lab's API (the emulator, or kube-apiserver), for the outage test's SIGSTOP. */
export function apiServerPid(): number {
  const pid = API_BACKEND === 'real'
    ? controlPlaneStatus(CONTROL_PLANE_DIR)?.processes.find((p) => p.role === 'kube-apiserver')?.pid
    : findProc(API_ROLE)?.pid;
  if (pid === undefined) throw new Error(`no API server process (${API_BACKEND}) runs in the lab`);
  return pid;
}

/** Herald through the API, for failover.ts's HeraldSystem: the VIP is the only address of the pool. */
export function clusterSpeakers(options: StartOptions = {}): SpeakerLauncher {
  return {
    label: 'Herald full stack (Kubernetes source)',
    prepare: async (vip) => {
      await upCluster({ speakers: false });
      await applyObjects([...userObjects('bench', [vip.includes(':') ? `${vip}/128` : `${vip}/32`]), endpointSlice('bench', 'web', NODES)]);
      const ip = await externalIp('bench', 'web');
      if (ip !== vip) throw new Error(`the Service got ${ip}, not ${vip}`);
    },
    start: (node) => startClusterSpeaker(node, CLUSTER_KUBECONFIG, [], options),
    metricsHost: (node) => v4Of(hostByName(node)),
  };
}

/** Whether a cluster was brought up on the lab (its kubeconfig is there). */
export function clusterKubeconfig(): string | undefined {
  return existsSync(CLUSTER_KUBECONFIG) ? CLUSTER_KUBECONFIG : undefined;
}
