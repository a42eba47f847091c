// What the real binaries export, against everything that names it: the controller and a speaker run as processes on
// the test API server (the emulator, or the real kube-apiserver with HERALD_API_BACKEND=real) and are scraped. Every
// metric has HELP; the alerts, the dashboard, the promtool tests' input series and docs/monitoring.md name only
// metrics and labels they export, and the docs list every one they export.
import { readFileSync } from 'node:fs';
import { alerts, dashboard, dashboardQueries, DOCS_FILE, ruleTests, variableLabels } from './artifacts.js';
import { scrape, startScrapedCluster, type ScrapedCluster } from './binaries.js';
import { catalogueOf, declaredLabels, labelsOf, unknownNames, type Catalogue } from './catalogue.js';
import { documentedMetrics } from './docs.js';
import { parseExposition, type MetricFamily } from './exposition.js';
import { promtool } from './promtool.js';
import { expandGrafanaIntervals } from './promql.js';

let cluster: ScrapedCluster | undefined;
const scraped: Record<'controller' | 'speaker', string> = { controller: '', speaker: '' };
let families: Map<string, MetricFamily>;
let catalogue: Catalogue;

beforeAll(async () => {
  cluster = await startScrapedCluster();
  scraped.controller = await scrape(cluster.binaries.controllerMetricsUrl);
  scraped.speaker = await scrape(cluster.binaries.speakerMetricsUrl);
  families = new Map([...parseExposition(scraped.controller), ...parseExposition(scraped.speaker)]);
  catalogue = catalogueOf(families.values(), declaredLabels());
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('what the binaries export', () => {
  test.each(['controller', 'speaker'] as const)('%s: every # TYPE has a non-empty # HELP', (binary) => {
    const own = [...parseExposition(scraped[binary]).values()];
    expect(own.length).toBeGreaterThan(10);
    expect(own.filter((f) => f.type === '' || f.help.trim() === '').map((f) => f.name)).toEqual([]);
  });

  test.each(['controller', 'speaker'] as const)('%s: promtool check metrics finds no metric without help', async (binary) => {
    const result = await promtool(['check', 'metrics'], scraped[binary]);
    expect(result.output.split('\n').filter((l) => /help/i.test(l))).toEqual([]);
  });

  test('the labels declared in-process are those of the binaries: same names, and every sample\'s labels declared', () => {
    const declared = declaredLabels();
    expect([...families.keys()].sort()).toEqual([...declared.keys()].sort());
    for (const f of families.values()) {
      const allowed = new Set([...(declared.get(f.name) ?? []), 'le', 'quantile']);
      expect({ metric: f.name, undeclared: [...f.sampleLabels].filter((l) => !allowed.has(l)) }).toEqual({ metric: f.name, undeclared: [] });
    }
  });

  test('the metrics the alerts need are there, with samples from these runs where the cluster gave them some', () => {
    for (const name of ['herald_controller_address_assigned', 'herald_address_pool_addresses_total', 'herald_controller_is_leader',
      'herald_speaker_quorum', 'herald_speaker_announced', 'herald_bgp_session_up']) expect(catalogue.has(name)).toBe(true);
    expect(scraped.controller).toMatch(/^herald_controller_address_assigned\{service="shop\/web",ip="192\.0\.2\.64",pool="lab"\} 1$/m);
    expect(scraped.controller).toMatch(/^herald_controller_is_leader 1$/m);
    expect(scraped.speaker).toMatch(/^herald_speaker_quorum 1$/m);
  });
});

describe('everything that names a metric names one that exists', () => {
  test('the check itself: a made-up metric, label or grouping label is reported', () => {
    expect(unknownNames('herald_speaker_has_quorum == 0', catalogue)).toEqual(['metric herald_speaker_has_quorum is not exported']);
    expect(unknownNames('herald_bgp_session_up{neighbor="x"} == 0', catalogue)).toEqual(['herald_bgp_session_up has no label neighbor']);
    expect(unknownNames('max by (pool_name) (herald_address_pool_addresses_total)', catalogue))
      .toEqual(['no metric of the expression has the label pool_name it groups or matches by']);
    expect(unknownNames('max by (pool, node) (herald_address_pool_addresses_total{family="IPv4"})', catalogue)).toEqual([]);
  });

  test('every alert', () => {
    for (const a of alerts()) expect({ alert: a.alert, problems: unknownNames(a.expr, catalogue) }).toEqual({ alert: a.alert, problems: [] });
  });

  test('every dashboard query, variable and legend', () => {
    for (const q of dashboardQueries()) expect({ where: q.where, problems: unknownNames(q.expr, catalogue) }).toEqual({ where: q.where, problems: [] });
    for (const v of variableLabels()) expect({ where: v.where, label: labelsOf(v.selector, catalogue).has(v.label) }).toEqual({ where: v.where, label: true });
    for (const p of dashboard().panels) {
      for (const t of p.targets ?? []) {
        const raw = t as { expr: string; legendFormat?: string };
        const used = [...(raw.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] ?? '');
        const labels = labelsOf(expandGrafanaIntervals(raw.expr), catalogue);
        expect({ panel: p.title, missing: used.filter((l) => !labels.has(l)) }).toEqual({ panel: p.title, missing: [] });
      }
    }
  });

  test('every input series of the promtool tests: a real metric with real labels', () => {
    const series = ruleTests().tests.flatMap((t) => t.input_series.map((s) => s.series));
    expect(series.length).toBeGreaterThan(10);
    for (const s of series) expect({ series: s, problems: unknownNames(s, catalogue) }).toEqual({ series: s, problems: [] });
  });
});

describe('docs/monitoring.md', () => {
  const documented = (): ReturnType<typeof documentedMetrics> => documentedMetrics(readFileSync(DOCS_FILE, 'utf8'));

  test('lists every metric exported, and none that is not', () => {
    const names = documented().map((d) => d.name);
    expect([...catalogue.keys()].filter((n) => !names.includes(n)).sort()).toEqual([]);
    expect(names.filter((n) => !catalogue.has(n))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
  });

  test('gives each its type and exactly its labels', () => {
    for (const d of documented()) {
      const m = catalogue.get(d.name);
      const labels = [...(m?.labels ?? [])].filter((l) => l !== 'le' && l !== 'quantile');
      expect({ metric: d.name, type: d.type, labels: [...d.labels].sort() }).toEqual({ metric: d.name, type: m?.type, labels: labels.sort() });
    }
  });

  test('has a section for every alert', () => {
    const text = readFileSync(DOCS_FILE, 'utf8');
    for (const a of alerts()) expect(text).toContain(`### ${a.alert ?? ''}\n`);
  });
});
