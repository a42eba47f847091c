// rbac.authorization.k8s.io/v1 and the core ServiceAccount and ConfigMap kinds through the real client-node:
// CRUD, no metadata.generation (their strategies never set one), kube's rule and roleRef validation.
import { CoreV1Api, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions, type V1RoleBinding } from '@kubernetes/client-node';
import { statusOf, uniqueName, useApiServer } from './helpers.js';

const server = useApiServer();
let rbac: RbacAuthorizationV1Api;
let core: CoreV1Api;
let namespace: string;

beforeAll(() => {
  rbac = server().kubeConfig().makeApiClient(RbacAuthorizationV1Api);
  core = server().kubeConfig().makeApiClient(CoreV1Api);
});

beforeEach(async () => {
  namespace = uniqueName('rbac');
  await core.createNamespace({ body: { metadata: { name: namespace } } });
});

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const rules = [{ apiGroups: [''], resources: ['services'], verbs: ['get', 'list'] }];
const binding = (name: string, roleName: string, kind = 'Role'): V1RoleBinding => ({
  metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: roleName },
  subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace }],
});

test('Roles and RoleBindings: create, read back, update, list, delete; no generation', async () => {
  const role = await rbac.createNamespacedRole({ namespace, body: { metadata: { name: 'reader' }, rules } });
  expect(role.metadata?.generation).toBeUndefined();
  expect(role.rules).toEqual(rules);
  const updated = await rbac.patchNamespacedRole({ namespace, name: 'reader', body: { rules: [{ ...rules[0], verbs: ['get'] }] } }, merge);
  expect(updated.rules?.[0]?.verbs).toEqual(['get']);
  expect(updated.metadata?.generation).toBeUndefined();
  await rbac.createNamespacedRoleBinding({ namespace, body: binding('reader', 'reader') });
  expect((await rbac.listNamespacedRoleBinding({ namespace })).items.map((b) => b.roleRef.name)).toEqual(['reader']);
  await rbac.deleteNamespacedRoleBinding({ namespace, name: 'reader' });
  expect((await rbac.listNamespacedRoleBinding({ namespace })).items).toEqual([]);
});

test('ClusterRoles and ClusterRoleBindings are cluster-scoped', async () => {
  const name = uniqueName('cr');
  await rbac.createClusterRole({ body: { metadata: { name }, rules: [...rules, { nonResourceURLs: ['/metrics'], verbs: ['get'] }] } });
  await rbac.createClusterRoleBinding({ body: { ...binding(name, name, 'ClusterRole') } });
  expect((await rbac.readClusterRoleBinding({ name })).subjects).toEqual([{ kind: 'ServiceAccount', name: 'sa', namespace }]);
  expect((await rbac.listClusterRole()).items.map((r) => r.metadata?.name)).toContain(name);
});

test('a binding\'s roleRef cannot change', async () => {
  await rbac.createNamespacedRoleBinding({ namespace, body: binding('b', 'one') });
  const status = await statusOf(() => rbac.patchNamespacedRoleBinding({ namespace, name: 'b', body: { roleRef: { name: 'two' } } }, merge));
  expect(status).toMatchObject({ code: 422, reason: 'Invalid',
    message: 'RoleBinding.rbac.authorization.k8s.io "b" is invalid: roleRef: Invalid value: {"APIGroup":"rbac.authorization.k8s.io","Kind":"Role","Name":"two"}: field is immutable' });
});

test('a ClusterRoleBinding may only refer to a ClusterRole', async () => {
  const status = await statusOf(() => rbac.createClusterRoleBinding({ body: binding(uniqueName('crb'), 'x', 'Role') }));
  expect(status.details?.causes).toEqual([{ reason: 'FieldValueNotSupported', field: 'roleRef.kind', message: 'Unsupported value: "Role": supported values: "ClusterRole"' }]);
});

test('rules need verbs and, for resources, an API group; Roles cannot name non-resource URLs (declarative checks come last)', async () => {
  const status = await statusOf(() => rbac.createNamespacedRole({ namespace, body: { metadata: { name: 'bad' },
    rules: [{ resources: ['pods'], verbs: [] }, { nonResourceURLs: ['/healthz'], verbs: ['get'] }] } }));
  expect(status.details?.causes?.map((c) => `${c.field}: ${c.message}`)).toEqual([
    'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
    'rules[1].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs',
    'rules[0].verbs: Required value',
  ]);
});

test('ServiceAccounts and ConfigMaps: CRUD without generation', async () => {
  const sa = await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'herald' } } });
  expect(sa.metadata?.generation).toBeUndefined();
  expect((await core.readNamespacedServiceAccount({ namespace, name: 'herald' })).metadata?.uid).toBe(sa.metadata?.uid);
  const cm = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'conf' }, data: { a: '1' } } });
  expect(cm.metadata?.generation).toBeUndefined();
  const replaced = await core.replaceNamespacedConfigMap({ namespace, name: 'conf', body: { ...cm, data: { a: '2' } } });
  expect(replaced.data).toEqual({ a: '2' });
  expect(replaced.metadata?.generation).toBeUndefined();
  await core.deleteNamespacedConfigMap({ namespace, name: 'conf' });
  expect((await core.listNamespacedConfigMap({ namespace })).items).toEqual([]);
});
