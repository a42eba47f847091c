// Running podman (and the tools the base needs) for the image scripts and tests: always with scripts/image/
// containers.conf, which picks runc and keeps podman's ulimits (why: that file's comments), so a test run here and
// `node --import tsx scripts/image/cli.ts build` behave the same and the machine's /etc/containers stays untouched.
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CONTAINERS_CONF = join(REPO_ROOT, 'scripts', 'image', 'containers.conf');

/** What the image scripts run, each with where Debian puts it (sbin is not on every user's PATH). */
const TOOLS: Record<string, string[]> = {
  podman: ['/usr/bin/podman'],
  runc: ['/usr/sbin/runc', '/usr/bin/runc'],
  debootstrap: ['/usr/sbin/debootstrap'],
};

/** Why the image cannot be built and run here, or undefined when it can (root, podman, runc and debootstrap). */
export function imageToolsMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'building and running the image needs root (debootstrap, podman)';
  const missing = Object.entries(TOOLS).filter(([, paths]) => !paths.some(isExecutable)).map(([name]) => name);
  if (missing.length > 0) return `missing ${missing.join(', ')} (test/lab/install-deps.sh installs them)`;
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function podmanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin`, CONTAINERS_CONF, ...extra };
}

export interface Output {
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; rejects with its argv and stderr when it fails. */
export function runTool(argv: readonly string[], options: { cwd?: string } = {}): Promise<Output> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('runTool: empty command');
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: podmanEnv(), cwd: options.cwd, maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${argv.join(' ')} failed: ${stderr.trim().split('\n').slice(-20).join('\n') || err.message}`, { cause: err }));
      else resolve({ stdout, stderr });
    });
  });
}

export function podman(args: readonly string[], options: { cwd?: string } = {}): Promise<Output> {
  return runTool(['podman', ...args], options);
}

/**
 * Runs a long command with its output streamed to ours (a build's progress), resolving when it exits 0. The last
 * lines are kept for the error, since a failed build's reason is at the end.
 */
export function runStreaming(argv: readonly string[], options: { cwd?: string; quiet?: boolean } = {}): Promise<void> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('runStreaming: empty command');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: podmanEnv(), cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer): void => {
      if (options.quiet !== true) process.stderr.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${argv.join(' ')} exited with ${code}:\n${tail}`));
    });
  });
}

/** Whether the local image store holds `ref` (`podman image exists`). */
export async function imageExists(ref: string): Promise<boolean> {
  return podman(['image', 'exists', ref]).then(() => true, () => false);
}

/** The image's uncompressed size in bytes, as `podman image inspect` reports it. */
export async function imageSize(ref: string): Promise<number> {
  const { stdout } = await podman(['image', 'inspect', '--format', '{{.Size}}', ref]);
  const size = Number(stdout.trim());
  if (!Number.isFinite(size) || size <= 0) throw new Error(`podman image inspect ${ref}: size "${stdout.trim()}" is not a number`);
  return size;
}
