// The real kube-proxy (iptables mode) against a real control plane, inside a network namespace of its own so it
// rewrites that namespace's iptables and never the machine's. The apiserver listens on the host's loopback, which
// the namespace cannot reach: this process listens on a unix socket (a path, so it crosses network namespaces) and
// forwards to the apiserver, and a small Node forwarder inside the namespace listens on 127.0.0.1:<the apiserver's
// port> and forwards to that socket, so kube-proxy's kubeconfig names the address the serving certificate names.
// Needs root (ip netns). Everything started is recorded by PID and ended by stop(), which also deletes the namespace.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { ProcessRecords, isAlive, spawnRecorded, type ProcRecord } from '../support/process-records.js';
import { binaryPath } from './versions.js';

const execFileAsync = promisify(execFile);

export interface KubeProxyOptions {
  /** The control plane's admin kubeconfig (its server on the host's 127.0.0.1). */
  kubeconfigPath: string;
  /** The Node kube-proxy takes itself for (--hostname-override). */
  node: string;
}

export interface KubeProxyInNetns {
  netns: string;
  logFile: string;
  /** `iptables-save -t TABLE` (ip6tables-save for IPv6) inside the namespace. */
  iptablesSave(family: 4 | 6, table: 'nat' | 'filter'): Promise<string>;
  stop(): Promise<void>;
}

/** Why the kube-proxy judge cannot run here, or undefined when it can (root, ip, iptables, the built kube-proxy). */
export function kubeProxyUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: ip netns needs root';
  for (const tool of ['ip', 'iptables-save', 'ip6tables-save', 'iptables-restore', 'ip6tables-restore']) {
    try {
      execFileSync('which', [tool], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (test/lab/install-deps.sh installs iproute2 and iptables)`;
    }
  }
  if (!existsSync(binaryPath('kube-proxy'))) return `${binaryPath('kube-proxy')} is not built: npm run cluster -- build`;
  return undefined;
}

/** The in-namespace end of the bridge: 127.0.0.1:PORT → the unix socket. Plain CommonJS for `node -e`. */
const NETNS_FORWARDER = `
const net = require('node:net');
const [port, socketPath] = process.argv.slice(1);
net.createServer((c) => { const u = net.connect(socketPath); c.pipe(u).pipe(c); c.on('error', () => u.destroy()); u.on('error', () => c.destroy()); })
  .listen(Number(port), '127.0.0.1');`;

function hostBridge(socketPath: string, port: number): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection(port, '127.0.0.1');
    for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => { client.destroy(); upstream.destroy(); }); }
    client.pipe(upstream).pipe(client);
  });
  server.on('close', () => { for (const s of sockets) s.destroy(); });
  return new Promise((resolve, reject) => server.once('error', reject).listen(socketPath, () => resolve(server)));
}

function kubeProxyArgs(kubeconfig: string, node: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`, `--hostname-override=${node}`, '--proxy-mode=iptables',
    // Leave every sysctl alone: nf_conntrack_max is the machine's, not the namespace's.
    '--conntrack-max-per-core=0', '--conntrack-tcp-timeout-established=0', '--conntrack-tcp-timeout-close-wait=0',
    '--iptables-localhost-nodeports=false', '--oom-score-adj=0',
    '--metrics-bind-address=127.0.0.1:10249', '--healthz-bind-address=127.0.0.1:10256', '-v=2',
  ];
}

async function ip(args: string[]): Promise<void> {
  await execFileAsync('ip', args);
}

export async function startKubeProxyInNetns(o: KubeProxyOptions): Promise<KubeProxyInNetns> {
  const netns = `hl-kp-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'herald-kube-proxy-'));
  const records = new ProcessRecords(join(dir, 'procs'));
  const config = parse(readFileSync(o.kubeconfigPath, 'utf8')) as { clusters: { cluster: { server: string } }[] };
  const server = new URL(config.clusters[0]?.cluster.server ?? '');
  const port = Number(server.port);
  const socketPath = join(dir, 'apiserver.sock');
  let bridge: Server | undefined;
  let netnsMade = false;
  const stop = async (): Promise<void> => {
    for (const record of records.list()) await records.kill(record, 'SIGTERM', 10_000);
    await new Promise<void>((resolve) => (bridge ? bridge.close(() => resolve()) : resolve()));
    if (netnsMade) await ip(['netns', 'del', netns]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await ip(['netns', 'add', netns]);
    netnsMade = true;
    await ip(['-n', netns, 'link', 'set', 'lo', 'up']);
    bridge = await hostBridge(socketPath, port);
    const inNetns = (role: string, argv: string[]): ProcRecord => spawnRecorded(records, ['ip', 'netns', 'exec', netns, ...argv], { role, logDir: dir }, {}).record;
    inNetns('bridge', [process.execPath, '-e', NETNS_FORWARDER, String(port), socketPath]);
    for (const c of config.clusters) c.cluster.server = `https://127.0.0.1:${port}`;
    writeFileSync(join(dir, 'kube-proxy.kubeconfig'), stringify(config), { mode: 0o600 });
    const kubeProxy = inNetns('kube-proxy', [binaryPath('kube-proxy'), ...kubeProxyArgs(join(dir, 'kube-proxy.kubeconfig'), o.node)]);
    const iptablesSave = async (family: 4 | 6, table: 'nat' | 'filter'): Promise<string> => {
      if (!isAlive(kubeProxy)) throw new Error(`kube-proxy exited; its log:\n${readFileSync(kubeProxy.logFile, 'utf8').slice(-3000)}`);
      return (await execFileAsync('ip', ['netns', 'exec', netns, family === 4 ? 'iptables-save' : 'ip6tables-save', '-t', table])).stdout;
    };
    return { netns, logFile: kubeProxy.logFile, iptablesSave, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
