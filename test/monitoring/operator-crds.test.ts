// config/monitoring against the Prometheus Operator's own CRDs on the real kube-apiserver: the PodMonitors and the
// PrometheusRule pass its OpenAPI schemas (server-side dry run, strict field validation), and a misspelt field or a
// bad duration is refused, so the check bites. The CRDs come from the operator's Go module (its
// example/prometheus-operator-crd folder) through `go mod download`, at a pinned version. Real backend only: the
// emulator does not enforce a CRD's schema the way kube-apiserver does.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_BACKEND } from '../cluster/backend.js';
import { findGo, GoMissingError } from '../cluster/build.js';
import { startBareEnv, type Env } from '../integration/harness.js';
import { runKubectl } from '../support/kubectl.js';
import { MONITORING_DIR } from './artifacts.js';

/** The Prometheus Operator release whose CRDs judge the manifests. */
const OPERATOR_MODULE = 'github.com/prometheus-operator/prometheus-operator@v0.85.0';
const CRD_FILES = ['monitoring.coreos.com_podmonitors.yaml', 'monitoring.coreos.com_prometheusrules.yaml'];

/** The operator's CRD files, from its Go module (downloaded once into the Go module cache). */
function operatorCrds(): string[] {
  const go = findGo();
  if (go === undefined) throw new GoMissingError();
  const scratch = mkdtempSync(join(tmpdir(), 'herald-operator-'));
  try {
    // Outside any module, so the download adds nothing to a go.mod.
    const info = JSON.parse(execFileSync(go, ['mod', 'download', '-json', OPERATOR_MODULE], { cwd: scratch, encoding: 'utf8' })) as { Dir?: string; Error?: string };
    if (info.Dir === undefined) throw new Error(`go mod download ${OPERATOR_MODULE}: ${info.Error ?? 'no Dir'}`);
    const dir = info.Dir;
    return CRD_FILES.map((f) => readFileSync(join(dir, 'example/prometheus-operator-crd', f), 'utf8'));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const describeReal = API_BACKEND === 'real' ? describe : describe.skip;

describeReal('config/monitoring on the real kube-apiserver with the Prometheus Operator\'s CRDs', () => {
  let env: Env;
  let home: string;
  const kubectl = (args: string[], stdin?: string) => runKubectl(env.backend.kubeconfigPath, home, args, stdin);

  beforeAll(async () => {
    env = await startBareEnv();
    home = mkdtempSync(join(tmpdir(), 'herald-kubectl-home-'));
    const created = await kubectl(['apply', '-f', '-'], operatorCrds().join('\n---\n'));
    expect(created.stderr).toBe('');
    const established = await kubectl(['wait', '--for=condition=Established', '--timeout=60s',
      'crd/podmonitors.monitoring.coreos.com', 'crd/prometheusrules.monitoring.coreos.com']);
    expect(established.code).toBe(0);
    expect((await kubectl(['create', 'namespace', 'herald-system'])).code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await env?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test('kubectl apply -k config/monitoring --dry-run=server: every object accepted', async () => {
    const run = await kubectl(['apply', '-k', MONITORING_DIR, '--dry-run=server', '--validate=strict']);
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n').filter((l) => l !== '').sort()).toEqual([
      'configmap/herald-grafana-dashboard created (server dry run)',
      'podmonitor.monitoring.coreos.com/herald-controller created (server dry run)',
      'podmonitor.monitoring.coreos.com/herald-speaker created (server dry run)',
      'prometheusrule.monitoring.coreos.com/herald created (server dry run)',
    ]);
  });

  test.each([
    ['a misspelt PodMonitor field', 'PodMonitor', 'spec:\n  selector: {}\n  podMetricEndpoints: [{port: monitoring}]\n', /unknown field "spec.podMetricEndpoints"/],
    ['a rule duration Prometheus cannot read', 'PrometheusRule',
      'spec:\n  groups: [{name: g, rules: [{alert: A, expr: up == 0, for: 5 minutes}]}]\n', /spec\.groups\[0\]\.rules\[0\]\.for/],
  ])('the schemas bite: %s is refused', async (_what, kind, spec, error) => {
    const doc = `apiVersion: monitoring.coreos.com/v1\nkind: ${kind}\nmetadata: {name: broken, namespace: herald-system}\n${spec}`;
    const run = await kubectl(['apply', '-f', '-', '--dry-run=server', '--validate=strict'], doc);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(error);
  });
});
