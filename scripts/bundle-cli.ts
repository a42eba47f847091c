// The kubectl plugin as users install it: cli/main.ts and everything it imports in one executable ES module,
// dist/cli/kubectl-herald.mjs (`npm run build` writes it after the speaker's), which needs only Node 24: no
// node_modules, no tsx, not even package.json (its version is written in). kubectl runs it as kubectl-herald once
// it is on PATH under that name (a copy or a symlink: docs/kubectl-herald.md; krew's manifest: cli/krew/).
// client-node is narrowed as in the speaker's bundle (the plugin calls the same few parts of it): ~1.7 MB, and it
// starts in ~0.2 s.
//
//   node --import tsx scripts/bundle-cli.ts [--outfile FILE]
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Metafile } from 'esbuild';
import { bundleNodeProgram } from './bundle-node.js';
import { clientNodeNarrowing } from './bundle-speaker.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_BUNDLE = join(REPO_ROOT, 'dist', 'cli', 'kubectl-herald.mjs');

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The folder the bundle's paths are relative to, its metafile's too: where node_modules really lives, so every
 * checkout builds the same bytes (the release's sha256 is in cli/krew/herald.yaml).
 */
export function cliBundleWorkingDir(): string {
  return dirname(realpathSync(join(REPO_ROOT, 'node_modules')));
}

export function bundleCli(outfile = CLI_BUNDLE): Promise<Metafile> {
  return bundleNodeProgram({
    entry: join(REPO_ROOT, 'cli', 'main.ts'), outfile, plugins: [clientNodeNarrowing()], executable: true,
    define: { HERALD_BUNDLED_VERSION: JSON.stringify(packageVersion()) },
    workingDir: cliBundleWorkingDir(),
  });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { outfile: { type: 'string' } } });
  await bundleCli(values.outfile === undefined ? CLI_BUNDLE : resolve(values.outfile));
}
