// GoBGP as the BGP lab's router (a judge beside BIRD and FRR): gobgpd in the router's namespace, in the foreground as
// the lab's recorded child, its gRPC API on that namespace's loopback. The configuration is docs/bgp-routers.md's,
// with its "one [[neighbors]] block per node" written out for the lab's three nodes (graceful restart helper
// included, as the page advises). GoBGP installs nothing in a
// kernel, so its RIB is the judge (`gobgp global rib -j`): every node's path, each with its own next hop.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentedConfig } from './doc-configs.js';
import { execIn, findProc, killProc, sleep, spawnIn, type Spawned } from './exec.js';
import { NODES, STATE_DIR, hostByName, nsOf, v4Of } from './topology.js';

const ROUTER_NS = nsOf('router');
const GOBGP_CONF = join(STATE_DIR, 'gobgpd.toml');
const API = '127.0.0.1:50051';
const GOBGPD_ROLE = 'gobgpd';
/** The documented configuration's ASes. */
export const GOBGP_ROUTER_ASN = 64501;
export const GOBGP_NODE_ASN = 64512;

/** The page's configuration with its one `[[neighbors]]` block repeated for every lab node. */
export function gobgpLabConfig(): string {
  const text = documentedConfig('gobgp');
  const start = text.indexOf('[[neighbors]]');
  const end = text.indexOf('\n#', start);
  if (start < 0 || end < 0) throw new Error('GoBGP: the documented configuration has no [[neighbors]] block followed by a comment');
  const [global, neighbor] = [text.slice(0, start), text.slice(start, end + 1)];
  const first = v4Of(hostByName(NODES[0] ?? 'n1'));
  if (!neighbor.includes(`"${first}"`)) throw new Error(`GoBGP: the documented neighbor is not ${first}`);
  const neighbors = NODES.map((node) => neighbor.replace(`"${first}"`, `"${v4Of(hostByName(node))}"`));
  return `${global}${neighbors.join('\n')}`;
}

export async function startGobgp(options: { detached?: boolean } = {}): Promise<Spawned> {
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(GOBGP_CONF, gobgpLabConfig());
  const spawned = spawnIn(ROUTER_NS, ['gobgpd', '-f', GOBGP_CONF, '-t', 'toml', '--api-hosts', API], { role: GOBGPD_ROLE, detached: options.detached });
  const deadline = Date.now() + 10_000;
  while (!(await gobgp(['global']).then(() => true, () => false))) {
    if (Date.now() > deadline) throw new Error(`gobgpd did not answer on ${API} within 10 s; see ${spawned.record.logFile}`);
    await sleep(50);
  }
  return spawned;
}

export async function stopGobgp(spawned: Spawned): Promise<void> {
  await killProc(spawned.record, 'SIGTERM', 5000);
}

/** What the running gobgpd has logged (its JSON lines); '' when none runs. */
export function gobgpdLog(): string {
  const record = findProc(GOBGPD_ROLE);
  return record === undefined ? '' : readFileSync(record.logFile, 'utf8');
}

/** One gobgp CLI command's output, against this lab's gobgpd. */
export async function gobgp(args: readonly string[]): Promise<string> {
  return (await execIn(ROUTER_NS, ['gobgp', '-u', '127.0.0.1', '-p', '50051', ...args])).stdout;
}

interface GobgpPath {
  'neighbor-ip'?: string;
  attrs?: { type: number; nexthop?: string }[];
  stale?: boolean;
}

/**
 * Each path GoBGP holds for `prefix` (IPv4 or IPv6): which neighbour sent it, its next hop, and whether it is
 * kept as stale for a neighbour in graceful restart; sorted by neighbour.
 */
export async function gobgpPaths(prefix: string): Promise<{ neighbor: string; nextHop: string; stale: boolean }[]> {
  const family = prefix.includes(':') ? 'ipv6' : 'ipv4';
  const rib = JSON.parse((await gobgp(['global', 'rib', '-a', family, '-j'])) || '{}') as Record<string, GobgpPath[]>;
  return (rib[prefix] ?? [])
    .map((p) => ({
      neighbor: p['neighbor-ip'] ?? '',
      // NEXT_HOP (type 3) for IPv4, MP_REACH_NLRI (type 14) for IPv6.
      nextHop: p.attrs?.find((a) => a.type === 3 || a.type === 14)?.nexthop ?? '',
      stale: p.stale === true,
    }))
    .sort((a, b) => a.neighbor.localeCompare(b.neighbor));
}

/** GoBGP's session_state numbers (its API's PeerState.SessionState); 6 is Established. */
const SESSION_STATES = ['unknown', 'Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];

interface GobgpNeighbor {
  state?: { neighbor_address?: string; session_state?: number };
  afi_safis?: { state?: { family?: { afi?: number } }; mp_graceful_restart?: { state?: { end_of_rib_received?: boolean } } }[];
}

/** Each neighbour's session state by address, from `gobgp neighbor -j`. */
export async function gobgpSessions(): Promise<Record<string, string>> {
  const list = JSON.parse((await gobgp(['neighbor', '-j'])) || '[]') as GobgpNeighbor[];
  return Object.fromEntries(list.map((n) => [n.state?.neighbor_address ?? '', SESSION_STATES[n.state?.session_state ?? 0] ?? 'unknown']));
}
