// config/monitoring as kustomize (the real kubectl's) renders it: the PodMonitors select the controller's and the
// speakers' pods by labels those pods carry and scrape a port their containers name, the dashboard ConfigMap holds
// the dashboard file as it is, and the PrometheusRule is the one the other tests judge. It stays out of
// config/default, which must apply on a cluster without the Prometheus Operator's CRDs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { kubectlCommand } from '../cluster/backend.js';
import { repoRoot } from '../integration/harness.js';
import { DASHBOARD_FILE, MONITORING_DIR, prometheusRule } from './artifacts.js';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

interface PodTemplateOwner extends K8sObject {
  spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: { ports?: { name?: string }[] }[] } } };
}

interface PodMonitor extends K8sObject {
  spec: { selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: { port: string; path?: string }[] };
}

const render = (dir: string): K8sObject[] =>
  parseAllDocuments(execFileSync(kubectlCommand(), ['kustomize', dir], { encoding: 'utf8' })).map((d) => d.toJS() as K8sObject);

const monitoring = render(MONITORING_DIR);
const installed = render(join(repoRoot, 'config/default'));

describe('config/monitoring', () => {
  test('renders two PodMonitors, the PrometheusRule and the dashboard ConfigMap, all in herald-system', () => {
    expect(monitoring.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual([
      'monitoring.coreos.com/v1 PodMonitor herald-system/herald-controller',
      'monitoring.coreos.com/v1 PodMonitor herald-system/herald-speaker',
      'monitoring.coreos.com/v1 PrometheusRule herald-system/herald',
      'v1 ConfigMap herald-system/herald-grafana-dashboard',
    ]);
  });

  test.each([
    ['herald-controller', 'Deployment'],
    ['herald-speaker', 'DaemonSet'],
  ])('PodMonitor %s selects the %s\'s pods and scrapes a port they name', (name, kind) => {
    const monitor = monitoring.find((o) => o.kind === 'PodMonitor' && o.metadata.name === name) as PodMonitor;
    const owner = installed.find((o) => o.kind === kind && o.metadata.name === name) as PodTemplateOwner | undefined;
    expect(owner).toBeDefined();
    const podLabels = owner?.spec.template.metadata.labels ?? {};
    for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels)) expect({ key, value: podLabels[key] }).toEqual({ key, value });
    const ports = (owner?.spec.template.spec.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => p.name));
    for (const endpoint of monitor.spec.podMetricsEndpoints) {
      expect(ports).toContain(endpoint.port);
      expect(endpoint.path).toBe('/metrics');
    }
  });

  test('the other component\'s pods are not selected: each PodMonitor picks one Deployment or DaemonSet', () => {
    const monitors = monitoring.filter((o) => o.kind === 'PodMonitor') as PodMonitor[];
    const owners = installed.filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet') as PodTemplateOwner[];
    for (const m of monitors) {
      const picked = owners.filter((o) => Object.entries(m.spec.selector.matchLabels).every(([k, v]) => o.spec.template.metadata.labels[k] === v));
      expect({ monitor: m.metadata.name, picked: picked.map((o) => o.metadata.name) }).toEqual({ monitor: m.metadata.name, picked: [m.metadata.name] });
    }
  });

  test('the dashboard ConfigMap carries the dashboard file unchanged, labelled for Grafana\'s sidecar', () => {
    const cm = monitoring.find((o) => o.kind === 'ConfigMap');
    expect(cm?.metadata.labels?.grafana_dashboard).toBe('1');
    expect(cm?.data?.['grafana-dashboard.json']).toBe(readFileSync(DASHBOARD_FILE, 'utf8'));
  });

  test('the PrometheusRule rendered is the file the rule tests judge', () => {
    const rule = monitoring.find((o) => o.kind === 'PrometheusRule');
    expect(rule?.spec).toEqual(prometheusRule().spec);
  });

  test('config/default has none of it (it must apply without the Prometheus Operator)', () => {
    expect(installed.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com/'))).toEqual([]);
  });
});
