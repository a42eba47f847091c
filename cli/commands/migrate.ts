// `kubectl herald migrate-from-metallb`: MetalLB's configuration (from the cluster, or from files with -f) → the
// equivalent Herald objects as YAML, on stdout or one file per object in -o DIR. What does not carry over is named
// above each object and on stderr. The result is checked by validate's own code before it is written: a problem
// is written above the object it is about and makes the exit code 1 (the objects are still written, to be fixed).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { pluginKubeConfig } from '../kube.js';
import { readMetalLBObjects } from '../migrate/cluster.js';
import { migrate } from '../migrate/convert.js';
import { fileNameOf, renderAll, renderObject } from '../migrate/render.js';
import type { Migrated } from '../migrate/types.js';
import { validateObjects } from '../validate/check.js';
import { readManifests } from '../validate/documents.js';
import { problemLines } from '../validate/report.js';

interface MigrateFlags { filename: string[]; metallbNamespace: string; outputDir?: string }

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** validate's problems about each migrated object, by object. */
function problemsByObject(objects: readonly Migrated[]): { of: (m: Migrated) => string[]; lines: string[] } {
  const report = validateObjects(objects.map((m, i) => ({ file: '<migrated>', line: i + 1, object: m.object })));
  const byIndex = new Map<number, string[]>();
  for (const p of report.problems) byIndex.set(p.line - 1, [...(byIndex.get(p.line - 1) ?? []), p.message]);
  return { of: (m) => byIndex.get(objects.indexOf(m)) ?? [], lines: problemLines(report) };
}

async function run(flags: MigrateFlags, command: Command): Promise<void> {
  const sources = flags.filename.length > 0
    ? readManifests(flags.filename, () => readFileSync(0, 'utf8'))
    : { objects: (await readMetalLBObjects(pluginKubeConfig(command), flags.metallbNamespace)).map((object) => ({ file: '', line: 0, object })), errors: [] };
  for (const e of sources.errors) throw new Error(`${e.file}:${e.line}: ${e.message}`);
  const migration = migrate(sources.objects.map((s) => s.object));
  if (migration.objects.length === 0) throw new Error('no MetalLB configuration in the input: nothing to migrate');
  const problems = problemsByObject(migration.objects);
  for (const note of migration.notes) process.stderr.write(`note: ${note}\n`);
  for (const m of migration.objects) for (const w of m.warnings) process.stderr.write(`warning: ${String(m.object.kind)}/${String((m.object.metadata as { name: string }).name)}: ${w}\n`);
  for (const line of problems.lines) process.stderr.write(`problem: ${line}\n`);
  if (flags.outputDir) {
    mkdirSync(flags.outputDir, { recursive: true });
    for (const m of migration.objects) writeFileSync(join(flags.outputDir, fileNameOf(m)), renderObject(m, problems.of(m)));
    process.stderr.write(`wrote ${migration.objects.length} objects to ${flags.outputDir}\n`);
  } else {
    process.stdout.write(renderAll(migration.objects, problems.of));
  }
  if (problems.lines.length > 0) process.exitCode = 1;
}

export function migrateCommand(): Command {
  return new Command('migrate-from-metallb')
    .description('write the Herald objects equivalent to MetalLB\'s configuration (from the cluster, or from files with -f)')
    .option('-f, --filename <path>', 'MetalLB manifests instead of the cluster: a file, a folder or - for stdin; repeatable', collect, [])
    .option('--metallb-namespace <name>', 'the namespace MetalLB\'s objects live in', 'metallb-system')
    .option('-o, --output-dir <dir>', 'write one file per object into this folder instead of stdout')
    .action((flags: MigrateFlags, command: Command) => run(flags, command));
}
