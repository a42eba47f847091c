// The speaker's view caches against an API server: an update that changes nothing the view keeps (the Announced
// condition the speakers write on every Service they serve) is not a change, so it costs no computation; one that
// changes the view is. Without the first, 1 000 Services cost every speaker 1 000 computations after each start.
import { HttpMethod, type V1Service } from '@kubernetes/client-node';
import { apiJson, mergePatchRequest, strategicMergePatchRequest } from '../../lib/kube/request.js';
import { silentLogger } from '../../lib/log.js';
import { ViewCache } from '../../speaker/source/kubernetes/caches.js';
import { serviceView } from '../../speaker/source/kubernetes/trim.js';
import { createService, startBareEnv, waitFor, type Env } from './harness.js';

const NS = 'views';

describe('the speaker\'s view cache', () => {
  let env: Env;
  let cache: ViewCache<ReturnType<typeof serviceView>> | undefined;
  beforeAll(async () => { env = await startBareEnv(); });
  afterEach(async () => { await cache?.stop(); });
  afterAll(async () => { await env.stop(); });

  it('says nothing of an update its view does not read, and tells an update it does', async () => {
    await createService(env, NS, 'web');
    let changes = 0;
    cache = new ViewCache(env.kc, { what: 'services', path: `/api/v1/namespaces/${NS}/services`, view: (o) => serviceView(o as V1Service) },
      silentLogger(), () => { changes++; });
    await cache.start();
    await waitFor('the Service in the cache', async () => cache?.views().some((v) => v.name === 'web'));
    const before = changes;
    const [held] = cache.views();
    const path = `/api/v1/namespaces/${NS}/services/web`;
    await apiJson(env.kc, strategicMergePatchRequest(`${path}/status`, {
      status: { conditions: [{ type: 'herald.dev/Announced', status: 'True', reason: 'Announced', message: 'by n1', lastTransitionTime: '2024-01-01T00:00:00Z' }] },
    }));
    await apiJson(env.kc, mergePatchRequest(path, { metadata: { labels: { tier: 'front' } } }));
    await waitFor('the label in the cache', async () => cache?.views().some((v) => v.labels.tier === 'front'));
    expect(changes - before).toBe(1);
    expect(held?.labels).toEqual({});
    const svc = await apiJson<V1Service>(env.kc, { method: HttpMethod.GET, path });
    expect(svc.status?.conditions?.map((c) => c.type)).toEqual(['herald.dev/Announced']);
  });
});
