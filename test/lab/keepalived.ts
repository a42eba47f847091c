// keepalived 2.2.7, the side-by-side layer 2 peer: one VRRP instance per node namespace, run in the
// foreground with its own pid files (LAB-NOTES). Every node starts as BACKUP with `nopreempt`, so after a
// fault the repaired node stays a backup and the next trial faults whoever is master now: no trial waits
// a master-down interval for a higher priority to take back.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execIn, findProc, isAlive, killProc, spawnIn, startTimeOf, type ProcRecord } from './exec.js';
import { HOST_IF, NODES, STATE_DIR, nsOf } from './topology.js';

export interface VrrpSettings {
  /** 2 or 3; sub-second adverts need 3. */
  version: 2 | 3;
  /** Seconds between adverts. */
  advertInt: number;
}

export const VRRP_DEFAULT: VrrpSettings = { version: 2, advertInt: 1 };
export const VRRP_FAST: VrrpSettings = { version: 3, advertInt: 0.1 };

function dirOf(node: string): string {
  return join(STATE_DIR, 'keepalived', node);
}

function config(node: string, vip: string, s: VrrpSettings): string {
  // Distinct priorities so that the first election is deterministic (n1 highest).
  const priority = 200 - 10 * NODES.indexOf(node as (typeof NODES)[number]);
  return `global_defs {
  router_id ${node}
  vrrp_version ${s.version}
  script_user root
}
vrrp_instance herald_lab {
  state BACKUP
  nopreempt
  interface ${HOST_IF}
  virtual_router_id 51
  priority ${priority}
  advert_int ${s.advertInt}
  virtual_ipaddress {
    ${vip}/32 dev ${HOST_IF}
  }
}
`;
}

function role(node: string): string {
  return `keepalived-${node}`;
}

export function startKeepalived(node: string, vip: string, s: VrrpSettings): ProcRecord {
  if (findProc(role(node))) throw new Error(`keepalived already runs on ${node}`);
  const dir = dirOf(node);
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'keepalived.conf');
  writeFileSync(conf, config(node, vip, s));
  // A SIGKILLed keepalived leaves its pid files, and a new one then refuses to start ("daemon is already
  // running"). Only this lab's keepalived for this node writes them, and it is not running now.
  for (const f of ['keepalived.pid', 'vrrp.pid']) rmSync(join(dir, f), { force: true });
  const argv = ['keepalived', '-n', '-l', '-D', '-P', '-f', conf, '-p', join(dir, 'keepalived.pid'), '-r', join(dir, 'vrrp.pid')];
  return spawnIn(nsOf(node), argv, { role: role(node) }).record;
}

/**
 * keepalived runs as a parent plus a VRRP child. A crash is simulated by freezing the parent (so it
 * cannot respawn the child), SIGKILLing the child (no priority-0 advert goes out), then the parent.
 * Returns nothing until both are gone. A graceful stop is SIGTERM to the parent, which has the child
 * send its priority-0 advert.
 */
export async function stopKeepalived(node: string, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  const parent = findProc(role(node));
  if (!parent) return;
  if (signal === 'SIGTERM') return killProc(parent, 'SIGTERM', 5000);
  const child = vrrpChild(node);
  process.kill(parent.pid, 'SIGSTOP');
  if (child) await killProc(child, 'SIGKILL');
  await killProc(parent, 'SIGKILL');
}

/** The time-critical part of a crash, for a benchmark to time: SIGSTOP parent, SIGKILL child. */
export function crashKeepalivedNow(node: string): void {
  const parent = findProc(role(node));
  if (!parent) throw new Error(`no keepalived runs on ${node}`);
  process.kill(parent.pid, 'SIGSTOP');
  const child = vrrpChild(node);
  if (child) process.kill(child.pid, 'SIGKILL');
}

function vrrpChild(node: string): ProcRecord | undefined {
  try {
    const pid = Number(readFileSync(join(dirOf(node), 'vrrp.pid'), 'utf8').trim());
    const startTime = startTimeOf(pid);
    if (!startTime) return undefined;
    const record: ProcRecord = { pid, startTime, ns: nsOf(node), role: `${role(node)}-vrrp`, argv: [], logFile: '' };
    return isAlive(record) ? record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A killed master leaves the VIP on its interface (LAB-NOTES); remove it before the link comes back or
 * the restarted keepalived starts, else two kernels answer ARP for it.
 */
export async function removeVip(node: string, vip: string): Promise<void> {
  await execIn(nsOf(node), ['ip', 'address', 'del', `${vip}/32`, 'dev', HOST_IF]).catch(() => undefined);
}

/** The nodes whose interface holds the VIP: keepalived's masters. */
export async function vipHolders(vip: string): Promise<string[]> {
  const holders: string[] = [];
  for (const node of NODES) {
    const { stdout } = await execIn(nsOf(node), ['ip', '-o', '-4', 'address', 'show', 'dev', HOST_IF]);
    if (stdout.includes(` ${vip}/`)) holders.push(node);
  }
  return holders;
}

export async function stopAllKeepalived(vip: string): Promise<void> {
  for (const node of NODES) {
    await stopKeepalived(node, 'SIGKILL');
    await removeVip(node, vip);
  }
}
