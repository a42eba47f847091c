import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import { VALUE_MAX_CHARS } from '../../../lib/annotations.js';
import { endpointServing, endpointSliceView, INGRESS_MAX_IPS, nodeView, poolView, SERVICE_LABELS_MAX_CHARS, serviceView } from './trim.js';

const service = (meta: V1Service['metadata'] = {}, ingress: string[] = ['192.0.2.10']): V1Service => ({
  metadata: { namespace: 'default', name: 'web', uid: 'u1', labels: { app: 'web' }, ...meta },
  spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', loadBalancerClass: 'herald.dev/lan', ports: [{ port: 80 }] },
  status: { loadBalancer: { ingress: ingress.map((ip) => ({ ip })) } },
});

describe('serviceView', () => {
  test('keeps what the function reads; the pool annotation under any prefix, herald.dev first', () => {
    expect(serviceView(service({ annotations: { 'metallb.io/ip-allocated-from-pool': 'old', 'herald.dev/ip-allocated-from-pool': 'lan', 'x/y': 'z' } }))).toEqual({
      namespace: 'default', name: 'web', uid: 'u1', type: 'LoadBalancer', loadBalancerClass: 'herald.dev/lan', externalTrafficPolicy: 'Local',
      labels: { app: 'web' }, ingressIPs: ['192.0.2.10'], pool: 'lan', deleting: false,
    });
  });

  test('a deletionTimestamp means deleting; no annotation means no pool', () => {
    expect(serviceView(service({ deletionTimestamp: new Date('2024-01-01T00:00:00Z') }))).toMatchObject({ deleting: true, pool: undefined });
  });

  test('bounds what the Service\'s owner writes: the pool annotation, the labels, the ingress list', () => {
    const view = serviceView(service({
      annotations: { 'herald.dev/ip-allocated-from-pool': 'p'.repeat(100_000) }, labels: { big: 'v'.repeat(SERVICE_LABELS_MAX_CHARS) },
    }, Array.from({ length: 40 }, (_, i) => `192.0.2.${i}`)));
    expect(view.pool?.startsWith('p'.repeat(VALUE_MAX_CHARS))).toBe(true);
    expect(view.pool?.length).toBeLessThan(VALUE_MAX_CHARS + 40);
    expect(view.labels).toEqual({});
    expect(view.ingressIPs).toHaveLength(INGRESS_MAX_IPS);
  });
});

describe('endpoints', () => {
  test.each<[{ serving?: boolean; ready?: boolean } | undefined, boolean, string]>([
    [{ serving: true, ready: false }, true, 'serving wins over ready (a terminating endpoint that still serves)'],
    [{ serving: false, ready: true }, false, 'serving false is not serving'],
    [{ ready: false }, false, 'no serving condition: ready decides'],
    [{ ready: true }, true, 'no serving condition: ready decides'],
    [{}, true, 'neither: serving, as the API documents an unknown condition'],
    [undefined, true, 'no conditions at all: serving'],
  ])('%j → %s (%s)', (conditions, expected) => {
    expect(endpointServing(conditions)).toBe(expected);
  });

  test('a slice keeps its Service name label and its distinct (node, serving) pairs', () => {
    const slice: V1EndpointSlice = {
      addressType: 'IPv4', metadata: { namespace: 'default', name: 'web-x', labels: { 'kubernetes.io/service-name': 'web' } },
      endpoints: [
        { addresses: ['10.0.0.1'], nodeName: 'n1', conditions: { ready: true } },
        { addresses: ['10.0.0.2'], nodeName: 'n1', conditions: { serving: true } },
        { addresses: ['10.0.0.3'], nodeName: 'n2', conditions: { serving: false } },
        { addresses: ['10.0.0.4'] },
      ],
    };
    expect(endpointSliceView(slice)).toEqual({ namespace: 'default', name: 'web-x', serviceName: 'web', endpoints: [
      { nodeName: 'n1', serving: true }, { nodeName: 'n2', serving: false }, { nodeName: undefined, serving: true },
    ] });
  });
});

test('nodeView: NetworkUnavailable only when its condition is True', () => {
  const withCondition = (status: string): V1Node => ({ metadata: { name: 'n1', labels: { zone: 'a' } }, status: { conditions: [{ type: 'NetworkUnavailable', status }, { type: 'Ready', status: 'True' }] } });
  expect(nodeView(withCondition('True'))).toEqual({ name: 'n1', labels: { zone: 'a' }, networkUnavailable: true });
  expect(nodeView(withCondition('False')).networkUnavailable).toBe(false);
  expect(nodeView({ metadata: { name: 'n2' } })).toEqual({ name: 'n2', labels: {}, networkUnavailable: false });
});

test('poolView: name, labels and addresses', () => {
  expect(poolView({ apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name: 'lan', labels: { site: 'home' } }, spec: { addresses: ['192.0.2.0/24'] } }))
    .toEqual({ name: 'lan', labels: { site: 'home' }, addresses: ['192.0.2.0/24'] });
});
