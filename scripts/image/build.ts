// Builds the repository's Dockerfile with podman, from the base made here (base.ts) unless told another:
// the same file users build FROM node:24-slim, with BASE_IMAGE pointing at the local stand-in.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBaseImage } from './base.js';
import { imageSize, podman, REPO_ROOT, runStreaming, runTool } from './podman.js';

export const DEFAULT_IMAGE_TAG = 'localhost/herald:dev';

export interface BuildOptions {
  tag?: string;
  /** The BASE_IMAGE build argument; the locally made base when omitted. */
  baseImage?: string;
  quiet?: boolean;
}

export interface BuildResult {
  tag: string;
  baseImage: string;
  /** Whether the base had to be made (false: it was in the image store already). */
  baseBuilt: boolean;
  baseSeconds: number;
  buildSeconds: number;
  /** Uncompressed, as `podman image inspect` reports it. */
  sizeBytes: number;
  baseSizeBytes: number;
}

/**
 * `podman build` with podman's own network for the build containers (netavark's bridge, which reaches the Debian
 * mirror and the npm registry here: the build stage's apt-get and npm ci need them); no --network=host needed.
 */
export async function buildImage(options: BuildOptions = {}): Promise<BuildResult> {
  const tag = options.tag ?? DEFAULT_IMAGE_TAG;
  const base = options.baseImage === undefined ? await ensureBaseImage({ quiet: options.quiet }) : undefined;
  const baseImage = options.baseImage ?? base?.tag ?? '';
  const started = Date.now();
  const trust = await npmTrustMounts();
  const build = (target: string[], name: string): Promise<void> => runStreaming(['podman', 'build', '--layers', ...trust.volumes,
    '--build-arg', `BASE_IMAGE=${baseImage}`, ...target, '-t', name, '-f', 'Dockerfile', '.'], { cwd: REPO_ROOT, quiet: options.quiet });
  try {
    // The build stage under a tag of its own first (then the whole file, from the same cached layers), so that
    // pruning dangling images below keeps it: untagged and with no child, it would count as dangling, and the next
    // build would compile everything again.
    await build(['--target', 'build'], `${tag}-build`);
    await build([], tag);
  } finally {
    trust.cleanup();
  }
  // Every rebuild leaves the previous layers behind untagged (~150 MB after a source change, ~1 GB after a
  // package-lock change); without this a machine that runs the tests often fills its disk.
  await podman(['image', 'prune', '--force']);
  return {
    tag, baseImage, baseBuilt: base?.built ?? false, baseSeconds: base?.seconds ?? 0,
    buildSeconds: (Date.now() - started) / 1000,
    sizeBytes: await imageSize(tag), baseSizeBytes: await imageSize(baseImage),
  };
}

/**
 * The CA file this machine's Node or npm trusts (NODE_EXTRA_CA_CERTS, else `npm config get cafile`), handed to the
 * build stage's npm for the build only: bind mounts (`--volume`) are not part of the image. Our machines reach the
 * registry through a proxy that presents its own CA, which only the machine's trust store has; without this
 * `npm ci` fails with SELF_SIGNED_CERT_IN_CHAIN. The base's npm reads /usr/local/etc/npmrc (its global config,
 * prefix /usr/local), so the Dockerfile stays as users build it. Nothing is mounted when neither names a file.
 */
async function npmTrustMounts(): Promise<{ volumes: string[]; cleanup: () => void }> {
  const cafile = process.env.NODE_EXTRA_CA_CERTS ?? (await runTool(['npm', 'config', 'get', 'cafile'])).stdout.trim();
  if (cafile === '' || !existsSync(cafile)) return { volumes: [], cleanup: () => undefined };
  const dir = mkdtempSync('/var/tmp/herald-build-npmrc-');
  writeFileSync(join(dir, 'npmrc'), 'cafile=/run/herald-build/ca.crt\n');
  return {
    volumes: ['--volume', `${cafile}:/run/herald-build/ca.crt:ro`, '--volume', `${join(dir, 'npmrc')}:/usr/local/etc/npmrc:ro`],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
