// `kubectl herald validate -f FILE|DIR|-`: checks Herald objects offline, with no cluster: each against its CRD
// schema and CEL rules as kube-apiserver would on apply, then the controller's rules across them, with the messages
// its Ready conditions carry. Problems go to stdout one per line and the exit code is 1; notes go to stderr.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { validateObjects } from '../validate/check.js';
import { readManifests } from '../validate/documents.js';
import { problemLines, summaryLine } from '../validate/report.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function validateCommand(): Command {
  return new Command('validate')
    .description('check Herald objects in files offline: CRD schema and CEL rules, then the controller\'s rules across objects')
    .requiredOption('-f, --filename <path>', 'a file, a folder (recursively: .yaml, .yml, .json) or - for stdin; repeatable', collect, [])
    .action((opts: { filename: string[] }) => {
      const read = readManifests(opts.filename, () => readFileSync(0, 'utf8'));
      const report = validateObjects(read.objects, read.errors);
      for (const note of report.notes) process.stderr.write(`note: ${note}\n`);
      for (const line of problemLines(report)) process.stdout.write(`${line}\n`);
      const summary = summaryLine(report);
      if (report.problems.length > 0) {
        process.stderr.write(`${summary}\n`);
        process.exitCode = 1;
      } else {
        process.stdout.write(`${summary}\n`);
      }
    });
}
