// The verbs against built-in kinds through the real client-node: what kube-apiserver does on create, get,
// list, update, merge patch, delete, and the errors clients branch on.
import { CoordinationV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1Service } from '@kubernetes/client-node';
import { eventually, statusOf, uniqueName, useApiServer } from './helpers.js';

const server = useApiServer();
let core: CoreV1Api;
let coordination: CoordinationV1Api;
let namespace: string;

beforeAll(() => {
  core = server().kubeConfig().makeApiClient(CoreV1Api);
  coordination = server().kubeConfig().makeApiClient(CoordinationV1Api);
});

beforeEach(async () => {
  namespace = uniqueName('ns');
  await core.createNamespace({ body: { metadata: { name: namespace } } });
});

const service = (name: string, extra: Partial<V1Service['spec']> = {}): V1Service => ({
  metadata: { name }, spec: { ports: [{ port: 80 }], ...extra },
});

describe('create', () => {
  test('sets uid, creationTimestamp and a resourceVersion; a Service gets no generation', async () => {
    const created = await core.createNamespacedService({ namespace, body: service('web') });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.metadata?.generation).toBeUndefined(); // kube's Service strategy never sets one (generation.test.ts)
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);
  });

  test('resourceVersion is one counter across kinds, increasing with every write', async () => {
    const a = await core.createNamespacedService({ namespace, body: service('a') });
    const lease = await coordination.createNamespacedLease({ namespace, body: { metadata: { name: 'l' }, spec: {} } });
    const b = await core.createNamespacedService({ namespace, body: service('b') });
    const [ra, rl, rb] = [a, lease, b].map((o) => Number(o.metadata?.resourceVersion));
    expect(ra).toBeLessThan(rl!);
    expect(rl).toBeLessThan(rb!);
  });

  test('an existing name is 409 AlreadyExists', async () => {
    await core.createNamespacedService({ namespace, body: service('dup') });
    const status = await statusOf(() => core.createNamespacedService({ namespace, body: service('dup') }));
    expect(status).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'services "dup" already exists' });
  });

  test('generateName appends five random characters', async () => {
    const created = await core.createNamespacedService({ namespace, body: { metadata: { generateName: 'gen-' }, spec: { ports: [{ port: 1 }] } } });
    expect(created.metadata?.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  test('a missing namespace is 404 for the namespace', async () => {
    const status = await statusOf(() => core.createNamespacedService({ namespace: 'nowhere', body: service('x') }));
    expect(status).toMatchObject({ code: 404, reason: 'NotFound', message: 'namespaces "nowhere" not found' });
  });

  test('an invalid name is 422 Invalid naming the field', async () => {
    const status = await statusOf(() => core.createNamespacedService({ namespace, body: service('Bad_Name') }));
    expect(status.code).toBe(422);
    expect(status.reason).toBe('Invalid');
    // Since 1.37 (RelaxedServiceNameValidation) a Service is named by an RFC 1123 label, so "1web" would be fine.
    expect(status.message).toMatch(/^Service "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 label/);
    expect(status.details?.causes?.[0]).toMatchObject({ reason: 'FieldValueInvalid', field: 'metadata.name' });
  });
});

describe('annotations', () => {
  const TOO_LONG = 'Too long: may not be more than 262144 bytes';
  const sized = (name: string, bytes: number): V1Service => ({ ...service(name), metadata: { name, annotations: { 'a.example/k': 'x'.repeat(bytes - 'a.example/k'.length) } } });

  test('may hold 256 KiB in all, keys and values counted; one byte more is 422 quoting no value', async () => {
    await core.createNamespacedService({ namespace, body: sized('full', 262144) });
    const status = await statusOf(() => core.createNamespacedService({ namespace, body: sized('over', 262145) }));
    expect(status).toMatchObject({ code: 422, reason: 'Invalid', message: `Service "over" is invalid: metadata.annotations: ${TOO_LONG}` });
    expect(status.details?.causes).toEqual([{ reason: 'FieldValueTooLong', field: 'metadata.annotations', message: TOO_LONG }]);
  });

  test('the limit holds for a patch, and through /status', async () => {
    await core.createNamespacedService({ namespace, body: sized('web', 262144) });
    const more = { metadata: { annotations: { 'b.example/k': 'y' } } };
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const patched = await statusOf(() => core.patchNamespacedService({ namespace, name: 'web', body: more }, merge));
    expect(patched).toMatchObject({ code: 422, message: `Service "web" is invalid: metadata.annotations: ${TOO_LONG}` });
    const viaStatus = await statusOf(() => core.patchNamespacedServiceStatus({ namespace, name: 'web', body: more }, merge));
    expect(viaStatus).toMatchObject({ code: 422, message: `Service "web" is invalid: metadata.annotations: ${TOO_LONG}` });
  });

  test('a key is a qualified name whatever its case, quoted as written', async () => {
    await core.createNamespacedService({ namespace, body: { ...service('upper'), metadata: { name: 'upper', annotations: { 'Example.COM/Key': 'v' } } } });
    const status = await statusOf(() => core.createNamespacedService({ namespace, body: { ...service('bad'), metadata: { name: 'bad', annotations: { 'a b': 'v' } } } }));
    expect(status.code).toBe(422);
    expect(status.message).toMatch(/^Service "bad" is invalid: metadata.annotations: Invalid value: "a b": name part must consist of alphanumeric characters/);
  });
});

describe('get and list', () => {
  test('get of a missing object is 404 NotFound with kube\'s message', async () => {
    const status = await statusOf(() => core.readNamespacedService({ namespace, name: 'ghost' }));
    expect(status).toMatchObject({ code: 404, reason: 'NotFound', message: 'services "ghost" not found' });
  });

  test('a namespaced list holds only that namespace; the cluster-wide list holds all', async () => {
    const other = uniqueName('other');
    await core.createNamespace({ body: { metadata: { name: other } } });
    await core.createNamespacedService({ namespace, body: service('one') });
    await core.createNamespacedService({ namespace: other, body: service('two') });
    const mine = await core.listNamespacedService({ namespace });
    expect(mine.items.map((s) => s.metadata?.name)).toEqual(['one']);
    const all = await core.listServiceForAllNamespaces();
    const names = all.items.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`);
    expect(names).toEqual(expect.arrayContaining([`${namespace}/one`, `${other}/two`, 'default/kubernetes']));
    expect(Number(all.metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(mine.metadata?.resourceVersion));
  });

  test('limit and continue page through a list in name order', async () => {
    for (const name of ['c', 'a', 'b']) await core.createNamespacedService({ namespace, body: service(name) });
    const first = await core.listNamespacedService({ namespace, limit: 2 });
    expect(first.items.map((s) => s.metadata?.name)).toEqual(['a', 'b']);
    expect(first.metadata?._continue).toBeTruthy();
    const second = await core.listNamespacedService({ namespace, limit: 2, _continue: first.metadata?._continue });
    expect(second.items.map((s) => s.metadata?.name)).toEqual(['c']);
    expect(second.metadata?._continue).toBeFalsy();
  });
});

describe('update', () => {
  test('a stale resourceVersion is 409 Conflict with kube\'s message', async () => {
    const created = await core.createNamespacedService({ namespace, body: service('web') });
    await core.replaceNamespacedService({ namespace, name: 'web', body: { ...created, metadata: { ...created.metadata, labels: { a: '1' } } } });
    const status = await statusOf(() => core.replaceNamespacedService({ namespace, name: 'web', body: { ...created, metadata: { ...created.metadata, labels: { a: '2' } } } }));
    expect(status).toMatchObject({
      code: 409, reason: 'Conflict',
      message: 'Operation cannot be fulfilled on services "web": the object has been modified; please apply your changes to the latest version and try again',
    });
  });

  test('a spec change keeps uid and creationTimestamp and moves the resourceVersion on', async () => {
    const created = await core.createNamespacedService({ namespace, body: service('web') });
    const respecced = await core.patchNamespacedService({ namespace, name: 'web', body: { spec: { sessionAffinity: 'ClientIP' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(respecced.metadata?.uid).toBe(created.metadata?.uid);
    expect(respecced.metadata?.creationTimestamp).toEqual(created.metadata?.creationTimestamp);
    expect(Number(respecced.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
  });

  test('a write that changes nothing keeps the resourceVersion', async () => {
    const created = await core.createNamespacedService({ namespace, body: service('web') });
    const same = await core.replaceNamespacedService({ namespace, name: 'web', body: created });
    expect(same.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
  });
});

describe('status subresource', () => {
  test('the main endpoint ignores status; /status ignores the spec but takes metadata, as kube\'s Service status strategy does', async () => {
    await core.createNamespacedService({ namespace, body: service('lb', { type: 'LoadBalancer' }) });
    const ingress = [{ ip: '192.0.2.10', ipMode: 'VIP' }];
    const viaMain = await core.patchNamespacedService({ namespace, name: 'lb', body: { status: { loadBalancer: { ingress } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(viaMain.status?.loadBalancer?.ingress).toBeUndefined();
    const viaStatus = await core.patchNamespacedServiceStatus({ namespace, name: 'lb',
      body: { metadata: { labels: { sneaky: 'yes' } }, spec: { type: 'ClusterIP' }, status: { loadBalancer: { ingress } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(viaStatus.status?.loadBalancer?.ingress).toEqual(ingress);
    expect(viaStatus.metadata?.labels?.sneaky).toBe('yes');
    expect(viaStatus.spec?.type).toBe('LoadBalancer');
  });

  test('create resets a Service\'s status', async () => {
    const created = await core.createNamespacedService({ namespace, body: { ...service('s'), status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } } });
    expect(created.status).toEqual({ loadBalancer: {} });
  });
});

describe('delete', () => {
  test('without finalizers the object is gone at once', async () => {
    await core.createNamespacedService({ namespace, body: service('gone') });
    await core.deleteNamespacedService({ namespace, name: 'gone' });
    expect((await statusOf(() => core.readNamespacedService({ namespace, name: 'gone' }))).code).toBe(404);
  });

  test('with finalizers: deletionTimestamp is set and the object stays until they are removed', async () => {
    await core.createNamespacedService({ namespace, body: { ...service('held'), metadata: { name: 'held', finalizers: ['herald.dev/test'] } } });
    await core.deleteNamespacedService({ namespace, name: 'held', propagationPolicy: 'Foreground' });
    const held = await core.readNamespacedService({ namespace, name: 'held' });
    expect(held.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    const added = await statusOf(() => core.patchNamespacedService({ namespace, name: 'held', body: { metadata: { finalizers: ['herald.dev/test', 'new'] } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch)));
    expect(added.code).toBe(422);
    await core.patchNamespacedService({ namespace, name: 'held', body: { metadata: { finalizers: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect((await statusOf(() => core.readNamespacedService({ namespace, name: 'held' }))).code).toBe(404);
  });

  test('a uid precondition that does not match is 409', async () => {
    await core.createNamespacedService({ namespace, body: service('pre') });
    const status = await statusOf(() => core.deleteNamespacedService({ namespace, name: 'pre', body: { preconditions: { uid: 'not-it' } } }));
    expect(status.code).toBe(409);
    expect(status.message).toMatch(/^Operation cannot be fulfilled on Service "pre": the UID in the precondition \(not-it\) does not match the UID in record \([0-9a-f-]{36}\)\. /);
  });

  test('deleting a namespace deletes what is in it, then the namespace', async () => {
    await core.createNamespacedService({ namespace, body: service('inside') });
    await core.deleteNamespace({ name: namespace });
    // On the real backend kube-controller-manager's namespace controller empties it, in its own time.
    await eventually(() => core.readNamespace({ name: namespace }).then(() => false, (e: { code: number }) => e.code === 404),
      30_000, `namespace ${namespace} to be gone`);
    expect((await core.listNamespacedService({ namespace })).items).toEqual([]);
  }, 45_000);
});
