// The network lab: `up` builds the segment described in topology.ts, `down` removes exactly what `up`
// made and ends exactly the processes the lab started, `status` says what is there. Every step is
// idempotent, so `up` after a half-failed `up` (or twice) converges to the same lab.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { stopControlPlane } from '../cluster/controlplane.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BRIDGE, BRIDGE_NS, FAR_NS, HOST_IF, HOSTS, HTTP_PORT, LINKS_NS, NODES, VIP_COUNT,
  STATE_DIR, hostByName, macOf, nsOf, v4Of, v6Of, vip4, vip6, type Host,
} from './topology.js';
import { execIn, findProc, killProc, listProcs, run, sleep, spawnIn } from './exec.js';

export { execIn, spawnIn, run, listProcs, findProc, killProc, sleep } from './exec.js';
export type { ProcRecord, Spawned } from './exec.js';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(here, '..', '..');

export const LAB_NAMESPACES: readonly string[] = [BRIDGE_NS, ...HOSTS.map((h) => nsOf(h.name))];

export function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new Error('the network lab needs root (network namespaces, raw sockets)');
}

/** The lab's namespaces that exist now, scratch ones (LINKS_NS) and the BGP lab's far client (FAR_NS) included. */
export async function existingNamespaces(): Promise<Set<string>> {
  const { stdout } = await run(['ip', '-j', 'netns', 'list']);
  const list = stdout.trim() ? (JSON.parse(stdout) as { name: string }[]) : [];
  return new Set(list.map((n) => n.name).filter((n) => LAB_NAMESPACES.includes(n) || n === LINKS_NS || n === FAR_NS));
}

export async function up(): Promise<void> {
  requireRoot();
  const existing = await existingNamespaces();
  for (const ns of LAB_NAMESPACES) if (!existing.has(ns)) await run(['ip', 'netns', 'add', ns]);
  await configureBridge();
  // Sequential: each host's veth is created from the bridge namespace, and 2 cores are shared.
  for (const host of HOSTS) await configureHost(host);
  await startHttpServers();
}

async function configureBridge(): Promise<void> {
  // No IPv6 on the bridge's own ports: they would only add router solicitations to every capture.
  await sysctl(BRIDGE_NS, { 'net.ipv6.conf.all.disable_ipv6': 1, 'net.ipv6.conf.default.disable_ipv6': 1 });
  if (!(await linkExists(BRIDGE_NS, BRIDGE))) {
    // stp off and forward_delay 0: ports forward at once. Snooping off: the segment floods multicast
    // like a plain unmanaged switch, so NDP works whether or not a speaker sends MLD reports.
    await ipIn(BRIDGE_NS, ['link', 'add', BRIDGE, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0', 'mcast_snooping', '0']);
  }
  await ipIn(BRIDGE_NS, ['link', 'set', BRIDGE, 'up']);
}

async function configureHost(host: Host): Promise<void> {
  const ns = nsOf(host.name);
  // Before the veth exists, so its link-local address skips DAD too (LAB-NOTES: else 1-2 s of waiting).
  await sysctl(ns, hostSysctls(host));
  if (!(await linkExists(ns, HOST_IF))) {
    await ipIn(BRIDGE_NS, ['link', 'del', host.name]).catch(() => undefined); // stale half
    await ipIn(BRIDGE_NS, ['link', 'add', host.name, 'type', 'veth', 'peer', 'name', HOST_IF, 'address', macOf(host), 'netns', ns]);
  }
  await ipIn(BRIDGE_NS, ['link', 'set', host.name, 'master', BRIDGE, 'up']);
  await sysctl(ns, { [`net.ipv6.conf.${HOST_IF}.accept_dad`]: 0, ...nicArpSysctls(host) });
  await ipBatch(ns, hostAddressCommands(host));
}

function hostSysctls(host: Host): Record<string, number> {
  const common = {
    'net.ipv6.conf.all.accept_dad': 0,
    'net.ipv6.conf.default.accept_dad': 0,
    // linkDown/linkUp must not lose the IPv6 addresses (the kernel flushes them on down by default).
    'net.ipv6.conf.all.keep_addr_on_down': 1,
    'net.ipv6.conf.default.keep_addr_on_down': 1,
  };
  if (host.role === 'router') return { ...common, 'net.ipv4.ip_forward': 1, 'net.ipv6.conf.all.forwarding': 1 };
  if (host.role === 'client') return common; // a stock Linux client: arp_accept=0, as most are
  // What kube-proxy IPVS strictARP sets: answer ARP only for addresses on the receiving interface, and
  // pick the interface's own address as the ARP source. The VIPs live on `lo`, so the kernel never
  // answers for them: announcing is the speaker's job.
  return { ...common, 'net.ipv4.conf.all.arp_ignore': 1, 'net.ipv4.conf.all.arp_announce': 2 };
}

function nicArpSysctls(host: Host): Record<string, number> {
  if (host.role !== 'node') return {};
  return { [`net.ipv4.conf.${HOST_IF}.arp_ignore`]: 1, [`net.ipv4.conf.${HOST_IF}.arp_announce`]: 2 };
}

function hostAddressCommands(host: Host): string[] {
  const commands = [
    'link set lo up',
    `link set ${HOST_IF} up`,
    `address replace ${v4Of(host)}/24 dev ${HOST_IF}`,
    `address replace ${v6Of(host)}/64 dev ${HOST_IF} nodad`,
  ];
  if (host.role !== 'node') return commands;
  // A /128 on lo is not answered by the kernel's NDP on eth0: ndisc_recv_ns looks the target up
  // strictly on the receiving device (the lab test "the kernel stays silent" checks it).
  for (let i = 0; i < VIP_COUNT; i++) {
    commands.push(`address replace ${vip4(i)}/32 dev lo`, `address replace ${vip6(i)}/128 dev lo nodad`);
  }
  return commands;
}

async function startHttpServers(): Promise<void> {
  const script = join(here, 'http-server.ts');
  for (const node of NODES) {
    if (findProc(`http-${node}`)) continue;
    spawnIn(nsOf(node), [process.execPath, script, node, String(HTTP_PORT)], { role: `http-${node}`, detached: true, cwd: REPO_ROOT });
  }
  await Promise.all(NODES.map((node) => waitForHttp(node)));
}

/** Waits until the node's server answers the client on the node's own address. */
async function waitForHttp(node: string, timeoutMs = 10_000): Promise<void> {
  const url = `http://${v4Of(hostByName(node))}:${HTTP_PORT}/`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = await execIn(nsOf('client'), ['curl', '-s', '--max-time', '1', url]).then((r) => r.stdout.trim(), () => '');
    if (body === node) return;
    if (Date.now() > deadline) throw new Error(`lab: the HTTP server of ${node} did not answer ${url} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export async function down(): Promise<void> {
  requireRoot();
  await Promise.all(listProcs().map((p) => killProc(p, 'SIGTERM', 2000)));
  // The real control plane of `up --cluster` with HERALD_API_BACKEND=real keeps its own process records.
  const controlPlane = join(STATE_DIR, 'controlplane');
  if (existsSync(controlPlane)) await stopControlPlane(controlPlane);
  const existing = await existingNamespaces();
  for (const ns of existing) {
    // Anything still running in a lab namespace was started there through the lab (only the lab
    // uses these names); end it by PID so the namespace really goes away.
    for (const pid of await pidsIn(ns)) killPid(pid);
    await run(['ip', 'netns', 'del', ns]);
  }
  keepLogs();
  rmSync(STATE_DIR, { recursive: true, force: true });
}

/**
 * With HERALD_LAB_KEEP_LOGS=DIR, `down` first copies every process's log there (DIR/<time>/), so a failed run's
 * speaker and controller logs can be read after the lab is gone.
 */
function keepLogs(): void {
  const keep = process.env.HERALD_LAB_KEEP_LOGS;
  const logs = join(STATE_DIR, 'logs');
  if (!keep || !existsSync(logs)) return;
  cpSync(logs, join(keep, new Date().toISOString().replace(/[:.]/g, '-')), { recursive: true });
}

export async function pidsIn(ns: string): Promise<number[]> {
  const { stdout } = await run(['ip', 'netns', 'pids', ns]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
}

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export async function linkDown(node: string): Promise<void> {
  await ipIn(nsOf(node), ['link', 'set', HOST_IF, 'down']);
}

export async function linkUp(node: string): Promise<void> {
  await ipIn(nsOf(node), ['link', 'set', HOST_IF, 'up']);
}

export async function linkExists(ns: string, name: string): Promise<boolean> {
  return ipIn(ns, ['link', 'show', 'dev', name]).then(() => true, () => false);
}

export function ipIn(ns: string, args: readonly string[]): Promise<unknown> {
  return run(['ip', '-n', ns, ...args]);
}

export async function ipBatch(ns: string, commands: readonly string[]): Promise<void> {
  await run(['ip', '-n', ns, '-batch', '-'], `${commands.join('\n')}\n`);
}

export async function sysctl(ns: string, values: Record<string, number>): Promise<void> {
  const args = Object.entries(values).map(([k, v]) => `${k}=${v}`);
  await execIn(ns, ['sysctl', '-qw', ...args]);
}

