// Shared test helpers: start/stop the API backend per suite (the emulator, or a real kube-apiserver when
// HERALD_API_BACKEND=real), raw requests with the backend's credentials, and unwrapping client-node's
// ApiException into the Status.
import { execFile } from 'node:child_process';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { ApiException } from '@kubernetes/client-node';
import { kubectlCommand, startApiBackend, type ApiBackend } from '../../cluster/backend.js';
import type { ApiServer, ApiServerOptions } from '../index.js';

/** Starts the backend for the suite; `options` apply to the emulator only. */
export function useApiServer(options: ApiServerOptions = {}): () => ApiBackend {
  let backend: ApiBackend | undefined;
  beforeAll(async () => {
    backend = await startApiBackend(options);
  }, 60_000);
  afterAll(async () => {
    await backend?.stop();
  }, 30_000);
  return () => {
    if (!backend) throw new Error('api backend not started');
    return backend;
  };
}

/** The emulator's own handle, for tests whose subject is an emulator knob (they run on the emulator pass only). */
export function emulatorOf(backend: ApiBackend): ApiServer {
  if (!backend.emulator) throw new Error(`the ${backend.name} backend has no emulator handle: mark the test emulator-only`);
  return backend.emulator;
}

export interface RawResponse { status: number; text: string }
export interface RawRequest { method?: string; body?: unknown; contentType?: string; accept?: string }

/** One HTTP request to the backend with its kubeconfig's credentials (client certificate on the real one). */
export async function rawRequest(backend: ApiBackend, path: string, req: RawRequest = {}): Promise<RawResponse> {
  const options: RequestOptions = { method: req.method ?? 'GET', headers: { Accept: req.accept ?? 'application/json' } };
  if (req.body !== undefined) options.headers = { ...options.headers, 'Content-Type': req.contentType ?? 'application/json' };
  const url = new URL(path, backend.url);
  const tls = url.protocol === 'https:';
  if (tls) await backend.kubeConfig().applyToHTTPSOptions(options); // the emulator's plain http takes no credentials
  const send = tls ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    };
    const out = send(url, options, onResponse).once('error', reject);
    out.end(req.body === undefined ? undefined : JSON.stringify(req.body));
  });
}

/**
 * Creates a CRD by raw POST (client-node's serializer drops keys spelled `x-kubernetes-...`) and waits until its
 * resources are served: the emulator serves them at once, kube-apiserver once the CRD is Established and its
 * handler is installed.
 */
export async function createCrd(backend: ApiBackend, crd: CrdBody): Promise<void> {
  const created = await rawRequest(backend, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { method: 'POST', body: crd });
  if (created.status !== 201) throw new Error(`creating CRD "${crd.metadata.name}": ${created.status} ${created.text}`);
  const { group, names: { plural }, versions } = crd.spec;
  await crdServed(backend, `/apis/${group}/${versions[0]?.name ?? 'v1'}/${plural}`);
}

/** Waits until a list of a custom resource answers 200 (the CRD's handler is installed). */
export async function crdServed(backend: ApiBackend, listPath: string): Promise<void> {
  await eventually(async () => (await rawRequest(backend, listPath)).status === 200, 10_000, `${listPath} to be served`);
}

export interface CrdBody {
  metadata: { name: string };
  spec: { group: string; names: { plural: string }; versions: { name: string }[] } & Record<string, unknown>;
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

/** Polls an async check (an API read) until it holds: for what controllers do in their own time on the real backend. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface KubectlRun { code: number; stdout: string; stderr: string }

/** Runs the pinned kubectl against `kubeconfigPath`, with HOME set so no user cache or config leaks in. */
export function runKubectl(kubeconfigPath: string, home: string, args: string[], cwd?: string): Promise<KubectlRun> {
  return new Promise((resolve) => {
    execFile(kubectlCommand(), ['--kubeconfig', kubeconfigPath, ...args], { env: { ...process.env, HOME: home }, cwd },
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
