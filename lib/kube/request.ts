// API calls as plain JSON. The generated client-node calls send every request through fetch (WHATWG Request,
// Headers, Response and streams for each call) and turn every answer into model objects (ObjectSerializer: a
// class instance per nested object, Dates): for a controller writing 10 000 statuses that is most of its
// garbage, only to keep a few fields. These calls take the same KubeConfig path (applySecurityAuthentication:
// the same auth headers, TLS and shared connections as the generated calls), send through the undici
// dispatcher it chose with undici's plain request API, and hand back the JSON text or its parse, so the caller
// keeps only what it reads.
import { ApiException, HttpMethod, IsomorphicFetchHttpLibrary, PatchStrategy, RequestContext, type KubeConfig } from '@kubernetes/client-node';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

export interface ApiRequest {
  method: HttpMethod;
  /** The path below the server, e.g. `/api/v1/namespaces/default/services/web/status`. */
  path: string;
  query?: Readonly<Record<string, string | undefined>>;
  /** Sent as JSON. */
  body?: unknown;
  /** The body's content type (default application/json); e.g. PatchStrategy.MergePatch for a PATCH. */
  contentType?: string;
  /** Give up after this long (default REQUEST_TIMEOUT_MS). */
  timeoutMs?: number;
}

/**
 * How long one request (not a watch) may take before it is abandoned and fails like a reset connection. Without it
 * a request sent on a connection that died silently (a peer that vanished, a path that broke elsewhere) waits for
 * undici's 300 s timeouts, and every writer that runs its requests one at a time stalls behind it. The API server
 * answers a healthy request in milliseconds and ends its own slow ones at 60 s (--request-timeout); our lists come
 * in pages of 500. 30 s, not less: a busy server (the in-process emulator on a loaded CI machine) must not turn
 * slow answers into failures; a link of the speaker's own that comes back resets its connections at once
 * (ReusingKubeConfig.resetConnections).
 */
export const REQUEST_TIMEOUT_MS = 30_000;

const http = new IsomorphicFetchHttpLibrary();

/** The URL of `path` on the kubeconfig's current cluster, with the query parameters that are set. */
export function apiUrl(kubeConfig: KubeConfig, path: string, query: ApiRequest['query'] = {}): URL {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new Error(`cannot reach ${path}: no current cluster in the kubeconfig`);
  const url = new URL(server.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
  return url;
}

interface RawResponse {
  status: number;
  text: string;
  headers(): Record<string, string>;
}

async function viaDispatcher(dispatcher: Dispatcher, context: RequestContext, url: URL, body: string | undefined): Promise<RawResponse> {
  const response = await dispatcher.request({
    origin: url.origin, path: url.pathname + url.search, method: context.getHttpMethod(), headers: context.getHeaders(), body,
    signal: context.getSignal(),
  });
  const text = await response.body.text();
  const headers = (): Record<string, string> =>
    Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v ?? '']));
  return { status: response.statusCode, text, headers };
}

/**
 * Sends through the dispatcher the KubeConfig set (it always sets one for a CA, a client certificate, skipped
 * TLS checks or a proxy: in a pod, and with every kubeconfig we know of). Without one (https trusted by the
 * system's CAs, no proxy) client-node's own fetch path sends it, as the generated calls would.
 */
async function send(context: RequestContext, url: URL, body: string | undefined): Promise<RawResponse> {
  const dispatcher = context.getDispatcher();
  if (dispatcher) return viaDispatcher(dispatcher, context, url, body);
  const response = await http.send(context).toPromise();
  return { status: response.httpStatusCode, text: await response.body.text(), headers: () => response.headers };
}

/** Sends `request`; resolves to the answer's text, or rejects with an ApiException carrying the HTTP status. */
export async function apiText(kubeConfig: KubeConfig, request: ApiRequest): Promise<string> {
  const url = apiUrl(kubeConfig, request.path, request.query);
  const context = new RequestContext(url.toString(), request.method);
  context.setHeaderParam('Accept', 'application/json');
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  if (body !== undefined) {
    context.setHeaderParam('Content-Type', request.contentType ?? 'application/json');
    context.setBody(body);
  }
  await kubeConfig.applySecurityAuthentication(context);
  const timeoutMs = request.timeoutMs ?? REQUEST_TIMEOUT_MS;
  context.setSignal(AbortSignal.timeout(timeoutMs));
  const response = await send(context, url, body).catch((err: unknown) => {
    // The abort reason is a DOMException, an Error only by duck type in some realms.
    if ((err as { name?: unknown } | null)?.name === 'TimeoutError') throw new Error(`${request.method} ${url.pathname}: no answer within ${timeoutMs} ms`, { cause: err });
    throw err;
  });
  if (response.status < 200 || response.status > 299) {
    throw new ApiException(response.status, `${request.method} ${url.pathname}: ${response.text.slice(0, 300)}`, response.text, response.headers());
  }
  return response.text;
}

/**
 * Like apiText, parsed. `T` is the shape the caller expects the server to send; nothing checks it, so callers
 * read the answer as they would read any object from the API (every field may be missing).
 */
export async function apiJson<T>(kubeConfig: KubeConfig, request: ApiRequest): Promise<T> {
  return JSON.parse(await apiText(kubeConfig, request)) as T;
}

/** A strategic merge patch of `path` (built-in kinds only: lists tagged "merge" merge by key), answered with the object as patched. */
export function strategicMergePatchRequest(path: string, body: unknown): ApiRequest {
  return { method: HttpMethod.PATCH, path, body, contentType: PatchStrategy.StrategicMergePatch };
}

/** A JSON merge patch (RFC 7386) of `path`, answered with the object as patched. */
export function mergePatchRequest(path: string, body: unknown): ApiRequest {
  return { method: HttpMethod.PATCH, path, body, contentType: PatchStrategy.MergePatch };
}
