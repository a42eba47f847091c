// Pod Security: herald-system is labelled for what the speaker needs (privileged: host network, NET_RAW), and the
// controller needs none of it. kube-apiserver's PodSecurity admission warns, at `kubectl apply`, about a Deployment
// whose pods a namespace's `warn` level would refuse: the controller's Deployment applied to a namespace that warns
// at "restricted" draws no warning. The emulator has no PodSecurity admission (it never warns); the real backend
// judges, and a Deployment on the host network shows that it does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { onRealBackend, startApiBackend, type ApiBackend } from '../cluster/backend.js';
import { runKubectl, type KubectlRun } from '../support/kubectl.js';



let backend: ApiBackend;
let home: string;

const kubectl = (args: string[], stdin?: string): Promise<KubectlRun> => runKubectl(backend.kubeconfigPath, home, args, stdin);

type Deployment = { kind: string; metadata: { name: string }; spec: { template: { spec: Record<string, unknown> } } };

/** The controller's Deployment as config/controller renders it. */
async function controllerDeployment(): Promise<Deployment> {
  const rendered = await kubectl(['kustomize', 'config/controller']);
  const found = parseAllDocuments(rendered.stdout).map((d) => d.toJS() as Deployment).find((d) => d.kind === 'Deployment');
  if (!found) throw new Error(`config/controller renders no Deployment:\n${rendered.stderr}`);
  return found;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'herald-pod-security-home-'));
  backend = await startApiBackend();
  const ns = stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'strict', labels: { 'pod-security.kubernetes.io/warn': 'restricted' } } });
  const created = await kubectl(['apply', '-f', '-'], ns);
  if (created.code !== 0) throw new Error(`creating namespace strict: ${created.stderr}`);
}, 90_000);

afterAll(async () => {
  await backend?.stop();
  rmSync(home, { recursive: true, force: true });
}, 30_000);

test('the controller\'s Deployment meets the "restricted" profile: no warning where it is the warn level', async () => {
  const run = await kubectl(['apply', '-n', 'strict', '-f', '-'], stringify(await controllerDeployment()));
  expect(run).toEqual({ code: 0, stdout: 'deployment.apps/herald-controller created\n', stderr: '' });
});

(onRealBackend ? test : test.skip)('a pod on the host network draws the warning there (the check bites)', async () => {
  const deployment = await controllerDeployment();
  deployment.metadata.name = 'on-host';
  deployment.spec.template.spec.hostNetwork = true;
  const run = await kubectl(['apply', '-n', 'strict', '-f', '-'], stringify(deployment));
  expect(run.code).toBe(0);
  expect(run.stderr).toMatch(/^Warning: would violate PodSecurity "restricted:latest": host namespaces \(hostNetwork=true\)/);
});
