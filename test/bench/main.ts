// npm run bench [-- --json] [-- --only NAME]: runs every test/bench/*.bench.ts and prints each figure
// beside its anchor. Lab benchmarks run only as root.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark, Figure } from './figure.js';

const here = dirname(fileURLToPath(import.meta.url));

async function loadBenchmarks(): Promise<Benchmark[]> {
  const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();
  const modules = await Promise.all(files.map((f) => import(pathToFileURL(join(here, f)).href)));
  return modules.map((m: { benchmark: Benchmark }) => m.benchmark);
}

function formatNumber(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3);
}

function printTable(figures: Figure[], notes: string[]): void {
  const rows = figures.map((f) => [
    f.name, `${formatNumber(f.value)} ${f.unit}`,
    f.anchorValue === undefined ? f.anchor : `${f.anchor}: ${formatNumber(f.anchorValue)} ${f.unit}`,
    f.ratio === null ? '-' : f.ratio.toFixed(2), f.target,
  ]);
  const header = ['figure', 'value', 'anchor', 'ratio', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  for (const n of notes) console.log(`note: ${n}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
  const isRoot = process.getuid?.() === 0;
  const figures: Figure[] = [];
  const notes: string[] = [];
  for (const bench of await loadBenchmarks()) {
    if (only && !bench.name.includes(only)) continue;
    if (bench.needsRoot && !isRoot) {
      notes.push(`${bench.name}: skipped, needs root (the network lab)`);
      continue;
    }
    if (!json) console.error(`running ${bench.name} ...`);
    figures.push(...(await bench.run()));
  }
  if (json) console.log(JSON.stringify({ figures, notes }));
  else printTable(figures, notes);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
