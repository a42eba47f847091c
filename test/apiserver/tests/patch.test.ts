// Patch flavours and server-side apply through client-node, checked against what kube-apiserver does.
import { CoreV1Api, KubernetesObjectApi, PatchStrategy, setHeaderOptions, type V1Service } from '@kubernetes/client-node';
import { statusOf, uniqueName, useApiServer } from './helpers.js';

const server = useApiServer();
let core: CoreV1Api;
const namespace = 'default';
const as = (type: string) => setHeaderOptions('Content-Type', type);

beforeAll(() => {
  core = server().kubeConfig().makeApiClient(CoreV1Api);
});

async function svc(extra: Partial<V1Service> = {}): Promise<string> {
  const name = uniqueName('p');
  await core.createNamespacedService({ namespace, body: { metadata: { name, ...extra.metadata }, spec: { ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }], ...extra.spec } } });
  return name;
}

test('JSON merge patch: null deletes a key, lists are replaced', async () => {
  const name = await svc({ metadata: { labels: { a: '1', b: '2' } } });
  const patched = await core.patchNamespacedService({ namespace, name, body: { metadata: { labels: { a: null } }, spec: { ports: [{ port: 8080 }] } } }, as(PatchStrategy.MergePatch));
  expect(patched.metadata?.labels).toEqual({ b: '2' });
  expect(patched.spec?.ports?.map((p) => p.port)).toEqual([8080]);
});

test('JSON patch: operations apply in order; a failed test op is 422', async () => {
  const name = await svc();
  const patched = await core.patchNamespacedService({ namespace, name, body: [
    { op: 'add', path: '/metadata/labels', value: { x: 'y' } }, { op: 'replace', path: '/spec/ports/0/port', value: 81 },
  ] }, as(PatchStrategy.JsonPatch));
  expect(patched.spec?.ports?.[0]?.port).toBe(81);
  expect(patched.metadata?.labels).toEqual({ x: 'y' });
  const status = await statusOf(() => core.patchNamespacedService({ namespace, name, body: [{ op: 'test', path: '/spec/type', value: 'NodePort' }] }, as(PatchStrategy.JsonPatch)));
  expect(status.code).toBe(422);
});

test('strategic merge: Service ports merge by port and protocol; $patch: delete removes one', async () => {
  const name = await svc();
  const merged = await core.patchNamespacedService({ namespace, name, body: { spec: { ports: [{ port: 53, protocol: 'UDP', targetPort: 5353 }, { name: 'https', port: 443 }] } } }, as(PatchStrategy.StrategicMergePatch));
  expect(merged.spec?.ports?.map((p) => `${p.port}/${p.protocol}->${String(p.targetPort)}`)).toEqual(['80/TCP->80', '53/UDP->5353', '443/TCP->443']);
  const deleted = await core.patchNamespacedService({ namespace, name, body: { spec: { ports: [{ port: 80, $patch: 'delete' }] } } }, as(PatchStrategy.StrategicMergePatch));
  expect(deleted.spec?.ports?.map((p) => p.port)).toEqual([53, 443]);
});

test('strategic merge: finalizers merge as a set, the new one first; $deleteFromPrimitiveList removes them', async () => {
  const name = await svc({ metadata: { finalizers: ['herald.dev/a'] } });
  const added = await core.patchNamespacedService({ namespace, name, body: { metadata: { finalizers: ['herald.dev/b', 'herald.dev/a'] } } }, as(PatchStrategy.StrategicMergePatch));
  expect(added.metadata?.finalizers).toEqual(['herald.dev/b', 'herald.dev/a']);
  const again = await core.patchNamespacedService({ namespace, name, body: { metadata: { finalizers: ['herald.dev/c'] } } }, as(PatchStrategy.StrategicMergePatch));
  expect(again.metadata?.finalizers).toEqual(['herald.dev/c', 'herald.dev/b', 'herald.dev/a']); // nothing to compare a new item with: it leads
  const removed = await core.patchNamespacedService({ namespace, name, body: { metadata: { '$deleteFromPrimitiveList/finalizers': ['herald.dev/a', 'herald.dev/b', 'herald.dev/c'] } } }, as(PatchStrategy.StrategicMergePatch));
  expect(removed.metadata?.finalizers).toBeUndefined();
});

test('strategic merge on status: conditions merge by type, a new type ahead of the ones only the server had', async () => {
  const name = await svc();
  const cond = (type: string, status: string) => ({ type, status, reason: 'R', message: '', lastTransitionTime: new Date(0) });
  await core.patchNamespacedServiceStatus({ namespace, name, body: { status: { conditions: [cond('A', 'True')] } } }, as(PatchStrategy.StrategicMergePatch));
  const patched = await core.patchNamespacedServiceStatus({ namespace, name, body: { status: { conditions: [cond('B', 'False')] } } }, as(PatchStrategy.StrategicMergePatch));
  expect(patched.status?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual(['B=False', 'A=True']);
});

test('a patch carrying a stale resourceVersion is 409', async () => {
  const name = await svc();
  const status = await statusOf(() => core.patchNamespacedService({ namespace, name, body: { metadata: { resourceVersion: '1', labels: { a: 'b' } } } }, as(PatchStrategy.MergePatch)));
  expect(status.code).toBe(409);
});

describe('server-side apply', () => {
  const applied = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels }, spec: { ports: [{ port: 80 }] } });

  test('creates, records the manager, and drops fields it no longer applies', async () => {
    const objects = KubernetesObjectApi.makeApiClient(server().kubeConfig());
    const name = uniqueName('ssa');
    const created: V1Service = await objects.patch(applied(name, { a: '1', b: '2' }), undefined, undefined, 'mgr', undefined, PatchStrategy.ServerSideApply);
    expect(created.metadata?.managedFields?.map((m) => `${m.manager}/${m.operation}`)).toEqual(['mgr/Apply']);
    const reapplied = await objects.patch(applied(name, { a: '1' }), undefined, undefined, 'mgr', undefined, PatchStrategy.ServerSideApply);
    expect(reapplied.metadata?.labels).toEqual({ a: '1' });
  });

  test('a field another applier owns is a 409 conflict unless forced', async () => {
    const objects = KubernetesObjectApi.makeApiClient(server().kubeConfig());
    const name = uniqueName('ssa');
    await objects.patch(applied(name, { owner: 'one' }), undefined, undefined, 'first', undefined, PatchStrategy.ServerSideApply);
    const status = await statusOf(() => objects.patch(applied(name, { owner: 'two' }), undefined, undefined, 'second', undefined, PatchStrategy.ServerSideApply));
    expect(status.code).toBe(409);
    expect(status.message).toContain('conflict with "first"');
    const forced = await objects.patch(applied(name, { owner: 'two' }), undefined, undefined, 'second', true, PatchStrategy.ServerSideApply);
    expect(forced.metadata?.labels?.owner).toBe('two');
  });
});

// A write decided for a Service deleted and re-created under the same name carries the old uid: the server refuses it
// instead of landing it on the new object. A patch is refused as an immutable field; a PUT as a failed precondition.
test('a patch or update carrying another uid is refused: 422 naming metadata.uid, 409 UID precondition', async () => {
  const name = await svc({ spec: { type: 'LoadBalancer', ports: [{ port: 80 }], allocateLoadBalancerNodePorts: false } });
  const wrong = '00000000-0000-0000-0000-000000000000';
  for (const type of [PatchStrategy.MergePatch, PatchStrategy.StrategicMergePatch]) {
    const patch = await statusOf(() => core.patchNamespacedServiceStatus({ namespace, name, body: { metadata: { uid: wrong }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } } }, as(type)));
    expect([patch.code, patch.reason, patch.details?.causes?.map((c) => [c.reason, c.field, c.message])])
      .toEqual([422, 'Invalid', [['FieldValueInvalid', 'metadata.uid', `Invalid value: "${wrong}": field is immutable`]]]);
  }
  const current = await core.readNamespacedService({ namespace, name });
  const put = await statusOf(() => core.replaceNamespacedService({ namespace, name, body: { ...current, metadata: { ...current.metadata, uid: wrong } } }));
  expect([put.code, put.reason, put.message]).toEqual([409, 'Conflict',
    `Operation cannot be fulfilled on services "${name}": StorageError: invalid object, Code: 4, Key: /registry/services/specs/${namespace}/${name}, `
    + `ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${wrong}, UID in object meta: ${current.metadata?.uid ?? ''}`]);
  expect((await core.readNamespacedService({ namespace, name })).status?.loadBalancer?.ingress).toBeUndefined();
});
