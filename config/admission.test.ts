// config/install.yaml as the real kube-apiserver judges it (HERALD_API_BACKEND=real; skipped on the emulator, which has
// no Pod Security or Priority admission): every object passes a server-side dry run with no warning, and a pod made
// from the speaker DaemonSet's template is admitted in herald-system: its Pod Security level ("privileged") allows the
// host network and NET_RAW, and the system-node-critical priority class is allowed outside kube-system. Negative
// control: the same pod in a namespace enforcing "baseline" is refused, naming what it breaks.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { onRealBackend, startApiBackend, type ApiBackend } from '../test/cluster/backend.js';
import { runKubectl, type KubectlRun } from '../test/support/kubectl.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const describeRealOnly = onRealBackend ? describe : describe.skip;

type Obj = { kind: string; metadata: { name: string; namespace?: string }; spec?: { template?: { metadata: unknown; spec: unknown } } };

let backend: ApiBackend;
let home: string;

const kubectl = (args: string[], stdin?: string): Promise<KubectlRun> => runKubectl(backend.kubeconfigPath, home, args, stdin);

const install = parseAllDocuments(readFileSync(join(repoRoot, 'config/install.yaml'), 'utf8')).map((d) => d.toJS() as Obj);

function installed(kind: string, name: string): Obj {
  const found = install.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`config/install.yaml has no ${kind} "${name}"`);
  return found;
}

/** A Pod as the DaemonSet controller would make it from the speaker's template (no node: nothing is scheduled). */
function speakerPod(namespace: string): string {
  const template = installed('DaemonSet', 'herald-speaker').spec?.template;
  if (!template) throw new Error('the speaker DaemonSet has no pod template');
  return stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { ...(template.metadata as object), name: 'herald-speaker-probe', namespace }, spec: template.spec });
}

describeRealOnly('config/install.yaml on kube-apiserver', () => {
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'herald-admission-home-'));
    backend = await startApiBackend();
    // A dry run creates nothing, so the namespaced objects need their namespace for real first.
    const ns = await kubectl(['apply', '-f', '-'], stringify(installed('Namespace', 'herald-system')));
    if (ns.code !== 0) throw new Error(`creating herald-system: ${ns.stderr}`);
  }, 120_000);

  afterAll(async () => {
    await backend?.stop();
    rmSync(home, { recursive: true, force: true });
  }, 30_000);

  test('every object passes a server-side dry run, without a warning', async () => {
    const run = await kubectl(['apply', '--dry-run=server', '-f', 'config/install.yaml']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toContain('daemonset.apps/herald-speaker created (server dry run)');
    expect(run.stdout.trim().split('\n')).toHaveLength(install.length);
  });

  test('a speaker pod is admitted in herald-system, at system-node-critical priority', async () => {
    // The ServiceAccount admission plugin wants the pod's ServiceAccount to exist.
    const sa = await kubectl(['apply', '-f', '-'], stringify(installed('ServiceAccount', 'herald-speaker')));
    expect(sa.code).toBe(0);
    const run = await kubectl(['create', '--dry-run=server', '-o', 'json', '-f', '-'], speakerPod('herald-system'));
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const pod = JSON.parse(run.stdout) as { spec: { priorityClassName: string; priority: number } };
    // The Priority admission plugin resolved the class (it refuses an unknown or forbidden one).
    expect(pod.spec).toMatchObject({ priorityClassName: 'system-node-critical', priority: 2_000_001_000 });
  });

  test('negative control: a namespace enforcing "baseline" refuses the same pod, naming the host network and NET_RAW', async () => {
    const ns = stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'baseline', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } });
    expect((await kubectl(['apply', '-f', '-'], ns)).code).toBe(0);
    const sa = await kubectl(['create', 'serviceaccount', 'herald-speaker', '-n', 'baseline']);
    expect(sa.code).toBe(0);
    const run = await kubectl(['create', '--dry-run=server', '-f', '-'], speakerPod('baseline'));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/violates PodSecurity "baseline:latest": .*host namespaces \(hostNetwork=true\)/);
    expect(run.stderr).toMatch(/non-default capabilities \(container "speaker" must not include "NET_RAW"/);
  });
});
