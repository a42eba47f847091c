// The plugin as users install it, for the suites that drive it through kubectl: the one-file bundle of this
// checkout's sources (scripts/bundle-cli.ts), built once and reused for as long as none of its inputs changed. It
// starts in ~0.2 s, where the checkout's launcher (cli/kubectl-herald: tsx compiling the TypeScript on every run)
// takes ~1.9 s, and the suites run the plugin a few hundred times. test/cli/plugin.test.ts still runs the launcher.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli, cliBundleWorkingDir } from '../../scripts/bundle-cli.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** What the bundle is made of besides its sources: the version written in, the dependencies it bundles. */
const ALWAYS_INPUTS = ['package.json', 'package-lock.json', 'scripts/bundle-cli.ts', 'scripts/bundle-node.ts', 'scripts/bundle-speaker.ts']
  .map((f) => join(repoRoot, f));

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** Each input file's digest, so a changed source (whatever its mtime) means a new build. */
function digests(files: readonly string[]): Record<string, string> {
  return Object.fromEntries(files.map((f) => [f, existsSync(f) ? sha256(readFileSync(f)) : 'missing']));
}

function isFresh(inputsFile: string): boolean {
  if (!existsSync(inputsFile)) return false;
  const recorded = JSON.parse(readFileSync(inputsFile, 'utf8')) as Record<string, string>;
  return JSON.stringify(digests(Object.keys(recorded))) === JSON.stringify(recorded);
}

/** A folder holding an executable `kubectl-herald` (the bundle) built from this checkout as it is now. */
export async function pluginBundleDir(): Promise<string> {
  const dir = join(tmpdir(), `herald-plugin-bundle-${sha256(repoRoot).slice(0, 12)}`);
  const inputsFile = join(dir, 'inputs.json');
  if (isFresh(inputsFile)) return dir;
  mkdirSync(dir, { recursive: true });
  // Built beside and renamed into place, so a suite in another worker never runs half a file.
  const building = join(dir, `kubectl-herald.${process.pid}.mjs`);
  const metafile = await bundleCli(building);
  const base = cliBundleWorkingDir();
  const sources = Object.keys(metafile.inputs).filter((f) => !f.includes('node_modules/')).map((f) => resolve(base, f));
  renameSync(building, join(dir, 'kubectl-herald'));
  writeFileSync(inputsFile, JSON.stringify(digests([...ALWAYS_INPUTS, ...sources])));
  return dir;
}
