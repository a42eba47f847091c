// Shared scaffolding for the integration tests: the API backend HERALD_API_BACKEND names (the in-repo emulator or
// a real control plane, test/cluster/backend.ts) with Herald's CRDs installed, the real controller (driver + core)
// started in-process as its own user, and helpers to make Services and pools and to wait for the cluster to
// reach a state.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import {
  ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, HttpMethod,
  type KubeConfig, type V1CustomResourceDefinition, type V1Service, type CoreV1Event,
} from '@kubernetes/client-node';
import type { ApiServer, ApiServerOptions } from '../apiserver/index.js';
import { API_BACKEND, startApiBackend, type ApiBackend, type BackendName } from '../cluster/backend.js';
import { GROUP, HERALD_NAMESPACE, IPADDRESSPOOL_PLURAL, VERSION, type IPAddressPool, type IPAddressPoolSpec } from '../../crds/v1beta1/index.js';
import { createControllerCore } from '../../controller/reconcile/index.js';
import { startController, type RunningController } from '../../controller/driver/app.js';
import type { FamilyName } from '../../lib/ip/index.js';
import type { ElectionTimings } from '../../lib/kube/leaderelection/decide.js';
import { silentLogger, createLogger, type Logger } from '../../lib/log.js';
import { ReusingKubeConfig } from '../../lib/kube/config.js';
import { apiJson } from '../../lib/kube/request.js';
import {
  createObjects, controllerRbacObjects, serviceAccountUser, waitForGrants, type ControllerUser, type RbacObject,
} from './controller-identity.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');

export interface Env {
  backend: ApiBackend;
  /** The admin: the test's own reads and writes. */
  kc: KubeConfig;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  /** Who the controller under test runs as: its ServiceAccount on the real backend, the admin on the emulator. */
  controllerUser: ControllerUser;
  controllers: RunningController[];
  /** A folder of the test's own (the controller's kubeconfig), removed by stop. */
  scratchDir: string;
  stop(): Promise<void>;
}

export interface EnvOptions {
  /** For the emulator only (e.g. onRequest). */
  emulator?: ApiServerOptions;
  /** The RBAC objects to install on the real backend instead of config/rbac's (a negative control). */
  rbac?: RbacObject[];
}

export function crdDocuments(): V1CustomResourceDefinition[] {
  const dir = join(repoRoot, 'crds');
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as V1CustomResourceDefinition))
    .filter((d) => d?.kind === 'CustomResourceDefinition');
}

/** The emulator's own handle (faults, store, open watches), for suites that only run on it. */
export function emulatorOf(env: Env): ApiServer {
  const { emulator } = env.backend;
  if (!emulator) throw new Error(`this needs the API emulator, but the backend is "${env.backend.name}": use describeEmulatorOnly`);
  return emulator;
}

/** A backend and the admin's clients, nothing installed; the controller acts as the admin until told otherwise. */
export async function startBareEnv(backend: BackendName = API_BACKEND, emulatorOptions: ApiServerOptions = {}): Promise<Env> {
  const started = await startApiBackend(emulatorOptions, backend);
  const kc = ReusingKubeConfig.from(started.kubeConfig());
  const env: Env = {
    backend: started, kc, core: kc.makeApiClient(CoreV1Api), custom: kc.makeApiClient(CustomObjectsApi),
    controllerUser: { kubeConfig: kc, kubeconfigPath: started.kubeconfigPath },
    controllers: [], scratchDir: mkdtempSync(join(tmpdir(), 'herald-env-')),
    stop: async () => {
      for (const c of env.controllers) await c.stop().catch(() => undefined);
      await started.stop();
      rmSync(env.scratchDir, { recursive: true, force: true });
    },
  };
  return env;
}

/** kube-apiserver serves a new CRD's objects only once it is Established (the emulator at once). */
export async function waitForCrdsEstablished(env: Env, timeoutMs = 30_000): Promise<void> {
  const ext = env.kc.makeApiClient(ApiextensionsV1Api);
  for (const crd of crdDocuments()) {
    const name = crd.metadata?.name ?? '';
    await waitFor(`CRD ${name} Established`, async () =>
      (await ext.readCustomResourceDefinition({ name })).status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'), timeoutMs);
  }
}

/**
 * On the real backend, from now on the controller runs as the herald-controller ServiceAccount, which must exist
 * already (startEnv installs it, kubectl's suite applies config/default), once RBAC allows it what `granted`
 * grants. On the emulator nothing changes.
 */
export async function runControllerAsServiceAccount(env: Env, granted: RbacObject[] = controllerRbacObjects()): Promise<void> {
  if (env.backend.name !== 'real') return;
  env.controllerUser = await serviceAccountUser(env.kc, join(env.scratchDir, 'controller.kubeconfig'));
  await waitForGrants(env.kc, granted);
}

/**
 * The backend (HERALD_API_BACKEND's, or `backend`) with Herald's CRDs and namespace; on the real backend also
 * config/rbac, with the controller running as its ServiceAccount.
 */
export async function startEnv(backend: BackendName = API_BACKEND, o: EnvOptions = {}): Promise<Env> {
  const env = await startBareEnv(backend, o.emulator);
  try {
    // As plain JSON, the way kubectl sends it: client-node's model serializer keeps only the fields it knows by
    // their TypeScript names, and so silently drops `default` and every `x-kubernetes-*` of a plain object's schema.
    // All at once: they do not depend on each other, and one after another costs a real apiserver ~0.3 s more.
    await Promise.all(crdDocuments().map((crd) =>
      apiJson(env.kc, { method: HttpMethod.POST, path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', body: crd })));
    await env.core.createNamespace({ body: { metadata: { name: HERALD_NAMESPACE } } });
    if (env.backend.name === 'real') {
      const rbac = o.rbac ?? controllerRbacObjects();
      await createObjects(env.kc, rbac);
      await runControllerAsServiceAccount(env, rbac);
    }
    await waitForCrdsEstablished(env);
    return env;
  } catch (err) {
    await env.stop();
    throw err;
  }
}

export interface TestControllerOptions {
  identity?: string;
  leaderElect?: boolean;
  timings?: ElectionTimings;
  loadBalancerClass?: string;
  /** Where its log goes (a test that reads it); default silent, or debug to stdout with HERALD_TEST_LOG. */
  logger?: Logger;
}

export async function startTestController(env: Env, o: TestControllerOptions = {}): Promise<RunningController> {
  const logger = o.logger ?? (process.env.HERALD_TEST_LOG ? createLogger('controller', 'debug') : silentLogger());
  const controller = await startController({
    kubeConfig: env.controllerUser.kubeConfig, namespace: HERALD_NAMESPACE, identity: o.identity ?? 'test-controller',
    leaderElect: o.leaderElect ?? false, timings: o.timings, loadBalancerClass: o.loadBalancerClass,
    logger, createCore: createControllerCore,
  });
  env.controllers.push(controller);
  return controller;
}

export async function ensureNamespace(env: Env, name: string, labels?: Record<string, string>): Promise<void> {
  await env.core.createNamespace({ body: { metadata: { name, labels } } }).catch((err: unknown) => {
    if ((err as { code?: number }).code !== 409) throw err;
  });
}

export interface ServiceOptions {
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  loadBalancerIP?: string;
  loadBalancerClass?: string;
  ipFamilyPolicy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
  ipFamilies?: FamilyName[];
  ports?: { port: number; protocol?: string }[];
  type?: string;
  /** false: no nodePorts (a cluster has only 2768 of them; 10 000 LoadBalancers need this). */
  allocateLoadBalancerNodePorts?: boolean;
}

export function serviceBody(namespace: string, name: string, o: ServiceOptions = {}): V1Service {
  return {
    metadata: { name, namespace, annotations: o.annotations, labels: o.labels },
    spec: {
      type: o.type ?? 'LoadBalancer',
      ports: (o.ports ?? [{ port: 80 }]).map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' })),
      selector: { app: name },
      loadBalancerIP: o.loadBalancerIP,
      loadBalancerClass: o.loadBalancerClass,
      ipFamilyPolicy: o.ipFamilyPolicy,
      ipFamilies: o.ipFamilies,
      allocateLoadBalancerNodePorts: o.allocateLoadBalancerNodePorts,
    },
  };
}

export async function createService(env: Env, namespace: string, name: string, o: ServiceOptions = {}): Promise<V1Service> {
  await ensureNamespace(env, namespace);
  return env.core.createNamespacedService({ namespace, body: serviceBody(namespace, name, o) });
}

export function poolBody(name: string, spec: Partial<IPAddressPoolSpec> & { addresses: string[] }): IPAddressPool {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: 'IPAddressPool', metadata: { name, namespace: HERALD_NAMESPACE }, spec };
}

const poolRef = { group: GROUP, version: VERSION, namespace: HERALD_NAMESPACE, plural: IPADDRESSPOOL_PLURAL };

export async function createPool(env: Env, name: string, spec: Partial<IPAddressPoolSpec> & { addresses: string[] }): Promise<void> {
  await env.custom.createNamespacedCustomObject({ ...poolRef, body: poolBody(name, spec) });
}

export async function getPool(env: Env, name: string): Promise<IPAddressPool> {
  return (await env.custom.getNamespacedCustomObject({ ...poolRef, name })) as IPAddressPool;
}

/** Replaces a pool's addresses (a JSON merge patch on spec). */
export async function setPoolAddresses(env: Env, name: string, addresses: string[]): Promise<void> {
  const { mergePatch } = await import('../support/merge-patch.js');
  await env.custom.patchNamespacedCustomObject({ ...poolRef, name, body: { spec: { addresses } } }, mergePatch);
}

export async function deletePool(env: Env, name: string): Promise<void> {
  await env.custom.deleteNamespacedCustomObject({ ...poolRef, name });
}

export function ipsOf(svc: V1Service | undefined): string[] {
  return (svc?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => ip !== '');
}

export async function readService(env: Env, namespace: string, name: string): Promise<V1Service | undefined> {
  return env.core.readNamespacedService({ name, namespace }).catch((err: unknown) => {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  });
}

/**
 * How long a wait for the cluster to reach a state may take unless a test says otherwise: generous, for the real
 * control plane is slower than the in-process emulator (a poll ends as soon as the state is reached).
 */
export const WAIT_MS = 15_000;

/** Polls `probe` until it returns something other than undefined/false; fails naming `what` and the last value seen. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function waitForIPs(env: Env, namespace: string, name: string, count = 1, timeoutMs = WAIT_MS): Promise<string[]> {
  return waitFor(`${namespace}/${name} to have ${count} IP(s)`, async () => {
    const ips = ipsOf(await readService(env, namespace, name));
    return ips.length === count ? ips : undefined;
  }, timeoutMs);
}

export async function eventsFor(env: Env, namespace: string, name: string): Promise<CoreV1Event[]> {
  const list = await env.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` });
  return list.items;
}

export function waitForEvent(env: Env, namespace: string, name: string, reason: string, timeoutMs = WAIT_MS): Promise<CoreV1Event> {
  return waitFor(`event ${reason} on ${namespace}/${name}`, async () =>
    (await eventsFor(env, namespace, name)).find((e) => e.reason === reason), timeoutMs);
}
