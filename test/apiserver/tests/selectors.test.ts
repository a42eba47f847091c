// Label and field selectors on lists, as kube-apiserver parses and applies them, and events through both APIs.
import { CoreV1Api, EventsV1Api, PatchStrategy, setHeaderOptions, V1MicroTime, type EventsV1Event } from '@kubernetes/client-node';
import { statusOf, uniqueName, useApiServer } from './helpers.js';

const server = useApiServer();
let core: CoreV1Api;
let namespace: string;

beforeAll(async () => {
  core = server().kubeConfig().makeApiClient(CoreV1Api);
  namespace = uniqueName('sel');
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const labelled: [string, Record<string, string>][] = [['a', { tier: 'web', env: 'prod' }], ['b', { tier: 'db', env: 'prod' }], ['c', { tier: 'web' }]];
  for (const [name, labels] of labelled) {
    await core.createNamespacedService({ namespace, body: { metadata: { name, labels }, spec: { ports: [{ port: 80 }] } } });
  }
});

test.each([
  ['tier=web', ['a', 'c']],
  ['tier==web,env=prod', ['a']],
  ['tier!=web', ['b']],
  ['tier in (db, web),env', ['a', 'b']],
  ['tier notin (web)', ['b']],
  ['!env', ['c']],
  ['env', ['a', 'b']],
])('label selector %s', async (labelSelector, expected) => {
  const list = await core.listNamespacedService({ namespace, labelSelector });
  expect(list.items.map((s) => s.metadata?.name)).toEqual(expected);
});

test('field selectors metadata.name and metadata.namespace', async () => {
  const byName = await core.listServiceForAllNamespaces({ fieldSelector: `metadata.name=b,metadata.namespace=${namespace}` });
  expect(byName.items.map((s) => s.metadata?.name)).toEqual(['b']);
  const notName = await core.listNamespacedService({ namespace, fieldSelector: 'metadata.name!=b' });
  expect(notName.items.map((s) => s.metadata?.name)).toEqual(['a', 'c']);
});

test('an unsupported field label is 400 BadRequest like kube', async () => {
  const status = await statusOf(() => core.listNamespacedService({ namespace, fieldSelector: 'spec.ports=80' }));
  expect(status).toMatchObject({ code: 400, reason: 'BadRequest', message: 'field label not supported: spec.ports' });
});

const event = (name: string, eventTime: Date): EventsV1Event => ({
  metadata: { name }, eventTime, reason: 'IPAllocated', note: 'Assigned', type: 'Normal', action: 'Allocate',
  reportingController: 'herald.dev/controller', reportingInstance: 'c-1',
  regarding: { kind: 'Service', namespace, name: 'a', uid: 'u-1', apiVersion: 'v1' },
});

test('an events.k8s.io/v1 event is listed by core/v1 with involvedObject selectors, and back', async () => {
  const events = server().kubeConfig().makeApiClient(EventsV1Api);
  await events.createNamespacedEvent({ namespace, body: event('e1', new V1MicroTime()) });
  const core1 = await core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.kind=Service,involvedObject.name=a,involvedObject.uid=u-1' });
  expect(core1.items.map((e) => [e.metadata.name, e.message, e.reportingComponent])).toEqual([['e1', 'Assigned', 'herald.dev/controller']]);
  const none = await core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.name=b,reportingComponent=herald.dev/controller' });
  expect(none.items).toEqual([]);
  const back = await events.readNamespacedEvent({ namespace, name: 'e1' });
  expect(back.regarding?.name).toBe('a');
  expect(back.note).toBe('Assigned');
});

test('eventTime is a MicroTime: a plain Date (milliseconds) is a 400, as kube decodes it', async () => {
  const events = server().kubeConfig().makeApiClient(EventsV1Api);
  const status = await statusOf(() => events.createNamespacedEvent({ namespace, body: event('ms', new Date('2024-01-01T00:00:00.123Z')) }));
  expect(status).toMatchObject({ code: 400, reason: 'BadRequest', message: 'Event in version "v1" cannot be handled as a Event: parsing time '
    + '"2024-01-01T00:00:00.123Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse ".123Z" as ".000000"' });
});

test('through events.k8s.io/v1 an event is immutable but for its series; errors name the core fields', async () => {
  const events = server().kubeConfig().makeApiClient(EventsV1Api);
  await events.createNamespacedEvent({ namespace, body: event('fixed', new V1MicroTime()) });
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const status = await statusOf(() => events.patchNamespacedEvent({ namespace, name: 'fixed', body: { note: 'changed' } }, merge));
  expect(status).toMatchObject({ code: 422, message: 'Event "fixed" is invalid: message: Invalid value: "changed": field is immutable' });
  const series = { count: 2, lastObservedTime: '2024-01-01T00:00:01.000000Z' };
  const patched = await events.patchNamespacedEvent({ namespace, name: 'fixed', body: { series } }, merge);
  expect(patched.series?.count).toBe(2);
});
