// A kubeconfig for the emulator: plain http to 127.0.0.1, no credentials (the emulator checks none).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigFile {
  path: string;
  remove(): Promise<void>;
}

export function kubeconfigYaml(url: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // client-node refuses plain http unless TLS checks are off; kubectl ignores the flag for http.
    clusters: [{ name: 'herald-emulator', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'herald-emulator', user: {} }],
    contexts: [{ name: 'herald-emulator', context: { cluster: 'herald-emulator', user: 'herald-emulator', namespace: 'default' } }],
    'current-context': 'herald-emulator',
    preferences: {},
  });
}

export async function writeKubeconfig(url: string): Promise<KubeconfigFile> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-apiserver-'));
  const path = join(dir, 'kubeconfig');
  await writeFile(path, kubeconfigYaml(url), { mode: 0o600 });
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}
