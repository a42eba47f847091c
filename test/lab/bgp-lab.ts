// BGP mode's lab, on top of `up`: a far client (FAR_NS) in its own subnet behind the router, the BGP VIPs on
// every node's `lo` (kube-proxy's part), routes back to the far subnet on the nodes, and BIRD 2 in the router's
// namespace peering with the three nodes and installing what it learns into the router's kernel with ECMP
// (`merge paths on`). BIRD and the kernel are the judges: `birdc show route all`, `ip route show`. FRR
// (frr-router.ts) or GoBGP (gobgp-router.ts) can take BIRD's place: startRouter().
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execIn, killProc, run, sleep, spawnIn, type Spawned } from './exec.js';
import { startFrr, stopFrr } from './frr-router.js';
import { startGobgp, stopGobgp } from './gobgp-router.js';
import { ipBatch, ipIn, linkExists, sysctl } from './lab.js';
import {
  BGP_VIP_COUNT, FAR_NS, FAR_OCTET, FAR_V4_PREFIX, FAR_V6_PREFIX, HOST_IF, NODES, ROUTER_FAR_IF, STATE_DIR, V4_PREFIX, V6_PREFIX,
  bgpVip4, bgpVip6, hostByName, nsOf, v4Of, v6Of,
} from './topology.js';

const ROUTER_NS = nsOf('router');
/** Router and nodes share one 4-octet AS (iBGP: LOCAL_PREF travels; RFC 6793 AS_TRANS in the OPEN). */
export const LAB_ASN = 4_200_000_000;
/** The router's AS on the eBGP sessions over IPv6 (2 octets), and the nodes' there (4 octets). */
export const EDGE_ASN = 64512;
export const NODE_EDGE_ASN = 4_200_000_001;
export const FAR_V4 = `${FAR_V4_PREFIX}.${FAR_OCTET}`;
export const FAR_V6 = `${FAR_V6_PREFIX}::${FAR_OCTET}`;
const ROUTER_FAR_V4 = `${FAR_V4_PREFIX}.1`;
const ROUTER_FAR_V6 = `${FAR_V6_PREFIX}::1`;
export const BIRD_CTL = join(STATE_DIR, 'bird.ctl');

/** Where one BIRD runs: its namespace, control socket, configuration file and process-record role. */
export interface BirdInstance {
  ns: string;
  ctl: string;
  conf: string;
  role: string;
}

/** The router's BIRD, every BGP lab suite's judge. */
export const ROUTER_BIRD: BirdInstance = { ns: ROUTER_NS, ctl: BIRD_CTL, conf: join(STATE_DIR, 'bird.conf'), role: 'bird-router' };

/** A BIRD on a node, standing where a Herald speaker would (the BGP benchmarks' anchor), with its own files. */
export function nodeBird(node: string): BirdInstance {
  return { ns: nsOf(node), ctl: join(STATE_DIR, `bird-${node}.ctl`), conf: join(STATE_DIR, `bird-${node}.conf`), role: `bird-${node}` };
}

/** The far client, the VIPs and the routes back; idempotent like `up`, which must have run first. */
export async function upBgpLab(): Promise<void> {
  const existing = await run(['ip', '-j', 'netns', 'list']).then((r) => (JSON.parse(r.stdout || '[]') as { name: string }[]).map((n) => n.name));
  if (!existing.includes(FAR_NS)) await run(['ip', 'netns', 'add', FAR_NS]);
  await sysctl(FAR_NS, { 'net.ipv6.conf.all.accept_dad': 0, 'net.ipv6.conf.default.accept_dad': 0 });
  if (!(await linkExists(FAR_NS, HOST_IF))) {
    await ipIn(ROUTER_NS, ['link', 'del', ROUTER_FAR_IF]).catch(() => undefined); // a stale half
    await ipIn(ROUTER_NS, ['link', 'add', ROUTER_FAR_IF, 'type', 'veth', 'peer', 'name', HOST_IF, 'netns', FAR_NS]);
  }
  await ipBatch(ROUTER_NS, [
    `link set ${ROUTER_FAR_IF} up`,
    `address replace ${ROUTER_FAR_V4}/24 dev ${ROUTER_FAR_IF}`,
    `address replace ${ROUTER_FAR_V6}/64 dev ${ROUTER_FAR_IF} nodad`,
  ]);
  await ipBatch(FAR_NS, [
    'link set lo up', `link set ${HOST_IF} up`,
    `address replace ${FAR_V4}/24 dev ${HOST_IF}`, `address replace ${FAR_V6}/64 dev ${HOST_IF} nodad`,
    `route replace default via ${ROUTER_FAR_V4}`, `route replace default via ${ROUTER_FAR_V6}`,
  ]);
  for (const node of NODES) {
    const vips: string[] = [];
    for (let i = 0; i < BGP_VIP_COUNT; i++) vips.push(`address replace ${bgpVip4(i)}/32 dev lo`, `address replace ${bgpVip6(i)}/128 dev lo nodad`);
    await ipBatch(nsOf(node), [
      ...vips,
      `route replace ${FAR_V4_PREFIX}.0/24 via ${V4_PREFIX}.1`,
      `route replace ${FAR_V6_PREFIX}::/64 via ${V6_PREFIX}::1`,
    ]);
  }
}

export interface BirdOptions {
  /** BIRD's own hold time offer (the session uses the smaller of both). */
  holdTimeSeconds?: number;
  /** Outlive the caller (a script that leaves BIRD to `lab down`). */
  detached?: boolean;
  /** TCP MD5 (RFC 2385) on the iBGP sessions (`password`). */
  password?: string;
  /** BFD on the iBGP sessions (`bfd on` and a `protocol bfd` with these timers, both ways). */
  bfd?: { intervalMs: number; multiplier: number };
  /** GTSM (RFC 5082) on the eBGP sessions (`ttl security on`: TTL 255 sent, 255 required). */
  ttlSecurity?: boolean;
  /**
   * RFC 4724 helper: keep a node's routes, marked stale, when its session closes without a NOTIFICATION, until
   * the node's End-of-RIB after it reconnects (or its restart time runs out).
   */
  gracefulRestart?: boolean;
  /**
   * Install what BIRD learns into the router's kernel (the default). False leaves out the kernel protocols: the
   * routes stay in BIRD's table. The import benchmark needs that: its 198.18.0.0/15 prefixes (RFC 2544,
   * benchmarking) must never reach a kernel table.
   */
  kernel?: boolean;
  /** Times in `show protocols` and `show route` to the millisecond (`timeformat ... iso long ms`). */
  msTimes?: boolean;
  /**
   * More iBGP sessions on the segment, each between an extra address of the router (`local`, which the caller puts
   * on the router) and one of a node (`neighbor`): protocols `x1`, `x2`, ... like the nodes' `nN`. Each needs its
   * own pair: BIRD 2.0.12 runs one session per neighbor address and port at a time (its object lock), so a second
   * protocol to the same address waits in Idle.
   */
  extraSessions?: readonly BirdSession[];
}

/**
 * BIRD's configuration. Two sessions per node:
 * - `nN`: iBGP in LAB_ASN over IPv4, carrying both families (IPv6 by MP-BGP); `direct`, since BIRD otherwise takes
 *   an iBGP peer for multihop and would not use the next hops as sent;
 * - `nNe`: eBGP over IPv6 from EDGE_ASN (2 octets) to NODE_EDGE_ASN (4 octets), carrying both families: the AS_PATH
 *   then holds a 4-octet AS, and IPv4 routes travel over an IPv6 connection.
 * Everything learned goes to the kernel with ECMP merged. `error wait time 1,5`: BIRD otherwise refuses a node that
 * comes back for up to 5 minutes after an error (LAB-NOTES).
 */
export function birdConfig(options: BirdOptions = {}): string {
  const router = hostByName('router');
  const neighbours = NODES.flatMap((node) => [
    `protocol bgp ${node} from nodes { neighbor ${v4Of(hostByName(node))} as ${LAB_ASN}; }`,
    `protocol bgp ${node}e from edge { neighbor ${v6Of(hostByName(node))} as ${NODE_EDGE_ASN}; }`,
  ]);
  // Passive: the node opens each session, as the benches' senders do.
  (options.extraSessions ?? []).forEach(({ local, neighbor }, i) => neighbours.push(
    `protocol bgp x${i + 1} from nodes { local ${local} as ${LAB_ASN}; neighbor ${neighbor} as ${LAB_ASN}; passive on; }`,
  ));
  const common = `hold time ${options.holdTimeSeconds ?? 90};
  error wait time 1, 5;
  connect retry time 5;${options.gracefulRestart === true ? '\n  graceful restart on;' : ''}`;
  const bfd = options.bfd === undefined ? '' : `protocol bfd {
  interface "*" { min rx interval ${options.bfd.intervalMs} ms; min tx interval ${options.bfd.intervalMs} ms; multiplier ${options.bfd.multiplier}; };
}`;
  const ibgpExtras = [
    options.password === undefined ? '' : `password "${options.password}";`,
    options.bfd === undefined ? '' : 'bfd on;',
  ].filter((l) => l !== '').join('\n  ');
  const ebgpExtras = options.ttlSecurity === true ? 'ttl security on;' : '';
  const kernel = options.kernel === false ? '' : `protocol kernel kernel4 { ipv4 { import none; export all; }; merge paths on; }
protocol kernel kernel6 { ipv6 { import none; export all; }; merge paths on; }`;
  return `router id ${v4Of(router)};
log stderr all;
${options.msTimes === true ? MS_TIMES : ''}
protocol device { scan time 10; }
${kernel}
${bfd}
template bgp nodes {
  local ${v4Of(router)} as ${LAB_ASN};
  direct;
  ${common}
  ${ibgpExtras}
  ipv4 { import all; export none; gateway direct; };
  ipv6 { import all; export none; gateway direct; };
}
template bgp edge {
  local ${v6Of(router)} as ${EDGE_ASN};
  ${common}
  ${ebgpExtras}
  ipv4 { import all; export none; };
  ipv6 { import all; export none; };
}
${neighbours.join('\n')}
`;
}

const MS_TIMES = 'timeformat protocol iso long ms;\ntimeformat route iso long ms;';

export interface NodeBirdOptions {
  /** IPv4 prefixes BIRD announces to the router (static blackhole routes: no kernel protocol, so none is installed). */
  prefixes: readonly string[];
  /** BFD on the session, as the router's `bfd` option. */
  bfd?: { intervalMs: number; multiplier: number };
  holdTimeSeconds?: number;
  /** The sessions, each from `local` to `neighbor` (the router's `extraSessions`); from the node to the router when omitted. */
  sessions?: readonly BirdSession[];
}

/** One BGP session's two addresses, as seen from the BIRD that is configured with it. */
export interface BirdSession {
  local: string;
  neighbor: string;
}

/**
 * A BIRD on a node in Herald's place: an iBGP session to the router (the router's `nN` protocol, or the given
 * `sessions`), announcing `prefixes` with itself as next hop. It has no kernel protocol: nothing it holds
 * reaches the node's kernel.
 */
export function nodeBirdConfig(node: string, options: NodeBirdOptions): string {
  const self = v4Of(hostByName(node));
  const session = ({ local, neighbor }: BirdSession, name: string): string => `protocol bgp ${name} {
  local ${local} as ${LAB_ASN};
  neighbor ${neighbor} as ${LAB_ASN};
  direct;
  hold time ${options.holdTimeSeconds ?? 90};
  error wait time 1, 5;
  connect retry time 1;
  ${options.bfd === undefined ? '' : 'bfd on;'}
  ipv4 { import none; export all; next hop self; };
}`;
  const sessions = options.sessions === undefined
    ? [session({ local: self, neighbor: v4Of(hostByName('router')) }, 'uplink')]
    : options.sessions.map((pair, i) => session(pair, `uplink${i + 1}`));
  const bfd = options.bfd === undefined ? '' : `protocol bfd {
  interface "*" { min rx interval ${options.bfd.intervalMs} ms; min tx interval ${options.bfd.intervalMs} ms; multiplier ${options.bfd.multiplier}; };
}`;
  return `router id ${self};
log stderr all;
protocol device { scan time 10; }
${bfd}
protocol static announced {
  ipv4;
${options.prefixes.map((p) => `  route ${p} blackhole;`).join('\n')}
}
${sessions.join('\n')}
`;
}

/** BIRD in the router's namespace, in the foreground as the lab's recorded child; resolves once birdc answers. */
export async function startBird(options: BirdOptions = {}): Promise<Spawned> {
  return startBirdWith(ROUTER_BIRD, birdConfig(options), options.detached);
}

/** BIRD with `config` where `instance` says; resolves once birdc answers on its control socket. */
export async function startBirdWith(instance: BirdInstance, config: string, detached?: boolean): Promise<Spawned> {
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(instance.conf, config);
  const spawned = spawnIn(instance.ns, ['bird', '-f', '-c', instance.conf, '-s', instance.ctl], { role: instance.role, detached });
  const deadline = Date.now() + 10_000;
  while (!(await birdc(['show', 'status'], instance).then((out) => out.includes('Daemon is up'), () => false))) {
    if (Date.now() > deadline) throw new Error(`BIRD did not answer on ${instance.ctl} within 10 s; see ${spawned.record.logFile}`);
    await sleep(50);
  }
  return spawned;
}

export async function stopBird(spawned: Spawned): Promise<void> {
  await killProc(spawned.record, 'SIGTERM', 5000);
}

/**
 * Which daemon is the router: BIRD (the default, every BGP lab suite's judge), FRR or GoBGP (bgp-judges.lab.test.ts;
 * both run docs/bgp-routers.md's configuration: the router in AS 64501, the nodes in AS 64512, connecting to it).
 */
export type RouterKind = 'bird' | 'frr' | 'gobgp';

/** Starts the chosen router in the router's namespace; resolves once it answers, with how to stop it. */
export async function startRouter(kind: RouterKind = 'bird', options: BirdOptions = {}): Promise<{ stop(): Promise<void> }> {
  switch (kind) {
    case 'bird': {
      const bird = await startBird(options);
      return { stop: () => stopBird(bird) };
    }
    case 'frr': {
      // FRR runs the documented configuration, whose BFD is 300 ms × 3: `bfd` only says whether to run it.
      const frr = await startFrr({ bfd: options.bfd !== undefined });
      return { stop: () => stopFrr(frr) };
    }
    case 'gobgp': {
      const gobgpd = await startGobgp();
      return { stop: () => stopGobgp(gobgpd) };
    }
  }
}

/** One birdc command's output (birdc talks to the control socket; no namespace needed). The router's BIRD unless told. */
export async function birdc(args: readonly string[], instance: BirdInstance = ROUTER_BIRD): Promise<string> {
  return (await run(['birdc', '-s', instance.ctl, ...args])).stdout;
}

/**
 * Each BGP protocol by name (n1, n1e, ...), from `show protocols`: its state ("Established", "Active", ...) and
 * since when it is in it (BIRD's Since column), which changes if the session went down and came back between looks.
 */
export async function birdProtocols(): Promise<Record<string, { state: string; since: string }>> {
  const out = await birdc(['show', 'protocols']);
  const protocols: Record<string, { state: string; since: string }> = {};
  for (const line of out.split('\n')) {
    const m = /^(n\d\w*)\s+BGP\s+\S+\s+\S+\s+(\S+)\s+(\S+)/.exec(line);
    if (m?.[1] !== undefined) protocols[m[1]] = { state: m[3] ?? '', since: m[2] ?? '' };
  }
  return protocols;
}

/** Each BGP protocol's state ("Established", "Active", ...) by name (n1, n1e, ...), from `show protocols`. */
export async function birdSessions(): Promise<Record<string, string>> {
  return Object.fromEntries(Object.entries(await birdProtocols()).map(([name, p]) => [name, p.state]));
}

/** `birdc show route all for PREFIX` (the routes BIRD holds for it, every path, with attributes). */
export async function birdRoutes(prefix: string): Promise<string> {
  return birdc(['show', 'route', 'all', 'for', prefix]);
}

/** The next hops the router's kernel forwards `vip` to (ECMP: one per node that announces it). */
export async function kernelNextHops(vip: string): Promise<string[]> {
  const family = vip.includes(':') ? '-6' : '-4';
  const { stdout } = await execIn(ROUTER_NS, ['ip', family, '-j', 'route', 'show', vip]);
  const routes = JSON.parse(stdout || '[]') as { gateway?: string; nexthops?: { gateway?: string }[] }[];
  const hops = routes.flatMap((r) => (r.nexthops ?? [{ gateway: r.gateway }]).map((h) => h.gateway ?? ''));
  return hops.filter((h) => h !== '').sort();
}

/** The body of one `curl` from the far client to the VIP's HTTP server (the answering node), or undefined. */
export async function curlFromFar(ip: string, timeoutS = 1): Promise<string | undefined> {
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return execIn(FAR_NS, ['curl', '-s', '-g', '--max-time', String(timeoutS), `http://${host}/`])
    .then((r) => r.stdout.trim() || undefined, () => undefined);
}

/** BIRD's BFD sessions by neighbour address: their state ("Up", "Down", "Init"), from `show bfd sessions`. */
export async function birdBfdSessions(): Promise<Record<string, string>> {
  const out = await birdc(['show', 'bfd', 'sessions']);
  const sessions: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f.:]+)\s+\S+\s+(Up|Down|Init|AdminDown)\b/i.exec(line.trim());
    if (m?.[1] !== undefined) sessions[m[1]] = m[2] ?? '';
  }
  return sessions;
}

/** A kernel TCP counter in the router's namespace (`nstat`), e.g. TcpExtTCPMD5Failure. */
export async function routerTcpCounter(name: string): Promise<number> {
  const { stdout } = await execIn(ROUTER_NS, ['nstat', '-az', name]);
  const m = new RegExp(`^${name}\\s+(\\d+)`, 'm').exec(stdout);
  return m?.[1] === undefined ? 0 : Number(m[1]);
}

/** One line of `ip monitor route`, with the wall time (Unix ms) `ip -ts` stamped on it as it read the change. */
export interface RouteChange {
  atMs: number;
  line: string;
}

/** `[2026-12-04T15:40:01.123456] rest` (ip -ts, local time) as its time in Unix ms and the rest. */
export function parseRouteChange(line: string): RouteChange | undefined {
  const m = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d+)\]\s*(.*)$/.exec(line);
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  return { atMs: new Date(m[1]).getTime() + Number(`0.${m[2]}`) * 1000, line: m[3] ?? '' };
}

/**
 * `ip -ts -o monitor route` in the router's namespace: every change to its kernel routes, one line each, stamped
 * as it happened. Faster than polling can see: a route that loses a next hop and gets it back, or the exact
 * moment BIRD deleted one.
 */
export class RouteMonitor {
  private readonly spawned: Spawned;
  private partial = '';
  private readonly changes: RouteChange[] = [];

  constructor(role = 'route-monitor') {
    this.spawned = spawnIn(ROUTER_NS, ['ip', '-ts', '-o', 'monitor', 'route'], { role, pipeStdout: true });
    this.spawned.child.stdout?.on('data', (chunk: Buffer) => this.take(chunk.toString()));
  }

  /** The lines that mention `text` so far (without their times). */
  changesOf(text: string): string[] {
    return this.changes.filter((c) => c.line.includes(text)).map((c) => c.line);
  }

  /** When the kernel route to `ip` (a host route) was deleted, first at or after `fromMs` (Unix ms), if it was. */
  deletedAt(ip: string, fromMs: number): number | undefined {
    return this.changes.find((c) => c.atMs >= fromMs && c.line.startsWith(`Deleted ${ip} `))?.atMs;
  }

  stop(): Promise<void> {
    return killProc(this.spawned.record, 'SIGTERM', 2000);
  }

  private take(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const change = parseRouteChange(line);
      if (change !== undefined) this.changes.push(change);
    }
  }
}

/** Polls `probe` every 20 ms until `done` holds; returns the value and how long it took from `fromMs`. */
export async function until<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, fromMs = performance.now()): Promise<{ value: T; ms: number }> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return { value, ms: Math.round(performance.now() - fromMs) };
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(value)}`);
    await sleep(20);
  }
}
