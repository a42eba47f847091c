// The monitoring files as the tests read them: the PrometheusRule's rule groups, the Grafana dashboard's PromQL
// (panel targets and variable queries), and the promtool unit tests' input series.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../integration/harness.js';
import { expandGrafanaIntervals, labelValuesQuery } from './promql.js';

export const MONITORING_DIR = join(repoRoot, 'config/monitoring');
export const RULE_FILE = join(MONITORING_DIR, 'prometheus-rule.yaml');
export const DASHBOARD_FILE = join(MONITORING_DIR, 'grafana-dashboard.json');
export const RULE_TESTS_FILE = join(repoRoot, 'test/monitoring/prometheus-rule.test.yaml');
export const DOCS_FILE = join(repoRoot, 'docs/monitoring.md');

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  rules: Rule[];
}

interface PrometheusRule {
  apiVersion: string;
  kind: string;
  spec: { groups: RuleGroup[] };
}

export function prometheusRule(path = RULE_FILE): PrometheusRule {
  const doc = parse(readFileSync(path, 'utf8')) as PrometheusRule;
  if (doc.apiVersion !== 'monitoring.coreos.com/v1' || doc.kind !== 'PrometheusRule') {
    throw new Error(`${path}: expected a monitoring.coreos.com/v1 PrometheusRule, found ${doc.apiVersion} ${doc.kind}`);
  }
  return doc;
}

export const ruleGroups = (path = RULE_FILE): RuleGroup[] => prometheusRule(path).spec.groups;
export const alerts = (path = RULE_FILE): Rule[] => ruleGroups(path).flatMap((g) => g.rules).filter((r) => r.alert !== undefined);

/** One PromQL expression of the dashboard, with where it is, for messages. */
export interface DashboardQuery {
  where: string;
  expr: string;
}

interface Panel {
  title?: string;
  targets?: { expr?: string; refId?: string }[];
  panels?: Panel[];
}

interface Variable {
  name: string;
  type: string;
  query?: string | { query?: string };
}

export interface Dashboard {
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}

export const dashboard = (): Dashboard => JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;

/** Every PromQL the dashboard sends: each panel target (intervals expanded) and each label_values() variable's selector. */
export function dashboardQueries(d: Dashboard = dashboard()): DashboardQuery[] {
  const panels = d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  const targets = panels.flatMap((p) => (p.targets ?? []).map((t) => {
    if (t.expr === undefined) throw new Error(`panel "${p.title ?? '?'}" target ${t.refId ?? '?'} has no expr`);
    return { where: `panel "${p.title ?? '?'}" target ${t.refId ?? '?'}`, expr: expandGrafanaIntervals(t.expr) };
  }));
  const variables = d.templating.list.filter((v) => v.type === 'query').map((v) => {
    const query = typeof v.query === 'string' ? v.query : v.query?.query ?? '';
    const lv = labelValuesQuery(query);
    if (lv === undefined) throw new Error(`variable "${v.name}": query "${query}" is not label_values(selector, label)`);
    return { where: `variable "${v.name}"`, expr: lv.selector };
  });
  return [...targets, ...variables];
}

/** The label each label_values() variable reads, per variable name. */
export function variableLabels(d: Dashboard = dashboard()): { where: string; selector: string; label: string }[] {
  return d.templating.list.filter((v) => v.type === 'query').flatMap((v) => {
    const lv = labelValuesQuery(typeof v.query === 'string' ? v.query : v.query?.query ?? '');
    return lv === undefined ? [] : [{ where: `variable "${v.name}"`, ...lv }];
  });
}

export interface RuleTestFile {
  rule_files: string[];
  tests: {
    input_series: { series: string; values: string }[];
    alert_rule_test?: { eval_time: string; alertname: string; exp_alerts: { exp_labels?: Record<string, string> }[] }[];
  }[];
}

export const ruleTests = (path = RULE_TESTS_FILE): RuleTestFile => parse(readFileSync(path, 'utf8')) as RuleTestFile;
