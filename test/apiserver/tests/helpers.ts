// Shared test helpers: start/stop an emulator per suite, and unwrap client-node's ApiException into the Status.
import { execFile } from 'node:child_process';
import { ApiException } from '@kubernetes/client-node';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../index.js';

export function useApiServer(options: ApiServerOptions = {}): () => ApiServer {
  let server: ApiServer | undefined;
  beforeAll(async () => {
    server = await startApiServer(options);
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('api server not started');
    return server;
  };
}

export interface StatusBody { code: number; reason: string; message: string; details?: { causes?: { reason: string; field: string; message: string }[] } }

/** Runs `fn`, expects it to fail with an HTTP error, and returns the Status the server sent. */
export async function statusOf(fn: () => Promise<unknown>): Promise<StatusBody> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof ApiException) {
      const body: unknown = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
      return body as StatusBody;
    }
    throw error;
  }
  throw new Error('expected the request to fail');
}

let counter = 0;
/** A fresh namespace name per test, so tests in one suite never see each other's objects. */
export function uniqueName(prefix: string): string {
  counter++;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 7)}`;
}

export async function until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface KubectlRun { code: number; stdout: string; stderr: string }

/** Runs the real kubectl against `kubeconfigPath`, with HOME set so no user cache or config leaks in. */
export function runKubectl(kubeconfigPath: string, home: string, args: string[], cwd?: string): Promise<KubectlRun> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', kubeconfigPath, ...args], { env: { ...process.env, HOME: home }, cwd },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

/** A kubectl table's rows keyed by its header, cut at the header's column starts (so empty cells stay empty). */
export function tableRows(stdout: string): Record<string, string>[] {
  const [header = '', ...rows] = stdout.trimEnd().split('\n');
  const starts = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index }));
  return rows.map((row) => Object.fromEntries(starts.map((c, i) => [c.name, row.slice(c.at, starts[i + 1]?.at).trim()])));
}

/** The header of a kubectl table as a list of column names. */
export function tableHeader(stdout: string): string[] {
  return (stdout.split('\n')[0] ?? '').trim().split(/\s{2,}/);
}
