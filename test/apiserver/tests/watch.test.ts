// Watches and informers through the real client-node: replay from a resourceVersion, 410 Expired for a
// compacted one, bookmarks, selector transitions, timeouts, and makeInformer surviving dropped watches.
import { CoreV1Api, makeInformer, PatchStrategy, setHeaderOptions, Watch, type KubernetesObject, type V1Service } from '@kubernetes/client-node';
import { itEmulatorOnly } from '../../cluster/backend.js';
import { emulatorOf, rawRequest, uniqueName, until, useApiServer } from './helpers.js';

// The window and interval are emulator knobs; the real kube-apiserver keeps its own.
const server = useApiServer({ historyWindow: 20, bookmarkIntervalMs: 100 });
let core: CoreV1Api;
let namespace: string;

beforeAll(() => {
  core = server().kubeConfig().makeApiClient(CoreV1Api);
});
beforeEach(async () => {
  namespace = uniqueName('w');
  await core.createNamespace({ body: { metadata: { name: namespace } } });
});

interface Seen { type: string; name: string | undefined; rv: string | undefined; code?: number; initialEventsEnd?: string }

/** Starts a raw watch and collects its events until stopped. */
async function collect(path: string, query: Record<string, string | number | boolean>) {
  const seen: Seen[] = [];
  let ended = false;
  const controller = await new Watch(server().kubeConfig()).watch(path, query,
    (type: string, obj: KubernetesObject & { code?: number }) => {
      const end = obj.metadata?.annotations?.['k8s.io/initial-events-end'];
      seen.push({ type, name: obj.metadata?.name, rv: obj.metadata?.resourceVersion, code: obj.code, ...(end && { initialEventsEnd: end }) });
    },
    () => { ended = true; });
  return { seen, ended: () => ended, stop: () => controller.abort() };
}

const svc = (name: string, labels: Record<string, string> = {}): V1Service => ({ metadata: { name, labels }, spec: { ports: [{ port: 80 }] } });
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

test('without resourceVersion a watch starts with the current objects as ADDED', async () => {
  await core.createNamespacedService({ namespace, body: svc('a') });
  const w = await collect(`/api/v1/namespaces/${namespace}/services`, {});
  await until(() => w.seen.length === 1, 2000, 'initial ADDED');
  expect(w.seen[0]).toMatchObject({ type: 'ADDED', name: 'a' });
  await core.createNamespacedService({ namespace, body: svc('b') });
  await until(() => w.seen.length === 2, 2000, 'second ADDED');
  expect(w.seen[1]).toMatchObject({ type: 'ADDED', name: 'b' });
  w.stop();
});

test('with a resourceVersion a watch replays exactly the events after it', async () => {
  const a = await core.createNamespacedService({ namespace, body: svc('a') });
  await core.patchNamespacedService({ namespace, name: 'a', body: { metadata: { labels: { v: '2' } } } }, merge);
  await core.deleteNamespacedService({ namespace, name: 'a' });
  const w = await collect(`/api/v1/namespaces/${namespace}/services`, { resourceVersion: a.metadata!.resourceVersion! });
  await until(() => w.seen.length === 2, 2000, 'replay');
  expect(w.seen.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
  expect(Number(w.seen[1]!.rv)).toBeGreaterThan(Number(w.seen[0]!.rv));
  w.stop();
});

// kube-apiserver's watch cache keeps minutes of history, sized by itself: 25 writes never push a version out of it.
itEmulatorOnly('a resourceVersion older than the history window gets a 410 Expired ERROR event, then the stream ends', async () => {
  const first = await core.createNamespacedService({ namespace, body: svc('old') });
  for (let i = 0; i < 25; i++) {
    await core.patchNamespacedService({ namespace, name: 'old', body: { metadata: { labels: { i: String(i) } } } }, merge);
  }
  const w = await collect(`/api/v1/namespaces/${namespace}/services`, { resourceVersion: first.metadata!.resourceVersion! });
  await until(() => w.ended(), 2000, 'stream end');
  expect(w.seen).toEqual([{ type: 'ERROR', name: undefined, rv: undefined, code: 410 }]);
});

// kube-apiserver sends bookmarks about once a minute (or 2 s before a watch's timeout); no knob makes it every 100 ms.
itEmulatorOnly('bookmarks arrive when asked for, carrying the current resourceVersion', async () => {
  const current = async () => (await core.listNamespacedService({ namespace })).metadata!.resourceVersion!;
  const w = await collect(`/api/v1/namespaces/${namespace}/services`, { allowWatchBookmarks: true, resourceVersion: await current() });
  await until(() => w.seen.some((e) => e.type === 'BOOKMARK'), 2000, 'bookmark');
  const bookmark = w.seen.find((e) => e.type === 'BOOKMARK');
  expect(bookmark!.rv).toBe(await current());
  w.stop();
});

test('a streaming list (sendInitialEvents) sends the objects, then a bookmark marking their end, then changes', async () => {
  await core.createNamespacedService({ namespace, body: svc('a') });
  await core.createNamespacedService({ namespace, body: svc('b') });
  const w = await collect(`/api/v1/namespaces/${namespace}/services`,
    { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true });
  await until(() => w.seen.some((e) => e.initialEventsEnd), 2000, 'the initial-events-end bookmark');
  await core.createNamespacedService({ namespace, body: svc('c') });
  await until(() => w.seen.some((e) => e.name === 'c'), 2000, 'the change after');
  expect(w.seen.filter((e) => e.type !== 'BOOKMARK' || e.initialEventsEnd).map((e) => `${e.type} ${e.name ?? e.initialEventsEnd}`))
    .toEqual(['ADDED a', 'ADDED b', 'BOOKMARK true', 'ADDED c']);
  w.stop();
});

test('sendInitialEvents without resourceVersionMatch=NotOlderThan is a 422', async () => {
  const res = await rawRequest(server(), `/api/v1/namespaces/${namespace}/services?watch=true&sendInitialEvents=true`);
  expect(res.status).toBe(422);
  expect(JSON.parse(res.text)).toMatchObject({ reason: 'Invalid',
    message: 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan' });
});

test('a label-selector watch sees an object leaving the selection as DELETED and entering as ADDED', async () => {
  const w = await collect(`/api/v1/namespaces/${namespace}/services`, { labelSelector: 'tier=web' });
  await core.createNamespacedService({ namespace, body: svc('s', { tier: 'web' }) });
  await core.patchNamespacedService({ namespace, name: 's', body: { metadata: { labels: { tier: 'db' } } } }, merge);
  await core.patchNamespacedService({ namespace, name: 's', body: { metadata: { labels: { tier: 'web' } } } }, merge);
  await core.createNamespacedService({ namespace, body: svc('other', { tier: 'db' }) });
  await until(() => w.seen.length >= 3, 2000, 'three events');
  expect(w.seen.map((e) => `${e.type} ${e.name}`)).toEqual(['ADDED s', 'DELETED s', 'ADDED s']);
  w.stop();
});

test('timeoutSeconds ends the stream', async () => {
  const w = await collect(`/api/v1/namespaces/${namespace}/services`, { timeoutSeconds: 1 });
  await until(() => w.ended(), 3000, 'timeout');
});

describe('makeInformer', () => {
  function informerFor(ns: string) {
    const kc = server().kubeConfig();
    const informer = makeInformer(kc, `/api/v1/namespaces/${ns}/services`, () => core.listNamespacedService({ namespace: ns }));
    const events: string[] = [];
    informer.on('add', (s) => events.push(`add ${s.metadata?.name}`));
    informer.on('update', (s) => events.push(`update ${s.metadata?.name} ${s.metadata?.labels?.v ?? ''}`));
    informer.on('delete', (s) => events.push(`delete ${s.metadata?.name}`));
    return { informer, events };
  }

  test('sees add, update and delete', async () => {
    const { informer, events } = informerFor(namespace);
    await informer.start();
    await core.createNamespacedService({ namespace, body: svc('i') });
    await core.patchNamespacedService({ namespace, name: 'i', body: { metadata: { labels: { v: '1' } } } }, merge);
    await core.deleteNamespacedService({ namespace, name: 'i' });
    await until(() => events.length === 3, 3000, 'informer events');
    expect(events).toEqual(['add i', 'update i 1', 'delete i']);
    await informer.stop();
  });

  // Dropping every open watch on cue is the emulator's fault switch; a real kube-apiserver has none.
  itEmulatorOnly('resumes after the server drops its watch, missing nothing', async () => {
    const { informer, events } = informerFor(namespace);
    await informer.start();
    await core.createNamespacedService({ namespace, body: svc('before') });
    await until(() => events.includes('add before'), 3000, 'first add');
    expect(emulatorOf(server()).faults.dropWatches()).toBeGreaterThan(0);
    await core.createNamespacedService({ namespace, body: svc('during') });
    await until(() => events.includes('add during'), 5000, 'add after drop');
    expect(informer.list().map((s) => s.metadata?.name).sort()).toEqual(['before', 'during']);
    await informer.stop();
  });

  // Needs the short history window above (see the 410 test): the real watch cache would just replay.
  itEmulatorOnly('relists after a 410 and ends up with the right objects', async () => {
    const { informer, events } = informerFor(namespace);
    await informer.start();
    await core.createNamespacedService({ namespace, body: svc('keep') });
    await core.createNamespacedService({ namespace, body: svc('drop') });
    await until(() => events.length === 2, 3000, 'adds');
    await informer.stop();
    // While the informer is away, more than the history window of changes happens.
    await core.deleteNamespacedService({ namespace, name: 'drop' });
    for (let i = 0; i < 25; i++) await core.patchNamespacedService({ namespace, name: 'keep', body: { metadata: { labels: { v: String(i) } } } }, merge);
    const errors: unknown[] = [];
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    await until(() => events.includes('delete drop') && informer.list().length === 1, 5000, 'relist');
    expect(informer.list()[0]?.metadata?.labels?.v).toBe('24');
    expect(errors).toEqual([]);
    await informer.stop();
  });
});
