// What a user sees of a Service Herald decided for, read with the real kubectl, on the emulator and
// (HERALD_API_BACKEND=real) on a real kube-apiserver, which validates the condition as metav1.Condition:
//  - the herald.dev/AddressAssigned condition: True with the IP and pool, False with why there is none, True with the
//    problem while an IP is kept; merged by type, so another controller's condition on the same Service stays;
//  - one info line per decision in the controller's log, not one per retry.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { kubectlCommand } from '../cluster/backend.js';
import { ADDRESS_CONDITION } from '../../controller/core-api.js';
import { createPool, createService, readService, repoRoot, startEnv, startTestController, waitFor, waitForIPs, type Env } from '../integration/harness.js';

const run = promisify(execFile);
const ns = 'apps';
let env: Env;
beforeEach(async () => {
  env = await startEnv();
});
afterEach(() => env.stop());

async function kubectl(...args: string[]): Promise<string> {
  const { stdout, stderr } = await run(kubectlCommand(), ['--kubeconfig', env.backend.kubeconfigPath, ...args], { cwd: repoRoot });
  expect({ args, stderr }).toEqual({ args, stderr: '' });
  return stdout;
}

/** Herald's condition on a Service as kubectl prints it: status, reason, message. */
async function condition(name: string): Promise<string[]> {
  const path = `{range .status.conditions[?(@.type=="${ADDRESS_CONDITION}")]}{.status}{"\\t"}{.reason}{"\\t"}{.message}{end}`;
  const text = await kubectl('get', 'service', name, '-n', ns, '-o', `jsonpath=${path}`);
  return text === '' ? [] : text.split('\t');
}

const waitForCondition = (name: string, status: string, reason: string) => waitFor(`${name}: ${status} ${reason}`, async () => {
  const c = await condition(name);
  return c[0] === status && c[1] === reason ? c : undefined;
});

interface LogLine { level: number; msg: string; decision?: string; service?: string; ips?: string[]; why?: string }

test('the condition says why a Service has no IP, and that one keeps its IP despite a typo; others\' conditions stay', async () => {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line) as LogLine); } });
  await createPool(env, 'production', { addresses: ['192.0.2.10'] });
  await startTestController(env, { logger });

  await createService(env, ns, 'web');
  expect(await waitForIPs(env, ns, 'web')).toEqual(['192.0.2.10']);
  expect(await waitForCondition('web', 'True', 'Assigned')).toEqual(['True', 'Assigned', '"192.0.2.10" from pool "production"']);

  await createService(env, ns, 'api');
  const [, , why] = await waitForCondition('api', 'False', 'AllocationFailed');
  expect(why).toMatch(/pools tried: "production"/);

  // Another controller's condition on api (a status writer of its own): Herald's writes never remove it.
  const theirs = { type: 'example.com/Probed', status: 'True', reason: 'Reachable', message: 'probe ok', lastTransitionTime: '2026-01-01T00:00:00Z' };
  await kubectl('patch', 'service', 'api', '-n', ns, '--subresource=status', '--type=strategic', '-p', JSON.stringify({ status: { conditions: [theirs] } }));
  await kubectl('annotate', 'service', 'web', '-n', ns, 'herald.dev/address-pool=porduction');
  const [, , kept] = await waitForCondition('web', 'True', 'RequestNotMet');
  expect(kept).toMatch(/^pool "porduction" does not exist or is not usable .*; keeping "192\.0\.2\.10" from pool "production"$/);
  expect(await waitForIPs(env, ns, 'web')).toEqual(['192.0.2.10']);

  // api stops being a LoadBalancer: Herald's condition goes, the other controller's stays.
  await kubectl('patch', 'service', 'api', '-n', ns, '--type=merge', '-p', '{"spec":{"type":"ClusterIP"}}');
  await waitFor('api without Herald\'s condition', async () => (await condition('api')).length === 0);
  expect((await readService(env, ns, 'api'))?.status?.conditions?.map((c) => c.type)).toEqual(['example.com/Probed']);

  // The log: one line per decision. api waited (and was retried) for one reason: one pending line.
  const decisions = lines.filter((l) => l.decision !== undefined && l.level === 30).map((l) => [l.decision, l.service]);
  expect(decisions).toEqual([['allocated', 'apps/web'], ['pending', 'apps/api'], ['kept', 'apps/web']]);
  expect(lines.find((l) => l.decision === 'allocated')?.msg).toBe('allocated 192.0.2.10 to apps/web from pool "production"');
  expect(lines.find((l) => l.decision === 'pending')?.why).toBe(why);
  expect(lines.some((l) => l.msg === 'pool "production" is ready: addresses "192.0.2.10" are in use' && l.level === 30)).toBe(true);
}, 60_000);
