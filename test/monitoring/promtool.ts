// promtool, from Debian's prometheus package (test/monitoring/install-deps.sh; scripts/test-all.sh installs it before
// the unit pass), as the judge of Herald's rules: it parses them with Prometheus' own code and runs their unit tests.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { RuleGroup } from './artifacts.js';

export interface PromtoolResult {
  code: number;
  output: string;
}

/** Runs promtool; a missing promtool fails with how to install it rather than passing anything. */
export function promtool(args: string[], input?: string): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const child = execFile('promtool', args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : (err as NodeJS.ErrnoException & { code?: unknown }).code;
      if (code === 'ENOENT') {
        reject(new Error('promtool not found on PATH: install Debian\'s prometheus package (bash test/monitoring/install-deps.sh)'));
        return;
      }
      resolve({ code: typeof code === 'number' ? code : err === null ? 0 : 1, output: `${stdout}${stderr}` });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** A scratch folder with the rule groups as a plain Prometheus rule file, rules.yaml; remove() deletes it. */
export function ruleFolder(groups: readonly RuleGroup[]): { dir: string; rules: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'herald-promtool-'));
  const rules = join(dir, 'rules.yaml');
  writeFileSync(rules, stringify({ groups }));
  return { dir, rules, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `promtool test rules` on a copy of `testFile` placed beside the rule groups (its rule_files names rules.yaml). */
export async function testRules(groups: readonly RuleGroup[], testFile: string): Promise<PromtoolResult> {
  const folder = ruleFolder(groups);
  try {
    const copy = join(folder.dir, 'tests.yaml');
    copyFileSync(testFile, copy);
    return await promtool(['test', 'rules', copy]);
  } finally {
    folder.remove();
  }
}
