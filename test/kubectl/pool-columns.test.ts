// `kubectl get ipaddresspools` with the real kubectl, on the emulator and (HERALD_API_BACKEND=real) on a real
// kube-apiserver, the controller running: READY and REASON come from each pool's Ready condition, and ADDRESSES is
// the controller's short summary, so a pool of 1 000 long IPv6 ranges stays one short cell (and its status, whose
// Ready message once went over the API's 32 KiB limit, is written at all).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { kubectlCommand } from '../cluster/backend.js';
import { createPool, repoRoot, startEnv, startTestController, waitFor, type Env } from '../integration/harness.js';
import { kubectlTable } from '../support/kubectl.js';

const run = promisify(execFile);
let env: Env;

beforeAll(async () => {
  env = await startEnv();
}, 90_000);
afterAll(() => env.stop());

async function kubectl(...args: string[]): Promise<string> {
  const { stdout, stderr } = await run(kubectlCommand(), ['--kubeconfig', env.backend.kubeconfigPath, ...args], { cwd: repoRoot, maxBuffer: 16 << 20 });
  expect({ args, stderr }).toEqual({ args, stderr: '' });
  return stdout;
}


/** 1 000 IPv6 ranges, each between two full-form addresses (79 characters). */
const LONG = Array.from({ length: 1000 }, (_, i) => {
  const end = (n: number) => `2001:0db8:0000:0000:0000:0000:${i.toString(16).padStart(4, '0')}:${n.toString(16).padStart(4, '0')}`;
  return `${end(0)}-${end(9)}`;
});

test('READY and REASON from the Ready condition; a 1 000-entry pool\'s ADDRESSES cell is short', async () => {
  await createPool(env, 'good', { addresses: ['192.0.2.0/24', '2001:db8:6::/64'] });
  await createPool(env, 'overlap-a', { addresses: ['198.51.100.0/24'] });
  await createPool(env, 'overlap-b', { addresses: ['198.51.100.128/25'] });
  await createPool(env, 'bad-selector', {
    addresses: ['203.0.113.0/24'], serviceAllocation: { serviceSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'In' }] }] },
  });
  await createPool(env, 'long', { addresses: LONG });
  await startTestController(env);

  const rows = await waitFor('every pool with a READY cell', async () => {
    const all = kubectlTable(await kubectl('get', 'ipaddresspools', '-n', 'herald-system'));
    return all.length === 5 && all.every((r) => r.READY !== '') ? all : undefined;
  }, 60_000);
  expect(Object.keys(rows[0] ?? {})).toEqual(['NAME', 'READY', 'REASON', 'ADDRESSES', 'AUTO ASSIGN', 'ASSIGNED IPV4', 'ASSIGNED IPV6',
    'AVAILABLE IPV4', 'AVAILABLE IPV6', 'AGE']);
  const cells = Object.fromEntries(rows.map((r) => [r.NAME, [r.READY, r.REASON, r.ADDRESSES]]));
  expect(cells).toEqual({
    'bad-selector': ['False', 'InvalidSelector', '203.0.113.0/24'],
    good: ['True', 'Valid', '192.0.2.0/24, 2001:db8:6::/64'],
    long: ['True', 'Valid', `${LONG[0]} +999 more`],
    'overlap-a': ['False', 'OverlapsPool', '198.51.100.0/24'],
    'overlap-b': ['False', 'OverlapsPool', '198.51.100.128/25'],
  });
  const message = await kubectl('get', 'ipaddresspool', 'long', '-n', 'herald-system', '-o', 'jsonpath={.status.conditions[0].message}');
  expect(message).toMatch(/^addresses "2001:0db8:0000:0000:0000:0000:0000:0000-2001:0db8:0000:0000:0000:0000:0000:0009", "[^"]+", "[^"]+" and 997 more are in use$/);
}, 120_000);
