// The speakers' heartbeat key Secret (herald-memberlist), against the API backend with the real controller: the
// leader, and only the leader, creates it when it is missing, at the start of its term and again whenever it is
// deleted; it never rewrites one that exists (a user's own key, or a rotation in progress); what it writes is a key
// the speakers accept (parseHeartbeatKeys). Emulator-only faults pin the error paths: a 409 AlreadyExists is success,
// a 500 is logged with the server's reason and retried.
import type { V1Secret } from '@kubernetes/client-node';
import { CoordinationV1Api, HttpMethod } from '@kubernetes/client-node';
import { apiJson } from '../../lib/kube/request.js';
import { HERALD_NAMESPACE } from '../../crds/v1beta1/index.js';
import { GENERATED_KEY_BYTES, HEARTBEAT_SECRET_KEY, HEARTBEAT_SECRET_NAME } from '../../lib/heartbeat-secret.js';
import { LEASE_NAME } from '../../controller/driver/app.js';
import { parseHeartbeatKeys } from '../../speaker/membership/keys.js';
import { itEmulatorOnly } from '../cluster/backend.js';
import { capturedLog } from '../support/captured-log.js';
import { emulatorOf, startEnv, startTestController, waitFor, type Env } from './harness.js';

const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 200 };

let env: Env;
beforeEach(async () => {
  env = await startEnv();
});
afterEach(() => env.stop());

const ref = { namespace: HERALD_NAMESPACE, name: HEARTBEAT_SECRET_NAME };

async function readSecret(): Promise<V1Secret | undefined> {
  return env.core.readNamespacedSecret(ref).catch((err: unknown) => {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  });
}

const waitForSecret = (what = 'the heartbeat key Secret') => waitFor(what, readSecret);

/** The key text the Secret holds (its data is base64 on the wire). */
function keyText(secret: V1Secret): string {
  const data = secret.data?.[HEARTBEAT_SECRET_KEY];
  if (data === undefined) throw new Error(`Secret ${HEARTBEAT_SECRET_NAME} has no "${HEARTBEAT_SECRET_KEY}" key`);
  return Buffer.from(data, 'base64').toString('utf8');
}

test('created when missing: an Opaque Secret with one line of 32 random bytes that the speakers parse', async () => {
  expect(await readSecret()).toBeUndefined();
  const log = capturedLog('info');
  await startTestController(env, { logger: log.logger });
  const secret = await waitForSecret();
  expect(secret.type).toBe('Opaque');
  expect(Object.keys(secret.data ?? {})).toEqual([HEARTBEAT_SECRET_KEY]);
  const text = keyText(secret);
  expect(text).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
  expect(Buffer.from(text.trim(), 'base64')).toHaveLength(GENERATED_KEY_BYTES);
  const keys = parseHeartbeatKeys(Buffer.from(secret.data?.[HEARTBEAT_SECRET_KEY] ?? '', 'base64'), 'the Secret');
  expect(keys.map((k) => k.toString('utf8'))).toEqual([text.trim()]);
  // The controller logs once its create call returns, which can be after the Secret is readable: wait for the line.
  const secretLines = () => log.lines.filter((l) => l.msg.includes('heartbeat key Secret'));
  await waitFor('the controller to log the creation', async () => secretLines().length > 0);
  expect(secretLines()).toEqual([
    expect.objectContaining({ level: 30, object: `Secret ${HERALD_NAMESPACE}/${HEARTBEAT_SECRET_NAME}` }),
  ]);
});

test('created again, with a new key, each time it is deleted', async () => {
  await startTestController(env);
  const seen: string[] = [];
  for (let round = 0; round < 3; round++) {
    const secret = await waitForSecret(`the Secret, round ${round}`);
    expect(seen).not.toContain(secret.metadata?.uid);
    seen.push(secret.metadata?.uid ?? '', keyText(secret));
    await env.core.deleteNamespacedSecret(ref);
  }
  const last = await waitForSecret('the Secret after the third deletion');
  expect(seen).not.toContain(keyText(last));
});

test('never overwritten: a user\'s own keys (a rotation in progress) stay, through restarts and edits', async () => {
  const userKeys = 'new-signing-key-0123456789abcdef\nold-key-still-accepted-0123456789\n';
  const data = { [HEARTBEAT_SECRET_KEY]: Buffer.from(userKeys).toString('base64') };
  await env.core.createNamespacedSecret({ namespace: HERALD_NAMESPACE, body: { metadata: { name: HEARTBEAT_SECRET_NAME }, data } });
  const first = await startTestController(env, { identity: 'first' });
  await waitFor('the controller to lead and sync', async () => first.isLeader() && first.driver.notReadyReason() === undefined);
  // The user finishes the rotation: one line left. A new leader (a restart) must keep that too.
  const rotated = { [HEARTBEAT_SECRET_KEY]: Buffer.from('new-signing-key-0123456789abcdef\n').toString('base64') };
  await env.core.replaceNamespacedSecret({ ...ref, body: { metadata: { name: HEARTBEAT_SECRET_NAME }, data: rotated } });
  await first.stop();
  const second = await startTestController(env, { identity: 'second' });
  await waitFor('the restarted controller to lead and sync', async () => second.isLeader() && second.driver.notReadyReason() === undefined);
  // Its term has begun; a create it sent would have met the Secret (a 409) and left it alone either way.
  await new Promise((r) => setTimeout(r, 500));
  expect((await readSecret())?.data).toEqual(rotated);
});

test('only the leader creates it: a follower that sees it deleted waits, and creates it once it leads', async () => {
  const coordination = env.kc.makeApiClient(CoordinationV1Api);
  // Plain JSON: a Lease's times are MicroTime (six decimals), which client-node's serializer does not write.
  const now = new Date().toISOString().replace('Z', '000Z');
  await apiJson(env.kc, { method: HttpMethod.POST, path: `/apis/coordination.k8s.io/v1/namespaces/${HERALD_NAMESPACE}/leases`, body: {
    metadata: { name: LEASE_NAME }, spec: { holderIdentity: 'someone-else', leaseDurationSeconds: 3600, acquireTime: now, renewTime: now },
  } });
  await env.core.createNamespacedSecret({ namespace: HERALD_NAMESPACE, body: { metadata: { name: HEARTBEAT_SECRET_NAME }, data: { [HEARTBEAT_SECRET_KEY]: 'a2V5' } } });
  const follower = await startTestController(env, { identity: 'follower', leaderElect: true, timings });
  await waitFor('the follower to sync', async () => follower.driver.notReadyReason() === undefined);
  // Every replica watches the Secret; a deletion seen by a follower must still leave the creating to the leader.
  await env.core.deleteNamespacedSecret(ref);
  await new Promise((r) => setTimeout(r, 5 * timings.retryPeriodMs));
  expect(follower.isLeader()).toBe(false);
  expect(await readSecret()).toBeUndefined();
  await coordination.deleteNamespacedLease({ namespace: HERALD_NAMESPACE, name: LEASE_NAME });
  await waitFor('the follower to lead', async () => follower.isLeader());
  await waitForSecret();
});

itEmulatorOnly('a 409 AlreadyExists is success: no retry, no warning', async () => {
  emulatorOf(env).faults.failNext({ verb: 'create', resource: 'secrets', code: 409 });
  const log = capturedLog('debug');
  const controller = await startTestController(env, { logger: log.logger });
  await waitFor('the injected 409', async () => emulatorOf(env).faults.injected === 1);
  await waitFor('the controller to sync', async () => controller.driver.notReadyReason() === undefined);
  await new Promise((r) => setTimeout(r, 1000)); // the first retry would come after 100 ms
  expect(await readSecret()).toBeUndefined(); // the server said it exists: the controller took its word
  expect(log.lines.filter((l) => l.level >= 40)).toEqual([]);
});

itEmulatorOnly('a failed create is logged with the server\'s reason and retried until it succeeds', async () => {
  emulatorOf(env).faults.failNext({ verb: 'create', resource: 'secrets', code: 500, count: 2 });
  const log = capturedLog('info');
  await startTestController(env, { logger: log.logger });
  await waitForSecret();
  const warnings = log.lines.filter((l) => l.level === 40 && l.object === `Secret ${HERALD_NAMESPACE}/${HEARTBEAT_SECRET_NAME}`);
  expect(warnings).toHaveLength(2);
  expect(warnings[0]).toMatchObject({ code: 500, reason: 'InternalError', err: expect.stringContaining('injected fault (create secrets)') });
  expect(warnings.map((w) => w.retryInMs)).toEqual([100, 200]);
});
