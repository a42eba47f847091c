// Shared test helpers: start/stop an emulator per suite, and unwrap client-node's ApiException into the Status.
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
