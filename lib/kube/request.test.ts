// apiText/apiJson against the API emulator, through the KubeConfig's dispatcher and through client-node's
// fetch path (a KubeConfig that sets no dispatcher: https trusted by the system's CAs).
import { CoreV1Api, HttpMethod, KubeConfig, RequestContext, type V1ConfigMap } from '@kubernetes/client-node';
import { startApiServer, type ApiServer } from '../../test/apiserver/index.js';
import { ReusingKubeConfig } from './config.js';
import { httpStatus, isConflict, isNotFound } from './errors.js';
import { apiJson, apiText, apiUrl, mergePatchRequest, REQUEST_TIMEOUT_MS } from './request.js';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** A KubeConfig that applies auth headers but no dispatcher, as client-node does for system-trusted https. */
class NoDispatcherKubeConfig extends KubeConfig {
  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    const scratch = new RequestContext(context.getUrl(), context.getHttpMethod());
    await super.applySecurityAuthentication(scratch);
    for (const [key, value] of Object.entries(scratch.getHeaders())) context.setHeaderParam(key, value);
  }
}

let api: ApiServer;
/** [how it is sent, a suffix for the objects it makes, the KubeConfig] */
const configs: [string, string, () => KubeConfig][] = [
  ['the KubeConfig\'s dispatcher', 'dispatcher', () => ReusingKubeConfig.from(api.kubeConfig())],
  ['client-node\'s fetch (no dispatcher)', 'fetch', () => {
    const kc = new NoDispatcherKubeConfig();
    kc.loadFromFile(api.kubeconfigPath);
    return kc;
  }],
];

beforeAll(async () => {
  api = await startApiServer();
  await ReusingKubeConfig.from(api.kubeConfig()).makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'req' } } });
});

afterAll(async () => {
  await api.stop();
});

describe.each(configs)('through %s', (_how, suffix, makeKubeConfig) => {
  const collection = '/api/v1/namespaces/req/configmaps';

  test('creates, merge-patches and reads back as plain JSON', async () => {
    const kc = makeKubeConfig();
    const name = `cm-${suffix}`;
    await apiText(kc, { method: HttpMethod.POST, path: collection, body: { metadata: { name }, data: { a: '1' } } });
    const patched = await apiJson<V1ConfigMap>(kc, mergePatchRequest(`${collection}/${name}`, { data: { a: null, b: '2' } }));
    expect(patched.data).toEqual({ b: '2' });
    const read = await apiJson<V1ConfigMap>(kc, { method: HttpMethod.GET, path: `${collection}/${name}` });
    expect(read.data).toEqual({ b: '2' });
    expect(typeof read.metadata?.creationTimestamp).toBe('string');
  });

  test('an error answer rejects with its HTTP status and the server\'s message', async () => {
    const kc = makeKubeConfig();
    const missing = await apiText(kc, { method: HttpMethod.GET, path: `${collection}/absent` }).catch((e: unknown) => e);
    expect(isNotFound(missing)).toBe(true);
    expect(String(missing)).toContain('absent');
    api.faults.failNext({ verb: 'patch', resource: 'configmaps', code: 409 });
    const conflict = await apiText(kc, mergePatchRequest(`${collection}/cm-${suffix}`, { data: { c: '3' } })).catch((e: unknown) => e);
    expect(isConflict(conflict)).toBe(true);
  });

  test('a merge patch the server refuses to parse is an error, not a success', async () => {
    const kc = makeKubeConfig();
    const refused = await apiText(kc, { ...mergePatchRequest(`${collection}/cm-${suffix}`, {}), contentType: 'text/plain' }).catch((e: unknown) => e);
    expect(httpStatus(refused)).toBe(415);
  });
});

describe('apiUrl', () => {
  test('joins the server and the path, and sets only the query parameters that have a value', () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://10.0.0.1:6443/', skipTLSVerify: false }],
      users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x',
    });
    const url = apiUrl(kc, '/api/v1/services', { limit: '500', continue: undefined });
    expect(url.toString()).toBe('https://10.0.0.1:6443/api/v1/services?limit=500');
  });

  test('names the path when there is no cluster to send it to', () => {
    expect(() => apiUrl(new KubeConfig(), '/api/v1/services')).toThrow('/api/v1/services');
  });
});

describe('a server that accepts the connection and never answers', () => {
  let silent: Server;
  let port: number;
  const held: Socket[] = [];

  beforeAll(async () => {
    silent = createServer((socket) => held.push(socket)); // holds every connection open, says nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  /** A KubeConfig for the silent server: https with skipped TLS checks (client-node sets a dispatcher), or plain http. */
  function silentConfig(scheme: 'https' | 'http'): KubeConfig {
    const kc = new ReusingKubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `${scheme}://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x',
    });
    return kc;
  }

  // A request on a connection that died silently must fail in bounded time: a writer that sends one request at a
  // time (the speaker's ServiceL2Status writer) would otherwise stall behind it for undici's 300 s.
  test.each(['https', 'http'] as const)('over %s, the request fails after its timeout, naming the request', async (scheme) => {
    const started = performance.now();
    const err = await apiText(silentConfig(scheme), { method: HttpMethod.DELETE, path: '/api/v1/namespaces/a/configmaps/b', timeoutMs: 300 })
      .catch((e: unknown) => e);
    const took = performance.now() - started;
    expect(String(err)).toContain('DELETE /api/v1/namespaces/a/configmaps/b: no answer within 300 ms');
    expect(httpStatus(err)).toBeUndefined(); // a transport failure: callers retry it as they retry a reset
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(5_000);
  });

  test.each(['https', 'http'] as const)('over %s, resetConnections ends a request hanging on a pooled connection at once, and later requests connect afresh', async (scheme) => {
    const kc = silentConfig(scheme) as ReusingKubeConfig;
    const hanging = apiText(kc, { method: HttpMethod.GET, path: '/api/v1/nodes', timeoutMs: 30_000 }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const connectionsBefore = held.length;
    const started = performance.now();
    await kc.resetConnections();
    const err = await hanging;
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(httpStatus(err)).toBeUndefined();
    // The next request opens a new connection (the silent server sees one more) instead of reusing a dead one.
    const next = apiText(kc, { method: HttpMethod.GET, path: '/api/v1/nodes', timeoutMs: 300 }).catch((e: unknown) => e);
    expect(String(await next)).toContain('no answer within 300 ms');
    expect(held.length).toBeGreaterThan(connectionsBefore);
  });

  test('every request has a timeout by default', () => {
    expect(REQUEST_TIMEOUT_MS).toBeGreaterThan(0);
    expect(REQUEST_TIMEOUT_MS).toBeLessThanOrEqual(60_000);
  });
});
