// Least privilege, checked against the real controller (two replicas with leader election) going through a
// lifecycle that needs every verb it has: allocation, repeated failures (an aggregated Event), a pool change
// (pool status), an L2Advertisement and one object of each BGP kind (their Ready conditions; a BGPPeer's
// passwordSecret read among the Secrets), the heartbeat key Secret created and, once deleted, created again, a
// leader hand-over.
//  - On kube-apiserver, with RBAC enforced: the controller runs as its ServiceAccount with config/rbac's roles
//    and is never refused (no 403). A negative control shows the check can fail: with one verb it needs taken
//    from a copy of the ClusterRole, the server refuses it and the same check names the request.
//  - On the emulator, which sees every request: each is turned into the RBAC verb kube-apiserver's authorizer
//    would check and compared with what config/install.yaml grants. The controller must need nothing it is not
//    granted, and be granted nothing it never uses (a 409 is injected so the re-read after a conflict is used).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { parseAllDocuments } from 'yaml';
import { CoreV1Api } from '@kubernetes/client-node';
import { itEmulatorOnly, onRealBackend } from '../cluster/backend.js';
import {
  createPool, createService, emulatorOf, eventsFor, ipsOf, readService, repoRoot, setPoolAddresses, startEnv,
  startTestController, waitFor, waitForEvent, waitForIPs, type Env,
} from './harness.js';
import { controllerRbacObjects, tokenUser, withoutVerb } from './controller-identity.js';
import { RequestLog, type AnsweredRequest } from './request-log.js';
import { HEARTBEAT_SECRET_NAME } from '../../lib/heartbeat-secret.js';
import {
  BFDPROFILE_PLURAL, BGPADVERTISEMENT_PLURAL, BGPPEER_PLURAL, COMMUNITY_PLURAL, GROUP, HERALD_NAMESPACE, L2ADVERTISEMENT_PLURAL, VERSION,
  type Condition, type L2Advertisement,
} from '../../crds/v1beta1/index.js';

const CONTROLLER_TOKEN = 'herald-controller-under-test';
const describeRealOnly = onRealBackend ? describe : describe.skip;

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

/**
 * The object a request names, as kube-apiserver's RequestInfo reads it: from the path, or for a list or watch from
 * a `metadata.name=` field selector (which is how RBAC's resourceNames can cover a watch).
 */
export function requestedName(rawUrl: string): string | undefined {
  const url = new URL(rawUrl, 'http://emulator');
  let rest = url.pathname.split('/').filter((p) => p !== '').slice(url.pathname.startsWith('/api/') ? 2 : 3);
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  if (rest[1] !== undefined) return rest[1];
  const selector = url.searchParams.get('fieldSelector') ?? '';
  return /^metadata\.name=([^,]+)$/.exec(selector)?.[1];
}

/** What install.yaml grants herald-controller: `group resource: verb`, with ` [name]` for a rule limited by name. */
function granted(): Set<string> {
  const docs = parseAllDocuments(readFileSync(join(repoRoot, 'config/install.yaml'), 'utf8')).map((d) => d.toJS() as {
    kind: string; metadata: { name: string }; rules?: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[];
  });
  const roles = docs.filter((d) => (d.kind === 'ClusterRole' || d.kind === 'Role') && d.metadata.name === 'herald-controller');
  expect(roles.map((r) => r.kind).sort()).toEqual(['ClusterRole', 'Role']);
  return new Set(roles.flatMap((r) => r.rules ?? []).flatMap((rule) => rule.apiGroups.flatMap((g) =>
    rule.resources.flatMap((res) => rule.verbs.flatMap((v) => (rule.resourceNames ?? ['']).map((name) =>
      `${g === '' ? 'core' : g} ${res}: ${v}${name ? ` [${name}]` : ''}`))))));
}

/** The grant that allows `request` (an unnamed rule first, as either allows it), or undefined when none does. */
function grantFor(grants: Set<string>, request: string, name: string | undefined): string | undefined {
  if (grants.has(request)) return request;
  const named = name === undefined ? undefined : `${request} [${name}]`;
  return named !== undefined && grants.has(named) ? named : undefined;
}

/** The forbidden requests among `answered`, as RBAC verbs: what the check below expects to be empty. */
function refused(answered: AnsweredRequest[]): string[] {
  return [...new Set(answered.filter((r) => r.status === 403).map((r) => rbacRequest(r.method, r.path) ?? `${r.method} ${r.path}`))].sort();
}

/** The lifecycle every check drives; `beforeFirstService` runs just before the first Service is created. */
async function lifecycle(env: Env, beforeFirstService: () => void = () => undefined): Promise<void> {
  const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300 };
  const first = await startTestController(env, { identity: 'replica-a', leaderElect: true, timings });
  const second = await startTestController(env, { identity: 'replica-b', leaderElect: true, timings });
  await createPool(env, 'small', { addresses: ['192.0.2.10-192.0.2.11'] });
  await waitFor('a leader', async () => first.isLeader() || second.isLeader());
  // An advertisement gets its Ready condition (the controller reads the speakers' presence Leases for it too).
  const advertisement = { group: GROUP, version: VERSION, namespace: HERALD_NAMESPACE, plural: L2ADVERTISEMENT_PLURAL };
  await env.custom.createNamespacedCustomObject({ ...advertisement, body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'L2Advertisement', metadata: { name: 'all' } } });
  await waitFor('the advertisement\'s Ready condition', async () =>
    ((await env.custom.getNamespacedCustomObject({ ...advertisement, name: 'all' })) as L2Advertisement).status?.conditions?.some((c) => c.type === 'Ready'));
  // One object of each BGP kind gets its Ready condition; the peer's passwordSecret names a Secret that is not there.
  const bgp = [
    [BGPPEER_PLURAL, 'BGPPeer', 'tor', { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', bfdProfile: 'fast', passwordSecret: { name: 'tor-md5' } }],
    [BGPADVERTISEMENT_PLURAL, 'BGPAdvertisement', 'all', {}],
    [BFDPROFILE_PLURAL, 'BFDProfile', 'fast', {}],
    [COMMUNITY_PLURAL, 'Community', 'aliases', { communities: [{ name: 'no-export', value: '65535:65281' }] }],
  ] as const;
  for (const [plural, kind, name, spec] of bgp) {
    await env.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: HERALD_NAMESPACE, plural,
      body: { apiVersion: `${GROUP}/${VERSION}`, kind, metadata: { name }, spec } });
  }
  for (const [plural, , name] of bgp) {
    await waitFor(`the Ready condition of ${plural}/${name}`, async () => ((await env.custom.getNamespacedCustomObject({
      group: GROUP, version: VERSION, namespace: HERALD_NAMESPACE, plural, name,
    })) as { status?: { conditions?: Condition[] } }).status?.conditions?.some((c) => c.type === 'Ready'));
  }
  // The leader creates the heartbeat key Secret, and creates it again once it is deleted (its watch sees that).
  const secret = () => env.core.readNamespacedSecret({ namespace: HERALD_NAMESPACE, name: HEARTBEAT_SECRET_NAME });
  const uid = (await waitFor('the heartbeat key Secret', secret)).metadata?.uid;
  await env.core.deleteNamespacedSecret({ namespace: HERALD_NAMESPACE, name: HEARTBEAT_SECRET_NAME });
  await waitFor('the heartbeat key Secret to be created again', async () => (await secret()).metadata?.uid !== uid);
  beforeFirstService();
  await createService(env, 'rbac', 'a');
  await waitForIPs(env, 'rbac', 'a');
  await createService(env, 'rbac', 'b');
  await waitForIPs(env, 'rbac', 'b');
  // Exhaustion, retried: the same AllocationFailed event is aggregated (a patch, not a second create).
  await createService(env, 'rbac', 'c');
  const failed = await waitForEvent(env, 'rbac', 'c', 'AllocationFailed');
  await waitFor('AllocationFailed to repeat', async () =>
    ((await eventsFor(env, 'rbac', 'c')).find((e) => e.metadata?.name === failed.metadata?.name)?.count ?? 0) > 1);
  // The pool grows: c is served, the pool's status is rewritten.
  await setPoolAddresses(env, 'small', ['192.0.2.10-192.0.2.12']);
  await waitForIPs(env, 'rbac', 'c');
  // Hand-over: the leader stops gracefully and releases the Lease; the other takes it.
  const leader = first.isLeader() ? first : second;
  const follower = leader === first ? second : first;
  await leader.stop();
  await waitFor('the follower to lead', async () => follower.isLeader());
  await follower.stop();
}

describeRealOnly('on kube-apiserver, as the herald-controller ServiceAccount', () => {
  test('through a whole lifecycle the controller is never refused', async () => {
    const env = await startEnv();
    const log = new RequestLog(env.controllerUser.token ?? '').start();
    try {
      await lifecycle(env);
    } finally {
      log.stop();
      await env.stop();
    }
    expect(refused(log.answered)).toEqual([]);
    // Not vacuous: the requests were the controller's, and it made the writes its roles are for.
    const done = new Set(log.answered.filter((r) => r.status < 300).map((r) => rbacRequest(r.method, r.path)));
    expect([...done]).toEqual(expect.arrayContaining([
      'core services: watch', 'core services/status: patch', 'core events: create', 'core events: patch',
      'herald.dev ipaddresspools/status: patch', 'coordination.k8s.io leases: create', 'coordination.k8s.io leases: update',
      'core secrets: create', 'core secrets: watch', 'core secrets: list',
      'herald.dev l2advertisements: watch', 'herald.dev l2advertisements/status: patch', 'coordination.k8s.io leases: watch',
      'herald.dev bgppeers: watch', 'herald.dev bgppeers/status: patch', 'herald.dev bgpadvertisements/status: patch',
      'herald.dev bfdprofiles/status: patch', 'herald.dev communities/status: patch',
    ]));
  }, 120_000);

  test('Secrets: it may list and watch those of herald-system (BGPPeer passwordSecret), get none by name, and read none elsewhere', async () => {
    const env = await startEnv();
    try {
      const core = env.controllerUser.kubeConfig.makeApiClient(CoreV1Api);
      const fieldSelector = `metadata.name=${HEARTBEAT_SECRET_NAME}`;
      await expect(core.listNamespacedSecret({ namespace: HERALD_NAMESPACE, fieldSelector })).resolves.toMatchObject({ items: [] });
      await expect(core.listNamespacedSecret({ namespace: HERALD_NAMESPACE })).resolves.toMatchObject({ items: [] });
      await expect(core.readNamespacedSecret({ namespace: HERALD_NAMESPACE, name: HEARTBEAT_SECRET_NAME })).rejects.toMatchObject({ code: 403 });
      await expect(core.listNamespacedSecret({ namespace: 'kube-system' })).rejects.toMatchObject({ code: 403 });
      await expect(core.listSecretForAllNamespaces()).rejects.toMatchObject({ code: 403 });
    } finally {
      await env.stop();
    }
  }, 120_000);

  test('negative control: without "patch services/status" the server refuses it and the check says so', async () => {
    const rbac = withoutVerb(controllerRbacObjects(), 'ClusterRole', 'services/status', 'patch');
    const env = await startEnv(undefined, { rbac });
    const log = new RequestLog(env.controllerUser.token ?? '').start();
    try {
      await createPool(env, 'p', { addresses: ['192.0.2.10/32'] });
      await startTestController(env);
      await createService(env, 'rbac', 'a');
      await waitFor('the controller to be refused', async () => refused(log.answered).length > 0);
      expect(refused(log.answered)).toEqual(['core services/status: patch']);
      expect(ipsOf(await readService(env, 'rbac', 'a'))).toEqual([]);
    } finally {
      log.stop();
      await env.stop();
    }
  }, 120_000);
});

itEmulatorOnly('the controller uses exactly the RBAC verbs config/install.yaml grants it (requests recorded by the emulator)', async () => {
  const requests: { request: string; name: string | undefined }[] = [];
  const env = await startEnv('emulator', {
    emulator: {
      onRequest: (req: IncomingMessage) => {
        if (req.headers.authorization !== `Bearer ${CONTROLLER_TOKEN}`) return;
        const request = rbacRequest(req.method ?? '', req.url ?? '');
        if (request) requests.push({ request, name: requestedName(req.url ?? '') });
      },
    },
  });
  // The controller's own identity: the same server, a token only it sends.
  env.controllerUser = tokenUser(env.kc, 'herald-controller', CONTROLLER_TOKEN, join(env.scratchDir, 'controller.kubeconfig'));
  try {
    // A conflicting status write makes the driver re-read the Service.
    await lifecycle(env, () => emulatorOf(env).faults.failNext({ verb: 'patch', resource: 'services/status', code: 409, count: 1 }));
  } finally {
    await env.stop();
  }
  const grants = granted();
  const used = new Set(requests.map((r) => grantFor(grants, r.request, r.name)));
  const missing = [...new Set(requests.filter((r) => !grantFor(grants, r.request, r.name)).map((r) => `${r.request} [${r.name ?? ''}]`))].sort();
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
  expect(requestedName('/api/v1/namespaces/x/services/web/status')).toBe('web');
  expect(requestedName('/api/v1/namespaces/herald-system/secrets?fieldSelector=metadata.name%3Dherald-memberlist&watch=true')).toBe('herald-memberlist');
  expect(requestedName('/api/v1/namespaces/herald-system/secrets')).toBeUndefined();
  expect(requestedName('/apis/coordination.k8s.io/v1/namespaces/herald-system/leases/l')).toBe('l');
});
