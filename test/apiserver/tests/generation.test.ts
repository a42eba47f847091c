// metadata.generation is set by a kind's registry strategy in kube-apiserver, not by the generic registry:
// Deployments, DaemonSets, EndpointSlices, CRDs and custom resources carry one; Services, Namespaces, Nodes,
// Secrets, ConfigMaps, ServiceAccounts, Events, Leases and RBAC objects never do, whatever is written to them.
// Raw REST, so the server's JSON is judged as it is sent (client-node would hide an absent field and a zero alike).
import { crdServed, rawRequest, uniqueName, useApiServer } from './helpers.js';

const server = useApiServer();

interface Meta { name: string; generation?: number; resourceVersion: string; deletionTimestamp?: string; finalizers?: string[] }
interface Obj { metadata: Meta; [key: string]: unknown }

async function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Obj> {
  const { status, text } = await rawRequest(server(), path, { method, body, contentType });
  if (status < 200 || status > 299) throw new Error(`${method} ${path}: ${status} ${text}`);
  return JSON.parse(text) as Obj;
}
const mergePatch = (path: string, body: unknown) => call('PATCH', path, body, 'application/merge-patch+json');

let namespace: string;
beforeAll(async () => {
  namespace = uniqueName('gen');
  await call('POST', '/api/v1/namespaces', { metadata: { name: namespace } });
});

interface Kind {
  kind: string;
  /** Collection path; `NS` stands for the test's namespace. */
  path: string;
  body(name: string): Record<string, unknown>;
  /** A merge patch changing what the kind has for a spec (its content, for kinds without one). */
  change: Record<string, unknown>;
}

const involved = { kind: 'Service', namespace: 'NS', name: 'web' };
const WITHOUT_GENERATION: Kind[] = [
  { kind: 'Service', path: '/api/v1/namespaces/NS/services', body: () => ({ spec: { ports: [{ port: 80 }] } }),
    change: { spec: { sessionAffinity: 'ClientIP' } } },
  { kind: 'Namespace', path: '/api/v1/namespaces', body: () => ({}), change: { metadata: { labels: { team: 'a' } } } },
  { kind: 'Node', path: '/api/v1/nodes', body: () => ({ spec: {} }), change: { spec: { unschedulable: true } } },
  { kind: 'Secret', path: '/api/v1/namespaces/NS/secrets', body: () => ({ data: { k: 'YQ==' } }), change: { data: { k: 'Yg==' } } },
  { kind: 'ConfigMap', path: '/api/v1/namespaces/NS/configmaps', body: () => ({ data: { k: 'a' } }), change: { data: { k: 'b' } } },
  { kind: 'ServiceAccount', path: '/api/v1/namespaces/NS/serviceaccounts', body: () => ({}),
    change: { automountServiceAccountToken: false } },
  { kind: 'Event (core/v1)', path: '/api/v1/namespaces/NS/events',
    body: () => ({ involvedObject: involved, reason: 'IPAllocated', message: 'one', type: 'Normal' }), change: { message: 'two', count: 2 } },
  { kind: 'Event (events.k8s.io/v1)', path: '/apis/events.k8s.io/v1/namespaces/NS/events',
    body: () => ({ regarding: involved, reason: 'IPAllocated', note: 'one', type: 'Normal', action: 'Allocate',
      eventTime: '2024-01-01T00:00:00.000000Z', reportingController: 'herald.dev/controller', reportingInstance: 'c-1' }),
    change: { series: { count: 2, lastObservedTime: '2024-01-01T00:00:01.000000Z' } } }, // the rest is immutable through this API
  { kind: 'Lease', path: '/apis/coordination.k8s.io/v1/namespaces/NS/leases', body: () => ({ spec: { holderIdentity: 'a' } }),
    change: { spec: { holderIdentity: 'b', leaseTransitions: 1 } } },
  { kind: 'Role', path: '/apis/rbac.authorization.k8s.io/v1/namespaces/NS/roles',
    body: () => ({ rules: [{ apiGroups: [''], resources: ['services'], verbs: ['get'] }] }),
    change: { rules: [{ apiGroups: [''], resources: ['services'], verbs: ['get', 'list'] }] } },
];

describe.each(WITHOUT_GENERATION)('$kind carries no metadata.generation', ({ path, body, change }) => {
  const collection = () => path.replace('NS', namespace);

  test('not on create, merge patch, PUT, get or list', async () => {
    const name = uniqueName('g');
    const payload = JSON.parse(JSON.stringify(body(name)).replaceAll('"NS"', JSON.stringify(namespace))) as Record<string, unknown>;
    const created = await call('POST', collection(), { ...payload, metadata: { name } });
    expect(created.metadata).not.toHaveProperty('generation');
    const patched = await mergePatch(`${collection()}/${name}`, change);
    expect(patched.metadata.resourceVersion).not.toBe(created.metadata.resourceVersion); // the change was real
    expect(patched.metadata).not.toHaveProperty('generation');
    const replaced = await call('PUT', `${collection()}/${name}`, { ...patched, metadata: { ...patched.metadata, annotations: { a: 'b' } } });
    expect(replaced.metadata).not.toHaveProperty('generation');
    expect((await call('GET', `${collection()}/${name}`)).metadata).not.toHaveProperty('generation');
    const list = await call('GET', collection()) as unknown as { items: Obj[] };
    expect(list.items.find((o) => o.metadata.name === name)?.metadata).not.toHaveProperty('generation');
  });
});

test('a Service deleted while it holds a finalizer gets a deletionTimestamp and still no generation', async () => {
  const services = `/api/v1/namespaces/${namespace}/services`;
  await call('POST', services, { metadata: { name: 'held', finalizers: ['herald.dev/test'] }, spec: { ports: [{ port: 80 }] } });
  const deleting = await call('DELETE', `${services}/held`);
  expect(deleting.metadata.deletionTimestamp).toBeDefined();
  expect(deleting.metadata).not.toHaveProperty('generation');
  await mergePatch(`${services}/held`, { metadata: { finalizers: null } });
});

test('an EndpointSlice has generation 1, bumped by endpoint and label changes, not by annotations', async () => {
  const slices = `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`;
  const created = await call('POST', slices, { metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80, protocol: 'TCP' }] });
  expect(created.metadata.generation).toBe(1);
  const annotated = await mergePatch(`${slices}/web-1`, { metadata: { annotations: { note: 'x' } } });
  expect(annotated.metadata.generation).toBe(1);
  const relabelled = await mergePatch(`${slices}/web-1`, { metadata: { labels: { extra: 'y' } } });
  expect(relabelled.metadata.generation).toBe(2);
  const moved = await mergePatch(`${slices}/web-1`, { endpoints: [{ addresses: ['10.0.0.2'] }] });
  expect(moved.metadata.generation).toBe(3);
});

describe('custom resources', () => {
  const crd = {
    metadata: { name: 'gadgets.test.herald.dev' },
    spec: { group: 'test.herald.dev', scope: 'Namespaced', names: { plural: 'gadgets', kind: 'Gadget' },
      versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: {
        type: 'object', properties: { spec: { type: 'object', properties: { color: { type: 'string' } } } } } } }] },
  };
  beforeAll(async () => {
    const created = await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    expect(created.metadata.generation).toBe(1); // the CRD itself is one of the kinds that manage generation
    await crdServed(server(), '/apis/test.herald.dev/v1/gadgets');
  });

  test('start at generation 1 and bump it once when a finalizer holds their deletion', async () => {
    const path = `/apis/test.herald.dev/v1/namespaces/${namespace}/gadgets`;
    const body = { apiVersion: 'test.herald.dev/v1', kind: 'Gadget', metadata: { name: 'g1', finalizers: ['herald.dev/test'] }, spec: { color: 'red' } };
    expect((await call('POST', path, body)).metadata.generation).toBe(1);
    const deleting = await call('DELETE', `${path}/g1`);
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    expect(deleting.metadata.generation).toBe(2);
    const again = await call('DELETE', `${path}/g1`); // already deleting: kube leaves generation alone
    expect(again.metadata.generation).toBe(2);
    await mergePatch(`${path}/g1`, { metadata: { finalizers: null } });
  });
});
