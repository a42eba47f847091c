// The plugin's release tarball, as krew installs it: the bundle (scripts/bundle-cli.ts), its licence notices and
// Herald's LICENSE, in a gzipped ustar archive built the same way every time (sorted names, mtime 0, owner 0,
// fixed modes, gzip without a timestamp), so the sha256 in cli/krew/herald.yaml names exactly what this commit builds.
//
//   node --import tsx cli/krew/release.ts [--out DIR] [--write-manifest]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { bundleCli, packageVersion } from '../../scripts/bundle-cli.js';
import { krewManifest, tarballName } from './manifest.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MANIFEST = join(REPO_ROOT, 'cli', 'krew', 'herald.yaml');
const FILES: Record<string, number> = { LICENSE: 0o644, 'kubectl-herald.mjs': 0o755, 'kubectl-herald.mjs.LEGAL.txt': 0o644 };

export interface Release { version: string; path: string; sha256: string }

export async function buildRelease(outDir = join(REPO_ROOT, 'dist', 'release')): Promise<Release> {
  const stage = mkdtempSync(join(tmpdir(), 'herald-krew-stage-'));
  try {
    await bundleCli(join(stage, 'kubectl-herald.mjs'));
    copyFileSync(join(REPO_ROOT, 'LICENSE'), join(stage, 'LICENSE'));
    for (const [file, mode] of Object.entries(FILES)) chmodSync(join(stage, file), mode);
    const tar = execFileSync('tar', ['--format=ustar', '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner',
      '-C', stage, '-cf', '-', ...Object.keys(FILES)], { maxBuffer: 64 << 20 });
    const archive = gzipSync(tar, { level: 9 });
    const version = packageVersion();
    mkdirSync(outDir, { recursive: true });
    const path = join(outDir, tarballName(version));
    writeFileSync(path, archive);
    return { version, path, sha256: createHash('sha256').update(archive).digest('hex') };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'write-manifest': { type: 'boolean' } } });
  const release = await buildRelease(values.out === undefined ? undefined : resolve(values.out));
  process.stdout.write(`${release.path}\nsha256 ${release.sha256}\n`);
  if (values['write-manifest']) writeFileSync(MANIFEST, krewManifest(release.version, release.sha256));
}
