// The status model (cli/status/model.ts, pool-choice.ts, announcers.ts) as tables of cluster stories: what the
// controller and the speakers wrote in, what a row says out.
import type { V1Condition, V1Service } from '@kubernetes/client-node';
import type { BGPPeer, IPAddressPool, L2Advertisement, BGPAdvertisement, ServiceBGPStatus, ServiceL2Status } from '../../crds/v1beta1/index.js';
import { liveSpeakers, serviceStatuses, summarize, type ClusterObjects } from '../../cli/status/model.js';
import { statusTable } from '../../cli/status/print.js';
import { kubectlTable } from '../support/kubectl.js';
import { choiceText } from '../../cli/status/pool-choice.js';

const meta = (name: string, namespace = 'herald-system', labels: Record<string, string> = {}) => ({ name, namespace, labels });
const pool = (name: string, addresses: string[], spec: Partial<IPAddressPool['spec']> = {}, labels: Record<string, string> = {}): IPAddressPool =>
  ({ apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: meta(name, 'herald-system', labels), spec: { addresses, ...spec } });
const l2ad = (name: string, spec: L2Advertisement['spec'] = {}): L2Advertisement =>
  ({ apiVersion: 'herald.dev/v1beta1', kind: 'L2Advertisement', metadata: meta(name), spec });
const bgpad = (name: string, spec: BGPAdvertisement['spec'] = {}): BGPAdvertisement =>
  ({ apiVersion: 'herald.dev/v1beta1', kind: 'BGPAdvertisement', metadata: meta(name), spec });
const cond = (type: string, status: string, reason: string, message = ''): V1Condition =>
  ({ type, status, reason, message, lastTransitionTime: new Date('2026-01-01T00:00:00Z') });
const ASSIGNED = (ip: string, p: string) => cond('herald.dev/AddressAssigned', 'True', 'Assigned', `"${ip}" from pool "${p}"`);

function svc(ns: string, name: string, o: { ips?: string[]; pool?: string; annotations?: Record<string, string>; conditions?: V1Condition[];
  labels?: Record<string, string>; type?: string; loadBalancerIP?: string; loadBalancerClass?: string } = {}): V1Service {
  const annotations = { ...(o.pool ? { 'herald.dev/ip-allocated-from-pool': o.pool } : {}), ...o.annotations };
  return {
    metadata: { namespace: ns, name, annotations, labels: o.labels },
    spec: { type: o.type ?? 'LoadBalancer', ports: [{ port: 80 }], loadBalancerIP: o.loadBalancerIP, loadBalancerClass: o.loadBalancerClass },
    status: { loadBalancer: { ingress: (o.ips ?? []).map((ip) => ({ ip })) }, conditions: o.conditions },
  };
}

const l2status = (ns: string, service: string, node: string, interfaces: string[], created = '2026-01-01T10:00:00Z'): ServiceL2Status => ({
  apiVersion: 'herald.dev/v1beta1', kind: 'ServiceL2Status',
  metadata: { name: `${service}-${node}`, namespace: ns, creationTimestamp: created as unknown as Date },
  status: { node, serviceName: service, serviceNamespace: ns, interfaces: interfaces.map((n) => ({ name: n })) },
});
const bgpstatus = (ns: string, service: string, node: string, peers: string[]): ServiceBGPStatus => ({
  apiVersion: 'herald.dev/v1beta1', kind: 'ServiceBGPStatus', metadata: { name: `${service}-${node}`, namespace: ns },
  status: { node, serviceName: service, serviceNamespace: ns, peers },
});
const peer = (name: string, nodes: { node: string; state: 'Established' | 'Active' }[]): BGPPeer => ({
  apiVersion: 'herald.dev/v1beta1', kind: 'BGPPeer', metadata: meta(name), spec: { peerAddress: '192.0.2.254', peerASN: 64500, myASN: 64501 },
  status: { nodes: nodes.map((n) => ({ ...n, since: '2026-01-01T00:00:00Z' })) },
});

const objects = (o: Partial<ClusterObjects>): ClusterObjects => ({
  services: [], l2Statuses: [], bgpStatuses: [], pools: [], l2Advertisements: [], bgpAdvertisements: [], peers: [], namespaces: [], ...o,
});

describe('one row per LoadBalancer Service', () => {
  const pools = [pool('production', ['192.0.2.0/24']), pool('edge', ['203.0.113.0/24'], { serviceAllocation: { namespaces: ['edge'], priority: 5 } })];
  const rows = serviceStatuses(objects({
    pools,
    l2Advertisements: [l2ad('l2', { ipAddressPools: ['production'] })],
    bgpAdvertisements: [bgpad('bgp', { ipAddressPools: ['edge'] })],
    peers: [peer('tor', [{ node: 'n1', state: 'Established' }, { node: 'n2', state: 'Active' }])],
    services: [
      svc('shop', 'web', { ips: ['192.0.2.1'], pool: 'production', conditions: [ASSIGNED('192.0.2.1', 'production'), cond('herald.dev/Announced', 'True', 'Announced', 'announced by node "n1"')] }),
      svc('shop', 'db', { ips: ['192.0.2.2'], pool: 'production', conditions: [ASSIGNED('192.0.2.2', 'production'), cond('herald.dev/Announced', 'False', 'NoServingEndpoint', '192.0.2.2 is not announced: no serving endpoint for shop/db')] }),
      svc('edge', 'api', { ips: ['203.0.113.0'], pool: 'edge', conditions: [ASSIGNED('203.0.113.0', 'edge')] }),
      svc('shop', 'internal', { type: 'ClusterIP' }),
    ],
    l2Statuses: [l2status('shop', 'web', 'n1', ['eth0'])],
    bgpStatuses: [bgpstatus('edge', 'api', 'n2', ['tor']), bgpstatus('edge', 'api', 'n1', ['tor'])],
  }));
  const row = (key: string) => rows.find((r) => `${r.namespace}/${r.name}` === key);

  test('sorted by namespace and name, only LoadBalancers', () => {
    expect(rows.map((r) => `${r.namespace}/${r.name}`)).toEqual(['edge/api', 'shop/db', 'shop/web']);
  });
  test.each([
    // service,     pool,         modes,      announcers (node/mode),                  condition
    ['shop/web', 'production', ['layer2'], ['n1/layer2'], 'Announced'],
    ['shop/db', 'production', ['layer2'], [], 'NoServingEndpoint'], // nobody announces: the mode the advertisements give
    ['edge/api', 'edge', ['bgp'], ['n1/bgp', 'n2/bgp'], 'Announced'], // no condition yet: the status objects say it
  ])('%s: pool %s, modes %j, announcers %j, %s', (key, poolName, modes, announcers, reason) => {
    const r = row(key);
    expect([r?.pool, r?.modes, r?.announcers.map((a) => `${a.node}/${a.mode}`), r?.summary.reason]).toEqual([poolName, modes, announcers, reason]);
  });
  test('BGP announcers name their peers and each session\'s state; layer 2 its interfaces and since when', () => {
    expect(row('edge/api')?.announcers.map((a) => a.peers)).toEqual([[{ peer: 'tor', session: 'Established' }], [{ peer: 'tor', session: 'Active' }]]);
    expect(row('shop/web')?.announcers).toEqual([{ node: 'n1', mode: 'layer2', interfaces: ['eth0'], since: '2026-01-01T10:00:00Z' }]);
  });
  test('why this pool: serviceAllocation for edge/api, auto-assign for shop/web', () => {
    expect(row('edge/api')?.poolChoice).toEqual({ by: 'serviceAllocation', priority: 5, order: ['edge', 'production'] });
    expect(row('shop/web')?.poolChoice).toEqual({ by: 'autoAssign', order: ['production'] });
  });
});

describe('why this pool, as the controller would decide it', () => {
  const pools = [pool('a', ['192.0.2.0/24']), pool('b', ['198.51.100.0/24'], { autoAssign: false }),
    pool('c', ['203.0.113.0/24'], { serviceAllocation: { serviceSelectors: [{ matchLabels: { tier: 'gold' } }] } })];
  const choice = (s: V1Service) => serviceStatuses(objects({ pools, services: [s] }))[0]?.poolChoice;
  test.each<[string, V1Service, unknown]>([
    ['loadBalancerIPs annotation', svc('x', 's', { pool: 'b', annotations: { 'metallb.io/loadBalancerIPs': '198.51.100.7' } }),
      { by: 'requestedIPs', source: 'loadBalancerIPs annotation', ips: ['198.51.100.7'] }],
    ['spec.loadBalancerIP', svc('x', 's', { pool: 'b', loadBalancerIP: '198.51.100.7' }), { by: 'requestedIPs', source: 'spec.loadBalancerIP', ips: ['198.51.100.7'] }],
    ['address-pool annotation', svc('x', 's', { pool: 'b', annotations: { 'herald.dev/address-pool': 'b' } }), { by: 'addressPoolAnnotation', pool: 'b' }],
    ['serviceSelectors admit it', svc('x', 's', { pool: 'c', labels: { tier: 'gold' } }), { by: 'serviceAllocation', priority: undefined, order: ['c', 'a'] }],
    ['auto-assign after the serviceAllocation pools', svc('x', 's', { pool: 'a', labels: { tier: 'gold' } }), { by: 'autoAssign', order: ['c', 'a'] }],
    ['a pool no longer in its order: kept', svc('x', 's', { pool: 'c' }), { by: 'heldBefore', order: ['a'] }],
    ['a bad request: the controller\'s own message', svc('x', 's', { pool: 'a', annotations: { 'herald.dev/loadBalancerIPs': 'nonsense' } }),
      { by: 'unknown', why: expect.stringMatching(/^loadBalancerIPs annotation "nonsense": /) as unknown }],
  ])('%s', (_, service, expected) => {
    expect(choice(service)).toEqual(expected);
  });
  test('the text names the rule and the order', () => {
    expect(choiceText({ by: 'autoAssign', order: ['c', 'a'] }, 'a')).toBe('auto-assign: the first pool in automatic order with a free address: c, a');
    expect(choiceText({ by: 'serviceAllocation', priority: 5, order: ['c'] }, 'c', false)).toMatch(/^serviceAllocation: pool "c" \(priority 5\) admits the Service; automatic order: c \(the namespace's labels could not be read/);
  });
  test('namespaceSelectors read the namespace\'s labels', () => {
    const byLabel = [pool('ns', ['192.0.2.0/24'], { serviceAllocation: { namespaceSelectors: [{ matchLabels: { team: 'red' } }] } }), pool('z', ['198.51.100.0/24'])];
    const s = svc('red', 's', { pool: 'ns' });
    const withLabels = serviceStatuses(objects({ pools: byLabel, services: [s], namespaces: [{ metadata: { name: 'red', labels: { team: 'red' } } }] }))[0];
    expect(withLabels?.poolChoice).toEqual({ by: 'serviceAllocation', priority: undefined, order: ['ns', 'z'] });
    const unknown = serviceStatuses(objects({ pools: byLabel, services: [s], namespaces: undefined }))[0];
    expect([unknown?.poolChoice?.by, unknown?.namespaceLabelsKnown]).toEqual(['heldBefore', false]);
  });
});

describe('the condition a row shows: the first thing wrong, else Announced', () => {
  const announcer = [{ node: 'n1', mode: 'layer2' as const }];
  test.each<[string, string, V1Service, string[], boolean, string[] | undefined]>([
    ['no IP, no controller word', 'Pending', svc('x', 's'), [], false, undefined],
    ['another class, untouched', 'OtherClass', svc('x', 's', { loadBalancerClass: 'example.com/lb' }), [], false, undefined],
    ['another class with its own IP', 'OtherClass', svc('x', 's', { ips: ['198.51.100.9'], loadBalancerClass: 'example.com/lb' }), ['198.51.100.9'], false, undefined],
    ['Herald\'s own class (it wrote its condition)', 'Announced', svc('x', 's', { ips: ['192.0.2.1'], loadBalancerClass: 'herald.dev/lb', conditions: [ASSIGNED('192.0.2.1', 'a')] }), ['192.0.2.1'], true, undefined],
    ['allocation failed', 'AllocationFailed', svc('x', 's', { conditions: [cond('herald.dev/AddressAssigned', 'False', 'AllocationFailed', 'no free address')] }), [], false, undefined],
    ['a kept IP with an unmet request wins over Announced', 'RequestNotMet', svc('x', 's', { ips: ['192.0.2.1'], conditions: [cond('herald.dev/AddressAssigned', 'True', 'RequestNotMet'), cond('herald.dev/Announced', 'True', 'Announced')] }), ['192.0.2.1'], true, undefined],
    ['the speakers\' reason', 'NoEligibleNode', svc('x', 's', { ips: ['192.0.2.1'], conditions: [ASSIGNED('192.0.2.1', 'a'), cond('herald.dev/Announced', 'False', 'NoEligibleNode')] }), ['192.0.2.1'], false, undefined],
    ['status objects without a condition', 'Announced', svc('x', 's', { ips: ['192.0.2.1'], conditions: [ASSIGNED('192.0.2.1', 'a')] }), ['192.0.2.1'], true, undefined],
    ['nothing from any speaker', 'NotReported', svc('x', 's', { ips: ['192.0.2.1'], conditions: [ASSIGNED('192.0.2.1', 'a')] }), ['192.0.2.1'], false, undefined],
    ['nothing, and no live presence Lease', 'NoSpeaker', svc('x', 's', { ips: ['192.0.2.1'], conditions: [ASSIGNED('192.0.2.1', 'a')] }), ['192.0.2.1'], false, []],
    ['nothing, a speaker alive', 'NotReported', svc('x', 's', { ips: ['192.0.2.1'], conditions: [ASSIGNED('192.0.2.1', 'a')] }), ['192.0.2.1'], false, ['n1']],
  ])('%s → %s', (_, reason, service, ips, announced, speakers) => {
    expect(summarize(service, ips, announced ? announcer : [], speakers).reason).toBe(reason);
  });
});

describe('live speakers: presence Leases renewed within their duration', () => {
  const lease = (node: string, renewTime: string | undefined, seconds = 40) => ({ spec: { holderIdentity: node, renewTime, leaseDurationSeconds: seconds } });
  const now = Date.parse('2026-01-01T00:01:00Z');
  test.each<[string, ReturnType<typeof lease>[], string[]]>([
    ['renewed 20 s ago, for 40 s', [lease('n1', '2026-01-01T00:00:40.000000Z')], ['n1']],
    ['renewed 40 s ago, for 40 s: lapsed', [lease('n1', '2026-01-01T00:00:20.000000Z')], []],
    ['never renewed', [lease('n1', undefined)], []],
    ['sorted by node', [lease('n2', '2026-01-01T00:00:59Z'), lease('n1', '2026-01-01T00:00:59Z')], ['n1', 'n2']],
  ])('%s', (_, leases, live) => expect(liveSpeakers(leases, now)).toEqual(live));
  test('a row reads them when given', () => {
    const s = svc('x', 's', { ips: ['192.0.2.1'], conditions: [ASSIGNED('192.0.2.1', 'a')] });
    expect(serviceStatuses(objects({ services: [s], speakerLeases: [], nowMs: now }))[0]?.summary.reason).toBe('NoSpeaker');
    expect(serviceStatuses(objects({ services: [s] }))[0]?.summary.reason).toBe('NotReported');
  });
});

describe('the table', () => {
  const announcers = ['n1', 'n2', 'n3', 'n4', 'n5'].map((node) => l2status('x', 's', node, ['eth0']));
  const rows = serviceStatuses(objects({ services: [svc('x', 's', { ips: ['192.0.2.1', '2001:db8::1'], pool: 'p' })], l2Statuses: announcers }));
  test('dual-stack IPs in one cell, as kubectl get svc; more than three announcers cut to "+N more", all with -o wide', () => {
    const narrow = kubectlTable(statusTable(rows, { wide: false, namespaceColumn: true }))[0];
    expect([narrow?.IP, narrow?.['ANNOUNCED BY']]).toEqual(['192.0.2.1,2001:db8::1', 'n1 n2 n3 +2 more']);
    const wide = kubectlTable(statusTable(rows, { wide: true, namespaceColumn: false }))[0];
    expect([wide?.NAMESPACE, wide?.['ANNOUNCED BY']]).toEqual([undefined, 'n1(eth0) n2(eth0) n3(eth0) n4(eth0) n5(eth0)']);
  });
});
