// The real kubectl against the backend (emulator or kube-apiserver) for the built-in kinds of config/default: `apply -k config/default`
// (first apply, re-apply, a changed manifest), the columns `kubectl get` prints for each kind, and
// `kubectl create` for the kinds whose generators send protobuf. Every command must leave stderr empty.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { runKubectl, tableHeader, tableRows, useApiServer } from './helpers.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const server = useApiServer();
let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'herald-kubectl-builtins-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

async function ok(...args: string[]): Promise<string> {
  const run = await runKubectl(server().kubeconfigPath, home, args, repoRoot);
  expect({ args, stderr: run.stderr, code: run.code }).toEqual({ args, stderr: '', code: 0 });
  return run.stdout;
}

const CRDS = ['bfdprofiles', 'bgpadvertisements', 'bgppeers', 'communities', 'ipaddresspools', 'l2advertisements', 'servicebgpstatuses', 'servicel2statuses'];
const KINDS = ['namespace/herald-system', ...CRDS.map((plural) => `customresourcedefinition.apiextensions.k8s.io/${plural}.herald.dev`),
  'serviceaccount/herald-controller', 'serviceaccount/herald-speaker',
  'role.rbac.authorization.k8s.io/herald-controller', 'role.rbac.authorization.k8s.io/herald-speaker',
  'clusterrole.rbac.authorization.k8s.io/herald-controller', 'clusterrole.rbac.authorization.k8s.io/herald-speaker',
  'rolebinding.rbac.authorization.k8s.io/herald-controller', 'rolebinding.rbac.authorization.k8s.io/herald-speaker',
  'clusterrolebinding.rbac.authorization.k8s.io/herald-controller', 'clusterrolebinding.rbac.authorization.k8s.io/herald-speaker',
  'deployment.apps/herald-controller', 'daemonset.apps/herald-speaker'];

test('apply -k config/default creates everything, a second apply changes nothing', async () => {
  expect(await ok('apply', '-k', 'config/default')).toBe(KINDS.map((k) => `${k} created\n`).join(''));
  expect(await ok('apply', '-k', 'config/default')).toBe(KINDS.map((k) => `${k} unchanged\n`).join(''));
});

test('get deploy prints kube\'s columns; -o wide adds containers, images and the selector', async () => {
  const out = await ok('get', 'deploy', '-n', 'herald-system');
  expect(tableHeader(out)).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
  expect(tableRows(out)).toEqual([expect.objectContaining({ NAME: 'herald-controller', READY: '0/2', 'UP-TO-DATE': '0', AVAILABLE: '0' })]);
  const wide = tableRows(await ok('get', 'deploy', '-n', 'herald-system', '-o', 'wide'))[0];
  expect(wide).toMatchObject({ CONTAINERS: 'controller', IMAGES: 'ghcr.io/herald-lb/herald:v0.1.0',
    SELECTOR: 'app.kubernetes.io/component=controller,app.kubernetes.io/name=herald' });
});

test('a changed Deployment manifest is configured by a strategic merge patch and bumps generation', async () => {
  const original = await readFile(join(repoRoot, 'config/controller/deployment.yaml'), 'utf8');
  const changed = original.replace('herald:v0.1.0', 'herald:v0.2.0').replace(/ {12}- name: POD_NAME\n(?: {14}.*\n)+/, '')
    .replace('name: herald-controller', 'name: herald-controller\n  namespace: herald-system');
  const path = join(home, 'deployment.yaml');
  await writeFile(path, changed);
  expect(await ok('apply', '-f', path)).toBe('deployment.apps/herald-controller configured\n');
  const read = JSON.parse(await ok('get', 'deploy', 'herald-controller', '-n', 'herald-system', '-o', 'json')) as {
    metadata: { generation: number }; spec: { template: { spec: { containers: { image: string; env: { name: string }[] }[] } } };
  };
  expect(read.metadata.generation).toBe(2);
  // The manifest's env list minus POD_NAME, whatever else config/ puts there: the patch deleted one entry.
  const manifest = parse(original) as { spec: { template: { spec: { containers: { env: { name: string }[] }[] } } } };
  const kept = (manifest.spec.template.spec.containers[0]?.env ?? []).map((e) => e.name).filter((n) => n !== 'POD_NAME');
  expect(kept).toContain('POD_NAMESPACE');
  expect(read.spec.template.spec.containers.map((c) => [c.image, c.env.map((e) => e.name)])).toEqual([['ghcr.io/herald-lb/herald:v0.2.0', kept]]);
});

test('get prints kube\'s columns for ServiceAccounts, Roles and bindings', async () => {
  const sa = await ok('get', 'sa', '-n', 'herald-system');
  expect(tableHeader(sa)).toEqual(['NAME', 'AGE']);
  // A real cluster's serviceaccount controller also puts a `default` ServiceAccount in every namespace; the emulator has none.
  expect(tableRows(sa).map((row) => row.NAME)).toContain('herald-controller');
  const role = await ok('get', 'roles', '-n', 'herald-system');
  expect(tableHeader(role)).toEqual(['NAME', 'CREATED AT']);
  expect(tableRows(role)[0]?.['CREATED AT']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const crb = await ok('get', 'clusterrolebinding', 'herald-controller', '-o', 'wide');
  expect(tableHeader(crb)).toEqual(['NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS']);
  expect(tableRows(crb)[0]).toMatchObject({ ROLE: 'ClusterRole/herald-controller', USERS: '', GROUPS: '',
    SERVICEACCOUNTS: 'herald-system/herald-controller' });
  expect(tableHeader(await ok('get', 'rolebinding', '-n', 'herald-system'))).toEqual(['NAME', 'ROLE', 'AGE']);
});

test('a DaemonSet applies and prints DESIRED ... NODE SELECTOR; its hostNetwork template gets no hostPort', async () => {
  const ds = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: speaker, namespace: herald-system}
spec:
  selector: {matchLabels: {app: speaker}}
  template:
    metadata: {labels: {app: speaker}}
    spec:
      hostNetwork: true
      nodeSelector: {kubernetes.io/os: linux}
      containers: [{name: speaker, image: ghcr.io/herald-lb/herald:v0.1.0, ports: [{name: memberlist, containerPort: 7946}]}]
`;
  const path = join(home, 'ds.yaml');
  await writeFile(path, ds);
  expect(await ok('apply', '-f', path)).toBe('daemonset.apps/speaker created\n');
  expect(await ok('apply', '-f', path)).toBe('daemonset.apps/speaker unchanged\n');
  const out = await ok('get', 'ds', 'speaker', '-n', 'herald-system');
  expect(tableHeader(out)).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
  expect(tableRows(out)[0]).toMatchObject({ NAME: 'speaker', DESIRED: '0', READY: '0', 'NODE SELECTOR': 'kubernetes.io/os=linux' });
  // kube copies containerPort to hostPort under hostNetwork for Pods only, never for a pod template.
  expect(await ok('get', 'ds', 'speaker', '-n', 'herald-system', '-o', 'jsonpath={.spec.template.spec.containers[0].ports[0]}'))
    .toBe('{"containerPort":7946,"name":"memberlist","protocol":"TCP"}');
});

test('kubectl create sends protobuf for these kinds, and the server decodes it', async () => {
  expect(await ok('create', 'namespace', 'gen')).toBe('namespace/gen created\n');
  expect(await ok('create', '-n', 'gen', 'configmap', 'conf', '--from-literal=a=1', '--from-literal=b=2')).toBe('configmap/conf created\n');
  expect(await ok('create', '-n', 'gen', 'serviceaccount', 'bot')).toBe('serviceaccount/bot created\n');
  expect(await ok('create', '-n', 'gen', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3', '--port=80'))
    .toBe('deployment.apps/web created\n');
  expect(await ok('create', '-n', 'gen', 'role', 'reader', '--verb=get,list', '--resource=services')).toBe('role.rbac.authorization.k8s.io/reader created\n');
  expect(await ok('create', '-n', 'gen', 'rolebinding', 'reader', '--role=reader', '--serviceaccount=gen:bot', '--user=ann'))
    .toBe('rolebinding.rbac.authorization.k8s.io/reader created\n');
  expect(tableRows(await ok('get', 'cm', 'conf', '-n', 'gen'))[0]).toMatchObject({ NAME: 'conf', DATA: '2' });
  expect(tableRows(await ok('get', 'deploy', 'web', '-n', 'gen', '-o', 'wide'))[0]).toMatchObject({ READY: '0/3', IMAGES: 'nginx:1.27', SELECTOR: 'app=web' });
  expect(tableRows(await ok('get', 'rolebinding', 'reader', '-n', 'gen', '-o', 'wide'))[0]).toMatchObject({ ROLE: 'Role/reader', USERS: 'ann', SERVICEACCOUNTS: 'gen/bot' });
  expect(await ok('get', 'role', 'reader', '-n', 'gen', '-o', 'jsonpath={.rules}')).toBe('[{"apiGroups":[""],"resources":["services"],"verbs":["get","list"]}]');
});
