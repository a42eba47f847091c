// Who the controller under test is. On the real backend it is who it is in a cluster: the herald-controller
// ServiceAccount bound to config/rbac's roles, signed in with a token from the TokenRequest API, so a verb the
// roles lack is refused (403) exactly as in production. The emulator checks no credentials: there the
// controller shares the admin's kubeconfig.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import {
  AuthorizationV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, type V1PolicyRule, type V1ResourceAttributes,
} from '@kubernetes/client-node';
import { HERALD_NAMESPACE } from '../../crds/v1beta1/index.js';

const CONFIG_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../config');
export const CONTROLLER_SERVICE_ACCOUNT = 'herald-controller';
export const SPEAKER_SERVICE_ACCOUNT = 'herald-speaker';
const usernameOf = (account: string): string => `system:serviceaccount:${HERALD_NAMESPACE}:${account}`;
const RBAC_KINDS = new Set(['ServiceAccount', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
/** Long enough for a benchmark run: a kubeconfig holds a fixed token and nothing renews it. */
const TOKEN_LIFETIME_S = 24 * 3600;

export interface RbacObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: V1PolicyRule[];
  [field: string]: unknown;
}

/** What the controller under test authenticates as: one identity, as a client-node object and as a file. */
export interface ControllerUser {
  kubeConfig: KubeConfig;
  kubeconfigPath: string;
  /** The bearer token it sends; undefined when it acts as the admin (the emulator). */
  token?: string;
}

const CLUSTER_SCOPED = new Set(['ClusterRole', 'ClusterRoleBinding']);

/** The ServiceAccount and RBAC objects of a config/ folder as config/default renders them: the namespaced ones in herald-system. */
function rbacObjectsIn(folder: string): RbacObject[] {
  const dir = join(CONFIG_DIR, folder);
  const { resources } = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  return resources
    .flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => d.toJS() as RbacObject | null))
    .filter((o): o is RbacObject => o !== null && RBAC_KINDS.has(o.kind))
    .map((o) => (CLUSTER_SCOPED.has(o.kind) ? o : { ...o, metadata: { ...o.metadata, namespace: HERALD_NAMESPACE } }));
}

/** config/rbac's objects: who the controller is. */
export function controllerRbacObjects(): RbacObject[] {
  return rbacObjectsIn('rbac');
}

/** config/speaker's ServiceAccount and roles (not its DaemonSet): who the speaker is. */
export function speakerRbacObjects(): RbacObject[] {
  return rbacObjectsIn('speaker');
}

/** `objects` with `verb` taken away from every rule of `kind` herald-controller on `resource` (a negative control). */
export function withoutVerb(objects: RbacObject[], kind: 'Role' | 'ClusterRole', resource: string, verb: string): RbacObject[] {
  const target = (o: RbacObject): boolean => o.kind === kind && o.metadata.name === CONTROLLER_SERVICE_ACCOUNT;
  if (!objects.some((o) => target(o) && o.rules?.some((r) => r.resources?.includes(resource) && r.verbs.includes(verb)))) {
    throw new Error(`${kind} ${CONTROLLER_SERVICE_ACCOUNT} grants no "${verb}" on "${resource}" to take away`);
  }
  const strip = (rule: V1PolicyRule): V1PolicyRule => (rule.resources?.includes(resource) ? { ...rule, verbs: rule.verbs.filter((v) => v !== verb) } : rule);
  return objects.map((o) => (target(o) ? { ...o, rules: (o.rules ?? []).map(strip).filter((r) => r.verbs.length > 0) } : o));
}

export async function createObjects(admin: KubeConfig, objects: RbacObject[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(admin);
  for (const o of objects) await api.create(o);
}

/** A kubeconfig for the server `admin` talks to (same URL, same CA), signed in as `user` with `token`. */
export function tokenKubeConfig(admin: KubeConfig, user: string, token: string): KubeConfig {
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster], users: [{ name: user, token }],
    contexts: [{ name: user, cluster: cluster.name, user }], currentContext: user,
  });
  return kc;
}

/** `token` as a ControllerUser for the server `admin` talks to, written to `kubeconfigPath` for a child process. */
export function tokenUser(admin: KubeConfig, user: string, token: string, kubeconfigPath: string): ControllerUser {
  const kubeConfig = tokenKubeConfig(admin, user, token);
  writeFileSync(kubeconfigPath, kubeConfig.exportConfig(), { mode: 0o600 });
  return { kubeConfig, kubeconfigPath, token };
}

/** Signs in as a ServiceAccount of herald-system (which must exist), with a token from the TokenRequest API. */
export async function serviceAccountUser(admin: KubeConfig, kubeconfigPath: string, account = CONTROLLER_SERVICE_ACCOUNT): Promise<ControllerUser> {
  const request = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    namespace: HERALD_NAMESPACE, name: account,
    body: { spec: { audiences: [], expirationSeconds: TOKEN_LIFETIME_S } },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`TokenRequest for ${HERALD_NAMESPACE}/${account} returned no token`);
  return tokenUser(admin, usernameOf(account), token, kubeconfigPath);
}

/**
 * Every (namespace, group, resource, verb, name) the Roles and ClusterRoles in `objects` grant, as access-review
 * questions; a rule limited by resourceNames asks once per name.
 */
function grantedAccess(objects: RbacObject[]): V1ResourceAttributes[] {
  return objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole').flatMap((o) => (o.rules ?? []).flatMap((rule) =>
    (rule.apiGroups ?? []).flatMap((group) => (rule.resources ?? []).flatMap((path) => rule.verbs.flatMap((verb) => {
      const [resource, subresource] = path.split('/');
      return (rule.resourceNames ?? [undefined]).map((name) => ({ namespace: o.metadata.namespace, group, resource, subresource, verb, name }));
    })))));
}

/**
 * Waits until kube-apiserver's RBAC authorizer (fed by its own watch of roles and bindings) allows the
 * ServiceAccount everything `objects` grant, so a controller started next is not refused while it catches up.
 */
export async function waitForGrants(admin: KubeConfig, objects: RbacObject[], timeoutMs = 30_000, account = CONTROLLER_SERVICE_ACCOUNT): Promise<void> {
  const authz = admin.makeApiClient(AuthorizationV1Api);
  const user = usernameOf(account);
  const groups = ['system:serviceaccounts', `system:serviceaccounts:${HERALD_NAMESPACE}`, 'system:authenticated'];
  let pending = grantedAccess(objects);
  const deadline = Date.now() + timeoutMs;
  while (pending.length > 0) {
    const answers = await Promise.all(pending.map((resourceAttributes) =>
      authz.createSubjectAccessReview({ body: { spec: { user, groups, resourceAttributes } } })));
    pending = pending.filter((_, i) => answers[i]?.status?.allowed !== true);
    if (pending.length === 0) return;
    if (Date.now() > deadline) {
      const what = pending.map((a) => `${a.verb} ${a.group}/${a.resource}${a.subresource ? `/${a.subresource}` : ''}`);
      throw new Error(`RBAC still refuses ${user} after ${timeoutMs} ms: ${what.join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Who the speaker under test is: on the real backend the herald-speaker ServiceAccount with config/speaker's roles
 * (installed here), so every request the speaker's source and status writer make is judged by the real RBAC
 * authorizer; on the emulator, the admin.
 */
export async function speakerKubeConfig(admin: KubeConfig, real: boolean, kubeconfigPath: string): Promise<KubeConfig> {
  if (!real) return admin;
  const objects = speakerRbacObjects();
  await createObjects(admin, objects);
  const user = await serviceAccountUser(admin, kubeconfigPath, SPEAKER_SERVICE_ACCOUNT);
  await waitForGrants(admin, objects, 30_000, SPEAKER_SERVICE_ACCOUNT);
  return user.kubeConfig;
}
