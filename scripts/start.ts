// npm start: Herald's main job. With a cluster configured (--kubeconfig or KUBECONFIG) it runs the
// controller against it. With none, it runs an embedded demo: as root, the full-stack failover demo on the
// network-namespace lab (test/lab/demo.ts: an API server, the controller and three speakers through kubectl, the
// owner killed, the timeline drawn); otherwise, or with
// --controller, the controller demo: it starts a real control plane built from Go modules (test/cluster/;
// the in-repo API emulator where Go is missing, or with --emulator), applies config/default and
// config/samples/ with kubectl, runs the controller in-process and shows the Services getting their
// external IPs as a live table until Ctrl-C (--once: until every sample has its IPs).
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostname } from 'node:os';
import { Command } from 'commander';
import { CoreV1Api, makeInformer, type KubeConfig, type V1Service } from '@kubernetes/client-node';
import { HERALD_NAMESPACE } from '../crds/v1beta1/index.js';
import { createLogger } from '../lib/log.js';
import { loadKubeConfig, ReusingKubeConfig } from '../lib/kube/config.js';
import { createControllerCore } from '../controller/reconcile/index.js';
import { startController, type RunningController } from '../controller/driver/app.js';
import { parseDuration, parseLogLevel, parsePort } from '../controller/driver/flags.js';
import { startApiBackend, kubectlCommand, type ApiBackend } from '../test/cluster/backend.js';
import { binariesCurrent, buildBinaries, findGo } from '../test/cluster/build.js';
import { externalIP, serviceTable } from './svc-table.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Flags {
  kubeconfig?: string;
  controller: boolean;
  emulator: boolean;
  once: boolean;
  timeout: string;
  logLevel?: string;
  metricsPort?: string;
}

/** Asynchronous on purpose: the emulator answering kubectl runs in this very process. Warnings are shown too. */
async function kubectl(kubeconfigPath: string, args: string[]): Promise<void> {
  const { stdout, stderr } = await promisify(execFile)(kubectlCommand(), ['--kubeconfig', kubeconfigPath, ...args], { cwd: root, encoding: 'utf8' });
  const indent = (text: string): string => text.split('\n').filter((l) => l !== '').map((l) => `  ${l}\n`).join('');
  process.stdout.write(indent(stdout));
  process.stderr.write(indent(stderr));
}

/** config/default holds the CRDs (kubectl applies them before anything else it sorts), so the kinds exist before the samples use them. */
async function applyEverything(kubeconfigPath: string): Promise<void> {
  await kubectl(kubeconfigPath, ['apply', '-k', 'config/default']);
  await kubectl(kubeconfigPath, ['apply', '-f', 'config/samples/']);
}

/** Services a sample expects Herald to serve: LoadBalancers without a class of their own. */
const wantsIP = (s: V1Service): boolean => s.spec?.type === 'LoadBalancer' && !s.spec.loadBalancerClass;

async function showServices(kubeConfig: KubeConfig, once: boolean, timeoutMs: number): Promise<boolean> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Service>(kubeConfig, '/api/v1/services', () => core.listServiceForAllNamespaces());
  const live = process.stdout.isTTY;
  let shown = '';
  return new Promise<boolean>((resolve) => {
    const render = (): void => {
      const services = informer.list().filter((s) => s.metadata?.namespace !== 'default' || s.metadata.name !== 'kubernetes');
      const table = serviceTable(services, Date.now());
      if (table !== shown) {
        process.stdout.write(live && shown !== '' ? `\x1b[${shown.split('\n').length}A\x1b[J${table}\n` : `${table}\n`);
        shown = table;
      }
      const lbs = services.filter(wantsIP);
      if (once && lbs.length > 0 && lbs.every((s) => !externalIP(s).startsWith('<'))) finish(true);
    };
    const timer = setInterval(render, 250);
    const deadline = once ? setTimeout(() => finish(false), timeoutMs) : undefined;
    const finish = (ok: boolean): void => {
      clearInterval(timer);
      if (deadline) clearTimeout(deadline);
      void informer.stop().then(() => resolve(ok));
    };
    void informer.start();
    if (!once) process.once('SIGINT', () => finish(true));
  });
}

async function runAgainstCluster(flags: Flags): Promise<void> {
  const logger = createLogger('controller', parseLogLevel(flags.logLevel ?? 'info'));
  const { kubeConfig } = loadKubeConfig(flags.kubeconfig);
  const controller = await startController({
    kubeConfig, logger, namespace: HERALD_NAMESPACE, identity: `${hostname()}-${process.pid}`, leaderElect: true,
    metricsPort: parsePort(flags.metricsPort ?? '7472'), createCore: createControllerCore,
  });
  await waitForSignal();
  await controller.stop();
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/**
 * The API the controller demo runs on: a real control plane (etcd, kube-apiserver, kube-controller-manager) when
 * its binaries are built or Go is here to build them (once, some minutes), else the in-repo emulator.
 */
async function startDemoApi(flags: Flags): Promise<ApiBackend> {
  if (flags.emulator) return startApiBackend({}, 'emulator').then(announce);
  if (!binariesCurrent() && findGo()) {
    console.log('Building kube-apiserver, kube-controller-manager, kubectl and etcd from Go modules (once per machine) ...');
    const built = await buildBinaries({ log: (line) => console.log(`  ${line}`) });
    console.log(`  done in ${built.seconds.toFixed(0)} s, into ${built.dir}`);
  }
  return announce(await startApiBackend({}, binariesCurrent() ? 'real' : 'emulator'));
}

function announce(api: ApiBackend): ApiBackend {
  console.log(api.name === 'real'
    ? `Real Kubernetes control plane (kube-apiserver, etcd, kube-controller-manager) at ${api.url}`
    : `Kubernetes API emulator (the in-repo test double) at ${api.url}`);
  console.log(`  kubeconfig: ${api.kubeconfigPath}`);
  return api;
}

async function runDemo(flags: Flags): Promise<boolean> {
  const api = await startDemoApi(flags);
  let controller: RunningController | undefined;
  try {
    console.log('Applying config/default (CRDs included) and config/samples/ with kubectl:');
    await applyEverything(api.kubeconfigPath);
    const kubeConfig = ReusingKubeConfig.from(api.kubeConfig());
    controller = await startController({
      kubeConfig, logger: createLogger('controller', parseLogLevel(flags.logLevel ?? 'warn')), namespace: HERALD_NAMESPACE,
      identity: `${hostname()}-${process.pid}`, leaderElect: true, metricsPort: parsePort(flags.metricsPort ?? '0'),
      metricsHost: '127.0.0.1', createCore: createControllerCore,
    });
    console.log(`Controller running (metrics: http://127.0.0.1:${controller.metricsPort}/metrics).` +
      ` Try: kubectl --kubeconfig ${api.kubeconfigPath} get svc -A${flags.once ? '' : '   (Ctrl-C to stop)'}\n`);
    const ok = await showServices(kubeConfig, flags.once, parseDuration(flags.timeout));
    if (!ok) console.error(`Not every sample LoadBalancer Service got an IP within ${flags.timeout}.`);
    return ok;
  } finally {
    await controller?.stop();
    await api.stop();
  }
}

/** The failover demo runs in a child of its own, so its exit code and its lab teardown are its own. */
function runLabDemo(): Promise<boolean> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/lab/demo.ts')], { cwd: root, stdio: 'inherit' });
  const stop = (): boolean => child.kill('SIGINT');
  process.once('SIGINT', stop);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      process.off('SIGINT', stop);
      resolve(code === 0);
    });
  });
}

async function main(): Promise<void> {
  const flags = new Command('npm start')
    .description('Run Herald: against your cluster when one is configured, else a self-contained demo ' +
      '(as root the whole product and a failover on a network-namespace lab, otherwise the controller on a local control plane)')
    .option('--kubeconfig <path>', 'run against this cluster instead of a demo (KUBECONFIG works too)')
    .option('--controller', 'demo: the controller on a real control plane built from Go modules (the emulator where Go is missing), even as root', false)
    .option('--emulator', 'demo: the controller on the in-repo API emulator, even as root', false)
    .option('--once', 'demo: exit when every sample Service has its IPs (exit 1 after --timeout)', false)
    .option('--timeout <d>', 'how long --once waits', '60s')
    .option('--log-level <level>', 'controller log level (demo default: warn, cluster default: info)')
    .option('--metrics-port <port>', 'metrics/health port (0: any free port; default 7472 on a cluster, any in the demo)')
    .parse().opts<Flags>();
  if (flags.kubeconfig || process.env.KUBECONFIG) {
    await runAgainstCluster(flags);
    return;
  }
  if (!flags.controller && !flags.emulator && process.getuid?.() === 0) {
    const ok = await runLabDemo();
    console.log('\nThe controller side (pools → Service IPs, on a local control plane): npm start -- --controller');
    process.exitCode = ok ? 0 : 1;
    return;
  }
  if (!flags.controller && !flags.emulator) console.log('Not root, so no network-namespace lab: showing the controller on a local control plane.\n');
  process.exitCode = (await runDemo(flags)) ? 0 : 1;
}

main().then(() => process.exit(), (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
