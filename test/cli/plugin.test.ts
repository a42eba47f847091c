// The plugin as kubectl finds it: an executable kubectl-herald on PATH (the checkout's cli/, or the bundle: the other
// suites run that one, test/support/plugin-bundle.ts), run by the real kubectl for `kubectl herald …`, and reading the
// cluster kubectl would read.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bundleCli } from '../../scripts/bundle-cli.js';
import { kubectlCommand, startApiBackend, type ApiBackend } from '../cluster/backend.js';
import { runKubectl, runKubectlPlugin, type KubectlRun } from '../support/kubectl.js';

const packageVersion = (JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;
let backend: ApiBackend;
let home: string;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'herald-plugin-home-'));
  backend = await startApiBackend();
}, 300_000);

afterAll(async () => {
  await backend.stop();
  rmSync(home, { recursive: true, force: true });
});

test('kubectl plugin list finds the checkout\'s kubectl-herald in cli/, and kubectl herald version runs it', async () => {
  const list = await runKubectl(backend.kubeconfigPath, home, ['plugin', 'list', '--name-only']);
  expect(list.stdout.split('\n')).toContain('kubectl-herald');
  const version = await runKubectlPlugin(backend.kubeconfigPath, home, ['version'], {}, true);
  expect(version).toEqual({ code: 0, stdout: `kubectl-herald v${packageVersion}\n`, stderr: '' });
});

test('an unknown --context is refused by name, listing the contexts the kubeconfig has, exit code 1', async () => {
  const run = await runKubectlPlugin(backend.kubeconfigPath, home, ['--context', 'no-such-context', 'status']);
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^error: context "no-such-context" is not in the kubeconfig \(it has: \S.*\)\n$/);
});

/** kubectl with PATH = `bin`, then this Node 24's folder and the system's: no checkout's cli/ on it. */
function kubectlWithPath(bin: string, args: string[]): Promise<KubectlRun> {
  return new Promise((resolve) => {
    const env = { HOME: home, KUBECONFIG: backend.kubeconfigPath, PATH: [bin, dirname(process.execPath), '/usr/bin', '/bin'].join(':') };
    execFile(kubectlCommand(), args, { cwd: tmpdir(), env }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

test('the bundle: one executable file that kubectl runs as kubectl-herald from any folder on PATH, with nothing beside it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bundle-path-'));
  try {
    await bundleCli(join(dir, 'build', 'kubectl-herald.mjs'));
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    copyFileSync(join(dir, 'build', 'kubectl-herald.mjs'), join(bin, 'kubectl-herald'));
    expect(readFileSync(join(bin, 'kubectl-herald'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(statSync(join(dir, 'build', 'kubectl-herald.mjs')).mode & 0o111).toBe(0o111); // the build made it executable
    const list = await kubectlWithPath(bin, ['plugin', 'list']);
    expect(list.stdout.split('\n')).toContain(join(bin, 'kubectl-herald'));
    expect(await kubectlWithPath(bin, ['herald', 'version'])).toEqual({ code: 0, stdout: `kubectl-herald v${packageVersion}\n`, stderr: '' });
    // It reaches the API server (TLS and the kubeconfig's credentials on the real one): no Herald CRDs there, so
    // the error names what is missing.
    const pools = await kubectlWithPath(bin, ['herald', 'pools']);
    expect(pools).toEqual({ code: 1, stdout: '', stderr: 'error: the API server does not serve /apis/herald.dev/v1beta1/namespaces/herald-system/ipaddresspools (are Herald\'s CRDs installed?)\n' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
