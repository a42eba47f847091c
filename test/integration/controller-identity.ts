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

const RBAC_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../config/rbac');
export const CONTROLLER_SERVICE_ACCOUNT = 'herald-controller';
const CONTROLLER_USERNAME = `system:serviceaccount:${HERALD_NAMESPACE}:${CONTROLLER_SERVICE_ACCOUNT}`;
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

/** config/rbac's objects as config/default renders them: the namespaced ones in herald-system. */
export function controllerRbacObjects(): RbacObject[] {
  const { resources } = parse(readFileSync(join(RBAC_DIR, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  return resources
    .flatMap((file) => parseAllDocuments(readFileSync(join(RBAC_DIR, file), 'utf8')).map((d) => d.toJS() as RbacObject | null))
    .filter((o): o is RbacObject => o !== null)
    .map((o) => (CLUSTER_SCOPED.has(o.kind) ? o : { ...o, metadata: { ...o.metadata, namespace: HERALD_NAMESPACE } }));
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

/** Signs in as the herald-controller ServiceAccount (which must exist), with a token from the TokenRequest API. */
export async function serviceAccountUser(admin: KubeConfig, kubeconfigPath: string): Promise<ControllerUser> {
  const request = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    namespace: HERALD_NAMESPACE, name: CONTROLLER_SERVICE_ACCOUNT,
    body: { spec: { audiences: [], expirationSeconds: TOKEN_LIFETIME_S } },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`TokenRequest for ${HERALD_NAMESPACE}/${CONTROLLER_SERVICE_ACCOUNT} returned no token`);
  return tokenUser(admin, CONTROLLER_USERNAME, token, kubeconfigPath);
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
export async function waitForGrants(admin: KubeConfig, objects: RbacObject[], timeoutMs = 30_000): Promise<void> {
  const authz = admin.makeApiClient(AuthorizationV1Api);
  const user = CONTROLLER_USERNAME;
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
