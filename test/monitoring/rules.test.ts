// config/monitoring judged by promtool (Debian's prometheus package): the PrometheusRule's groups parse
// (`promtool check rules`), every alert fires and stays quiet where prometheus-rule.test.yaml says (`promtool test
// rules`), and a broken rule makes those tests fail. The dashboard's PromQL goes through the same parser.
// Whether the names in them exist is exported.test.ts's job (it runs the binaries).
import { readFileSync } from 'node:fs';
import { defaultDashboard } from '@grafana/schema';
import { alerts, dashboard, dashboardQueries, DASHBOARD_FILE, DOCS_FILE, RULE_TESTS_FILE, ruleGroups, ruleTests, type RuleGroup } from './artifacts.js';
import { promtool, ruleFolder, testRules } from './promtool.js';
import { headingAnchors } from './docs.js';

describe('the PrometheusRule', () => {
  test('promtool check rules: its groups parse, every rule', async () => {
    const folder = ruleFolder(ruleGroups());
    try {
      const result = await promtool(['check', 'rules', folder.rules]);
      expect(result.output).toContain(`SUCCESS: ${ruleGroups().flatMap((g) => g.rules).length} rules found`);
      expect(result.code).toBe(0);
    } finally {
      folder.remove();
    }
  });

  test('promtool test rules: every case of prometheus-rule.test.yaml passes', async () => {
    const result = await testRules(ruleGroups(), RULE_TESTS_FILE);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  test('every alert is tested firing and not firing', () => {
    const cases = ruleTests().tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const alert of alerts()) {
      const mine = cases.filter((c) => c.alertname === alert.alert);
      expect({ alert: alert.alert, firing: mine.some((c) => c.exp_alerts.length > 0) }).toEqual({ alert: alert.alert, firing: true });
      expect({ alert: alert.alert, quiet: mine.some((c) => c.exp_alerts.length === 0) }).toEqual({ alert: alert.alert, quiet: true });
    }
  });

  // Negative controls: the unit tests must notice a rule that watches the wrong metric or lost its condition.
  test.each([
    ['HeraldSpeakerWithoutQuorum watches a metric that does not exist', 'HeraldSpeakerWithoutQuorum', (e: string) => e.replace(/herald_speaker_quorum/g, 'herald_speaker_has_quorum')],
    ['HeraldAddressNotAnnounced forgets the announcements', 'HeraldAddressNotAnnounced', (e: string) => e.replace(/\s*unless[\s\S]*$/, '')],
    ['HeraldControllerNoLeader forgets that no replica may be running', 'HeraldControllerNoLeader', (e: string) => e.replace(/\s*or absent\(.*\)/, '')],
    ['HeraldAddressPoolNearlyExhausted compares the wrong way', 'HeraldAddressPoolNearlyExhausted', (e: string) => e.replace('> 0.9', '< 0.9')],
  ])('a broken rule fails its tests: %s', async (_what, alert, breakExpr) => {
    const groups: RuleGroup[] = ruleGroups().map((g) => ({
      ...g, rules: g.rules.map((r) => (r.alert === alert ? { ...r, expr: breakExpr(r.expr) } : r)),
    }));
    const changed = groups.flatMap((g) => g.rules).find((r) => r.alert === alert);
    expect(changed?.expr).not.toBe(alerts().find((r) => r.alert === alert)?.expr);
    const result = await testRules(groups, RULE_TESTS_FILE);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(`alertname: ${alert}`);
  });

  test('every alert has a for, a severity, a summary, a description and a runbook_url into docs/monitoring.md', () => {
    const anchors = headingAnchors(readFileSync(DOCS_FILE, 'utf8'));
    for (const a of alerts()) {
      expect({ alert: a.alert, for: a.for }).toEqual({ alert: a.alert, for: expect.stringMatching(/^\d+[smh]$/) });
      expect({ alert: a.alert, severity: a.labels?.severity }).toEqual({ alert: a.alert, severity: expect.stringMatching(/^(warning|critical)$/) });
      expect(a.annotations?.summary).toMatch(/\S/);
      expect(a.annotations?.description).toMatch(/\S/);
      const anchor = /^docs\/monitoring\.md#(.+)$/.exec(a.annotations?.runbook_url ?? '')?.[1];
      expect({ alert: a.alert, anchorInDocs: anchor !== undefined && anchors.has(anchor) }).toEqual({ alert: a.alert, anchorInDocs: true });
    }
  });
});

describe('the Grafana dashboard', () => {
  test('is in the current Grafana\'s schema version; picks its Prometheus data source by a variable, and every panel uses it', () => {
    const d = dashboard();
    // @grafana/schema is Grafana's own dashboard model (13.2 here): its default dashboard has the current version.
    expect(d.schemaVersion).toBe(defaultDashboard.schemaVersion);
    expect(d.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    const raw = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as
      { panels: { type: string; title: string; datasource?: { uid?: string }; targets?: { datasource?: { uid?: string } }[] }[] };
    for (const p of raw.panels.filter((panel) => panel.type !== 'row')) {
      expect({ panel: p.title, uid: p.datasource?.uid }).toEqual({ panel: p.title, uid: '${datasource}' });
      for (const t of p.targets ?? []) expect({ panel: p.title, uid: t.datasource?.uid }).toEqual({ panel: p.title, uid: '${datasource}' });
    }
  });

  test('every query parses with Prometheus\' own parser (promtool check rules, as recording rules)', async () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(10);
    const rules = queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: q.expr }));
    const folder = ruleFolder([{ name: 'dashboard', rules }]);
    try {
      const result = await promtool(['check', 'rules', folder.rules]);
      expect(result.output).toContain(`SUCCESS: ${queries.length} rules found`);
    } finally {
      folder.remove();
    }
  });
});
