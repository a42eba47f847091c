// Printing as kubectl prints, so `kubectl herald …` reads like `kubectl get …`: tables laid out as kubectl's
// tabwriter lays them out (upper-case headers, columns padded by 3 spaces to at least 6 characters, no trailing
// blanks), ages in kubectl's short form, and -o json / -o yaml as kubectl writes them (4-space JSON; a List of
// items with `kind: List`). Pure: strings in, strings out; the commands write them.
import { stringify } from 'yaml';

/** kubectl's tabwriter (printers.GetNewTabWriter): min width 6, padding 3. */
const MIN_CELL = 6;
const PADDING = 3;

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml';
const FORMATS: readonly string[] = ['json', 'wide', 'yaml'];

/** -o's value; kubectl's own words for one it does not know, naming the value. */
export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === '') return 'table';
  if (FORMATS.includes(value)) return value as OutputFormat;
  throw new Error(`unable to match a printer suitable for the output format "${value}", allowed formats are: ${FORMATS.join(',')}`);
}

/**
 * Rows of cells under headers, as kubectl prints them: headers upper-cased as `kubectl get`'s (`upper` false keeps
 * them as given, as in `kubectl describe`'s tables). An empty cell prints as nothing, as kubectl's do.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], upper = true): string {
  const all = [upper ? headers.map((h) => h.toUpperCase()) : headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(Math.max((widths[i] ?? 0) + PADDING, MIN_CELL))))
    .join('').trimEnd()).join('\n') + '\n';
}

/** The List kubectl prints for `get -o json|yaml` of several objects. */
export function asList(items: readonly unknown[]): { apiVersion: 'v1'; kind: 'List'; items: readonly unknown[]; metadata: { resourceVersion: '' } } {
  return { apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } };
}

/** One value as -o json or -o yaml prints it. */
export function formatStructured(value: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(value, null, 4)}\n` : stringify(value, { lineWidth: 0 });
}

/**
 * How long ago, as kubectl's AGE column says it (apimachinery's duration.HumanDuration): 45s, 3m20s, 95m, 5h7m,
 * 30h, 3d4h, 40d, 2y30d, 9y.
 */
export function formatAge(ms: number): string {
  if (ms < -1000) return '<invalid>';
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(s / 3600);
  const d = Math.floor(h / 24);
  const y = Math.floor(d / 365);
  const pair = (a: number, ua: string, b: number, ub: string) => (b === 0 ? `${a}${ua}` : `${a}${ua}${b}${ub}`);
  if (s < 120) return `${s}s`;
  if (m < 10) return pair(m, 'm', s % 60, 's');
  if (m < 180) return `${m}m`;
  if (h < 8) return pair(h, 'h', m % 60, 'm');
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return pair(d, 'd', h % 24, 'h');
  if (h < 24 * 365 * 2) return `${d}d`;
  if (h < 24 * 365 * 8) return pair(y, 'y', d % 365, 'd');
  return `${y}y`;
}

/** The age of an API timestamp at `nowMs`, or `<unknown>` when there is none to read. */
export function ageOf(timestamp: string | Date | undefined, nowMs: number): string {
  const ms = timestamp === undefined ? Number.NaN : new Date(timestamp).getTime();
  return Number.isNaN(ms) ? '<unknown>' : formatAge(nowMs - ms);
}
