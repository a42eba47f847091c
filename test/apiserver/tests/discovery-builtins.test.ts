// Discovery and OpenAPI for the built-in kinds kubectl apply meets in config/default: legacy per-group-version
// lists, aggregated discovery (with status subresources and kube's group order), and the /openapi/v3 documents
// whose PATCH operations tell kubectl to leave field validation to the server. The emulator serves a subset of
// kube's kinds and groups, so lists are checked for what they hold, in kube's order, not for being complete.
import { rawRequest, useApiServer } from './helpers.js';

const server = useApiServer();

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

async function getJson<T>(path: string, accept = 'application/json'): Promise<T> {
  const res = await rawRequest(server(), path, { accept });
  expect(res.status).toBe(200);
  return JSON.parse(res.text) as T;
}

interface ResourceList { groupVersion: string; resources: { name: string; kind: string; namespaced: boolean; shortNames?: string[]; verbs: string[] }[] }
interface DiscoveryList {
  items: { metadata: { name: string }; versions: { version: string; resources: {
    resource: string; scope: string; shortNames?: string[]; categories?: string[]; subresources?: { subresource: string }[];
  }[] }[] }[];
}

test.each([
  ['/api/v1', 'configmaps', 'ConfigMap', true, ['cm']],
  ['/api/v1', 'serviceaccounts', 'ServiceAccount', true, ['sa']],
  ['/apis/apps/v1', 'deployments', 'Deployment', true, ['deploy']],
  ['/apis/apps/v1', 'daemonsets', 'DaemonSet', true, ['ds']],
  ['/apis/rbac.authorization.k8s.io/v1', 'roles', 'Role', true, undefined],
  ['/apis/rbac.authorization.k8s.io/v1', 'rolebindings', 'RoleBinding', true, undefined],
  ['/apis/rbac.authorization.k8s.io/v1', 'clusterroles', 'ClusterRole', false, undefined],
  ['/apis/rbac.authorization.k8s.io/v1', 'clusterrolebindings', 'ClusterRoleBinding', false, undefined],
])('%s lists %s (kind %s, namespaced %s, short names %j)', async (path, name, kind, namespaced, shortNames) => {
  const list = await getJson<ResourceList>(path);
  const resource = list.resources.find((r) => r.name === name);
  expect({ kind: resource?.kind, namespaced: resource?.namespaced, shortNames: resource?.shortNames }).toEqual({ kind, namespaced, shortNames });
  expect(resource?.verbs).toEqual(['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
});

test('status subresources exist where kube has them: deployments and daemonsets, not RBAC', async () => {
  const apps = await getJson<ResourceList>('/apis/apps/v1');
  expect(apps.resources.map((r) => r.name)).toEqual(expect.arrayContaining(['deployments', 'deployments/status', 'daemonsets', 'daemonsets/status']));
  expect(apps.resources.find((r) => r.name === 'deployments/status')).toMatchObject({ kind: 'Deployment', verbs: ['get', 'patch', 'update'] });
  const rbac = await getJson<ResourceList>('/apis/rbac.authorization.k8s.io/v1');
  expect(rbac.resources.some((r) => r.name.includes('/'))).toBe(false);
});

test('/apis/apps and /apis list apps/v1 as preferred, in kube\'s group order', async () => {
  expect(await getJson('/apis/apps')).toMatchObject({ kind: 'APIGroup', name: 'apps', preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } });
  const groups = (await getJson<{ groups: { name: string }[] }>('/apis')).groups.map((g) => g.name);
  const emulated = ['apps', 'events.k8s.io', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'apiextensions.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io'];
  expect(groups.filter((g) => emulated.includes(g))).toEqual(emulated);
});

test('aggregated discovery carries the new kinds with scope, short names, categories and subresources', async () => {
  const apis = await getJson<DiscoveryList>('/apis', AGGREGATED);
  const apps = apis.items.find((g) => g.metadata.name === 'apps')?.versions[0]?.resources ?? [];
  expect(apps.find((r) => r.resource === 'deployments')).toMatchObject({ scope: 'Namespaced', shortNames: ['deploy'], categories: ['all'],
    responseKind: { group: '', version: '', kind: 'Deployment' } });
  expect(apps.find((r) => r.resource === 'deployments')?.subresources).toEqual(expect.arrayContaining([
    { subresource: 'status', responseKind: { group: '', version: '', kind: 'Deployment' }, verbs: ['get', 'patch', 'update'] }]));
  const rbac = apis.items.find((g) => g.metadata.name === 'rbac.authorization.k8s.io')?.versions[0]?.resources ?? [];
  expect(rbac.map((r) => `${r.resource}:${r.scope}`).sort()).toEqual(['clusterrolebindings:Cluster', 'clusterroles:Cluster',
    'rolebindings:Namespaced', 'roles:Namespaced']);
  const core = await getJson<DiscoveryList>('/api', AGGREGATED);
  expect(core.items[0]?.versions[0]?.resources.map((r) => r.resource)).toEqual(expect.arrayContaining(['configmaps', 'serviceaccounts']));
});

test('/openapi/v3 indexes apps/v1 and rbac; each kind\'s PATCH takes fieldValidation', async () => {
  const index = await getJson<{ paths: Record<string, unknown> }>('/openapi/v3');
  expect(Object.keys(index.paths)).toEqual(expect.arrayContaining(['apis/apps/v1', 'apis/rbac.authorization.k8s.io/v1']));
  type Doc = { paths: Record<string, { patch?: { parameters: { name: string }[]; 'x-kubernetes-group-version-kind': { kind: string } } }> };
  const apps = await getJson<Doc>('/openapi/v3/apis/apps/v1');
  const patch = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']?.patch;
  expect(patch?.['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
  expect(patch?.parameters.map((p) => p.name)).toContain('fieldValidation');
  const rbac = await getJson<Doc>('/openapi/v3/apis/rbac.authorization.k8s.io/v1');
  expect(Object.keys(rbac.paths)).toContain('/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}');
});
