// The report as text, in kubectl's error style: one line per problem, `FILE: KIND/NAME: message`.
import { count } from '../../lib/config/index.js';
import type { Report } from './check.js';

export function problemLines(report: Report): string[] {
  return report.problems.map((p) => (p.object === undefined ? `${p.file}:${p.line}: ${p.message}` : `${p.file}: ${p.object}: ${p.message}`));
}

/** `3 Herald objects valid (2 IPAddressPool, 1 L2Advertisement); 2 other objects skipped`. */
export function summaryLine(report: Report): string {
  const total = [...report.valid.values()].reduce((a, b) => a + b, 0);
  const kinds = [...report.valid].sort(([a], [b]) => (a < b ? -1 : 1)).map(([kind, n]) => `${n} ${kind}`).join(', ');
  const skipped = report.skipped > 0 ? `; ${count(report.skipped, 'other object')} skipped` : '';
  const valid = `${count(total, 'Herald object')} valid${kinds ? ` (${kinds})` : ''}${skipped}`;
  return report.problems.length === 0 ? valid : `${count(report.problems.length, 'problem')}; ${valid}`;
}
