// The control-plane pool's process (pool-daemon.ts) from the outside: started and stopped by jest's globalSetup and
// globalTeardown (pool-jest-setup.ts, pool-jest-teardown.ts) on the real-backend pass, and by the pool's own test.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { binariesCurrent } from './build.js';
import { askPool, POOL_ENV } from './pool-client.js';

/** What globalTeardown needs; jest runs both in its main process, where globalThis is shared. */
export interface PoolProcess {
  child: ChildProcess;
  socketPath: string;
  dir: string;
}
export const poolGlobal = globalThis as { heraldControlPlanePool?: PoolProcess };

const here = dirname(fileURLToPath(import.meta.url));

/** Spares kept ready: 1 unless HERALD_CP_POOL_SPARES says otherwise (measured on 2 cores; see docs/development.md). */
function spareCount(): number {
  const raw = process.env.HERALD_CP_POOL_SPARES ?? '1';
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 1) throw new Error(`HERALD_CP_POOL_SPARES="${raw}": use a whole number of at least 1`);
  return count;
}

function logTail(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Resolves once the pool says "ready" (it listens at once: its spares start after); rejects if it exits or hangs. */
function waitForReady(child: ChildProcess, logFile: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the control-plane pool was not ready after ${timeoutMs} ms; the end of ${logFile}:\n${logTail(logFile)}`));
    }, timeoutMs);
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!out.includes('ready\n')) return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the control-plane pool exited (${signal ?? `code ${code}`}) before it was ready; the end of ${logFile}:\n${logTail(logFile)}`));
    });
  });
}

/** Starts pool-daemon.ts keeping `spares` ready; resolves once it listens (its first spare starts then). */
export async function startPoolProcess(spares: number): Promise<PoolProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-cp-pool-'));
  const socketPath = join(dir, 'pool.sock');
  const logFile = join(dir, 'pool.log');
  const log = openSync(logFile, 'a');
  // stdin stays a pipe from this process: when jest goes, however it goes, the pool reads its end and stops all.
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'pool-daemon.ts'), '--socket', socketPath, '--spares', String(spares)],
    { cwd: join(here, '../..'), stdio: ['pipe', 'pipe', log] });
  closeSync(log);
  await waitForReady(child, logFile);
  child.removeAllListeners('exit');
  return { child, socketPath, dir };
}

/**
 * jest's globalSetup: on the real-backend pass only (HERALD_API_BACKEND=real), starts the pool and hands its socket
 * to the test workers in HERALD_CP_POOL, so every startApiBackend() gets a fresh control plane that was started
 * while the previous test ran. On the emulator, with stale binaries (startApiBackend then says what to build) or
 * with HERALD_CP_POOL already set, it does nothing.
 */
export async function startControlPlanePool(): Promise<void> {
  if (process.env.HERALD_API_BACKEND !== 'real' || process.env[POOL_ENV] || !binariesCurrent()) return;
  const pool = await startPoolProcess(spareCount());
  // The pool must not keep jest's own process alive; globalTeardown ends it.
  pool.child.unref();
  (pool.child.stdin as Socket | null)?.unref();
  (pool.child.stdout as Socket | null)?.unref();
  process.env[POOL_ENV] = pool.socketPath;
  poolGlobal.heraldControlPlanePool = pool;
}

function exited(pool: PoolProcess): Promise<void> {
  if (pool.child.exitCode !== null || pool.child.signalCode !== null) return Promise.resolve();
  pool.child.ref(); // globalSetup unref'd it; without this, nothing would keep this process waiting for the exit
  return new Promise((resolve) => pool.child.once('exit', () => resolve()));
}

/** Asks the pool to stop every control plane it started, and resolves once they and the pool have ended. */
export async function stopPoolProcess(pool: PoolProcess): Promise<void> {
  const answer = await askPool(pool.socketPath, { op: 'shutdown' });
  await exited(pool);
  if (!answer.ok) throw new Error(`the control-plane pool did not stop cleanly (its log: ${pool.dir}/pool.log): ${answer.error}`);
  rmSync(pool.dir, { recursive: true, force: true });
}

/** jest's globalTeardown: ends the pool startControlPlanePool started, once all its control planes have stopped. */
export async function stopControlPlanePool(): Promise<void> {
  const pool = poolGlobal.heraldControlPlanePool;
  if (!pool) return;
  poolGlobal.heraldControlPlanePool = undefined;
  await stopPoolProcess(pool);
}
