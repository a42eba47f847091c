// networking.k8s.io/v1 NetworkPolicies, which config/samples/ holds one of: what kube-apiserver defaults on create
// (policyTypes from the rules present, each port's protocol TCP) and its generation, bumped by spec changes only.
import { CoreV1Api, NetworkingV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { uniqueName, useApiServer } from './helpers.js';

const server = useApiServer();
let networking: NetworkingV1Api;
let namespace: string;

beforeAll(async () => {
  networking = server().kubeConfig().makeApiClient(NetworkingV1Api);
  namespace = uniqueName('ns');
  await server().kubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
});

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

test.each([
  ['only ingress rules: Ingress', { ingress: [{ ports: [{ port: 7946 }] }] }, ['Ingress']],
  ['egress rules too: Ingress and Egress', { ingress: [{}], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] }, ['Ingress', 'Egress']],
  ['policyTypes given: kept', { policyTypes: ['Egress'] }, ['Egress']],
])('policyTypes defaulted from the rules, %s', async (_what, spec, policyTypes) => {
  const name = uniqueName('np');
  const created = await networking.createNamespacedNetworkPolicy({ namespace, body: { metadata: { name }, spec: { podSelector: {}, ...spec } } });
  expect(created.spec?.policyTypes).toEqual(policyTypes);
});

test('a port without a protocol is TCP; generation starts at 1 and moves with the spec, not the labels', async () => {
  const created = await networking.createNamespacedNetworkPolicy({ namespace, body: {
    metadata: { name: 'heartbeats' },
    spec: { podSelector: { matchLabels: { app: 'speaker' } }, ingress: [{ ports: [{ port: 7946, protocol: 'UDP' }, { port: 7472 }] }] },
  } });
  expect(created.spec?.ingress?.[0]?.ports).toEqual([{ port: 7946, protocol: 'UDP' }, { port: 7472, protocol: 'TCP' }]);
  expect(created.metadata?.generation).toBe(1);
  const relabelled = await networking.patchNamespacedNetworkPolicy({ namespace, name: 'heartbeats', body: { metadata: { labels: { a: 'b' } } } }, merge);
  expect(relabelled.metadata?.generation).toBe(1);
  const respecced = await networking.patchNamespacedNetworkPolicy({ namespace, name: 'heartbeats', body: { spec: { podSelector: { matchLabels: { app: 'other' } } } } }, merge);
  expect(respecced.metadata?.generation).toBe(2);
});
