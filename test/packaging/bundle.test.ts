// The speaker's bundle narrows client-node (scripts/bundle-speaker.ts): client-node's own modules one by one, and
// two substitutes for what would drag its generated layer in. This runs what the speaker calls of client-node from a
// bundle built the same way (bundle-probe.ts) against an API server: the emulator, or with HERALD_API_BACKEND=real
// the real kube-apiserver over TLS with the admin's client certificate. On the emulator the kubeconfig also carries
// a client certificate and a bearer token, and the test checks the token reached the server.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { startApiBackend, type ApiBackend } from '../cluster/backend.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');
const TOKEN = 'probe-token';

let dir: string;
let backend: ApiBackend;
const authorizations: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-bundle-test-'));
  backend = await startApiBackend({ onRequest: (req) => authorizations.push(req.headers.authorization ?? '') });
}, 300_000);

afterAll(async () => {
  await backend.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The backend's kubeconfig; on the emulator with a throwaway client certificate and a token added to its user. */
function kubeconfig(): string {
  if (backend.name === 'real') return backend.kubeconfigPath;
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=probe', '-days', '1',
    '-keyout', join(dir, 'probe.key'), '-out', join(dir, 'probe.crt')], { stdio: 'ignore' });
  const config = parse(readFileSync(backend.kubeconfigPath, 'utf8')) as { users: { name: string; user: Record<string, string> }[] };
  for (const u of config.users) {
    u.user = { token: TOKEN, 'client-certificate-data': readFileSync(join(dir, 'probe.crt')).toString('base64'),
      'client-key-data': readFileSync(join(dir, 'probe.key')).toString('base64') };
  }
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, stringify(config));
  return path;
}

test('what the speaker calls of client-node works from the narrowed bundle', async () => {
  const probe = join(dir, 'probe.mjs');
  execFileSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts/bundle-speaker.ts'),
    '--entry', join(repoRoot, 'test/packaging/bundle-probe.ts'), '--outfile', probe], { cwd: repoRoot, stdio: 'inherit' });
  const core = backend.kubeConfig().makeApiClient(CoreV1Api);
  const namespace = `bundle-${Date.now()}`;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  for (const [name, labels] of [['listed', { probe: 'yes' }], ['unlabeled', {}], ['excluded', { probe: 'yes' }]] as const) {
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name, labels } } });
  }
  const { stdout } = await promisify(execFile)(process.execPath, [probe, kubeconfig(), namespace], { timeout: 60_000 });
  const findings = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(findings.slice(1)).toEqual([
    { listed: ['listed'] }, // the label selector and the field selector both reached the server unchanged
    { watched: 'added-later' },
    { patched: 'yes' },
    { missing: 'not found' }, // an ApiException with its code, from the bundle's own client-node
  ]);
  if (backend.name === 'emulator') {
    expect(findings[0]).toMatchObject({ token: true });
    expect(authorizations).toContain(`Bearer ${TOKEN}`);
  }
}, 120_000);
