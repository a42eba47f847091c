// A pool whose serviceAllocation has a selector the controller cannot use (InvalidSelector: `In` without values,
// `Exists` with some; the CRD schema lets them through) is a configuration mistake, so it releases no address
// (docs/address-pools.md). The pool keeps serving what it serves and says what is wrong; only a new allocation that
// depends on that selector (a Service nothing but the selector could admit) is withheld until it is fixed.
import type { ServiceKey, ServiceOutcome } from '../core-api.js';
import type { IPAddressPoolSpec, LabelSelector } from '../../crds/v1beta1/index.js';
import { cluster, NOW, pool, service, type ServiceShape } from './fixtures.js';

const ipsOf = (outcome: ServiceOutcome) => outcome.ingress.map((i) => i.ip);
const eventsOf = (outcome: ServiceOutcome) => outcome.events.map((e) => [e.type, e.reason, e.message]);
const web: ServiceShape = { labels: { tier: 'web' } };
const BROKEN: LabelSelector = { matchExpressions: [{ key: 'tier', operator: 'In' }] };
const FIXED: LabelSelector = { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] };
const team = (serviceSelectors: LabelSelector[], more: Partial<IPAddressPoolSpec> = {}) =>
  pool('team', ['192.0.2.0/29'], { serviceAllocation: { priority: 1, namespaces: ['a'], serviceSelectors }, ...more });
const rest = pool('rest', ['198.51.100.0/29']);
const WHY = 'pool "team" cannot admit this Service until its serviceAllocation selector is fixed';

/** a/web and a/api served by "team" (its selector still good), a/other by "rest"; then the selector is broken. */
function broken(selectors: LabelSelector[] = [BROKEN]) {
  const c = cluster([team([FIXED]), rest]);
  expect(c.ips('a/web', web)).toEqual(['192.0.2.0']);
  expect(c.ips('a/api', { ...web, annotations: { 'herald.dev/address-pool': 'team' } })).toEqual(['192.0.2.1']);
  expect(c.ips('a/other')).toEqual(['198.51.100.0']);
  c.core.poolStatuses(NOW);
  const update = c.core.setPools([team(selectors), rest], NOW + 1000);
  return { ...c, update };
}

describe('a pool whose selector breaks keeps every address its Services hold', () => {
  it('every Service keeps its IP, with no event; the pool counts them still', () => {
    const { core, apply, update } = broken();
    for (const key of update.servicesToReprocess) expect(eventsOf(apply(key))).toEqual([]);
    const held: [ServiceKey, ServiceShape, string][] = [
      ['a/web', web, '192.0.2.0'], ['a/api', { ...web, annotations: { 'herald.dev/address-pool': 'team' } }, '192.0.2.1'], ['a/other', {}, '198.51.100.0'],
    ];
    for (const [key, shape, ip] of held) {
      const outcome = apply(key, { ...shape, ingress: [ip] });
      expect([key, ipsOf(outcome), outcome.events]).toEqual([key, [ip], []]);
    }
    expect(core.poolStatuses(NOW + 1000).find((p) => p.name === 'team')?.status).toMatchObject({ assignedIPv4: 2, availableIPv4: 6 });
  });

  it('the pool says so: Ready=False InvalidSelector and one PoolInvalid event; fixed, Ready and PoolReady', () => {
    const { core } = broken();
    const [status] = core.poolStatuses(NOW + 1000).filter((p) => p.name === 'team');
    expect(status?.status.conditions?.[0]).toMatchObject({ status: 'False', reason: 'InvalidSelector', message: expect.stringMatching(
      /^pool "team": serviceSelectors\[0\] .*: operator In on key "tier" needs at least one value; until it is fixed the pool gives no new address to a Service that only this selector could admit, and Services holding its addresses keep them$/) });
    expect(status?.events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'PoolInvalid']]);
    core.setPools([team([FIXED]), rest], NOW + 2000);
    expect(core.poolStatuses(NOW + 2000).map((p) => [p.name, p.status.conditions?.[0]?.reason, p.events.map((e) => e.reason)]))
      .toEqual([['team', 'Valid', ['PoolReady']], ['rest', 'Valid', []]]);
  });

  it('a restarted controller restores every IP of the pool and keeps it', () => {
    const existing = [service('a/web', { ...web, ingress: ['192.0.2.0'], annotations: { 'herald.dev/ip-allocated-from-pool': 'team' } })];
    const { refused, apply } = cluster([team([BROKEN]), rest], {}, existing);
    expect(refused).toEqual([]);
    const outcome = apply('a/web', { ...web, ingress: ['192.0.2.0'] });
    expect([ipsOf(outcome), outcome.events]).toEqual([['192.0.2.0'], []]);
  });
});

describe('only new allocations that depend on the broken selector are withheld', () => {
  it.each<[string, LabelSelector[], ServiceKey, ServiceShape, string[], string]>([
    ['a Service only the selector could admit goes to the next pool', [BROKEN], 'a/new', web, ['198.51.100.1'], ''],
    ['with no other pool it waits, told which pool may take it once fixed', [BROKEN], 'a/new', { ...web, annotations: { 'herald.dev/address-pool': 'team' } }, [],
      `${WHY} (pools tried: "team")`],
    ['one a good selector of the same pool admits is served as before', [{ matchLabels: { tier: 'web' } }, BROKEN], 'a/new', web, ['192.0.2.2'], ''],
    ['one the pool refuses whatever the selector says (another namespace) is refused as before', [BROKEN], 'b/new',
      { ...web, annotations: { 'herald.dev/address-pool': 'team' } }, [], 'pool "team" does not admit this Service (its serviceAllocation) (pools tried: "team")'],
    ['one requesting an address of the pool waits too', [BROKEN], 'a/new', { ...web, annotations: { 'herald.dev/loadBalancerIPs': '192.0.2.5' } }, [],
      `requested "192.0.2.5": ${WHY} (pools tried: "team")`],
  ])('%s', (_story, selectors, key, shape, ips, failure) => {
    const { apply } = broken(selectors);
    const outcome = apply(key, shape);
    expect(ipsOf(outcome)).toEqual(ips);
    if (failure) expect(eventsOf(outcome)).toEqual([['Warning', 'AllocationFailed', failure]]);
  });

  it('an automatic Service nothing else admits waits, told which pool may take it once fixed; then it is served', () => {
    const { core, apply } = cluster([team([FIXED], { autoAssign: true })]);
    core.setPools([team([BROKEN])], NOW);
    expect(eventsOf(apply('a/new', web))).toEqual([['Warning', 'AllocationFailed',
      'no pool is available to this Service (none with autoAssign admits it) (pool "team" may admit it once its serviceAllocation selector is fixed)']]);
    expect(core.setPools([team([FIXED])], NOW).servicesToReprocess).toEqual(['a/new']);
    expect(ipsOf(apply('a/new', web))).toEqual(['192.0.2.0']);
  });

  it.each<[string, ServiceShape]>([
    ['an address-pool annotation naming the pool', { annotations: { 'herald.dev/address-pool': 'team' } }],
    ['loadBalancerIPs naming one of its addresses', { annotations: { 'herald.dev/loadBalancerIPs': '192.0.2.5' } }],
  ])('a Service holding an IP elsewhere that asks for the pool by %s keeps its IP, with a warning', (_story, shape) => {
    const { apply } = broken();
    const outcome = apply('a/other', { ...web, ...shape, ingress: ['198.51.100.0'] });
    expect(ipsOf(outcome)).toEqual(['198.51.100.0']);
    expect(eventsOf(outcome)).toEqual([['Warning', 'AllocationFailed', expect.stringMatching(
      new RegExp(`${WHY} \\(pools tried: "team"\\); keeping "198\\.51\\.100\\.0" from pool "rest"$`))]]);
  });
});
