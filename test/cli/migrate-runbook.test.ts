// The cut-over runbook of docs/migrate-from-metallb.md, step by step, on the backend HERALD_API_BACKEND names (the
// real control plane in CI): a cluster MetalLB served (its objects, as custom resources or as the legacy ConfigMap,
// and Services holding the IPs it assigned) → Herald's CRDs → `kubectl herald migrate-from-metallb | kubectl apply
// -f -` (the real kubectl, the plugin through its plugin mechanism, reading MetalLB's objects from the cluster) →
// Herald's controller starts → no Service's IP changed, the pools count them, and a new Service gets a free IP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObjects, controllerRbacObjects } from '../integration/controller-identity.js';
import {
  createService, getPool, repoRoot, runControllerAsServiceAccount, startBareEnv, startTestController, waitFor, waitForCrdsEstablished, waitForIPs, type Env,
} from '../integration/harness.js';
import { runKubectl, runKubectlPlugin } from '../support/kubectl.js';
import { APPS, ASSIGNED_IPV4, createMetalLBServices, installMetalLBConfig, METALLB_SERVICES, serviceIPs } from './migrate-cluster.js';

const inPool: Readonly<Record<string, (ip: string) => boolean>> = {
  lan: (ip) => /^192\.0\.2\.(\d|1[0-5]|3[2-9])$/.test(ip),
  routed: (ip) => /^203\.0\.113\.(\d|1[0-5])$/.test(ip),
};

describe.each(['crs', 'configmap'] as const)('cut-over from MetalLB configured by %s', (form) => {
  let env: Env;
  let home: string;

  beforeAll(async () => {
    env = await startBareEnv();
    home = mkdtempSync(join(tmpdir(), 'herald-migrate-home-'));
    await installMetalLBConfig(env, home, form);
    await createMetalLBServices(env);
  }, 300_000);

  afterAll(async () => {
    await env.stop();
    rmSync(home, { recursive: true, force: true });
  });

  test('migrate | kubectl apply, start Herald: every IP stays, the pools count them, a new Service gets a free one', async () => {
    const before = await serviceIPs(env);
    expect(before).toEqual(Object.fromEntries(METALLB_SERVICES.map((s) => [s.name, [s.ip]])));

    const elsewhere = await runKubectlPlugin(env.backend.kubeconfigPath, home, ['migrate-from-metallb', '--metallb-namespace', 'default']);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain('error: no MetalLB configuration in namespace "default"');

    // Step 1: Herald's CRDs and namespace, with the real kubectl as the runbook says.
    for (const args of [['apply', '-k', join(repoRoot, 'crds')], ['apply', '-f', join(repoRoot, 'config/default/namespace.yaml')]]) {
      expect(await runKubectl(env.backend.kubeconfigPath, home, args)).toMatchObject({ code: 0 });
    }
    await waitForCrdsEstablished(env);

    // Steps 2 and 3.
    const migrated = await runKubectlPlugin(env.backend.kubeconfigPath, home, ['migrate-from-metallb']);
    expect(migrated.stderr).not.toContain('problem:');
    expect(migrated.code === 0 ? 'exit 0' : migrated.stderr).toBe('exit 0');
    const applied = await runKubectl(env.backend.kubeconfigPath, home, ['apply', '-f', '-'], migrated.stdout);
    expect(applied).toMatchObject({ code: 0 });
    expect(applied.stdout).toContain('ipaddresspool.herald.dev/lan created');

    // Step 5, the controller: on the real backend as its ServiceAccount, with config/rbac's grants.
    if (env.backend.name === 'real') {
      await createObjects(env.kc, controllerRbacObjects());
      await runControllerAsServiceAccount(env);
    }
    await startTestController(env);

    // Step 6.
    for (const [pool, assigned] of Object.entries(ASSIGNED_IPV4)) {
      await waitFor(`pool ${pool} counts ${assigned} assigned`, async () => (await getPool(env, pool)).status?.assignedIPv4 === assigned);
    }
    expect(await serviceIPs(env)).toEqual(before);

    await createService(env, APPS, 'new');
    const [fresh = ''] = await waitForIPs(env, APPS, 'new');
    expect(Object.values(before).flat()).not.toContain(fresh);
    expect(inPool.lan?.(fresh) || inPool.routed?.(fresh)).toBe(true);
    expect(await serviceIPs(env)).toEqual({ ...before, new: [fresh] });
  }, 120_000);
});
