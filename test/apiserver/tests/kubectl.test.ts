// The real kubectl (the pinned one, see kubectlCommand) against the backend: each command's real output, and no warnings.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { runKubectl, useApiServer, type KubectlRun } from './helpers.js';

const server = useApiServer();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'herald-kubectl-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function kubectl(...args: string[]): Promise<KubectlRun> {
  return runKubectl(server().kubeconfigPath, dir, args);
}

async function ok(...args: string[]): Promise<string> {
  const run = await kubectl(...args);
  expect({ args, stderr: run.stderr, code: run.code }).toEqual({ args, stderr: '', code: 0 });
  return run.stdout;
}

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

const serviceYaml = (targetPort: number) => `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
  - name: http
    port: 80
    targetPort: ${targetPort}
`;

const columns = (line: string | undefined): string[] => (line ?? '').trim().split(/\s{2,}/);

test('create namespace, then get shows it Active', async () => {
  expect(await ok('create', 'namespace', 'shop')).toBe('namespace/shop created\n');
  const lines = (await ok('get', 'namespace', 'shop')).trim().split('\n');
  expect(columns(lines[0])).toEqual(['NAME', 'STATUS', 'AGE']);
  expect(columns(lines[1]).slice(0, 2)).toEqual(['shop', 'Active']);
});

test('apply -f creates, re-apply configures, an identical apply leaves it unchanged', async () => {
  expect(await ok('apply', '-f', await file('svc1.yaml', serviceYaml(8080)))).toBe('service/web created\n');
  expect(await ok('apply', '-f', await file('svc2.yaml', serviceYaml(9090)))).toBe('service/web configured\n');
  expect(await ok('apply', '-f', await file('svc3.yaml', serviceYaml(9090)))).toBe('service/web unchanged\n');
  const ports = JSON.parse(await ok('get', 'svc', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.ports}')) as { targetPort: number; nodePort: number }[];
  expect(ports).toHaveLength(1);
  expect(ports[0]?.targetPort).toBe(9090);
  expect(ports[0]?.nodePort).toBeGreaterThanOrEqual(30000);
});

test('get svc prints kube\'s columns: <pending> without ingress, the IPs once status has them', async () => {
  const pending = (await ok('get', 'svc', '-n', 'shop')).trim().split('\n');
  expect(columns(pending[0])).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
  const row = columns(pending[1]);
  expect(row.slice(0, 4)).toEqual(['web', 'LoadBalancer', expect.stringMatching(/^10\.96\./), '<pending>']);
  expect(row[4]).toMatch(/^80:3\d{4}\/TCP$/);
  const core = server().kubeConfig().makeApiClient(CoreV1Api);
  await core.patchNamespacedServiceStatus({ namespace: 'shop', name: 'web', body: { status: { loadBalancer: { ingress: [{ ip: '192.0.2.7' }, { ip: '2001:db8::7' }] } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  const wide = (await ok('get', 'svc', 'web', '-n', 'shop', '-o', 'wide')).trim().split('\n');
  expect(columns(wide[0])).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
  expect(columns(wide[1])[3]).toBe('192.0.2.7,2001:db8::7');
  expect(columns(wide[1])[6]).toBe('app=web');
});

test('get -o yaml prints the stored object', async () => {
  const yaml = await ok('get', 'svc', 'web', '-n', 'shop', '-o', 'yaml');
  expect(yaml).toMatch(/^apiVersion: v1\nkind: Service\n/);
  expect(yaml).toContain('kubectl.kubernetes.io/last-applied-configuration');
  expect(yaml).toMatch(/ipFamilyPolicy: SingleStack/);
});

test('describe lists the Service\'s events, found by involvedObject field selectors', async () => {
  const core = server().kubeConfig().makeApiClient(CoreV1Api);
  const svc = await core.readNamespacedService({ namespace: 'shop', name: 'web' });
  await core.createNamespacedEvent({ namespace: 'shop', body: {
    metadata: { name: 'web.1' }, reason: 'IPAllocated', message: 'Assigned IP ["192.0.2.7"]', type: 'Normal',
    involvedObject: { kind: 'Service', namespace: 'shop', name: 'web', uid: svc.metadata?.uid, apiVersion: 'v1' },
    source: { component: 'herald-controller' }, count: 1, firstTimestamp: new Date(), lastTimestamp: new Date(),
  } });
  const out = await ok('describe', 'svc', 'web', '-n', 'shop');
  expect(out).toMatch(/^Name:\s+web$/m);
  expect(out).toMatch(/^LoadBalancer Ingress:\s+192\.0\.2\.7/m);
  expect(out).toMatch(/Normal\s+IPAllocated\s+\S+\s+herald-controller\s+Assigned IP \["192\.0\.2\.7"\]/);
});

test('apply --server-side creates and then updates with field ownership', async () => {
  const cm = (data: string) => `apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: shop}\nstringData: {}\ndata: {key: ${data}}\n`;
  expect(await ok('apply', '--server-side', '-f', await file('s1.yaml', cm('YQ==')))).toBe('secret/creds serverside-applied\n');
  expect(await ok('apply', '--server-side', '-f', await file('s2.yaml', cm('Yg==')))).toBe('secret/creds serverside-applied\n');
  expect(await ok('get', 'secret', 'creds', '-n', 'shop', '-o', 'jsonpath={.data.key}')).toBe('Yg==');
  const managers = await ok('get', 'secret', 'creds', '-n', 'shop', '--show-managed-fields', '-o', 'jsonpath={.metadata.managedFields[*].manager}');
  expect(managers).toBe('kubectl');
});

test('a CRD and its objects: apply, get with its printer columns, and a schema error as kubectl shows it', async () => {
  const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: pools.test.herald.dev}
spec:
  group: test.herald.dev
  scope: Namespaced
  names: {plural: pools, singular: pool, kind: Pool, shortNames: [tp]}
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns:
    - {name: Addresses, type: string, jsonPath: .spec.addresses}
    - {name: Auto, type: boolean, jsonPath: .spec.autoAssign}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              addresses: {type: array, minItems: 1, items: {type: string}}
              autoAssign: {type: boolean, default: true}
`;
  expect(await ok('apply', '-f', await file('crd.yaml', crd))).toBe('customresourcedefinition.apiextensions.k8s.io/pools.test.herald.dev created\n');
  // kube-apiserver serves the resources once the CRD is Established (the emulator at once; the wait passes there too).
  await ok('wait', '--for=condition=Established', 'crd/pools.test.herald.dev');
  const pool = (addresses: string) => `apiVersion: test.herald.dev/v1\nkind: Pool\nmetadata: {name: p1, namespace: shop}\nspec: {addresses: ${addresses}}\n`;
  expect(await ok('apply', '-f', await file('p1.yaml', pool('[192.0.2.0/24]')))).toBe('pool.test.herald.dev/p1 created\n');
  expect(await ok('apply', '-f', await file('p2.yaml', pool('[192.0.2.0/25]')))).toBe('pool.test.herald.dev/p1 configured\n');
  const lines = (await ok('get', 'tp', '-n', 'shop')).trim().split('\n');
  expect(columns(lines[0])).toEqual(['NAME', 'ADDRESSES', 'AUTO', 'AGE']);
  expect(columns(lines[1]).slice(0, 3)).toEqual(['p1', '["192.0.2.0/25"]', 'true']);
  const bad = await kubectl('apply', '-f', await file('p3.yaml', pool('[]').replace('p1', 'p3')));
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toContain('The Pool "p3" is invalid: spec.addresses: Invalid value: 0: spec.addresses in body should have at least 1 items');
});

test('a printer column with a JSONPath filter shows the matching condition\'s field, or nothing when none matches', async () => {
  const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.test.herald.dev}
spec:
  group: test.herald.dev
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns:
    - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
    - {name: Reason, type: string, jsonPath: ".status.conditions[?(@.type=='Ready')].reason"}
    - {name: Other, type: string, jsonPath: '.status.conditions[?(@.type!="Ready")].type'}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          status:
            type: object
            properties:
              conditions: {type: array, items: {type: object, properties: {type: {type: string}, status: {type: string}, reason: {type: string}}}}
`;
  await ok('apply', '-f', await file('gadget-crd.yaml', crd));
  await ok('wait', '--for=condition=Established', 'crd/gadgets.test.herald.dev');
  const conditions = '[{type: Synced, status: "True", reason: Done}, {type: Ready, status: "False", reason: OverlapsPool}]';
  await ok('apply', '-f', await file('g1.yaml', `apiVersion: test.herald.dev/v1\nkind: Gadget\nmetadata: {name: g1, namespace: shop}\nstatus: {conditions: ${conditions}}\n`));
  await ok('apply', '-f', await file('g2.yaml', 'apiVersion: test.herald.dev/v1\nkind: Gadget\nmetadata: {name: g2, namespace: shop}\n'));
  const lines = (await ok('get', 'gadgets', '-n', 'shop')).trim().split('\n');
  expect(lines.map(columns)).toEqual([['NAME', 'READY', 'REASON', 'OTHER'], ['g1', 'False', 'OverlapsPool', 'Synced'], ['g2']]);
});

test('apply -k builds with kustomize client-side and applies', async () => {
  await file('kustomization.yaml', 'namespace: shop\nresources:\n- k-svc.yaml\nlabels: [{pairs: {team: a}}]\n');
  await file('k-svc.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: kust}\nspec: {ports: [{port: 53, protocol: UDP}]}\n');
  expect(await ok('apply', '-k', dir)).toBe('service/kust created\n');
  expect(await ok('get', 'svc', '-n', 'shop', '-l', 'team=a', '-o', 'name')).toBe('service/kust\n');
});

test('delete removes the object and says so', async () => {
  expect(await ok('delete', 'svc', 'kust', '-n', 'shop')).toBe('service "kust" deleted from shop namespace\n');
  const after = await kubectl('get', 'svc', 'kust', '-n', 'shop');
  expect(after.stderr).toBe('Error from server (NotFound): services "kust" not found\n');
});
