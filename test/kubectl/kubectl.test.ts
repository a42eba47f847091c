// The real kubectl (the release built with the control plane) against the API backend with the controller
// running: the user's path from `kubectl apply -k config/default` and `kubectl apply -f config/samples/` to an
// EXTERNAL-IP. Nothing is installed beforehand; on the real backend the controller then runs as the
// ServiceAccount config/default created, with the roles it bound.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  repoRoot, runControllerAsServiceAccount, startBareEnv, startTestController, waitFor, waitForCrdsEstablished, type Env,
} from '../integration/harness.js';
import { kubectlCommand } from '../cluster/backend.js';
import { kubectlTable } from '../support/kubectl.js';

const run = promisify(execFile);
let env: Env;

beforeAll(async () => {
  env = await startBareEnv();
}, 90_000);
afterAll(() => env.stop());

/** Runs kubectl and fails on any warning or error it prints (a non-zero exit rejects). */
async function kubectl(...args: string[]): Promise<string> {
  const { stdout, stderr } = await run(kubectlCommand(), ['--kubeconfig', env.backend.kubeconfigPath, ...args], { cwd: repoRoot });
  expect({ args, stderr }).toEqual({ args, stderr: '' });
  return stdout;
}

/** The objects a `kubectl apply` output line names, with what happened to each. */
const applied = (out: string): string[] => out.trim().split('\n');


const hasSamples = existsSync(join(repoRoot, 'config/default/kustomization.yaml')) && existsSync(join(repoRoot, 'config/samples'));

(hasSamples ? test : test.skip)('apply -k config/default, apply -f config/samples/: EXTERNAL-IP, pool columns and status, IPAllocated in describe', async () => {
  expect(applied(await kubectl('apply', '-k', 'config/default'))).toEqual(expect.arrayContaining([
    'namespace/herald-system created', 'customresourcedefinition.apiextensions.k8s.io/ipaddresspools.herald.dev created',
    'deployment.apps/herald-controller created', 'clusterrolebinding.rbac.authorization.k8s.io/herald-controller created']));
  expect(applied(await kubectl('apply', '-k', 'config/default')).every((l) => l.endsWith(' unchanged'))).toBe(true);
  await waitForCrdsEstablished(env);
  await runControllerAsServiceAccount(env);
  await startTestController(env);
  const created = applied(await kubectl('apply', '-f', 'config/samples/'));
  expect(created).toEqual(expect.arrayContaining(['namespace/team-a created', 'ipaddresspool.herald.dev/ipv4 created', 'service/web created']));
  expect(created.every((l) => l.endsWith(' created'))).toBe(true);
  // A re-apply must be accepted too (kubectl's last-applied merge against what the controller wrote): the
  // controller writes only status and its own annotation, so nothing the samples set has changed.
  expect(applied(await kubectl('apply', '-f', 'config/samples/')).every((l) => l.endsWith(' unchanged'))).toBe(true);

  const services = await waitFor('every sample LoadBalancer Service to show an EXTERNAL-IP', async () => {
    const rows = kubectlTable(await kubectl('get', 'svc', '-A')).filter((r) => r.TYPE === 'LoadBalancer');
    return rows.length > 0 && rows.every((r) => /^[0-9a-f:.]+(,[0-9a-f:.]+)*$/.test(r['EXTERNAL-IP'] ?? '')) ? rows : undefined;
  }, 30_000);

  const pools = await waitFor('pool columns with counts', async () => {
    const rows = kubectlTable(await kubectl('get', 'ipaddresspools', '-n', 'herald-system'));
    return rows.length > 0 && rows.some((r) => Object.entries(r).some(([k, v]) => /ASSIGNED/i.test(k) && /^[1-9]/.test(v))) ? rows : undefined;
  }, 30_000);
  expect(Object.keys(pools[0] ?? {})).toEqual(expect.arrayContaining(['NAME']));
  const pool = await waitFor('the ipv4 pool\'s counts in kubectl describe', async () => {
    const text = await kubectl('describe', 'ipaddresspool', '-n', 'herald-system', 'ipv4');
    return /assignedIPv4:\s+[1-9]/.test(text) ? text : undefined;
  }, 30_000);
  expect(pool).toMatch(/Reason:\s+Valid\s+Status:\s+True\s+Type:\s+Ready/);

  const first = services[0];
  const describe = await waitFor('IPAllocated in kubectl describe', async () => {
    const text = await kubectl('describe', 'svc', '-n', first?.NAMESPACE ?? '', first?.NAME ?? '');
    return text.includes('IPAllocated') ? text : undefined;
  }, 30_000);
  expect(describe).toContain(first?.['EXTERNAL-IP']?.split(',')[0]);
  expect(describe).toMatch(/LoadBalancer Ingress:\s+\S+/);
}, 120_000);
