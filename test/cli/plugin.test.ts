// The plugin as kubectl finds it: an executable kubectl-herald on PATH (cli/, test/support/kubectl.ts puts it there),
// run by the real kubectl for `kubectl herald …`, and reading the cluster kubectl would read.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiBackend, type ApiBackend } from '../cluster/backend.js';
import { runKubectl, runKubectlPlugin } from '../support/kubectl.js';

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

test('kubectl plugin list finds kubectl-herald, and kubectl herald version runs it', async () => {
  const list = await runKubectl(backend.kubeconfigPath, home, ['plugin', 'list', '--name-only']);
  expect(list.stdout.split('\n')).toContain('kubectl-herald');
  const version = await runKubectlPlugin(backend.kubeconfigPath, home, ['version']);
  expect(version).toEqual({ code: 0, stdout: `kubectl-herald v${packageVersion}\n`, stderr: '' });
});
