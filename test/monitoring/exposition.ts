// The Prometheus text exposition format, read into metric families: name, TYPE, HELP and the label names seen on
// samples. prom-client writes HELP and TYPE for every registered metric, also for one with no sample yet (a counter
// whose labels have not been used), so the families of one scrape are the binary's complete list.

export interface MetricFamily {
  name: string;
  type: string;
  help: string;
  /** Label names its samples carry (histogram `le` and summary `quantile` included). */
  sampleLabels: Set<string>;
  samples: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+\S+(?:\s+\S+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g;

export function parseExposition(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const family = (name: string): MetricFamily => {
    let f = families.get(name);
    if (f === undefined) {
      f = { name, type: '', help: '', sampleLabels: new Set(), samples: 0 };
      families.set(name, f);
    }
    return f;
  };
  for (const line of text.split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)$/.exec(line);
    if (meta !== null) {
      const f = family(meta[2] ?? '');
      if (meta[1] === 'HELP') f.help = meta[3] ?? '';
      else f.type = meta[3] ?? '';
      continue;
    }
    if (line.trim() === '' || line.startsWith('#')) continue;
    const sample = SAMPLE.exec(line);
    if (sample === null) throw new Error(`not an exposition line: "${line}"`);
    const f = familyOfSample(families, sample[1] ?? '');
    if (f === undefined) throw new Error(`sample "${line}" belongs to no # TYPE'd family`);
    f.samples++;
    for (const m of (sample[2] ?? '').matchAll(LABEL)) f.sampleLabels.add(m[1] ?? '');
  }
  return families;
}

/** A sample's family: its own name, or a histogram's/summary's with the _bucket, _sum or _count suffix taken off. */
function familyOfSample(families: Map<string, MetricFamily>, name: string): MetricFamily | undefined {
  const own = families.get(name);
  if (own !== undefined && own.type !== '') return own;
  const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
  const f = base === undefined ? undefined : families.get(base);
  return f !== undefined && (f.type === 'histogram' || f.type === 'summary') ? f : undefined;
}
