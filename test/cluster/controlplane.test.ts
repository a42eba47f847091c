// The real control plane itself (runs on the real-backend pass: HERALD_API_BACKEND=real). Judged by the
// programs themselves: kube-apiserver's /version, RBAC refusing a user with no role, kube-controller-manager's
// controllers acting, kubectl built from the same release, and the kernel's process table after `down`.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { isAlive, sleep } from '../support/process-records.js';
import { onRealBackend } from './backend.js';
import { controlPlaneStatus, startControlPlane, type ControlPlane } from './controlplane.js';
import { binaryPath, pinnedVersions } from './versions.js';

const run = promisify(execFile);
const describeReal = onRealBackend ? describe : describe.skip;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describeReal('a real control plane started in-process', () => {
  let cp: ControlPlane;
  let core: CoreV1Api;
  beforeAll(async () => {
    cp = await startControlPlane({ dir: mkdtempSync(join(tmpdir(), 'herald-cp-test-')) });
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
  }, 90_000);
  afterAll(() => cp?.stop());

  test('kube-apiserver and kubectl report the pinned release', async () => {
    const pinned = pinnedVersions().kubernetes;
    expect(cp.version).toBe(pinned);
    const { stdout } = await run(binaryPath('kubectl'), ['--kubeconfig', cp.kubeconfigPath, 'version', '-o', 'json']);
    const versions = JSON.parse(stdout) as { clientVersion: { gitVersion: string }; serverVersion: { gitVersion: string } };
    expect([versions.clientVersion.gitVersion, versions.serverVersion.gitVersion]).toEqual([pinned, pinned]);
  });

  test('RBAC is enforced: a service account with no role is refused, and allowed once bound to a role', async () => {
    const ns = 'rbac-check';
    await core.createNamespace({ body: { metadata: { name: ns } } });
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'nobody' } } });
    const token = await core.createNamespacedServiceAccountToken({ namespace: ns, name: 'nobody', body: { spec: { audiences: [] } } });
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    const cluster = kc.getCurrentCluster();
    kc.loadFromOptions({ clusters: cluster ? [cluster] : [], users: [{ name: 'nobody', token: token.status?.token }],
      contexts: [{ name: 'nobody', cluster: cluster?.name ?? '', user: 'nobody' }], currentContext: 'nobody' });
    const asNobody = kc.makeApiClient(CoreV1Api);
    await expect(asNobody.listNamespacedService({ namespace: ns })).rejects.toMatchObject({ code: 403 });
    const rbac = new KubeConfig();
    rbac.loadFromFile(cp.kubeconfigPath);
    await rbac.makeApiClient(RbacAuthorizationV1Api).createNamespacedRoleBinding({ namespace: ns, body: {
      metadata: { name: 'nobody-views' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'nobody', namespace: ns }],
    } });
    // `view` is an aggregated ClusterRole: its rules exist only once kube-controller-manager's aggregation controller ran.
    const list = await until('the role binding to take effect', () => asNobody.listNamespacedService({ namespace: ns }));
    expect(list.items).toEqual([]);
  });

  test('kube-controller-manager runs: a new namespace gets its default service account', async () => {
    await core.createNamespace({ body: { metadata: { name: 'kcm-check' } } });
    const sa = await until('the default service account', () => core.readNamespacedServiceAccount({ namespace: 'kcm-check', name: 'default' }));
    expect(sa.metadata?.name).toBe('default');
  });

  test('a dual-stack Service gets a cluster IP of each family', async () => {
    const svc = await core.createNamespacedService({ namespace: 'default', body: {
      metadata: { name: 'dual' }, spec: { ipFamilyPolicy: 'RequireDualStack', ports: [{ port: 80 }] },
    } });
    expect(svc.spec?.clusterIPs?.map((ip) => (ip.includes(':') ? 'IPv6' : 'IPv4'))).toEqual(['IPv4', 'IPv6']);
  });
});

describeReal('npm run cluster -- up / status / down', () => {
  const cli = (args: string[]) => run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'cli.ts'), ...args]);

  test('down ends exactly the processes up started and removes the state folder', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'herald-cp-cli-'));
    const dir = join(parent, 'state');
    const up = JSON.parse((await cli(['up', '--json', '--dir', dir])).stdout) as { kubeconfigPath: string };
    expect(existsSync(up.kubeconfigPath)).toBe(true);
    const status = controlPlaneStatus(dir);
    expect(status?.processes.map((p) => p.role).sort()).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager']);
    const listed = JSON.parse((await cli(['status', '--json', '--dir', dir])).stdout) as { up: boolean; processes: { pid: number }[] };
    expect(listed.up).toBe(true);
    expect(listed.processes.map((p) => p.pid).sort()).toEqual(status?.processes.map((p) => p.pid).sort());
    await cli(['down', '--dir', dir]);
    expect(status?.processes.filter((p) => isAlive(p))).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    rmSync(parent, { recursive: true });
  }, 120_000);
});
