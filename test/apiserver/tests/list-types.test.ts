// x-kubernetes-list-type map and set through a served CRD: a repeated key is a 422 Invalid whose message and
// cause read as kube-apiserver's (reason FieldValueDuplicate, "Duplicate value: <the key, Go %#v>").
// The first CRD is Herald's own IPAddressPool, whose status.conditions is a list-type map keyed by type.
import { readFileSync } from 'node:fs';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { statusOf, useApiServer } from './helpers.js';

const server = useApiServer();
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const poolCrd: unknown = parse(readFileSync(new URL('../../../crds/herald.dev_ipaddresspools.yaml', import.meta.url), 'utf8'));

const tagsCrd = {
  metadata: { name: 'tagged.test.herald.dev' },
  spec: {
    group: 'test.herald.dev', scope: 'Namespaced', names: { plural: 'tagged', kind: 'Tagged' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: {
      spec: { type: 'object', properties: {
        tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port', 'protocol'],
          items: { type: 'object', required: ['port'], properties: { port: { type: 'integer' }, protocol: { type: 'string' } } } },
      } },
    } } } }],
  },
};

/** Raw POST: client-node's V1CustomResourceDefinition serializer drops keys spelled `x-kubernetes-...`. */
async function createCrd(crd: unknown): Promise<void> {
  const res = await fetch(`${server().url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(crd) });
  if (res.status !== 201) throw new Error(`creating a CRD: ${res.status} ${await res.text()}`);
}

let custom: CustomObjectsApi;
beforeAll(async () => {
  await createCrd(poolCrd);
  await createCrd(tagsCrd);
  custom = server().kubeConfig().makeApiClient(CustomObjectsApi);
});

const condition = (reason: string) => ({ type: 'Ready', status: 'True', reason, message: 'ok', lastTransitionTime: '2024-01-01T00:00:00Z' });

test('an IPAddressPool status with two Ready conditions is refused with FieldValueDuplicate', async () => {
  const pools = { group: 'herald.dev', version: 'v1beta1', namespace: 'default', plural: 'ipaddresspools' };
  await custom.createNamespacedCustomObject({ ...pools,
    body: { apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name: 'lan' }, spec: { addresses: ['192.0.2.0/28'] } } });
  const status = await statusOf(() => custom.patchNamespacedCustomObjectStatus({ ...pools, name: 'lan',
    body: { status: { conditions: [condition('One'), condition('Two')] } } }, merge));
  const text = 'Duplicate value: map[string]interface {}{"type":"Ready"}';
  expect(status).toMatchObject({ code: 422, reason: 'Invalid',
    message: `IPAddressPool.herald.dev "lan" is invalid: status.conditions[1]: ${text}` });
  expect(status.details?.causes).toEqual([{ reason: 'FieldValueDuplicate', field: 'status.conditions[1]', message: text }]);
});

test('a set and a two-key map each report their duplicates, in one 422', async () => {
  const tagged = { group: 'test.herald.dev', version: 'v1', namespace: 'default', plural: 'tagged' };
  const status = await statusOf(() => custom.createNamespacedCustomObject({ ...tagged, body: {
    apiVersion: 'test.herald.dev/v1', kind: 'Tagged', metadata: { name: 't1' },
    spec: { tags: ['a', 'b', 'a', 'a'], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }, { protocol: 'UDP', port: 53 }] },
  } }));
  expect(status.code).toBe(422);
  expect(status.details?.causes).toEqual(expect.arrayContaining([
    { reason: 'FieldValueDuplicate', field: 'spec.tags[2]', message: 'Duplicate value: "a"' },
    { reason: 'FieldValueDuplicate', field: 'spec.ports[2]', message: 'Duplicate value: map[string]interface {}{"port":53, "protocol":"UDP"}' },
  ]));
  expect(status.details?.causes).toHaveLength(2);
  expect(status.message).toMatch(/^Tagged\.test\.herald\.dev "t1" is invalid: \[spec\.\w+\[2\]: Duplicate value: .*, spec\.\w+\[2\]: Duplicate value: .*\]$/);
});
