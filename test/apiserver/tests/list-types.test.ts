// x-kubernetes-list-type map and set through a served CRD: a repeated key is a 422 Invalid whose message and
// cause read as kube-apiserver's (reason FieldValueDuplicate, "Duplicate value: <the key, as Go's JSON>").
// One CRD is Herald's own IPAddressPool, whose status.conditions is a list-type map keyed by type.
import { readFileSync } from 'node:fs';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { createCrd, rawRequest, statusOf, useApiServer, type CrdBody, type StatusBody } from './helpers.js';

const server = useApiServer();
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const poolCrd = parse(readFileSync(new URL('../../../crds/herald.dev_ipaddresspools.yaml', import.meta.url), 'utf8')) as CrdBody;

/** The `protocol` key of spec.ports must be required or defaulted: the default is the CRD's only change. */
const tagsCrd = (protocol: Record<string, unknown> = { type: 'string', default: 'TCP' }) => ({
  metadata: { name: 'tagged.test.herald.dev' },
  spec: {
    group: 'test.herald.dev', scope: 'Namespaced', names: { plural: 'tagged', kind: 'Tagged' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: {
      spec: { type: 'object', properties: {
        tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port', 'protocol'],
          items: { type: 'object', required: ['port'], properties: { port: { type: 'integer' }, protocol } } },
      } },
    } } } }],
  },
});

let custom: CustomObjectsApi;
beforeAll(() => {
  custom = server().kubeConfig().makeApiClient(CustomObjectsApi);
});

const condition = (reason: string) => ({ type: 'Ready', status: 'True', reason, message: 'ok', lastTransitionTime: '2024-01-01T00:00:00Z' });

test('an IPAddressPool status with two Ready conditions is refused with FieldValueDuplicate', async () => {
  await createCrd(server(), poolCrd);
  const pools = { group: 'herald.dev', version: 'v1beta1', namespace: 'default', plural: 'ipaddresspools' };
  await custom.createNamespacedCustomObject({ ...pools,
    body: { apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name: 'lan' }, spec: { addresses: ['192.0.2.0/28'] } } });
  const status = await statusOf(() => custom.patchNamespacedCustomObjectStatus({ ...pools, name: 'lan',
    body: { status: { conditions: [condition('One'), condition('Two')] } } }, merge));
  const text = 'Duplicate value: {"type":"Ready"}';
  expect(status).toMatchObject({ code: 422, reason: 'Invalid',
    message: `IPAddressPool.herald.dev "lan" is invalid: status.conditions[1]: ${text}` });
  expect(status.details?.causes).toEqual([{ reason: 'FieldValueDuplicate', field: 'status.conditions[1]', message: text }]);
});

test('a list-map key that is neither required nor defaulted makes the CRD invalid', async () => {
  const res = await rawRequest(server(), '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { method: 'POST', body: tagsCrd({ type: 'string' }) });
  expect(res.status).toBe(422);
  const status = JSON.parse(res.text) as StatusBody;
  expect(status.details?.causes).toEqual([{ reason: 'FieldValueRequired',
    field: 'spec.validation.openAPIV3Schema.properties[spec].properties[ports].items.properties[protocol].default',
    message: 'Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property' }]);
});

test('a set and a two-key map each report their duplicates, in one 422', async () => {
  await createCrd(server(), tagsCrd());
  const tagged = { group: 'test.herald.dev', version: 'v1', namespace: 'default', plural: 'tagged' };
  const status = await statusOf(() => custom.createNamespacedCustomObject({ ...tagged, body: {
    apiVersion: 'test.herald.dev/v1', kind: 'Tagged', metadata: { name: 't1' },
    spec: { tags: ['a', 'b', 'a', 'a'], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }, { protocol: 'UDP', port: 53 }] },
  } }));
  expect(status.code).toBe(422);
  expect(status.details?.causes).toEqual(expect.arrayContaining([
    { reason: 'FieldValueDuplicate', field: 'spec.tags[2]', message: 'Duplicate value: "a"' },
    { reason: 'FieldValueDuplicate', field: 'spec.ports[2]', message: 'Duplicate value: {"port":53,"protocol":"UDP"}' },
  ]));
  expect(status.details?.causes).toHaveLength(2);
  expect(status.message).toMatch(/^Tagged\.test\.herald\.dev "t1" is invalid: \[spec\.\w+\[2\]: Duplicate value: .*, spec\.\w+\[2\]: Duplicate value: .*\]$/);
});
