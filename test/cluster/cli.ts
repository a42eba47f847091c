// `npm run cluster -- build|up|down|status|gomod [--json] [--dir DIR]`: the real control plane by hand.
//   build   builds kube-apiserver, kube-controller-manager, kubectl, kube-proxy and etcd into the cache (nothing when current)
//   up      starts a control plane that outlives this command and prints its admin kubeconfig's path
//   down    ends exactly the processes `up` started and removes the state folder
//   status  what runs from the state folder
//   gomod   regenerates test/cluster/go/go.mod from a Kubernetes release's own go.mod (default: the pinned one)
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { buildBinaries } from './build.js';
import { controlPlaneStatus, startControlPlane, stopControlPlane } from './controlplane.js';
import { regenerateGoMod } from './gomod.js';
import { BINARIES, pinnedVersions } from './versions.js';

interface Flags {
  json?: boolean;
  dir: string;
  force?: boolean;
}

const defaultDir = join(tmpdir(), 'herald-cluster');

function print(flags: Flags, value: unknown, text: string): void {
  console.log(flags.json ? JSON.stringify(value, null, 2) : text);
}

async function build(flags: Flags): Promise<void> {
  const result = await buildBinaries({ force: flags.force, log: (line) => { if (!flags.json) console.error(line); } });
  const what = result.built
    ? `built ${Object.keys(BINARIES).join(', ')} in ${result.seconds.toFixed(1)} s`
    : 'the binaries are current; nothing built';
  print(flags, result, `${what}\n  Kubernetes ${result.versions.kubernetes}, etcd ${result.versions.etcd}\n  ${result.dir}`);
}

async function up(flags: Flags): Promise<void> {
  await buildBinaries({ log: (line) => console.error(line) });
  const started = Date.now();
  const cp = await startControlPlane({ dir: flags.dir, detached: true });
  const { stop: _stop, ...state } = cp;
  print(flags, state, `kube-apiserver ${cp.version} ready at ${cp.url} in ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
    `  kubectl --kubeconfig ${cp.kubeconfigPath} get namespaces\n  npm run cluster -- down${flags.dir === defaultDir ? '' : ` --dir ${flags.dir}`}`);
  if (!flags.json) console.log(cp.kubeconfigPath);
}

async function down(flags: Flags): Promise<void> {
  const status = controlPlaneStatus(flags.dir);
  await stopControlPlane(flags.dir);
  print(flags, { stopped: status?.processes.map((p) => p.role) ?? [] },
    status ? `stopped ${status.processes.map((p) => `${p.role} (pid ${p.pid})`).join(', ') || 'nothing (all had exited)'}` : `no control plane ran from ${flags.dir}`);
}

function status(flags: Flags): void {
  const s = controlPlaneStatus(flags.dir);
  if (!s) return print(flags, { up: false, versions: pinnedVersions() }, `no control plane runs from ${flags.dir}`);
  print(flags, { up: true, ...s }, [
    `kube-apiserver ${s.version} at ${s.url} (since ${s.startedAt})`, `  kubeconfig ${s.kubeconfigPath}`,
    ...s.processes.map((p) => `  ${p.role.padEnd(24)} pid ${p.pid}  log ${p.logFile}`),
  ].join('\n'));
}

const program = new Command('cluster').description('the real Kubernetes control plane the API tests run against');
const withFlags = (cmd: Command): Command => cmd.option('--json', 'machine-readable output').option('--dir <dir>', 'state folder', defaultDir);
withFlags(program.command('build')).option('--force', 'build even when current').action((f: Flags) => build(f));
withFlags(program.command('up')).action((f: Flags) => up(f));
withFlags(program.command('down')).action((f: Flags) => down(f));
withFlags(program.command('status')).action((f: Flags) => status(f));
program.command('gomod [version]').action((version?: string) => regenerateGoMod(version ?? pinnedVersions().kubernetes));

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`cluster: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
