// CustomResourceDefinitions through the real client-node: creating one serves its resources (and lists
// them in discovery) once it is Established, objects are validated, pruned and defaulted by the version's schema, the status
// subresource splits writes, and deleting the CRD removes the resources and their objects.
import { ApiextensionsV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { crdServed, eventually, rawRequest, statusOf, useApiServer } from './helpers.js';

const server = useApiServer();
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export function widgetCrd(scope: 'Namespaced' | 'Cluster' = 'Namespaced', plural = 'widgets', kind = 'Widget'): V1CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.test.herald.dev` },
    spec: {
      group: 'test.herald.dev', scope,
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List`, shortNames: [`${plural.slice(0, 2)}x`] },
      versions: [{
        name: 'v1', served: true, storage: true, subresources: { status: {} },
        additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
        schema: { openAPIV3Schema: { type: 'object', properties: {
          spec: { type: 'object', required: ['color'], properties: {
            color: { type: 'string', _enum: ['red', 'blue'] }, // client-node's names for enum and default
            size: { type: 'integer', _default: 3, minimum: 1 },
          } },
          status: { type: 'object', properties: { ready: { type: 'boolean' } } },
        } } },
      }],
    },
  };
}

let custom: CustomObjectsApi;
let extensions: ApiextensionsV1Api;
const group = 'test.herald.dev';

beforeAll(async () => {
  custom = server().kubeConfig().makeApiClient(CustomObjectsApi);
  extensions = server().kubeConfig().makeApiClient(ApiextensionsV1Api);
  await extensions.createCustomResourceDefinition({ body: widgetCrd() });
  await crdServed(server(), `/apis/${group}/v1/widgets`);
});

async function discoveredResources(): Promise<string[]> {
  const res = await rawRequest(server(), `/apis/${group}/v1`);
  return res.status === 200 ? (JSON.parse(res.text) as { resources: { name: string }[] }).resources.map((r) => r.name) : [];
}

const widget = (name: string, spec: Record<string, unknown>) => ({ apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name }, spec });

test('the CRD gets Established and NamesAccepted conditions', async () => {
  const crd = await extensions.readCustomResourceDefinition({ name: 'widgets.test.herald.dev' });
  const conditions = Object.fromEntries((crd.status?.conditions ?? []).map((c) => [c.type, c.status]));
  expect(conditions).toEqual({ Established: 'True', NamesAccepted: 'True' });
  expect(crd.status?.acceptedNames?.kind).toBe('Widget');
});

test('objects are created with schema defaults and unknown fields pruned', async () => {
  const created = await custom.createNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'widgets',
    body: widget('w1', { color: 'red', unknown: 'dropped' }) }) as { spec: Record<string, unknown>; metadata: { generation: number } };
  expect(created.spec).toEqual({ color: 'red', size: 3 });
  expect(created.metadata.generation).toBe(1);
});

test('an invalid object is a 422 with kube\'s message and causes', async () => {
  const status = await statusOf(() => custom.createNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'widgets',
    body: widget('bad', { color: 'green' }) }));
  expect(status.code).toBe(422);
  expect(status.reason).toBe('Invalid');
  expect(status.message).toBe('Widget.test.herald.dev "bad" is invalid: spec.color: Unsupported value: "green": supported values: "red", "blue"');
  expect(status.details?.causes).toEqual([{ reason: 'FieldValueNotSupported', field: 'spec.color', message: 'Unsupported value: "green": supported values: "red", "blue"' }]);
});

test('status is a subresource: the main endpoint ignores it, /status takes only it (not even metadata)', async () => {
  await custom.createNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'widgets', body: widget('s1', { color: 'blue' }) });
  const main = await custom.patchNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'widgets', name: 's1',
    body: { status: { ready: true } } }, merge) as { status?: unknown };
  expect(main.status).toBeUndefined();
  const viaStatus = await custom.patchNamespacedCustomObjectStatus({ group, version: 'v1', namespace: 'default', plural: 'widgets', name: 's1',
    body: { metadata: { labels: { sneaky: 'yes' } }, spec: { color: 'red' }, status: { ready: true } } }, merge) as {
    metadata: { labels?: unknown }; spec: { color: string }; status: { ready: boolean } };
  expect(viaStatus).toMatchObject({ spec: { color: 'blue' }, status: { ready: true } });
  expect(viaStatus.metadata.labels).toBeUndefined();
});

test('PUT without a resourceVersion is rejected for custom resources', async () => {
  await custom.createNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'widgets', body: widget('u1', { color: 'blue' }) });
  const status = await statusOf(() => custom.replaceNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'widgets', name: 'u1',
    body: widget('u1', { color: 'red' }) }));
  expect(status.code).toBe(422);
  expect(status.message).toContain('metadata.resourceVersion: Invalid value: 0: must be specified for an update');
});

test('strategic merge patch is refused for custom resources (415)', async () => {
  await custom.createNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'widgets', body: widget('p1', { color: 'blue' }) });
  const status = await statusOf(() => custom.patchNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'widgets', name: 'p1',
    body: { spec: { size: 5 } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)));
  expect(status.code).toBe(415);
});

test('a cluster-scoped CRD serves cluster-scoped objects, and deleting the CRD unserves it and removes its objects', async () => {
  await extensions.createCustomResourceDefinition({ body: widgetCrd('Cluster', 'gadgets', 'Gadget') });
  await crdServed(server(), `/apis/${group}/v1/gadgets`);
  const gadget = { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'g1' }, spec: { color: 'red' } };
  await custom.createClusterCustomObject({ group, version: 'v1', plural: 'gadgets', body: gadget });
  const listed = await custom.listClusterCustomObject({ group, version: 'v1', plural: 'gadgets' }) as { items: unknown[] };
  expect(listed.items).toHaveLength(1);
  const wanted = ['gadgets', 'gadgets/status', 'widgets'];
  await eventually(async () => {
    const found = await discoveredResources();
    return wanted.every((r) => found.includes(r));
  }, 10_000, 'gadgets in discovery');
  await extensions.deleteCustomResourceDefinition({ name: 'gadgets.test.herald.dev' });
  await eventually(async () => !(await discoveredResources()).includes('gadgets'), 10_000, 'gadgets gone from discovery');
  // No handler claims the path any more, so kube's mux answers it, in plain text rather than a Status.
  await eventually(async () => (await rawRequest(server(), `/apis/${group}/v1/gadgets`)).status === 404, 10_000, 'gadgets unserved');
  expect(await rawRequest(server(), `/apis/${group}/v1/gadgets`)).toEqual({ status: 404, text: '404 page not found\n' });
  // kube-apiserver refuses to recreate a CRD while the old one is still terminating (its objects being removed).
  await eventually(async () => (await rawRequest(server(), '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.test.herald.dev')).status === 404,
    10_000, 'the gadgets CRD to be gone');
  await extensions.createCustomResourceDefinition({ body: widgetCrd('Cluster', 'gadgets', 'Gadget') });
  await crdServed(server(), `/apis/${group}/v1/gadgets`);
  const fresh = await custom.listClusterCustomObject({ group, version: 'v1', plural: 'gadgets' }) as { items: unknown[] };
  expect(fresh.items).toEqual([]);
});
