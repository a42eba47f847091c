// listTrimmed against the API emulator: pages follow `continue` tokens to the end, every item is trimmed,
// the list's resourceVersion is the first page's, and a failed page fails the list with its HTTP status.
import type { IncomingMessage } from 'node:http';
import { CoreV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { startApiServer, type ApiServer } from '../../test/apiserver/index.js';
import { ReusingKubeConfig } from './config.js';
import { httpStatus } from './errors.js';
import { listTrimmed } from './list.js';

const NAMESPACE = 'paging';
const COUNT = 7;

let api: ApiServer;
let kc: KubeConfig;
let requests: URL[] = [];

beforeAll(async () => {
  api = await startApiServer({
    onRequest: (req: IncomingMessage) => {
      if (req.method === 'GET' && req.url?.includes('/configmaps')) requests.push(new URL(req.url, 'http://emulator'));
    },
  });
  kc = ReusingKubeConfig.from(api.kubeConfig());
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  for (let i = 0; i < COUNT; i++) {
    await core.createNamespacedConfigMap({
      namespace: NAMESPACE,
      body: { metadata: { name: `cm-${i}`, labels: { parity: i % 2 === 0 ? 'even' : 'odd' } }, data: { payload: 'x'.repeat(100) } },
    });
  }
});

afterAll(async () => {
  await api.stop();
});

beforeEach(() => {
  requests = [];
  api.faults.reset();
});

const path = `/api/v1/namespaces/${NAMESPACE}/configmaps`;
const nameOnly = (item: KubernetesObject): KubernetesObject => ({ metadata: { name: item.metadata?.name } });

describe('listTrimmed', () => {
  test('follows continue tokens page by page until the last, trimming every item', async () => {
    const list = await listTrimmed(kc, path, { pageSize: 3, trim: nameOnly });
    expect(list.items).toEqual(Array.from({ length: COUNT }, (_, i) => ({ metadata: { name: `cm-${i}` } })));
    expect(requests.map((u) => u.searchParams.get('limit'))).toEqual(['3', '3', '3']);
    expect(requests[0]?.searchParams.has('continue')).toBe(false);
    expect(requests.slice(1).every((u) => u.searchParams.get('continue'))).toBe(true);
  });

  test('one page when everything fits; the list carries the server\'s resourceVersion', async () => {
    const list = await listTrimmed(kc, path, { trim: nameOnly });
    expect(list.items).toHaveLength(COUNT);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.searchParams.get('limit')).toBe('500');
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThan(0);
  });

  test('passes label selectors on every page', async () => {
    const list = await listTrimmed(kc, path, { pageSize: 2, labelSelector: 'parity=even', trim: nameOnly });
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['cm-0', 'cm-2', 'cm-4', 'cm-6']);
    expect(requests.length).toBeGreaterThan(1);
    expect(requests.every((u) => u.searchParams.get('labelSelector') === 'parity=even')).toBe(true);
  });

  test('without a trim, items come back whole, as plain JSON', async () => {
    const list = await listTrimmed(kc, path, { pageSize: 4 });
    const first = list.items[0] as KubernetesObject & { data?: Record<string, string> };
    expect(first.data?.payload).toHaveLength(100);
    expect(typeof first.metadata?.creationTimestamp).toBe('string');
  });

  test('a page that fails fails the list with its HTTP status', async () => {
    api.faults.failNext({ verb: 'list', resource: 'configmaps', code: 500 });
    const failed = await listTrimmed(kc, path, { pageSize: 3 }).catch((err: unknown) => err);
    expect(httpStatus(failed)).toBe(500);
    expect(String(failed)).toContain(path);
  });
});
