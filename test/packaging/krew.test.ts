// The krew manifest (cli/krew/herald.yaml, written by the release step for a release's tarball) and, written the same
// way, the manifest for the tarball this commit builds (cli/krew/release.ts): krew's own validator
// (validate-krew-manifest, built from sigs.k8s.io/krew) accepts it, and krew itself installs the plugin from it and the tarball, after which the real kubectl runs the installed plugin
// from krew's bin folder against the API server (emulator, or HERALD_API_BACKEND=real). The validator's own install
// step downloads the manifest's URI, a release not published from here, so it runs with -skip-install; krew's
// `install --archive` does that step with the local tarball instead (and this test checks the LICENSE it wants).
import { execFile } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { krewManifest } from '../../cli/krew/manifest.js';
import { buildRelease, MANIFEST, type Release } from '../../cli/krew/release.js';
import { krewTool } from '../../cli/krew/tools.js';
import { kubectlCommand } from '../cluster/backend.js';
import { createPool, startEnv, type Env } from '../integration/harness.js';
import type { KubectlRun } from '../support/kubectl.js';

let dir: string;
let release: Release;
/** The manifest the release step writes for this commit's tarball (krew wants it named <metadata.name>.yaml). */
let manifest: string;
let env: Env;

function run(command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<KubectlRun> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: dir, env: { PATH: [dirname(process.execPath), '/usr/bin', '/bin'].join(':'), HOME: dir, ...extraEnv }, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-krew-test-'));
  release = await buildRelease(join(dir, 'release'));
  manifest = join(dir, 'herald.yaml');
  writeFileSync(manifest, krewManifest(release.version, release.sha256));
  // Built from the Go module proxy once per machine (minutes), then cached.
  await Promise.all([krewTool('validate-krew-manifest'), krewTool('krew')]);
  env = await startEnv();
}, 600_000);

afterAll(async () => {
  await env?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the committed manifest is what the release step writes (else: npm run krew-release -- --write-manifest), for this version', () => {
  // Its sha256 is the last release's tarball's: any change to the plugin's code changes the bundle, and the
  // release step writes the new one. The tests below check a manifest written the same way for this commit's tarball.
  const committed = readFileSync(MANIFEST, 'utf8');
  const platform = (parse(committed) as { spec: { platforms: { sha256: string }[] } }).spec.platforms[0];
  expect(platform?.sha256).toMatch(/^[0-9a-f]{64}$/);
  expect(committed).toBe(krewManifest(release.version, platform?.sha256 ?? ''));
});

test('the tarball is the same bytes every time it is built', async () => {
  const again = await buildRelease(join(dir, 'again'));
  expect(again.sha256).toBe(release.sha256);
}, 120_000);

test('krew\'s validator accepts the manifest, and refuses one whose name is not its file\'s', async () => {
  const validator = await krewTool('validate-krew-manifest');
  const ok = await run(validator, ['-manifest', manifest, '-skip-install']);
  expect(ok.code).toBe(0);
  expect(ok.stderr).toMatch(/structural validation OK[\s\S]*all spec.platform\[\] items are used[\s\S]*no overlapping spec.platform\[\].selector/);
  const renamed = join(dir, 'kubectl-herald.yaml'); // krew wants <metadata.name>.yaml
  copyFileSync(manifest, renamed);
  const bad = await run(validator, ['-manifest', renamed, '-skip-install']);
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toContain('plugin validation error: plugin should be named "kubectl-herald", not "herald"');
});

test('krew installs the plugin from the manifest and the tarball; kubectl then runs it from krew\'s bin folder', async () => {
  const krew = await krewTool('krew');
  const root = join(dir, 'krew-root');
  const installed = await run(krew, ['install', `--manifest=${manifest}`, `--archive=${release.path}`], { KREW_ROOT: root });
  expect({ code: installed.code, stderr: installed.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('Installed plugin: herald') as unknown });
  expect(existsSync(join(root, 'store', 'herald', `v${release.version}`, 'LICENSE'))).toBe(true); // the validator's licence rule

  await createPool(env, 'production', { addresses: ['192.0.2.0/24'] });
  const kubectl = (args: string[]) => run(kubectlCommand(), args, { PATH: [join(root, 'bin'), dirname(process.execPath), '/usr/bin', '/bin'].join(':'), KUBECONFIG: env.backend.kubeconfigPath });
  expect(await kubectl(['herald', 'version'])).toEqual({ code: 0, stdout: `kubectl-herald v${release.version}\n`, stderr: '' });
  const pools = await kubectl(['herald', 'pools', '-o', 'json']);
  expect(pools.code).toBe(0);
  expect((JSON.parse(pools.stdout) as { items: { name: string }[] }).items.map((p) => p.name)).toEqual(['production']);
}, 120_000);

test('krew refuses a tarball that is not the one the manifest names', async () => {
  const krew = await krewTool('krew');
  const tampered = join(dir, 'tampered.tar.gz');
  copyFileSync(release.path, tampered);
  appendFileSync(tampered, '\n');
  const refused = await run(krew, ['install', `--manifest=${manifest}`, `--archive=${tampered}`], { KREW_ROOT: join(dir, 'krew-root-2') });
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain(`checksum does not match, want: ${release.sha256}`);
}, 60_000);
