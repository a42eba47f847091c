// FRR as the BGP lab's router (a judge beside BIRD): zebra and bgpd in the router's namespace, in the foreground as
// the lab's recorded children, with their own sockets and pid files in one directory owned by the frr user
// (LAB-NOTES: `-u root` fails FRR's vty group check). The configuration is docs/bgp-routers.md's, so the page's
// advice is what runs here: a peer group the nodes connect to (`bgp listen range`), ECMP by `maximum-paths`,
// zebra installing what bgpd chose into the router's kernel. Judges: `vtysh -c '... json'` and the kernel.
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentedConfig } from './doc-configs.js';
import { execIn, killProc, sleep, spawnIn, type Spawned } from './exec.js';
import { STATE_DIR, nsOf } from './topology.js';

const ROUTER_NS = nsOf('router');
export const FRR_DIR = join(STATE_DIR, 'frr');
const FRR_CONF = join(FRR_DIR, 'frr.conf');
const ZSERV = join(FRR_DIR, 'zserv.api');
/** The documented configuration's ASes: the router's, and the one it expects the nodes in. */
export const FRR_ROUTER_ASN = 64501;
export const FRR_NODE_ASN = 64512;

/**
 * The page's FRR configuration. With `bfd`, all of it, BFD lines included (bfdd runs then); without, minus the BFD
 * lines, since a peer group asking for BFD would have bgpd wait on a bfdd that is not there. Everything else is
 * used as written.
 */
export function frrLabConfig(options: { bfd?: boolean } = {}): string {
  const lines = documentedConfig('frr').split('\n');
  if (options.bfd === true) return ['log stdout', ...lines].join('\n');
  const bfdSection = lines.indexOf('bfd');
  const kept = (bfdSection < 0 ? lines : lines.slice(0, bfdSection)).filter((l) => !/^\s*neighbor \S+ bfd(\s|$)/.test(l));
  return ['log stdout', ...kept].join('\n');
}

export interface FrrRouter {
  zebra: Spawned;
  bgpd: Spawned;
  bfdd?: Spawned;
}

function daemonArgs(pidFile: string): string[] {
  return ['-f', FRR_CONF, '-i', join(FRR_DIR, pidFile), '--vty_socket', FRR_DIR, '-z', ZSERV];
}

/**
 * zebra, then (with `bfd`) bfdd and bgpd once zebra's socket is there; resolves once vtysh answers for bgpd (and
 * bfdd). bfdd's control socket goes into the lab's FRR directory too.
 */
export async function startFrr(options: { detached?: boolean; bfd?: boolean } = {}): Promise<FrrRouter> {
  mkdirSync(FRR_DIR, { recursive: true });
  const frr = frrUser();
  chownSync(FRR_DIR, frr.uid, frr.gid);
  writeFileSync(FRR_CONF, frrLabConfig({ bfd: options.bfd }));
  chownSync(FRR_CONF, frr.uid, frr.gid);
  const zebra = spawnIn(ROUTER_NS, ['/usr/lib/frr/zebra', ...daemonArgs('zebra.pid')], { role: 'frr-zebra', detached: options.detached });
  await waitFor('zebra\'s zserv socket', async () => existsSync(ZSERV), zebra);
  let bfdd: Spawned | undefined;
  if (options.bfd === true) {
    bfdd = spawnIn(ROUTER_NS, ['/usr/lib/frr/bfdd', ...daemonArgs('bfdd.pid'), '--bfdctl', join(FRR_DIR, 'bfdd.sock')], { role: 'frr-bfdd', detached: options.detached });
    const started = bfdd;
    await waitFor('bfdd to answer vtysh', () => vtysh('show bfd peers json').then(() => true, () => false), started);
  }
  const bgpd = spawnIn(ROUTER_NS, ['/usr/lib/frr/bgpd', ...daemonArgs('bgpd.pid')], { role: 'frr-bgpd', detached: options.detached });
  await waitFor('bgpd to answer vtysh', () => vtysh('show bgp summary json').then(() => true, () => false), bgpd);
  return { zebra, bgpd, ...(bfdd === undefined ? {} : { bfdd }) };
}

export async function stopFrr(router: FrrRouter): Promise<void> {
  await killProc(router.bgpd.record, 'SIGTERM', 5000);
  if (router.bfdd !== undefined) await killProc(router.bfdd.record, 'SIGTERM', 5000);
  await killProc(router.zebra.record, 'SIGTERM', 5000);
}

async function waitFor(what: string, done: () => Promise<boolean>, spawned: Spawned): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`FRR: timed out waiting for ${what}; see ${spawned.record.logFile}`);
    await sleep(50);
  }
}

function frrUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('frr:')) ?? '';
  const [, , uid, gid] = line.split(':');
  if (uid === undefined || gid === undefined) throw new Error('FRR: no "frr" user in /etc/passwd (is the frr package installed? test/lab/install-deps.sh)');
  return { uid: Number(uid), gid: Number(gid) };
}

/** One vtysh command's JSON, against this lab's bgpd. */
export async function vtysh<T = unknown>(command: string): Promise<T> {
  const { stdout } = await execIn(ROUTER_NS, ['vtysh', '--vty_socket', FRR_DIR, '-c', command]);
  return JSON.parse(stdout) as T;
}
