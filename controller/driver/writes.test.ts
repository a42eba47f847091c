// The one write a Service needs: status, condition and annotation in one /status strategic merge patch, with the uid
// it was decided for; nothing when the cluster already has it, and never anything on a Service that is not Herald's.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig, type V1Service } from '@kubernetes/client-node';
import { ADDRESS_CONDITION, type AddressCondition, type ServiceOutcome } from '../core-api.js';
import { annotationKept, ClusterWriter, POOL_ANNOTATION, servicePatch } from './writes.js';

const NOW = Date.parse('2026-12-03T10:00:00Z');
const EARLIER = '2026-12-01T08:00:00Z';
const assigned = (ip: string): AddressCondition => ({ status: 'True', reason: 'Assigned', message: `"${ip}" from pool "p"` });
const failed: AddressCondition = { status: 'False', reason: 'AllocationFailed', message: 'no available IPs (pools tried: "p")' };
const written = (c: AddressCondition, at = EARLIER) => ({ type: ADDRESS_CONDITION, ...c, lastTransitionTime: at as unknown as Date });

const svc = (ip?: string, pool?: string, condition: AddressCondition | null = ip ? assigned(ip) : null): V1Service => ({
  metadata: { name: 'web', namespace: 'apps', uid: 'uid-1', annotations: pool ? { [POOL_ANNOTATION]: pool } : undefined },
  spec: { type: 'LoadBalancer' },
  status: { loadBalancer: ip ? { ingress: [{ ip }] } : {}, conditions: condition ? [written(condition)] : undefined },
});
const outcome = (ip: string | undefined, pool: string | null, managed = true, condition: AddressCondition | null = managed && ip ? assigned(ip) : null): ServiceOutcome =>
  ({ ingress: ip ? [{ ip }] : [], poolAnnotation: pool, managed, events: [], condition, result: 'ok' });

describe('servicePatch', () => {
  test('a new IP: status, condition and annotation in one patch, with the Service\'s uid as a precondition', () => {
    expect(servicePatch(svc(), outcome('192.0.2.1', 'p'), NOW)).toEqual({
      metadata: { uid: 'uid-1', annotations: { [POOL_ANNOTATION]: 'p' } },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] }, conditions: [{ type: ADDRESS_CONDITION, ...assigned('192.0.2.1'), lastTransitionTime: '2026-12-03T10:00:00Z' }] },
    });
  });

  test('only what differs: the annotation alone, or the status alone', () => {
    expect(servicePatch(svc('192.0.2.1'), outcome('192.0.2.1', 'p'), NOW)).toEqual({ metadata: { uid: 'uid-1', annotations: { [POOL_ANNOTATION]: 'p' } } });
    expect(servicePatch(svc('192.0.2.1', 'p', assigned('192.0.2.2')), outcome('192.0.2.2', 'p'), NOW)).toEqual({
      metadata: { uid: 'uid-1' }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.2' }] } },
    });
  });

  test('a condition whose status stays keeps its transition time; one whose status changes gets now', () => {
    const moved = servicePatch(svc('192.0.2.1', 'p'), outcome('192.0.2.2', 'p'), NOW);
    expect(moved?.status?.conditions).toEqual([{ type: ADDRESS_CONDITION, ...assigned('192.0.2.2'), lastTransitionTime: EARLIER }]);
    const lost = servicePatch(svc('192.0.2.1', 'p'), outcome(undefined, null, true, failed), NOW);
    expect(lost?.status?.conditions).toEqual([{ type: ADDRESS_CONDITION, ...failed, lastTransitionTime: '2026-12-03T10:00:00Z' }]);
  });

  test('a Service with no IP gets the condition saying why, and nothing else', () => {
    expect(servicePatch(svc(), outcome(undefined, null, true, failed), NOW)).toEqual({
      metadata: { uid: 'uid-1' }, status: { conditions: [{ type: ADDRESS_CONDITION, ...failed, lastTransitionTime: '2026-12-03T10:00:00Z' }] },
    });
  });

  test('a release clears ingress, annotation and condition (null and $patch: delete remove them)', () => {
    expect(servicePatch(svc('192.0.2.1', 'p'), outcome(undefined, null, false), NOW)).toEqual({
      metadata: { uid: 'uid-1', annotations: { [POOL_ANNOTATION]: null } },
      status: { loadBalancer: { ingress: null }, conditions: [{ type: ADDRESS_CONDITION, $patch: 'delete' }] },
    });
    // A Service that waited for an IP and never got one carries only the condition: it is removed too.
    expect(servicePatch(svc(undefined, undefined, failed), outcome(undefined, null, false), NOW)).toEqual({
      metadata: { uid: 'uid-1' }, status: { conditions: [{ type: ADDRESS_CONDITION, $patch: 'delete' }] },
    });
  });

  test('nothing when the cluster has it already', () => {
    expect(servicePatch(svc('192.0.2.1', 'p'), outcome('192.0.2.1', 'p'), NOW)).toBeUndefined();
    expect(servicePatch(svc(undefined, undefined, failed), outcome(undefined, null, true, failed), NOW)).toBeUndefined();
  });

  test('nothing ever on a Service Herald neither manages nor wrote to: another controller owns its status', () => {
    const others: V1Service = { ...svc(), status: { loadBalancer: { ingress: [{ ip: '198.51.100.7' }] }, conditions: [{ type: 'example.com/Ready', status: 'True', reason: 'Up', message: '', lastTransitionTime: new Date(NOW) }] } };
    expect(servicePatch(others, outcome(undefined, null, false), NOW)).toBeUndefined();
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
    const patch = servicePatch(svc(), outcome('192.0.2.1', 'p'), NOW);
    if (!patch) throw new Error('expected a patch');
    await expect(new ClusterWriter(kc, 'herald-system').writeService(svc(), patch)).rejects.toThrow('did not keep');
  } finally {
    server.close();
  }
});
