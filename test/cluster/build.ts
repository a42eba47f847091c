// Builds kube-apiserver, kube-controller-manager, kubectl, kube-proxy and etcd from the Go module in test/cluster/go
// into the cache folder for the pinned versions, once per machine: a stamp (a hash of go.mod, go.sum and the build flags)
// says whether what is there is current. Static (CGO_ENABLED=0), -trimpath, and -pgo=off, because the apiserver's
// default.pgo would otherwise compile every package twice; the version ldflags make `/version` and
// `kubectl version` tell the release they were built from.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BINARIES, binaryDir, binaryPath, goModuleDir, pinnedVersions, type BinaryName, type PinnedVersions } from './versions.js';

const execFileAsync = promisify(execFile);

export class GoMissingError extends Error {
  constructor() {
    super('no Go toolchain: `go` is not on PATH nor in /usr/local/go/bin; the real control plane cannot be built here');
  }
}

/** The `go` command, or undefined when this machine has none. */
export function findGo(): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':').filter((d) => d !== ''), '/usr/local/go/bin']) {
    if (existsSync(join(dir, 'go'))) return join(dir, 'go');
  }
  return undefined;
}

interface Stamp {
  stamp: string;
  versions: PinnedVersions;
  builtAt: string;
  seconds: number;
}

/** -X flags for the version variables kube's own build sets (hack/lib/version.sh): both client-go's and component-base's. */
export function versionLdflags(version: string, buildDate: string): string[] {
  const match = /^v(\d+)\.(\d+)\./.exec(version);
  if (!match) throw new Error(`"${version}" is not a Kubernetes release version (v1.X.Y)`);
  const values = { gitVersion: version, gitMajor: match[1] ?? '', gitMinor: match[2] ?? '', gitTreeState: 'archive', buildDate };
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']
    .flatMap((pkg) => Object.entries(values).map(([name, value]) => `-X ${pkg}.${name}=${value}`));
}

const BUILD_FLAGS = ['-trimpath', '-pgo=off', '-buildvcs=false'];

function currentStamp(): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) hash.update(readFileSync(join(goModuleDir, file)));
  hash.update(JSON.stringify([BUILD_FLAGS, versionLdflags('v1.0.0', 'x'), Object.entries(BINARIES)]));
  return hash.digest('hex').slice(0, 16);
}

function readStamp(dir: string): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'build.json'), 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

/** True when every binary is in `dir` and was built from the go.mod and flags of this checkout. */
export function binariesCurrent(dir = binaryDir()): boolean {
  return readStamp(dir)?.stamp === currentStamp() && Object.keys(BINARIES).every((name) => existsSync(join(dir, name)));
}

export interface BuildResult {
  dir: string;
  versions: PinnedVersions;
  built: boolean;
  seconds: number;
  binaries: string[];
}

async function goRun(go: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(go, args, {
      cwd: goModuleDir, maxBuffer: 64 << 20, env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
    });
    return stdout;
  } catch (cause) {
    const stderr = (cause as { stderr?: string }).stderr?.trim() ?? '';
    throw new Error(`go ${args.slice(0, 2).join(' ')} failed in ${goModuleDir}${stderr ? `:\n${stderr}` : ''}`, { cause });
  }
}

/** Builds what is missing or stale; with `force`, builds anyway. Reports progress through `log`. */
export async function buildBinaries(o: { force?: boolean; log?: (line: string) => void } = {}): Promise<BuildResult> {
  const log = o.log ?? (() => undefined);
  const versions = pinnedVersions();
  const dir = binaryDir(versions);
  const binaries = Object.keys(BINARIES).map((name) => binaryPath(name as BinaryName, dir));
  if (!o.force && binariesCurrent(dir)) return { dir, versions, built: false, seconds: 0, binaries };
  const go = findGo();
  if (!go) throw new GoMissingError();
  const started = Date.now();
  const kube = JSON.parse(await goRun(go, ['list', '-m', '-json', 'k8s.io/kubernetes'])) as { Time?: string };
  const ldflags = ['-s', '-w', ...versionLdflags(versions.kubernetes, kube.Time ?? '1970-01-01T00:00:00Z')].join(' ');
  const partial = `${dir}.partial-${process.pid}`;
  mkdirSync(partial, { recursive: true });
  try {
    for (const [name, pkg] of Object.entries(BINARIES)) {
      log(`building ${name} (${pkg})`);
      await goRun(go, ['build', ...BUILD_FLAGS, '-ldflags', ldflags, '-o', join(partial, name), pkg]);
    }
    mkdirSync(dir, { recursive: true });
    for (const name of Object.keys(BINARIES)) renameSync(join(partial, name), join(dir, name));
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  const stamp: Stamp = { stamp: currentStamp(), versions, builtAt: new Date().toISOString(), seconds };
  writeFileSync(join(dir, 'build.json'), `${JSON.stringify(stamp, null, 2)}\n`);
  return { dir, versions, built: true, seconds, binaries };
}
