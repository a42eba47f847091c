// Two controller processes with leader election on the herald-controller Lease: only one leads; when it
// is killed (SIGKILL, no release) the other takes over once the lease expires; when it stops gracefully
// (SIGTERM releases the lease) the other takes over at once. Short lease timings keep the test quick;
// `npm run bench` measures takeover with the default timings.
import { CoordinationV1Api } from '@kubernetes/client-node';
import { createPool, createService, startEnv, waitForIPs, type Env } from './harness.js';
import { becameLeader, startControllerProcess, type ControllerProcess } from './processes.js';

const TIMINGS = ['--lease-duration', '2s', '--renew-deadline', '1500ms', '--retry-period', '500ms'];
let env: Env;
const procs: ControllerProcess[] = [];

beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await env.stop();
});

function start(identity: string): ControllerProcess {
  const p = startControllerProcess(identity, env.controllerUser.kubeconfigPath, TIMINGS);
  procs.push(p);
  return p;
}

async function holder(): Promise<string | undefined> {
  const lease = await env.kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: 'herald-controller', namespace: 'herald-system' });
  return lease.spec?.holderIdentity;
}

test('kill the leader: the follower takes over and serves new Services; a graceful stop hands over at once', async () => {
  await createPool(env, 'p', { addresses: ['192.0.2.0/28'] });
  const a = start('replica-a');
  await a.waitForLog(becameLeader, 20_000, 'became leader');
  const b = start('replica-b');
  await b.waitForLog((l) => l.msg === 'controller started', 20_000, 'controller started');
  expect(await holder()).toBe('replica-a');
  await createService(env, 'apps', 'before');
  expect(await waitForIPs(env, 'apps', 'before')).toEqual(['192.0.2.0']);
  expect(b.lines.some(becameLeader)).toBe(false);

  const killedAt = Date.now();
  a.kill('SIGKILL');
  const tookOver = await b.waitForLog(becameLeader, 10_000, 'became leader');
  const killTakeoverMs = tookOver.time - killedAt;
  // It cannot be sooner than the lease allows minus one renewal period, nor much later than its expiry.
  expect(killTakeoverMs).toBeGreaterThan(2000 - 500 - 100);
  expect(killTakeoverMs).toBeLessThan(2000 + 1000);
  await createService(env, 'apps', 'after-kill');
  expect(await waitForIPs(env, 'apps', 'after-kill')).toEqual(['192.0.2.1']);

  const c = start('replica-c');
  await c.waitForLog((l) => l.msg === 'controller started', 20_000, 'controller started');
  const stoppedAt = Date.now();
  b.kill('SIGTERM');
  const handedOver = await c.waitForLog(becameLeader, 5_000, 'became leader');
  const releaseTakeoverMs = handedOver.time - stoppedAt;
  expect(await b.exited).toBe(0);
  expect(releaseTakeoverMs).toBeLessThan(500);
  await createService(env, 'apps', 'after-release');
  expect(await waitForIPs(env, 'apps', 'after-release')).toEqual(['192.0.2.2']);
  expect(await waitForIPs(env, 'apps', 'before')).toEqual(['192.0.2.0']);
  console.log(`leader takeover with lease 2s/1.5s/0.5s: after SIGKILL ${killTakeoverMs} ms, after graceful release ${releaseTakeoverMs} ms`);
}, 60_000);
