// The control-plane pool (pool.ts, pool-daemon.ts), on the real-backend pass: each test starts a pool of its own.
// Judged by kube-apiserver (what each handed-out control plane holds) and the kernel's process table (what runs
// after a release, a shutdown, or the parent going away).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { isAlive, sleep, startTimeOf, type ProcRecord } from '../support/process-records.js';
import { onRealBackend } from './backend.js';
import { binariesCurrent } from './build.js';
import { controlPlaneStatus, type ControlPlane } from './controlplane.js';
import { POOL_ENV, takeControlPlane } from './pool-client.js';
import { startPoolProcess, stopPoolProcess, type PoolProcess } from './pool-process.js';

const describeReal = onRealBackend && binariesCurrent() ? describe : describe.skip;

function coreOf(cp: ControlPlane): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  return kc.makeApiClient(CoreV1Api);
}

const CONTROL_PLANE_COMMANDS = ['etcd', 'kube-apiserver', 'kube-controller-manager'];

/**
 * The control-plane processes whose parent is `pid`, from /proc (with their start times, so a reused PID is not
 * mistaken); the openssl runs that make a control plane's certificates are not counted.
 */
function childrenOf(pid: number): Pick<ProcRecord, 'pid' | 'startTime'>[] {
  const children: Pick<ProcRecord, 'pid' | 'startTime'>[] = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    let stat: string;
    try { stat = readFileSync(`/proc/${entry}/stat`, 'utf8'); } catch { continue; }
    const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTime = startTimeOf(Number(entry));
    if (Number(fields[1]) === pid && CONTROL_PLANE_COMMANDS.some((c) => c.startsWith(command)) && startTime) {
      children.push({ pid: Number(entry), startTime });
    }
  }
  return children;
}

async function until(what: string, done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Waits until the pool runs `count` processes (control planes of 3: etcd, kube-apiserver, kube-controller-manager). */
async function poolRuns(pool: PoolProcess, count: number): Promise<Pick<ProcRecord, 'pid' | 'startTime'>[]> {
  const pid = pool.child.pid ?? 0;
  await until(`the pool (pid ${pid}) to run ${count} processes`, () => childrenOf(pid).length >= count);
  return childrenOf(pid);
}

function exitOf(pool: PoolProcess): Promise<number | null> {
  if (pool.child.exitCode !== null) return Promise.resolve(pool.child.exitCode);
  return new Promise((resolve) => pool.child.once('exit', (code) => resolve(code)));
}

describeReal('the control-plane pool', () => {
  test('every take is a fresh control plane of its own, and a release stops it: its processes end, its folder goes', async () => {
    const pool = await startPoolProcess(1);
    try {
      const first = await takeControlPlane(pool.socketPath);
      await coreOf(first).createNamespace({ body: { metadata: { name: 'made-in-first' } } });
      const second = await takeControlPlane(pool.socketPath);
      expect(second.url).not.toBe(first.url);
      expect(second.dir).not.toBe(first.dir);
      const firstProcesses = controlPlaneStatus(first.dir)?.processes ?? [];
      const secondPids = controlPlaneStatus(second.dir)?.processes.map((p) => p.pid) ?? [];
      expect(firstProcesses.map((p) => p.role).sort()).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager']);
      expect(secondPids.filter((pid) => firstProcesses.some((p) => p.pid === pid))).toEqual([]);
      await expect(coreOf(second).readNamespace({ name: 'made-in-first' })).rejects.toMatchObject({ code: 404 });
      const names = (await coreOf(second).listNamespace()).items.map((ns) => ns.metadata?.name ?? '');
      expect(names.filter((name) => !['default', 'kube-node-lease', 'kube-public', 'kube-system'].includes(name))).toEqual([]);

      await first.stop();
      await until(`${first.dir}'s processes to end`, () => firstProcesses.every((p) => !isAlive(p)) && !existsSync(first.dir));
      await expect(first.stop()).rejects.toThrow(/not a control plane this pool handed out/);
      await second.stop();
    } finally {
      await stopPoolProcess(pool);
    }
  }, 90_000);

  test('when its parent goes (its stdin closes) the pool stops everything it started and exits', async () => {
    const pool = await startPoolProcess(1);
    await takeControlPlane(pool.socketPath);
    const running = await poolRuns(pool, 6);
    pool.child.stdin?.end();
    expect(await exitOf(pool)).toBe(0);
    expect(running.filter((p) => isAlive(p))).toEqual([]);
    rmSync(pool.dir, { recursive: true, force: true });
  }, 90_000);

  test('jest\'s globalSetup starts a pool for the workers; globalTeardown returns once its spare and what it handed out have stopped', async () => {
    // A stand-in for jest's main process: globalSetup, then (once told) globalTeardown, as jest calls them.
    const script = `import setup from ${JSON.stringify(join(import.meta.dirname, 'pool-jest-setup.ts'))};
      import teardown from ${JSON.stringify(join(import.meta.dirname, 'pool-jest-teardown.ts'))};
      await setup();
      const pool = globalThis.heraldControlPlanePool;
      console.log(JSON.stringify({ socketPath: process.env.${POOL_ENV}, pid: pool.child.pid, dir: pool.dir }));
      for await (const _ of process.stdin) break;
      await teardown();
      console.log('torn down');`;
    // Without this worker's own pool (the real pass's globalSetup put it in the environment).
    const env = Object.fromEntries(Object.entries({ ...process.env, HERALD_API_BACKEND: 'real' }).filter(([name]) => name !== POOL_ENV));
    const jestMain = spawn(process.execPath, ['--input-type=module', '-e', script], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: jestMain.stdout })[Symbol.asyncIterator]();
    const started = JSON.parse(String((await lines.next()).value)) as { socketPath: string; pid: number; dir: string };
    const kept = await takeControlPlane(started.socketPath); // as a worker would, never released
    const pool = { child: { pid: started.pid } } as unknown as PoolProcess;
    const running = await poolRuns(pool, 6);
    jestMain.stdin.end('\n');
    expect((await lines.next()).value).toBe('torn down');
    expect(running.filter((p) => isAlive(p))).toEqual([]);
    expect(childrenOf(started.pid)).toEqual([]);
    expect([existsSync(kept.dir), existsSync(started.dir), existsSync(`/proc/${started.pid}`)]).toEqual([false, false, false]);
  }, 90_000);
});
