// `kubectl herald version`: the plugin's own version (package.json's), which a bug report should name.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';

/** Set by the bundle (scripts/bundle-cli.ts): a copy of the lone file on PATH has no package.json above it. */
declare const HERALD_BUNDLED_VERSION: string | undefined;

/** package.json's version, found by walking up from this file (cli/commands/ in a checkout, dist/cli/ bundled). */
export function pluginVersion(): string {
  if (typeof HERALD_BUNDLED_VERSION === 'string') return HERALD_BUNDLED_VERSION;
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'herald' && pkg.version) return pkg.version;
    } catch { /* not at this level */ }
  }
  throw new Error('kubectl-herald: no herald package.json above the plugin to read its version from');
}

export function versionCommand(): Command {
  return new Command('version').description("print the plugin's version").action(() => {
    process.stdout.write(`kubectl-herald v${pluginVersion()}\n`);
  });
}
