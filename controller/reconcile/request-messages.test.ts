// What a Service's owner reads when its request cannot be met as written: each InvalidRequest message word for word
// (they are in docs/address-pools.md), and the small readings of a request that decide an address (a pool name
// with spaces around it, a pod selector in another key order).
import type { ServiceKey, ServiceOutcome } from '../core-api.js';
import { cluster, pool, service, type ServiceShape } from './fixtures.js';

const dual = () => cluster([pool('dual', ['192.0.2.0/29', '2001:db8::/64'])]);
const messagesOf = (outcome: ServiceOutcome) => outcome.events.map((e) => `${e.reason}: ${e.message}`);

describe('requests that cannot be read', () => {
  it.each<[string, ServiceShape, string]>([
    ['both the annotation and spec.loadBalancerIP', { annotations: { 'herald.dev/loadBalancerIPs': '192.0.2.1' }, loadBalancerIP: '192.0.2.1' },
      'both the loadBalancerIPs annotation "192.0.2.1" and spec.loadBalancerIP "192.0.2.1" are set; use one'],
    ['a bad spec.loadBalancerIP', { loadBalancerIP: '192.0.2.300' }, 'spec.loadBalancerIP "192.0.2.300": "192.0.2.300" is not an IP address: an octet is above 255'],
    ['a bad annotation', { annotations: { 'herald.dev/loadBalancerIPs': '192.0.2.1, x' } },
      'loadBalancerIPs annotation "192.0.2.1, x": "x" is not an IP address: expected a dotted quad like 192.0.2.1'],
    ['two addresses of one family', { annotations: { 'herald.dev/loadBalancerIPs': '192.0.2.1,192.0.2.2' } }, 'loadBalancerIPs annotation "192.0.2.1,192.0.2.2": at most one IP per family'],
    ['an address of a family the Service does not have', { loadBalancerIP: '2001:db8::1' }, 'requested IPv6 address but spec.ipFamilies is IPv4'],
    ['two addresses for a SingleStack Service', { annotations: { 'herald.dev/loadBalancerIPs': '192.0.2.1,2001:db8::1' }, ipFamilies: ['IPv4', 'IPv6'] },
      'two IPs requested for a SingleStack Service'],
    ['one address for RequireDualStack', { loadBalancerIP: '192.0.2.1', ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' },
      'RequireDualStack needs one requested IP per family'],
    ['an unknown family', { ipFamilies: ['IPv5'] }, 'spec.ipFamilies has an unknown family "IPv5"'],
    ['an unknown family policy', { ipFamilyPolicy: 'AnyStack' }, 'spec.ipFamilyPolicy "AnyStack" is unknown'],
  ])('%s', (_story, shape, message) => {
    const outcome = dual().apply('apps/web', shape);
    expect([outcome.ingress, messagesOf(outcome)]).toEqual([[], [`InvalidRequest: ${message}`]]);
  });
});

describe('how a request is read', () => {
  it('a pool name with spaces around it names that pool; a blank one names none', () => {
    const { ips } = cluster([pool('a', ['192.0.2.0/29']), pool('b', ['198.51.100.0/29'], { autoAssign: false })]);
    expect(ips('apps/spaced', { annotations: { 'herald.dev/address-pool': ' b ' } })).toEqual(['198.51.100.0']);
    expect(ips('apps/blank', { annotations: { 'herald.dev/address-pool': '  ' } })).toEqual(['192.0.2.0']);
  });

  it('Services with externalTrafficPolicy Local share when they select the same pods, whatever the key order', () => {
    const { ips } = dual();
    const local = (port: number, selector: Record<string, string>): ServiceShape =>
      ({ annotations: { 'herald.dev/allow-shared-ip': 'k' }, ports: [{ port }], externalTrafficPolicy: 'Local', selector });
    expect(ips('apps/one', local(1, { app: 'web', tier: 'front' }))).toEqual(['192.0.2.0']);
    expect(ips('apps/two', local(2, { tier: 'front', app: 'web' }))).toEqual(['192.0.2.0']);
    expect(ips('apps/three', local(3, { tier: 'front', app: 'api' }))).toEqual(['192.0.2.1']);
  });
});

describe('a hand-made Service without the fields the API server defaults', () => {
  /** The Service as `service()` builds it, with some spec fields removed (as a client that skips the API server might). */
  const bare = (key: ServiceKey, shape: ServiceShape, drop: ('ipFamilies' | 'ipFamilyPolicy')[]) => {
    const made = service(key, shape);
    for (const field of drop) delete made.spec?.[field];
    return made;
  };
  it.each<[string, ServiceShape, ('ipFamilies' | 'ipFamilyPolicy')[], string[]]>([
    ['no ipFamilies: IPv4', {}, ['ipFamilies'], ['192.0.2.0']],
    ['empty ipFamilies: IPv4', { ipFamilies: [] }, [], ['192.0.2.0']],
    ['no ipFamilies, an IPv6 address requested: the family of that address', { loadBalancerIP: '2001:db8::5' }, ['ipFamilies'], ['2001:db8::5']],
    ['no ipFamilyPolicy, two families listed: SingleStack, the first family', { ipFamilies: ['IPv6', 'IPv4'] }, ['ipFamilyPolicy'], ['2001:db8::']],
    ['a family listed twice counts once: PreferDualStack gets one address', { ipFamilies: ['IPv4', 'IPv4'], ipFamilyPolicy: 'PreferDualStack' }, [], ['192.0.2.0']],
  ])('%s', (_story, shape, drop, expected) => {
    const { core } = dual();
    expect(core.reconcile('apps/web', bare('apps/web', shape, drop)).ingress.map((i) => i.ip)).toEqual(expected);
  });

  it('a port without a protocol is TCP: it clashes with a key-mate\'s TCP port on that number', () => {
    const { core, ips } = dual();
    expect(ips('apps/tcp', { annotations: { 'herald.dev/allow-shared-ip': 'k' }, ports: [{ port: 53, protocol: 'TCP' }] })).toEqual(['192.0.2.0']);
    const noProtocol = service('apps/plain', { annotations: { 'herald.dev/allow-shared-ip': 'k' } });
    if (noProtocol.spec) noProtocol.spec.ports = [{ port: 53 }];
    expect(core.reconcile('apps/plain', noProtocol).ingress.map((i) => i.ip)).toEqual(['192.0.2.1']);
  });
});

describe('which pods a Local Service selects, as sharing compares them', () => {
  const local = (port: number, selector: Record<string, string>, policy = 'Local'): ServiceShape =>
    ({ annotations: { 'herald.dev/allow-shared-ip': 'k' }, ports: [{ port }], externalTrafficPolicy: policy, selector });
  it('selectors that would read alike run together are different pods: {a: "b", c: "d"} and {a: "", bc: "d"}', () => {
    const { ips } = dual();
    expect(ips('apps/one', local(1, { a: 'b', c: 'd' }))).toEqual(['192.0.2.0']);
    expect(ips('apps/two', local(2, { a: '', bc: 'd' }))).toEqual(['192.0.2.1']);
  });

  it('a Local Service without a selector shares with a Cluster one (MetalLB: only a Local selector is compared)', () => {
    const { ips } = dual();
    expect(ips('apps/cluster', local(1, { app: 'x' }, 'Cluster'))).toEqual(['192.0.2.0']);
    expect(ips('apps/local', local(2, {}))).toEqual(['192.0.2.0']);
  });
});

describe('namespace labels', () => {
  it('a namespace no longer listed has no labels: a pool that selected it by label serves it no more', () => {
    const gold = pool('gold', ['192.0.2.0/29'], { serviceAllocation: { namespaceSelectors: [{ matchLabels: { plan: 'gold' } }] } });
    const { core, ips } = cluster([gold, pool('rest', ['203.0.113.0/29'])]);
    core.setNamespaces([{ metadata: { name: 'rich', labels: { plan: 'gold' } } }]);
    expect(ips('rich/first')).toEqual(['192.0.2.0']);
    core.setNamespaces([]);
    expect(ips('rich/second')).toEqual(['203.0.113.0']);
  });
});
