// Least privilege, checked against the real controller: every request it makes through a lifecycle
// (allocation, a conflicting write, repeated failures, a pool change, a leader hand-over) is recorded by
// the emulator, turned into the RBAC verb kube-apiserver's authorizer would check, and compared with what
// config/install.yaml grants. The controller must need nothing it is not granted, and be granted nothing
// it never uses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { parseAllDocuments } from 'yaml';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer } from '../apiserver/index.js';
import { HERALD_NAMESPACE } from '../../crds/v1beta1/index.js';
import { createControllerCore } from '../../controller/reconcile/index.js';
import { startController, type RunningController } from '../../controller/driver/app.js';
import { silentLogger } from '../../lib/log.js';
import {
  crdDocuments, createPool, createService, repoRoot, setPoolAddresses, waitFor, waitForEvent, waitForIPs, type Env,
} from './harness.js';
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { ReusingKubeConfig } from '../../lib/kube/config.js';

const CONTROLLER_TOKEN = 'herald-controller-under-test';

/** `group resource: verb` as RBAC names it, from a request the way kube-apiserver's RequestInfo reads it. */
export function rbacRequest(method: string, rawUrl: string): string | undefined {
  const url = new URL(rawUrl, 'http://emulator');
  const parts = url.pathname.split('/').filter((p) => p !== '');
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') { group = 'core'; rest = parts.slice(2); }
  else if (parts[0] === 'apis' && parts.length >= 3) { group = parts[1] ?? ''; rest = parts.slice(3); }
  else return undefined; // discovery, /version: not resource requests
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  const [resource, name, subresource] = rest;
  if (!resource) return undefined;
  const watch = ['1', 'true'].includes(url.searchParams.get('watch') ?? '');
  const verbs: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
  const verb = method === 'GET' ? (watch ? 'watch' : name ? 'get' : 'list') : verbs[method];
  if (!verb) throw new Error(`unexpected method ${method} on ${rawUrl}`);
  return `${group} ${resource}${subresource ? `/${subresource}` : ''}: ${verb}`;
}

function granted(): Set<string> {
  const docs = parseAllDocuments(readFileSync(join(repoRoot, 'config/install.yaml'), 'utf8')).map((d) => d.toJS() as {
    kind: string; metadata: { name: string }; rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  });
  const roles = docs.filter((d) => (d.kind === 'ClusterRole' || d.kind === 'Role') && d.metadata.name === 'herald-controller');
  expect(roles.map((r) => r.kind).sort()).toEqual(['ClusterRole', 'Role']);
  return new Set(roles.flatMap((r) => r.rules ?? []).flatMap((rule) => rule.apiGroups.flatMap((g) =>
    rule.resources.flatMap((res) => rule.verbs.map((v) => `${g === '' ? 'core' : g} ${res}: ${v}`)))));
}

test('the controller uses exactly the RBAC verbs config/install.yaml grants it', async () => {
  const used = new Set<string>();
  const api = await startApiServer({
    onRequest: (req: IncomingMessage) => {
      if (req.headers.authorization !== `Bearer ${CONTROLLER_TOKEN}`) return;
      const request = rbacRequest(req.method ?? '', req.url ?? '');
      if (request) used.add(request);
    },
  });
  const adminKc = ReusingKubeConfig.from(api.kubeConfig());
  const ext = adminKc.makeApiClient(ApiextensionsV1Api);
  for (const crd of crdDocuments()) await ext.createCustomResourceDefinition({ body: crd });
  const env: Env = {
    api, kc: adminKc, core: adminKc.makeApiClient(CoreV1Api), custom: adminKc.makeApiClient(CustomObjectsApi),
    controllers: [], stop: async () => undefined,
  };
  await env.core.createNamespace({ body: { metadata: { name: HERALD_NAMESPACE } } });

  // The controller's own identity: the same server, a token only it sends.
  const controllerKc = new KubeConfig();
  const cluster = api.kubeConfig().getCurrentCluster();
  if (!cluster) throw new Error('emulator kubeconfig has no cluster');
  controllerKc.loadFromClusterAndUser(cluster, { name: 'herald-controller', token: CONTROLLER_TOKEN });
  const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300 };
  const start = (identity: string): Promise<RunningController> => startController({
    kubeConfig: controllerKc, namespace: HERALD_NAMESPACE, identity, leaderElect: true, timings,
    logger: silentLogger(), createCore: createControllerCore,
  });
  const first = await start('replica-a');
  const second = await start('replica-b');
  try {
    await createPool(env, 'small', { addresses: ['192.0.2.10-192.0.2.11'] });
    await waitFor('a leader', async () => first.isLeader() || second.isLeader(), 5000);
    // A conflicting status write makes the driver re-read the Service.
    api.faults.failNext({ verb: 'patch', resource: 'services/status', code: 409, count: 1 });
    await createService(env, 'rbac', 'a');
    await waitForIPs(env, 'rbac', 'a');
    await createService(env, 'rbac', 'b');
    await waitForIPs(env, 'rbac', 'b');
    // Exhaustion, retried: the same AllocationFailed event is aggregated (a patch, not a second create).
    await createService(env, 'rbac', 'c');
    const failed = await waitForEvent(env, 'rbac', 'c', 'AllocationFailed');
    await waitFor('AllocationFailed to repeat', async () =>
      ((await env.core.listNamespacedEvent({ namespace: 'rbac', fieldSelector: `involvedObject.name=c` })).items
        .find((e) => e.metadata?.name === failed.metadata?.name)?.count ?? 0) > 1, 10_000);
    // The pool grows: c is served, the pool's status is rewritten.
    await setPoolAddresses(env, 'small', ['192.0.2.10-192.0.2.12']);
    await waitForIPs(env, 'rbac', 'c');
    // Hand-over: the leader stops gracefully and releases the Lease; the other takes it.
    const leader = first.isLeader() ? first : second;
    const follower = leader === first ? second : first;
    await leader.stop();
    await waitFor('the follower to lead', async () => follower.isLeader(), 5000);
    await follower.stop();
  } finally {
    await first.stop().catch(() => undefined);
    await second.stop().catch(() => undefined);
    await api.stop();
  }
  const grants = granted();
  const missing = [...used].filter((u) => !grants.has(u)).sort();
  const unused = [...grants].filter((g) => !used.has(g)).sort();
  expect({ missing, unused }).toEqual({ missing: [], unused: [] });
}, 60_000);

test('requests map to RBAC verbs as kube-apiserver reads them', () => {
  expect(rbacRequest('GET', '/api/v1/services?watch=true&resourceVersion=5')).toBe('core services: watch');
  expect(rbacRequest('GET', '/api/v1/namespaces/x/services/web')).toBe('core services: get');
  expect(rbacRequest('PATCH', '/api/v1/namespaces/x/services/web/status')).toBe('core services/status: patch');
  expect(rbacRequest('GET', '/apis/herald.dev/v1beta1/namespaces/herald-system/ipaddresspools')).toBe('herald.dev ipaddresspools: list');
  expect(rbacRequest('PUT', '/apis/coordination.k8s.io/v1/namespaces/herald-system/leases/l')).toBe('coordination.k8s.io leases: update');
  expect(rbacRequest('GET', '/apis')).toBeUndefined();
});
