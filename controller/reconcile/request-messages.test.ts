// What a Service's owner reads when its request cannot be met as written: each InvalidRequest message word for word
// (they are in docs/address-pools.md), and the small readings of a request that decide an address (a pool name
// with spaces around it, a pod selector in another key order).
import type { ServiceOutcome } from '../core-api.js';
import { cluster, pool, type ServiceShape } from './fixtures.js';

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
