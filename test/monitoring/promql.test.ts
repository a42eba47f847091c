// promqlReferences: the metric names and labels the monitoring checks compare with what Herald exports. Each row is
// a way a name could be missed (a metric hidden in a function or a set operation, __name__, a quoted name) or
// mistaken (a function, a keyword or a grouping label taken for a metric).
import { expandGrafanaIntervals, labelValuesQuery, promqlReferences } from './promql.js';

describe('promqlReferences', () => {
  test.each([
    ['a bare metric', 'herald_speaker_quorum == 0', [{ metric: 'herald_speaker_quorum', labels: [] }], []],
    ['inside functions and aggregations; functions and keywords are not metrics',
      'sum by (reason) (increase(herald_controller_allocation_failures_total{reason="AllocationFailed"}[5m] offset 1h))',
      [{ metric: 'herald_controller_allocation_failures_total', labels: ['reason'] }], ['reason']],
    ['both sides of a set operation with on(), and absent()',
      'max by (ip) (a_assigned) unless on (ip) max by (ip) (b_announced) or absent(c_leader)',
      [{ metric: 'a_assigned', labels: [] }, { metric: 'b_announced', labels: [] }, { metric: 'c_leader', labels: [] }], ['ip', 'ip', 'ip']],
    ['group_left labels are grouping labels', 'x_total / on (pod) group_left (node) y_info',
      [{ metric: 'x_total', labels: [] }, { metric: 'y_info', labels: [] }], ['pod', 'node']],
    ['__name__ names the metric and is no label', '{__name__="herald_bgp_session_up", peer="192.0.2.1"}',
      [{ metric: 'herald_bgp_session_up', labels: ['peer'] }], []],
    ['a quoted (UTF-8) metric name', '{"herald.odd", job="x"}', [{ metric: 'herald.odd', labels: ['job'] }], []],
    ['vector(0) and numbers name nothing', 'count(x) or vector(0)', [{ metric: 'x', labels: [] }], []],
  ])('%s', (_what, expr, selectors, grouping) => {
    expect(promqlReferences(expr)).toEqual({ selectors, groupingLabels: grouping });
  });

  test('a syntax error throws naming where', () => {
    expect(() => promqlReferences('sum(rate(x[5m])')).toThrow(/PromQL syntax error at offset \d+ of "sum\(rate\(x\[5m\]\)"/);
    expect(() => promqlReferences('a +')).toThrow(/syntax error/);
  });

  test('a selector without one metric name cannot be checked, and says so', () => {
    expect(() => promqlReferences('{__name__=~"herald_.*"}')).toThrow(/selects no single metric name/);
  });
});

describe('Grafana forms', () => {
  test('interval variables become a duration; variables in label values stay', () => {
    const expr = expandGrafanaIntervals('rate(x{pool=~"$pool"}[$__rate_interval]) + rate(y[${__interval}])');
    expect(expr).toBe('rate(x{pool=~"$pool"}[5m]) + rate(y[5m])');
    expect(promqlReferences(expr).selectors.map((s) => s.metric)).toEqual(['x', 'y']);
  });

  test('label_values(selector, label) splits; anything else is not one', () => {
    expect(labelValuesQuery('label_values(herald_address_pool_addresses_total{family="IPv4"}, pool)'))
      .toEqual({ selector: 'herald_address_pool_addresses_total{family="IPv4"}', label: 'pool' });
    expect(labelValuesQuery('query_result(x)')).toBeUndefined();
  });
});
