// What the caches keep of a Service: every field the core decides from and the writes compare against, as
// the API sends it (JSON, timestamps as strings) and as client-node models carry it (Dates).
import type { KubernetesObject, V1Namespace, V1Service } from '@kubernetes/client-node';
import { createControllerCore } from '../reconcile/index.js';
import { pool } from '../reconcile/fixtures.js';
import type { ServiceKey } from '../core-api.js';
import { POOL_ANNOTATION, serviceWritesNeeded } from './writes.js';
import { heraldAnnotations, PASSWORD_KEPT, sameJson, trimBGPObject, trimNamespace, trimPasswordSecret, trimPresenceLease, trimService } from './trim.js';
import type { BGPAdvertisement, BGPPeer } from '../../crds/v1beta1/index.js';
import { INTERFACES_ANNOTATION, reportedInterfaces } from '../../lib/presence.js';
import { boundedValue, tooLong, VALUE_MAX_CHARS } from '../../lib/annotations.js';
import { LABELS_MAX_CHARS } from '../core-api.js';

/** The longest value one annotation can have on kube-apiserver: 256 KiB for every key and value, less this key. */
const LONGEST_ANNOTATION_VALUE = 256 * 1024 - 'herald.dev/loadBalancerIPs'.length;

/** A Service as kube-apiserver answers a GET: everything Herald reads, and much it does not. */
function apiService(overrides: { annotations?: Record<string, string>; spec?: Record<string, unknown>; ingress?: string[] } = {}): KubernetesObject {
  return JSON.parse(JSON.stringify({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'web', namespace: 'shop', uid: 'u-1', resourceVersion: '42', generation: 3,
      creationTimestamp: '2024-05-01T10:00:00Z',
      labels: { app: 'web' },
      annotations: {
        'metallb.io/loadBalancerIPs': '192.0.2.10',
        [POOL_ANNOTATION]: 'blue',
        'kubectl.kubernetes.io/last-applied-configuration': '{"big":"blob"}',
      },
      managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:spec': {} } }],
      finalizers: ['service.kubernetes.io/load-balancer-cleanup'],
      ...(overrides.annotations ? { annotations: overrides.annotations } : {}),
    },
    spec: {
      type: 'LoadBalancer', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'],
      ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }],
      selector: { app: 'web' }, externalTrafficPolicy: 'Local', healthCheckNodePort: 31000,
      sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true,
      ...overrides.spec,
    },
    status: { loadBalancer: { ingress: (overrides.ingress ?? ['192.0.2.10']).map((ip) => ({ ip, ipMode: 'VIP' })) } },
  })) as KubernetesObject;
}

/** Every own property path whose value is undefined (an undefined field costs memory; an absent one does not). */
function undefinedPaths(value: unknown, path = ''): string[] {
  if (value === null || typeof value !== 'object' || value instanceof Date) return [];
  return Object.entries(value).flatMap(([k, v]) => (v === undefined ? [`${path}.${k}`] : undefinedPaths(v, `${path}.${k}`)));
}

describe('trimService', () => {
  test('keeps exactly what the core and the writes read', () => {
    expect(trimService(apiService())).toEqual({
      metadata: {
        name: 'web', namespace: 'shop', uid: 'u-1', resourceVersion: '42', generation: 3,
        creationTimestamp: new Date('2024-05-01T10:00:00Z'),
        labels: { app: 'web' },
        annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.10', [POOL_ANNOTATION]: 'blue' },
      },
      spec: {
        type: 'LoadBalancer', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
        ports: [{ port: 80, protocol: 'TCP' }], selector: { app: 'web' }, externalTrafficPolicy: 'Local',
      },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.10', ipMode: 'VIP' }] } },
    });
  });

  test('keeps the class, the requested IP and the deletion timestamp when they are set', () => {
    const svc = apiService({ spec: { loadBalancerClass: 'herald.dev/other', loadBalancerIP: '192.0.2.20' } });
    (svc.metadata as Record<string, unknown>).deletionTimestamp = '2024-05-02T00:00:00Z';
    const trimmed = trimService(svc);
    expect(trimmed.spec?.loadBalancerClass).toBe('herald.dev/other');
    expect(trimmed.spec?.loadBalancerIP).toBe('192.0.2.20');
    expect(trimmed.metadata?.deletionTimestamp).toEqual(new Date('2024-05-02T00:00:00Z'));
  });

  test('leaves no undefined fields behind, and no annotations object when none is Herald\'s', () => {
    const trimmed = trimService(apiService({ annotations: { 'example.com/owner': 'team-a' } }));
    expect(undefinedPaths(trimmed)).toEqual([]);
    expect('annotations' in (trimmed.metadata ?? {})).toBe(false);
  });

  test('takes client-node model objects (Dates) as well as JSON (strings), and trims idempotently', () => {
    const once = trimService(apiService());
    expect(trimService(once)).toEqual(once);
  });

  test('the core decides the same from the trimmed Service as from the full one', () => {
    const decide = (svc: V1Service) => {
      const core = createControllerCore({});
      core.setNamespaces([{ metadata: { name: 'shop' } }]);
      core.setPools([pool('blue', ['192.0.2.0/24'])], 0);
      core.restore([svc]);
      return core.reconcile('shop/web' satisfies ServiceKey, svc);
    };
    for (const full of [apiService(), apiService({ ingress: [] }), apiService({ spec: { type: 'ClusterIP' } })]) {
      const asModel = full as V1Service;
      const outcome = decide(asModel);
      expect(decide(trimService(full))).toEqual(outcome);
      expect(serviceWritesNeeded(trimService(full), outcome)).toEqual(serviceWritesNeeded(asModel, outcome));
    }
  });
});

describe('trimService with the previous version', () => {
  test('a new version shares every unchanged part with the previous one, and only those', () => {
    const v1 = trimService(apiService());
    const v2 = trimService(apiService({ ingress: ['192.0.2.11'] }), v1);
    expect(v2).toEqual({ ...v1, status: { loadBalancer: { ingress: [{ ip: '192.0.2.11', ipMode: 'VIP' }] } } });
    expect(v2.spec).toBe(v1.spec);
    expect(v2.metadata?.labels).toBe(v1.metadata?.labels);
    expect(v2.metadata?.annotations).toBe(v1.metadata?.annotations);
    expect(v2.metadata?.creationTimestamp).toBe(v1.metadata?.creationTimestamp);
    expect(v2.status).not.toBe(v1.status);
    expect(v1.status?.loadBalancer?.ingress?.[0]?.ip).toBe('192.0.2.10');
  });

  test('a changed spec or annotation is not shared', () => {
    const v1 = trimService(apiService());
    const v2 = trimService(apiService({ spec: { externalTrafficPolicy: 'Cluster' }, annotations: { [POOL_ANNOTATION]: 'green' } }), v1);
    expect(v2.spec).not.toBe(v1.spec);
    expect(v2.spec?.externalTrafficPolicy).toBe('Cluster');
    expect(v2.metadata?.annotations).toEqual({ [POOL_ANNOTATION]: 'green' });
    expect(v1.spec?.externalTrafficPolicy).toBe('Local');
  });
});

describe('sameJson', () => {
  test.each([
    ['equal nested objects', { a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] }, true],
    ['key order does not matter', { a: 1, b: 2 }, { b: 2, a: 1 }, true],
    ['a missing key', { a: 1 }, { a: 1, b: 2 }, false],
    ['an extra key', { a: 1, b: 2 }, { a: 1 }, false],
    ['different values', { a: 1 }, { a: 2 }, false],
    ['an array is not an object', [1], { 0: 1 }, false],
    ['Dates by their time', new Date(5), new Date(5), true],
    ['different Dates', new Date(5), new Date(6), false],
    ['a Date is not its string', new Date(0), '1970-01-01T00:00:00.000Z', false],
    ['undefined and null differ', undefined, null, false],
  ])('%s', (_name, a, b, expected) => {
    expect(sameJson(a, b)).toBe(expected);
  });
});

describe('trimNamespace', () => {
  test('keeps the name and labels (for namespaceSelectors), not the rest', () => {
    const ns = JSON.parse(JSON.stringify({
      metadata: { name: 'shop', uid: 'n-1', resourceVersion: '7', labels: { team: 'a' }, annotations: { note: 'x' }, managedFields: [{}] },
      spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
    })) as V1Namespace;
    expect(trimNamespace(ns)).toEqual({ metadata: { name: 'shop', uid: 'n-1', resourceVersion: '7', labels: { team: 'a' } } });
  });
});

describe('heraldAnnotations', () => {
  test.each([
    ['none at all', undefined, undefined],
    ['only foreign ones', { 'example.com/a': '1' }, undefined],
    ['the ones Herald reads, Herald\'s and MetalLB\'s, kept', {
      'herald.dev/address-pool': 'a', 'metallb.universe.tf/allow-shared-ip': 'k', 'metallb.io/loadBalancerIPs': '192.0.2.1',
      'herald.dev/ip-allocated-from-pool': 'a', 'other/address-pool': 'b',
    }, {
      'herald.dev/address-pool': 'a', 'metallb.universe.tf/allow-shared-ip': 'k', 'metallb.io/loadBalancerIPs': '192.0.2.1',
      'herald.dev/ip-allocated-from-pool': 'a',
    }],
    // The server lets them hold 256 KiB: 10 000 such names would be kept for nothing.
    ['others under Herald\'s and MetalLB\'s prefixes dropped', { 'herald.dev/x': '1', 'metallb.universe.tf/y': '2', 'metallb.io/z': '3' }, undefined],
  ])('%s', (_name, input, expected) => {
    expect(heraldAnnotations(input)).toEqual(expected);
  });

  test('a value longer than VALUE_MAX_CHARS is kept as its head and its length, still too long for the core', () => {
    const huge = `192.0.2.1,${'x'.repeat(LONGEST_ANNOTATION_VALUE - 10)}`;
    const kept = heraldAnnotations({ 'herald.dev/loadBalancerIPs': huge })?.['herald.dev/loadBalancerIPs'] ?? '';
    expect(kept).toBe(`192.0.2.1,${'x'.repeat(VALUE_MAX_CHARS - 10)}… (${LONGEST_ANNOTATION_VALUE} characters)`);
    expect(tooLong(kept)).toBe(true);
    expect(heraldAnnotations({ 'herald.dev/loadBalancerIPs': 'y'.repeat(VALUE_MAX_CHARS) })?.['herald.dev/loadBalancerIPs']).toBe('y'.repeat(VALUE_MAX_CHARS));
  });

  test('never keeps half of a surrogate pair', () => {
    const kept = boundedValue(`${'x'.repeat(VALUE_MAX_CHARS - 1)}😀${'y'.repeat(1000)}`);
    expect(kept).toBe(`${'x'.repeat(VALUE_MAX_CHARS - 1)}… (${VALUE_MAX_CHARS + 1001} characters)`);
    expect(boundedValue(`${'x'.repeat(VALUE_MAX_CHARS - 2)}😀${'y'.repeat(10)}`)).toMatch(/x😀… \(/);
  });
});

describe('what the cache keeps of a Service is bounded whatever its owner writes', () => {
  const longest = (c: string) => c.repeat(LONGEST_ANNOTATION_VALUE);
  test.each([
    ['a 256 KiB loadBalancerIPs annotation', apiService({ annotations: { 'herald.dev/loadBalancerIPs': longest('1') } })],
    ['four 64 KiB annotations Herald reads', apiService({ annotations: Object.fromEntries(
      ['herald.dev/address-pool', 'herald.dev/allow-shared-ip', 'metallb.io/loadBalancerIPs', 'metallb.universe.tf/ip-allocated-from-pool']
        .map((k) => [k, 'v'.repeat(64 * 1024 - k.length)])) })],
    ['a thousand small herald.dev/ annotations', apiService({ annotations: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`herald.dev/note-${i}`, 'x'.repeat(200)])) })],
    // The API server does not check spec.loadBalancerIP: it can be as long as the object may be (1.5 MiB in etcd).
    ['a 1 MiB spec.loadBalancerIP', apiService({ spec: { loadBalancerIP: longest('2').repeat(4) } })],
    // Kubernetes bounds each label (317 + 63 characters), not how many: 3 000 of them fit in an object.
    ['3 000 labels', labelled(3000)],
    ['a selector of 3 000 labels', apiService({ spec: { selector: manyLabels(3000) } })],
  ])('%s', (_name, svc) => {
    expect(JSON.stringify(trimService(svc)).length).toBeLessThan(2048);
  });

  test('labels or a selector over LABELS_MAX_CHARS are not kept, and the cached Service says so', () => {
    const trimmed = trimService(labelled(3000));
    expect(trimmed.metadata?.labels).toBeUndefined();
    expect(trimmed.spec?.selector).toEqual({ app: 'web' });
    expect(trimmed.tooLarge).toBe(`its labels hold ${3000 * 300 + 'app'.length + 'web'.length} characters in 3001 entries (at most ${LABELS_MAX_CHARS} each)`);
    const both = trimService(apiService({ spec: { selector: manyLabels(20) } }));
    expect(both.tooLarge).toMatch(/^its spec\.selector hold \d+ characters in 20 entries/);
    // Up to the limit, all is kept.
    const within = trimService(apiService({ spec: { selector: manyLabels(13) } }));
    expect([within.tooLarge, Object.keys(within.spec?.selector ?? {}).length]).toEqual([undefined, 13]);
  });
});

/** `n` labels of 300 characters each (a 237-character key, a 63-character value). */
function manyLabels(n: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`${String(i).padStart(6, '0')}-${'k'.repeat(230)}`, 'v'.repeat(63)]));
}

function labelled(n: number): KubernetesObject {
  const svc = apiService();
  (svc.metadata as Record<string, unknown>).labels = { app: 'web', ...manyLabels(n) };
  return svc;
}

describe('a presence Lease as the controller caches it', () => {
  const lease = (annotations: Record<string, string>): KubernetesObject => ({
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: { name: 'herald-speaker-n1', namespace: 'herald-system', resourceVersion: '7', annotations, labels: { 'herald.dev/presence': 'speaker' } },
    spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: '2026-01-01T00:00:00.000000Z' },
  } as KubernetesObject);

  test('keeps its node and what it says about interfaces, not its renewal or other annotations', () => {
    const kept = trimPresenceLease(lease({ [INTERFACES_ANNOTATION]: 'eth0', 'herald.dev/heartbeat-address': '192.0.2.1', other: 'x' }));
    expect(kept).toEqual({
      metadata: { name: 'herald-speaker-n1', namespace: 'herald-system', resourceVersion: '7', annotations: { [INTERFACES_ANNOTATION]: 'eth0' } },
      spec: { holderIdentity: 'n1' },
    });
  });

  test('a huge interface annotation is kept cut, and then reads as an incomplete list', () => {
    const kept = trimPresenceLease(lease({ [INTERFACES_ANNOTATION]: 'eth0,'.repeat(50_000) }));
    const text = kept.metadata?.annotations?.[INTERFACES_ANNOTATION] ?? '';
    expect(text.length).toBeLessThan(1100);
    expect(reportedInterfaces(kept.metadata?.annotations)?.complete).toBe(false);
  });
});

describe('a BGP object as the controller caches it', () => {
  const full = {
    apiVersion: 'herald.dev/v1beta1', kind: 'BGPPeer',
    metadata: { name: 'tor', namespace: 'herald-system', uid: 'u1', resourceVersion: '7', generation: 2, managedFields: [{ manager: 'kubectl' }] },
    spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', password: 'tcp-md5-key' },
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'Valid', message: 'm', lastTransitionTime: '2025-01-01T00:00:00Z' }],
      nodes: [{ node: 'n1', state: 'Established' }],
    },
  } as unknown as KubernetesObject;

  test('keeps its identity, spec and conditions; not a speaker\'s nodes, and never the password itself', () => {
    const peer = trimBGPObject<BGPPeer>(full);
    expect(peer).toEqual({
      apiVersion: 'herald.dev/v1beta1', kind: 'BGPPeer', metadata: { name: 'tor', namespace: 'herald-system', uid: 'u1', resourceVersion: '7', generation: 2 },
      spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', password: PASSWORD_KEPT },
      status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Valid', message: 'm', lastTransitionTime: '2025-01-01T00:00:00Z' }] },
    });
    expect(JSON.stringify(peer)).not.toContain('tcp-md5-key');
  });

  test('an object without status or spec stays without; a new version shares what did not change', () => {
    const ad = trimBGPObject<BGPAdvertisement>({ apiVersion: 'herald.dev/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'all', resourceVersion: '1' } });
    expect(ad).toEqual({ apiVersion: 'herald.dev/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'all', resourceVersion: '1' } });
    const first = trimBGPObject<BGPPeer>(full);
    const next = trimBGPObject<BGPPeer>({ ...full, metadata: { ...full.metadata, resourceVersion: '8' } }, first);
    expect(next.spec).toBe(first.spec);
    expect(next.status).toBe(first.status);
  });
});

describe('a Secret as the controller caches it', () => {
  test('its name, type and key names, each with an empty value: never a key', () => {
    const secret = trimPasswordSecret({
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tor-md5', namespace: 'herald-system', uid: 'u', resourceVersion: '3', labels: { a: 'b' } },
      type: 'kubernetes.io/basic-auth', data: { username: 'YWRtaW4=', password: 'czNjcmV0' },
    } as KubernetesObject);
    expect(secret).toEqual({
      metadata: { name: 'tor-md5', namespace: 'herald-system', uid: 'u', resourceVersion: '3' },
      type: 'kubernetes.io/basic-auth', data: { password: '', username: '' },
    });
    expect(trimPasswordSecret({ metadata: { name: 'empty' } } as KubernetesObject)).toEqual({ metadata: { name: 'empty' }, data: {} });
  });
});
