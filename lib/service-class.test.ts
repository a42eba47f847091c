import { unmanagedWhy, unmanagedWhyOf } from './service-class.js';

const facts = (extra = {}) => ({ deleting: false, type: 'LoadBalancer', loadBalancerClass: undefined as string | undefined, ...extra });

test.each([
  ['served: LoadBalancer, no class, Herald without a class', facts(), undefined, undefined],
  ['no Service', undefined, undefined, 'deleted'],
  ['being deleted', facts({ deleting: true }), undefined, 'deleted'],
  ['not a LoadBalancer', facts({ type: 'NodePort' }), undefined, 'notLoadBalancer'],
  ['a class while Herald has none', facts({ loadBalancerClass: 'other.example/lb' }), undefined, 'otherClass'],
  ['no class while Herald has one', facts(), 'herald.dev/lan', 'otherClass'],
  ['Herald\'s own class', facts({ loadBalancerClass: 'herald.dev/lan' }), 'herald.dev/lan', undefined],
])('%s', (_what, service, herald, expected) => {
  expect(unmanagedWhyOf(service, herald)).toBe(expected);
});

test('the client-node form reads the same facts', () => {
  expect(unmanagedWhy({ metadata: { deletionTimestamp: new Date(0) }, spec: { type: 'LoadBalancer' } }, undefined)).toBe('deleted');
  expect(unmanagedWhy({ spec: { type: 'LoadBalancer', loadBalancerClass: 'x' } }, 'x')).toBeUndefined();
  expect(unmanagedWhy({ spec: { type: 'ClusterIP' } }, undefined)).toBe('notLoadBalancer');
});
