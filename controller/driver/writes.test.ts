// The one write a Service needs: status and annotation in one /status merge patch, with the uid it was decided for.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig, type V1Service } from '@kubernetes/client-node';
import type { ServiceOutcome } from '../core-api.js';
import { annotationKept, ClusterWriter, POOL_ANNOTATION, servicePatch } from './writes.js';

const svc = (ip?: string, pool?: string): V1Service => ({
  metadata: { name: 'web', namespace: 'apps', uid: 'uid-1', annotations: pool ? { [POOL_ANNOTATION]: pool } : undefined },
  spec: { type: 'LoadBalancer' },
  status: { loadBalancer: ip ? { ingress: [{ ip }] } : {} },
});
const outcome = (ip: string | undefined, pool: string | null, managed = true): ServiceOutcome =>
  ({ ingress: ip ? [{ ip }] : [], poolAnnotation: pool, managed, events: [], result: 'ok' });

describe('servicePatch', () => {
  test('a new IP: status and annotation in one patch, with the Service\'s uid as a precondition', () => {
    expect(servicePatch(svc(), outcome('192.0.2.1', 'p'))).toEqual({
      metadata: { uid: 'uid-1', annotations: { [POOL_ANNOTATION]: 'p' } },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
    });
  });

  test('only what differs: the annotation alone, or the status alone', () => {
    expect(servicePatch(svc('192.0.2.1'), outcome('192.0.2.1', 'p'))).toEqual({ metadata: { uid: 'uid-1', annotations: { [POOL_ANNOTATION]: 'p' } } });
    expect(servicePatch(svc('192.0.2.1', 'p'), outcome('192.0.2.2', 'p'))).toEqual({
      metadata: { uid: 'uid-1' }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.2' }] } },
    });
  });

  test('a release clears both (null removes them in a merge patch)', () => {
    expect(servicePatch(svc('192.0.2.1', 'p'), outcome(undefined, null, false))).toEqual({
      metadata: { uid: 'uid-1', annotations: { [POOL_ANNOTATION]: null } }, status: { loadBalancer: { ingress: null } },
    });
  });

  test('nothing when the cluster has it already, or the Service is another controller\'s', () => {
    expect(servicePatch(svc('192.0.2.1', 'p'), outcome('192.0.2.1', 'p'))).toBeUndefined();
    expect(servicePatch(svc('198.51.100.7'), outcome(undefined, null, false))).toBeUndefined();
  });
});

describe('annotationKept', () => {
  const patch = { metadata: { uid: 'uid-1', annotations: { [POOL_ANNOTATION]: 'p' } } };
  test('the answer carries the annotation written, or none was written', () => {
    expect(annotationKept(svc(undefined, 'p'), patch)).toBe(true);
    expect(annotationKept(svc(), { metadata: { uid: 'uid-1' } })).toBe(true);
    expect(annotationKept(svc(), { metadata: { uid: 'uid-1', annotations: { [POOL_ANNOTATION]: null } } })).toBe(true);
  });
  test('a server that dropped it is caught', () => {
    expect(annotationKept(svc(), patch)).toBe(false);
  });
});

test('writeService fails when the server answers without the annotation it was sent (it would be missing for good)', async () => {
  // A server that takes the status through /status but drops the metadata sent with it.
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ ...svc(), status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kc = new KubeConfig();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  kc.loadFromOptions({ clusters: [{ name: 'c', server: url, skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'c', cluster: 'c', user: 'u' }], currentContext: 'c' });
  try {
    const patch = servicePatch(svc(), outcome('192.0.2.1', 'p'));
    if (!patch) throw new Error('expected a patch');
    await expect(new ClusterWriter(kc, 'herald-system').writeService(svc(), patch)).rejects.toThrow('did not keep');
  } finally {
    server.close();
  }
});
