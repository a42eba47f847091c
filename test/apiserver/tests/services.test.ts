// Service defaulting and allocation as kube-apiserver does it, each behaviour Herald relies on.
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1Service, type V1ServiceSpec } from '@kubernetes/client-node';
import { describeEmulatorOnly } from '../../cluster/backend.js';
import { startApiServer, type ApiServer } from '../index.js';
import { statusOf, uniqueName, useApiServer } from './helpers.js';

const server = useApiServer();
let core: CoreV1Api;
const namespace = 'default';
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

beforeAll(() => {
  core = server().kubeConfig().makeApiClient(CoreV1Api);
});

const create = (spec: V1ServiceSpec, name = uniqueName('svc')): Promise<V1Service> =>
  core.createNamespacedService({ namespace, body: { metadata: { name }, spec } });

test('ClusterIP defaults: type, sessionAffinity, internalTrafficPolicy, SingleStack IPv4 from the primary CIDR', async () => {
  const svc = await create({ ports: [{ port: 80 }] });
  expect(svc.spec).toMatchObject({ type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster',
    ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'] });
  expect(svc.spec?.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\./);
  expect(svc.spec?.clusterIPs).toEqual([svc.spec?.clusterIP]);
  expect(svc.spec?.ports?.[0]).toEqual({ port: 80, protocol: 'TCP', targetPort: 80 });
  expect(svc.spec?.externalTrafficPolicy).toBeUndefined();
});

test('LoadBalancer defaults: NodePorts, allocateLoadBalancerNodePorts, externalTrafficPolicy Cluster', async () => {
  const svc = await create({ type: 'LoadBalancer', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] });
  expect(svc.spec).toMatchObject({ allocateLoadBalancerNodePorts: true, externalTrafficPolicy: 'Cluster' });
  const nodePorts = (svc.spec?.ports ?? []).map((p) => p.nodePort ?? 0);
  expect(new Set(nodePorts).size).toBe(2);
  for (const port of nodePorts) expect(port >= 30000 && port <= 32767).toBe(true);
  expect(svc.spec?.healthCheckNodePort).toBeUndefined();
});

test('with more than one port each needs a name, unique among them', async () => {
  const status = await statusOf(() => create({ ports: [{ port: 80 }, { name: 'b', port: 81 }, { name: 'b', port: 82 }] }));
  expect(status.details?.causes).toEqual([
    { reason: 'FieldValueRequired', field: 'spec.ports[0].name', message: 'Required value' },
    { reason: 'FieldValueDuplicate', field: 'spec.ports[2].name', message: 'Duplicate value: "b"' },
  ]);
});

test('externalTrafficPolicy Local on a LoadBalancer gets a healthCheckNodePort; no NodePorts when disabled', async () => {
  const svc = await create({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', allocateLoadBalancerNodePorts: false, ports: [{ port: 80 }] });
  expect(svc.spec?.healthCheckNodePort).toBeGreaterThanOrEqual(30000);
  expect(svc.spec?.ports?.[0]?.nodePort).toBeUndefined();
});

test('PreferDualStack and RequireDualStack get both families, primary first', async () => {
  const prefer = await create({ ipFamilyPolicy: 'PreferDualStack', ports: [{ port: 80 }] });
  expect(prefer.spec?.ipFamilies).toEqual(['IPv4', 'IPv6']);
  expect(prefer.spec?.clusterIPs?.[1]).toMatch(/^fd00:10:96::/);
  const require = await create({ ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6', 'IPv4'], ports: [{ port: 80 }] });
  expect(require.spec?.ipFamilies).toEqual(['IPv6', 'IPv4']);
  expect(require.spec?.clusterIP).toMatch(/^fd00:10:96::/);
});

test('a requested clusterIP is honoured once; taking it again is 422', async () => {
  const svc = await create({ clusterIP: '10.96.100.100', ports: [{ port: 80 }] });
  expect(svc.spec?.clusterIPs).toEqual(['10.96.100.100']);
  const status = await statusOf(() => create({ clusterIP: '10.96.100.100', ports: [{ port: 80 }] }));
  expect(status.code).toBe(422);
  expect(status.message).toContain('provided IP is already allocated');
  await core.deleteNamespacedService({ namespace, name: svc.metadata!.name! });
  expect((await create({ clusterIP: '10.96.100.100', ports: [{ port: 80 }] })).spec?.clusterIP).toBe('10.96.100.100');
});

test('an update that omits clusterIP and nodePorts keeps them; changing clusterIP is 422', async () => {
  const svc = await create({ type: 'LoadBalancer', ports: [{ port: 80 }] });
  const name = svc.metadata!.name!;
  const replaced = await core.replaceNamespacedService({ namespace, name, body: { metadata: { name }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } } });
  expect(replaced.spec?.clusterIP).toBe(svc.spec?.clusterIP);
  expect(replaced.spec?.ports?.[0]?.nodePort).toBe(svc.spec?.ports?.[0]?.nodePort);
  const status = await statusOf(() => core.patchNamespacedService({ namespace, name, body: { spec: { clusterIP: '10.96.200.200', clusterIPs: ['10.96.200.200'] } } }, merge));
  expect(status.code).toBe(422);
  expect(status.message).toContain('may not change once set');
});

test('changing type to ClusterIP drops the NodePorts', async () => {
  const svc = await create({ type: 'NodePort', ports: [{ port: 80 }] });
  const changed = await core.patchNamespacedService({ namespace, name: svc.metadata!.name!, body: { spec: { type: 'ClusterIP' } } }, merge);
  expect(changed.spec?.ports?.[0]?.nodePort).toBeUndefined();
});

test('loadBalancerClass may not change once set', async () => {
  const svc = await create({ type: 'LoadBalancer', loadBalancerClass: 'herald.dev/lb', ports: [{ port: 80 }] });
  const status = await statusOf(() => core.patchNamespacedService({ namespace, name: svc.metadata!.name!, body: { spec: { loadBalancerClass: 'other/lb' } } }, merge));
  expect(status.code).toBe(422);
  expect(status.message).toContain('spec.loadBalancerClass: Invalid value: "other/lb": may not change once set');
});

// The real control plane is started with fixed dual-stack service CIDRs; only the emulator takes others per suite.
describeEmulatorOnly('on a single-stack cluster', () => {
  let single: ApiServer;
  beforeAll(async () => {
    single = await startApiServer({ serviceCIDRs: ['10.0.0.0/24'] });
  });
  afterAll(() => single.stop());

  test('PreferDualStack falls back to one family; RequireDualStack is 422', async () => {
    const api = single.kubeConfig().makeApiClient(CoreV1Api);
    const prefer = await api.createNamespacedService({ namespace, body: { metadata: { name: 'p' }, spec: { ipFamilyPolicy: 'PreferDualStack', ports: [{ port: 1 }] } } });
    expect(prefer.spec?.ipFamilies).toEqual(['IPv4']);
    expect(prefer.spec?.clusterIP).toMatch(/^10\.0\.0\./);
    const status = await statusOf(() => api.createNamespacedService({ namespace, body: { metadata: { name: 'r' }, spec: { ipFamilyPolicy: 'RequireDualStack', ports: [{ port: 1 }] } } }));
    expect(status.code).toBe(422);
    expect(status.message).toContain('this cluster is not configured for dual-stack services');
  });
});
