// Where the binaries find their cluster, and the one case that must fail at once: nothing configured.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadKubeConfig } from './config.js';

const scratch = mkdtempSync(join(tmpdir(), 'herald-kubeconfig-test-'));
const noToken = join(scratch, 'no-token');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function kubeconfigFile(dir: string, server: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'config');
  writeFileSync(path, stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'k', cluster: { server } }], users: [{ name: 'u', user: {} }],
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
  }));
  return path;
}

test('with no kubeconfig anywhere and no pod, it fails at once saying so (never localhost:8080)', () => {
  const home = join(scratch, 'empty-home');
  expect(() => loadKubeConfig(undefined, { HOME: home }, noToken))
    .toThrow(`no cluster configured: not inside a pod, KUBECONFIG is not set and ${home}/.kube/config does not exist`);
});

test('KUBECONFIG naming a missing file is named in the error', () => {
  expect(() => loadKubeConfig(undefined, { KUBECONFIG: '/nonexistent/kubeconfig' }, noToken))
    .toThrow('kubeconfig "/nonexistent/kubeconfig" (from KUBECONFIG) does not exist');
});

test('KUBECONFIG wins over ~/.kube/config, and ~/.kube/config is read when KUBECONFIG is unset', () => {
  const home = join(scratch, 'home');
  kubeconfigFile(join(home, '.kube'), 'https://192.0.2.1:6443');
  const fromEnv = kubeconfigFile(join(scratch, 'env'), 'https://192.0.2.2:6443');
  expect(loadKubeConfig(undefined, { HOME: home, KUBECONFIG: fromEnv }, noToken).kubeConfig.getCurrentCluster()?.server).toBe('https://192.0.2.2:6443');
  expect(loadKubeConfig(undefined, { HOME: home }, noToken).kubeConfig.getCurrentCluster()?.server).toBe('https://192.0.2.1:6443');
});

test('an explicit --kubeconfig wins, and a missing one is named', () => {
  const explicit = kubeconfigFile(join(scratch, 'explicit'), 'https://192.0.2.3:6443');
  expect(loadKubeConfig(explicit, {}, noToken)).toMatchObject({ source: 'file' });
  expect(() => loadKubeConfig('/nonexistent/k', {}, noToken)).toThrow('kubeconfig "/nonexistent/k" does not exist');
});
