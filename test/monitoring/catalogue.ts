// What Herald exports, as one catalogue: metric names, types and HELP from the running binaries' /metrics, and each
// metric's label names from the same metric objects in-process (prom-client keeps `labelNames` on every metric; a
// scrape shows labels only on samples, and a labelled counter has none until it first moves). Then the check every
// PromQL use goes through: does it name only metrics and labels in the catalogue?
import { Registry } from 'prom-client';
import { ControllerMetrics } from '../../controller/driver/metrics.js';
import { registerSpeakerMetrics } from '../../speaker/metrics.js';
import type { MetricFamily } from './exposition.js';
import { promqlReferences } from './promql.js';

/** Labels a Prometheus target adds when the PodMonitors scrape (the operator's, and `node` from the speakers'). */
export const TARGET_LABELS: readonly string[] = ['job', 'instance', 'namespace', 'pod', 'container', 'endpoint', 'node'];

export interface ExportedMetric {
  name: string;
  type: string;
  help: string;
  labels: Set<string>;
}

export type Catalogue = Map<string, ExportedMetric>;

/** The label names each metric was declared with, from the controller's and the speaker's registries. */
export function declaredLabels(): Map<string, readonly string[]> {
  const speaker = new Registry();
  registerSpeakerMetrics(speaker, () => {
    throw new Error('figures are read only when scraped');
  }, () => true);
  const registries = [new ControllerMetrics().registry, speaker];
  // prom-client's typings leave labelNames off Metric, though every metric object carries it.
  const metrics = registries.flatMap((r) => r.getMetricsAsArray() as unknown as { name: string; labelNames?: readonly string[] }[]);
  return new Map(metrics.map((m) => [m.name, m.labelNames ?? []]));
}

/** The families of the binaries' scrapes, with their declared labels (plus `le` and `quantile` where samples carry them). */
export function catalogueOf(families: Iterable<MetricFamily>, declared: Map<string, readonly string[]>): Catalogue {
  const catalogue: Catalogue = new Map();
  for (const f of families) {
    const labels = new Set([...(declared.get(f.name) ?? []), ...[...f.sampleLabels].filter((l) => l === 'le' || l === 'quantile')]);
    catalogue.set(f.name, { name: f.name, type: f.type, help: f.help, labels });
  }
  return catalogue;
}

/**
 * What is wrong with one PromQL expression against the catalogue: each metric it names that is not exported, each
 * matcher label the metric does not carry, each grouping label none of its metrics carries (target labels are
 * always there). Empty when everything exists.
 */
export function unknownNames(expr: string, catalogue: Catalogue): string[] {
  const refs = promqlReferences(expr);
  const problems: string[] = [];
  const known = new Set(TARGET_LABELS);
  for (const s of refs.selectors) {
    const metric = catalogue.get(s.metric);
    if (metric === undefined) {
      problems.push(`metric ${s.metric} is not exported`);
      continue;
    }
    for (const l of metric.labels) known.add(l);
    for (const l of s.labels) if (!metric.labels.has(l) && !TARGET_LABELS.includes(l)) problems.push(`${s.metric} has no label ${l}`);
  }
  for (const l of refs.groupingLabels) if (!known.has(l)) problems.push(`no metric of the expression has the label ${l} it groups or matches by`);
  return problems;
}

/** The labels an expression's result can carry: its metrics' and the targets' (for legends and annotation templates). */
export function labelsOf(expr: string, catalogue: Catalogue): Set<string> {
  const labels = new Set(TARGET_LABELS);
  for (const s of promqlReferences(expr).selectors) for (const l of catalogue.get(s.metric)?.labels ?? []) labels.add(l);
  return labels;
}
