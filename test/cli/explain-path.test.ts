// The pure explanation: listed objects in, the path (or where it stops) out. Tables of cluster stories; the chain
// names themselves are judged by kube-proxy (explain-kube-proxy.test.ts) and its own test expectations
// (explain-chain-names.test.ts), so here the rows pin the choices: which endpoints, which chains, which stop.
import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import { servicePortChain } from '../../cli/explain/chain-names.js';
import { nodeChains, proxyEndpoints, ruleProbability, type ProxiedPort, type ProxyEndpoint } from '../../cli/explain/kube-proxy-rules.js';
import { explainService, type ExplainInput } from '../../cli/explain/path.js';
import { printExplanation } from '../../cli/explain/print.js';
import type { BGPPeer, ServiceBGPStatus, ServiceL2Status } from '../../crds/v1beta1/index.js';

const ep = (endpoint: string, node: string, more: Partial<ProxyEndpoint> = {}): ProxyEndpoint =>
  ({ endpoint, node, ready: true, serving: true, terminating: false, zoneHints: [], nodeHints: [], ...more });
const port = (endpoints: ProxyEndpoint[], more: Partial<ProxiedPort> = {}): ProxiedPort =>
  ({ portName: 'ns/web:http', protocol: 'TCP', externalPolicyLocal: false, internalPolicyLocal: false, sourceRanges: [], endpoints, ...more });
const SVC = servicePortChain('KUBE-SVC-', 'ns/web:http', 'TCP');
const SVL = servicePortChain('KUBE-SVL-', 'ns/web:http', 'TCP');
const EXT = servicePortChain('KUBE-EXT-', 'ns/web:http', 'TCP');
const FW = servicePortChain('KUBE-FW-', 'ns/web:http', 'TCP');
const NODE_A = { name: 'node-a', zone: 'zone-1' };

describe('kube-proxy\'s choices on one node', () => {
  test.each([
    ['Cluster: every ready endpoint, any node', port([ep('10.0.0.1:80', 'node-a'), ep('10.0.0.2:80', 'node-b')]),
      { jump: EXT, outside: SVC, fromNode: undefined, cluster: ['10.0.0.1:80', '10.0.0.2:80'], local: undefined, seps: 2, stop: undefined }],
    ['Local: outside traffic to this node\'s endpoints, the node\'s own to all', port([ep('10.0.0.1:80', 'node-a'), ep('10.0.0.2:80', 'node-b')], { externalPolicyLocal: true }),
      { jump: EXT, outside: SVL, fromNode: SVC, cluster: ['10.0.0.1:80', '10.0.0.2:80'], local: ['10.0.0.1:80'], seps: 2, stop: undefined }],
    ['Local with none here: outside traffic stops', port([ep('10.0.0.2:80', 'node-b')], { externalPolicyLocal: true }),
      { jump: EXT, outside: undefined, fromNode: SVC, cluster: ['10.0.0.2:80'], local: undefined, seps: 1, stop: 'noLocalEndpoints' }],
    ['internalTrafficPolicy Local: KUBE-SVL- for the cluster IP, outside traffic still to KUBE-SVC-', port([ep('10.0.0.1:80', 'node-a'), ep('10.0.0.2:80', 'node-b')], { internalPolicyLocal: true }),
      { jump: EXT, outside: SVC, fromNode: undefined, cluster: ['10.0.0.1:80', '10.0.0.2:80'], local: ['10.0.0.1:80'], seps: 2, stop: undefined }],
    ['not ready endpoints are left out while a ready one exists', port([ep('10.0.0.1:80', 'node-a'), ep('10.0.0.3:80', 'node-b', { ready: false, serving: true, terminating: true })]),
      { jump: EXT, outside: SVC, fromNode: undefined, cluster: ['10.0.0.1:80'], local: undefined, seps: 1, stop: undefined }],
    ['with none ready, the serving terminating ones are used', port([ep('10.0.0.3:80', 'node-b', { ready: false, serving: true, terminating: true }), ep('10.0.0.4:80', 'node-b', { ready: false, serving: false })]),
      { jump: EXT, outside: SVC, fromNode: undefined, cluster: ['10.0.0.3:80'], local: undefined, seps: 1, stop: undefined }],
    ['loadBalancerSourceRanges put KUBE-FW- first', port([ep('10.0.0.1:80', 'node-a')], { sourceRanges: ['192.0.2.0/24'] }),
      { jump: FW, outside: SVC, fromNode: undefined, cluster: ['10.0.0.1:80'], local: undefined, seps: 1, stop: undefined }],
    ['zone hints: only this zone\'s endpoints', port([ep('10.0.0.1:80', 'node-b', { zoneHints: ['zone-1'] }), ep('10.0.0.2:80', 'node-b', { zoneHints: ['zone-2'] })]),
      { jump: EXT, outside: SVC, fromNode: undefined, cluster: ['10.0.0.1:80'], local: undefined, seps: 1, stop: undefined }],
    ['zone hints that miss one ready endpoint are ignored', port([ep('10.0.0.1:80', 'node-b', { zoneHints: ['zone-1'] }), ep('10.0.0.2:80', 'node-b')]),
      { jump: EXT, outside: SVC, fromNode: undefined, cluster: ['10.0.0.1:80', '10.0.0.2:80'], local: undefined, seps: 2, stop: undefined }],
    ['node hints win over zone hints', port([ep('10.0.0.1:80', 'node-a', { nodeHints: ['node-a'], zoneHints: ['zone-1'] }), ep('10.0.0.2:80', 'node-b', { nodeHints: ['node-b'], zoneHints: ['zone-1'] })]),
      { jump: EXT, outside: SVC, fromNode: undefined, cluster: ['10.0.0.1:80'], local: undefined, seps: 1, stop: undefined }],
  ])('%s', (_, given, expected) => {
    const n = nodeChains(given, NODE_A);
    expect({
      jump: n.loadBalancerJump, outside: n.external?.outside, fromNode: n.external?.fromNode, cluster: n.cluster?.jumps.map((j) => j.endpoint.endpoint),
      local: n.local?.jumps.map((j) => j.endpoint.endpoint), seps: n.endpointChains.length, stop: n.stop,
    }).toEqual(expected);
  });

  test('no usable endpoint: no chain at all', () => {
    expect(nodeChains(port([ep('10.0.0.1:80', 'node-a', { ready: false, serving: false })]), NODE_A)).toEqual({ node: 'node-a', endpointChains: [], stop: 'noEndpoints', topology: undefined });
  });

  test('probabilities 1/n, 1/(n-1) … with ten decimals; the last rule has none', () => {
    const n = nodeChains(port(['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'].map((e) => ep(e, 'node-b'))), NODE_A);
    expect(n.cluster?.jumps.map((j) => j.probability)).toEqual(['0.3333333333', '0.5000000000', undefined]);
    expect(ruleProbability(7)).toBe('0.1428571429');
  });
});

const slice = (addressType: 'IPv4' | 'IPv6', endpoints: V1EndpointSlice['endpoints'], ports: V1EndpointSlice['ports'] = [{ name: 'http', port: 8080, protocol: 'TCP' }]): V1EndpointSlice =>
  ({ addressType, endpoints, ports, metadata: { labels: { 'kubernetes.io/service-name': 'web' } } });

describe('endpoints as kube-proxy reads EndpointSlices', () => {
  test('by family, port name and protocol; sorted by "IP:port" text; a live copy of an IP wins over a terminating one', () => {
    const slices = [
      slice('IPv4', [{ addresses: ['10.0.0.9'], nodeName: 'b', conditions: { ready: false, serving: true, terminating: true } }, { addresses: ['10.0.0.10'], nodeName: 'a' }]),
      slice('IPv4', [{ addresses: ['10.0.0.9'], nodeName: 'b', conditions: { ready: true } }]),
      slice('IPv4', [{ addresses: ['10.0.0.50'] }], [{ name: 'http', port: 8080, protocol: 'UDP' }]),
      slice('IPv4', [{ addresses: ['10.0.0.51'] }], [{ name: 'metrics', port: 9090, protocol: 'TCP' }]),
      slice('IPv6', [{ addresses: ['2001:db8::1'] }]),
    ];
    const found = proxyEndpoints(slices, 4, 'http', 'TCP');
    expect(found.map((e) => [e.endpoint, e.ready])).toEqual([['10.0.0.10:8080', true], ['10.0.0.9:8080', true]]);
    expect(proxyEndpoints(slices, 6, 'http', 'TCP').map((e) => e.endpoint)).toEqual(['[2001:db8::1]:8080']);
  });

  test('an unnamed Service port matches the slice port named ""; a port of number 0 or none is skipped', () => {
    const slices = [slice('IPv4', [{ addresses: ['10.0.0.1'] }], [{ name: '', port: 80, protocol: 'TCP' }, { name: '', protocol: 'TCP' }])];
    expect(proxyEndpoints(slices, 4, undefined, 'TCP').map((e) => e.endpoint)).toEqual(['10.0.0.1:80']);
  });
});

function service(more: Partial<V1Service['spec']> = {}, ingress: { ip: string; ipMode?: string }[] = [{ ip: '203.0.113.10' }], labels?: Record<string, string>): V1Service {
  return {
    metadata: { namespace: 'ns', name: 'web', labels },
    spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.10'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...more },
    status: { loadBalancer: { ingress } },
  };
}
const l2 = (node: string, serviceName = 'web'): ServiceL2Status =>
  ({ apiVersion: 'herald.dev/v1beta1', kind: 'ServiceL2Status', metadata: { namespace: 'ns', name: `${serviceName}-${node}` }, status: { node, serviceName, serviceNamespace: 'ns', interfaces: [{ name: 'eth0' }] } });
const input = (svc: V1Service, more: Partial<ExplainInput> = {}): ExplainInput =>
  ({ service: svc, slices: [slice('IPv4', [{ addresses: ['10.0.0.1'], nodeName: 'node-a' }])], l2Statuses: [l2('node-a')], bgpStatuses: [], nodes: [], peers: [], ...more });

describe('where the path stops', () => {
  test.each([
    ['not a LoadBalancer', input(service({ type: 'ClusterIP' })), { reason: 'notLoadBalancer', type: 'ClusterIP' }, 'is of type ClusterIP, not LoadBalancer'],
    ['no IP yet', input(service({}, [])), { reason: 'noIngressIP' }, 'EXTERNAL-IP <pending>'],
    ['left to another proxy', input(service({}, undefined, { 'service.kubernetes.io/service-proxy-name': 'cilium' })), { reason: 'otherProxy', proxyName: 'cilium' }, 'service-proxy-name=cilium'],
  ])('%s', (_, given, stop, text) => {
    const e = explainService(given);
    expect(e.stop).toEqual(stop);
    expect(printExplanation(e)).toContain(text);
  });

  test.each([
    ['nobody answers: no status object for this Service (one of another Service does not count)', input(service(), { l2Statuses: [l2('node-a', 'other')] }), 'nobodyAnswers', 'no node answers for it'],
    ['ipMode Proxy', input(service({}, [{ ip: '203.0.113.10', ipMode: 'Proxy' }])), 'ipModeProxy', 'ipMode Proxy'],
    ['an IPv6 VIP on a Service with only an IPv4 cluster IP', input(service({}, [{ ip: '2001:db8::10' }])), 'noClusterIPOfFamily', 'no IPv6 cluster IP'],
  ])('%s', (_, given, stop, text) => {
    const e = explainService(given);
    expect(e.vips.map((v) => v.stop)).toEqual([stop]);
    expect(printExplanation(e)).toContain(text);
  });

  test('no usable endpoint on the answering node: no KUBE- chain printed, the REJECT named', () => {
    const text = printExplanation(explainService(input(service(), { slices: [slice('IPv4', [{ addresses: ['10.0.0.1'], conditions: { ready: false, serving: false } }])] })));
    expect(text).not.toMatch(/KUBE-(SVC|EXT|SEP)-/);
    expect(text).toContain('KUBE-EXTERNAL-SERVICES (table filter) REJECTs the packet. The path stops here.');
  });

  test('each policy chain says what it serves: internalTrafficPolicy Local puts KUBE-SVL- under the cluster IP', () => {
    const text = printExplanation(explainService(input(service({ internalTrafficPolicy: 'Local' }))));
    expect(text).toContain(`${SVC}  outside traffic: any node's endpoints, one of 1 endpoint at random:`);
    expect(text).toContain(`${SVL}  the cluster IP (internalTrafficPolicy Local): this node's own endpoints, one of 1 endpoint at random:`);
  });

  test('sessionAffinity ClientIP: its timeout (the API\'s default of 3 h when unset) comes before the random choice', () => {
    const withTimeout = printExplanation(explainService(input(service({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } } }))));
    expect(withTimeout).toContain('first, a client seen in the last 600 s goes back to its endpoint\'s KUBE-SEP- (sessionAffinity ClientIP)');
    expect(explainService(input(service({ sessionAffinity: 'ClientIP' }))).clientAffinitySeconds).toBe(10_800);
    expect(explainService(input(service())).clientAffinitySeconds).toBeUndefined();
  });

  test('Local and the announcing node has no endpoint: outside traffic is dropped, the node\'s own still reaches KUBE-SVC-', () => {
    const text = printExplanation(explainService(input(service({ externalTrafficPolicy: 'Local' }), { l2Statuses: [l2('node-b')] })));
    expect(text).toContain('from outside: nowhere — node-b has no ready endpoint of its own');
    expect(text).toContain(`from the node itself → ${servicePortChain('KUBE-SVC-', 'ns/web:http', 'TCP')}`);
  });
});

describe('who answers', () => {
  const node = (name: string, addresses: string[]): V1Node => ({ metadata: { name }, status: { addresses: addresses.map((address) => ({ type: 'InternalIP', address })) } });
  const peer = (name: string, peerAddress: string, sourceAddress?: string): BGPPeer => ({
    apiVersion: 'herald.dev/v1beta1', kind: 'BGPPeer', metadata: { name, namespace: 'herald-system' },
    spec: { myASN: 64512, peerASN: 64513, peerAddress, sourceAddress }, status: { nodes: [{ node: 'node-a', state: 'Established' }] },
  } as BGPPeer);
  const bgp = (nodeName: string, peers: string[]): ServiceBGPStatus =>
    ({ apiVersion: 'herald.dev/v1beta1', kind: 'ServiceBGPStatus', metadata: { namespace: 'ns', name: `web-${nodeName}` }, status: { node: nodeName, serviceName: 'web', serviceNamespace: 'ns', peers } });

  test('BGP: the peer\'s sourceAddress is the next hop when it is of the VIP\'s family, else the node\'s address facing the peer', () => {
    const e = explainService(input(service(), {
      l2Statuses: [], bgpStatuses: [bgp('node-a', ['tor', 'edge'])], nodes: [node('node-a', ['192.0.2.11', '2001:db8::11'])],
      peers: [peer('tor', '192.0.2.1', '192.0.2.99'), peer('edge', '192.0.2.2')],
    }));
    expect(e.vips[0]?.bgp).toEqual([{ node: 'node-a', hops: [
      { peer: 'tor', peerAddress: '192.0.2.1', nextHop: '192.0.2.99', session: 'Established' },
      { peer: 'edge', peerAddress: '192.0.2.2', nextHop: 'node-a\'s IPv4 address on the link facing 192.0.2.2 (else 192.0.2.11)', session: 'Established' },
    ] }]);
    expect(e.vips[0]?.ports[0]?.onNodes.map((n) => n.node)).toEqual(['node-a']);
  });

  test('layer 2 and BGP together: each node once in kube-proxy\'s part, nodes with the same chains share one block', () => {
    const e = explainService(input(service(), { bgpStatuses: [bgp('node-b', [])] }));
    expect(e.vips[0]?.ports[0]?.onNodes.map((n) => n.node)).toEqual(['node-a', 'node-b']);
    expect(printExplanation(e)).toContain('kube-proxy on node-a, node-b (iptables mode, table nat):');
    expect(printExplanation(e)).toContain('BGP: node-b advertises 203.0.113.10/32 to no peer');
  });
});
