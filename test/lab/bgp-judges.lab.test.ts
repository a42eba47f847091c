// BGP mode judged by FRR and GoBGP, the two other daemons people run as routers (BIRD judges bgp.lab.test.ts).
// Each takes the router's namespace in turn, configured as docs/bgp-routers.md says (frr-router.ts,
// gobgp-router.ts): the router in AS 64501, the three nodes in AS 64512 connecting to it, IPv6 over MP-BGP on the
// same IPv4 session. The real speaker binary runs on every node, reading the file source. The routers' own JSON
// judges: the sessions, every node's path with its own next hop for IPv4 and IPv6, ECMP (FRR's multipath paths
// and the router kernel's next hops; GoBGP keeps all paths in its RIB but installs nothing), End-of-RIB, and
// graceful restart (enableGracefulRestart on the speakers; both routers are helpers as configured): a node whose
// speaker gets SIGTERM keeps its paths, marked stale, until its speaker is back and has sent End-of-RIB.
// FRR once more with bfdd and the page's BFD lines: every node's BFD session Up, and a dead node's next hop gone
// from FRR's kernel routes within the BFD Detection Time instead of the 90 s hold time.
import { curlFromFar, kernelNextHops, startRouter, until, upBgpLab, type RouterKind } from './bgp-lab.js';
import { FRR_NODE_ASN, FRR_ROUTER_ASN, vtysh } from './frr-router.js';
import { GOBGP_NODE_ASN, GOBGP_ROUTER_ASN, gobgp, gobgpdLog, gobgpPaths, gobgpSessions } from './gobgp-router.js';
import { down, linkDown, up } from './lab.js';
import { sleep } from './exec.js';
import { startSpeaker, stopAllSpeakers, stopSpeaker, writeSpeakerConfig } from './speakers.js';
import { NODES, bgpVip4, bgpVip6, hostByName, v4Of, v6Of } from './topology.js';

const ALL_V4 = NODES.map((n) => v4Of(hostByName(n))).sort();
const ALL_V6 = NODES.map((n) => v6Of(hostByName(n))).sort();
/** Announced by n1 and n2 only: ECMP across two. */
const TWO_NODE_VIP = bgpVip4(1);
const TWO_V4 = [v4Of(hostByName('n1')), v4Of(hostByName('n2'))];

const figures: Record<string, number> = {};
/** docs/bgp-routers.md's FRR BFD timers (its `bfd` section, FRR's defaults): the nodes' BFDProfile matches them. */
const FRR_BFD = { intervalMs: 300, multiplier: 3 };

interface JudgeLab {
  teardown(): Promise<void>;
  /** The speakers' file source. */
  configPath: string;
}

/** The lab with `kind` as the router and a speaker on every node, once the router has every session up. */
async function labWith(kind: RouterKind, established: () => Promise<boolean>, options: { bfd?: boolean } = {}): Promise<JudgeLab> {
  await down();
  await up();
  await upBgpLab();
  const router = await startRouter(kind, options.bfd === true ? { bfd: FRR_BFD } : {});
  const asns = kind === 'frr' ? { node: FRR_NODE_ASN, router: FRR_ROUTER_ASN } : { node: GOBGP_NODE_ASN, router: GOBGP_ROUTER_ASN };
  const bfd = options.bfd === true;
  const configPath = writeSpeakerConfig({
    ...(bfd ? { bfdProfiles: [{ name: 'fast', receiveInterval: FRR_BFD.intervalMs, transmitInterval: FRR_BFD.intervalMs, detectMultiplier: FRR_BFD.multiplier }] } : {}),
    bgpPeers: [{
      name: 'router', myASN: asns.node, peerASN: asns.router, peerAddress: v4Of(hostByName('router')), connectTime: '1s', enableGracefulRestart: true,
      ...(bfd ? { bfdProfile: 'fast' } : {}),
    }],
    ips: [
      { ip: bgpVip4(0), modes: ['bgp'] },
      { ip: bgpVip6(0), modes: ['bgp'] },
      { ip: TWO_NODE_VIP, modes: ['bgp'], nodes: ['n1', 'n2'] },
    ],
  }, `bgp-judge-${kind}${bfd ? '-bfd' : ''}.yaml`);
  const startedAt = Date.now();
  for (const node of NODES) startSpeaker(node, configPath, ['--metrics-port', '0']);
  await until(`three Established sessions in ${kind}`, established, (up) => up, 60_000);
  figures[`${kind}StartToEstablishedMs`] = Date.now() - startedAt;
  const teardown = async (): Promise<void> => {
    await stopAllSpeakers('SIGKILL').catch(() => undefined);
    await router.stop().catch(() => undefined);
    await down();
  };
  return { teardown, configPath };
}

interface Path { nextHop: string; stale: boolean }
const RESTARTING = 'n3';
const RESTARTING_V4 = v4Of(hostByName(RESTARTING));

/**
 * SIGTERM to one node's speaker: the router keeps that node's paths for both families, marked stale, while the
 * others stay fresh (`whileStale` judges more then); the speaker started again: every path fresh.
 */
async function restartJudged(
  kind: RouterKind, lab: JudgeLab, sessionUp: () => Promise<boolean>, paths: (prefix: string) => Promise<Path[]>, whileStale = async (): Promise<void> => undefined,
): Promise<void> {
  const staleness = async (): Promise<boolean[]> => [...(await paths(`${bgpVip4(0)}/32`)), ...(await paths(`${bgpVip6(0)}/128`))].map((p) => p.stale);
  await stopSpeaker(RESTARTING, 'SIGTERM');
  await until(`${RESTARTING}'s session down`, sessionUp, (up) => !up, 5000);
  // Sorted by node: n3's path last in each family.
  const kept = (await until(`${RESTARTING}'s paths stale`, staleness, (s) => s.length === 6 && s[2] === true && s[5] === true, 5000)).value;
  expect(kept).toEqual([false, false, true, false, false, true]);
  expect((await paths(`${bgpVip4(0)}/32`)).map((p) => p.nextHop)).toEqual(ALL_V4);
  await whileStale();
  const startAt = Date.now();
  startSpeaker(RESTARTING, lab.configPath, ['--metrics-port', '0']);
  await until(`${RESTARTING}'s session up again`, sessionUp, (up) => up, 30_000);
  await until('every path fresh', staleness, (s) => s.length === 6 && s.every((stale) => !stale), 10_000);
  figures[`${kind}RestartToFreshMs`] = Date.now() - startAt;
  expect((await paths(`${bgpVip6(0)}/128`)).map((p) => p.nextHop)).toEqual(ALL_V6);
}

afterAll(() => console.log(`BGP judges figures: ${JSON.stringify(figures)}`));

interface FrrPath { valid?: boolean; bestpath?: boolean; multipath?: boolean; stale?: boolean; peerId: string; path: string; nexthops: { ip: string; afi: string; scope?: string }[] }
interface FrrTable { routes: Record<string, FrrPath[]> }
interface FrrSummary { ipv4Unicast?: { peers: Record<string, { state: string; pfxRcd: number }> }; ipv6Unicast?: { peers: Record<string, { state: string; pfxRcd: number }> } }

/** Each path FRR holds for `prefix`: the node it came from, its global next hop, whether it is used for ECMP. */
async function frrPaths(prefix: string): Promise<{ peer: string; nextHop: string; ecmp: boolean; asPath: string; stale: boolean }[]> {
  const table = await vtysh<FrrTable>(`show bgp ${prefix.includes(':') ? 'ipv6' : 'ipv4'} unicast json`);
  return (table.routes[prefix] ?? [])
    .map((p) => ({
      peer: p.peerId, nextHop: p.nexthops.find((h) => h.scope !== 'link-local')?.ip ?? '',
      ecmp: p.valid === true && (p.bestpath === true || p.multipath === true), asPath: p.path, stale: p.stale === true,
    }))
    .sort((a, b) => a.peer.localeCompare(b.peer));
}

async function frrEstablished(): Promise<Record<string, string>> {
  const peers = (await vtysh<FrrSummary>('show bgp summary json')).ipv4Unicast?.peers ?? {};
  return Object.fromEntries(Object.entries(peers).map(([address, p]) => [address, p.state]));
}

describe('BGP mode against FRR (bgpd + zebra, the documented configuration)', () => {
  let lab: JudgeLab | null = null;
  beforeAll(async () => {
    lab = await labWith('frr', async () => {
      const sessions = await frrEstablished();
      return ALL_V4.every((a) => sessions[a] === 'Established');
    });
  }, 120_000);
  afterAll(() => lab?.teardown());

  it('has every node Established, both families on the one IPv4 session', async () => {
    const summary = await vtysh<FrrSummary>('show bgp summary json');
    for (const family of ['ipv4Unicast', 'ipv6Unicast'] as const) {
      const peers = summary[family]?.peers ?? {};
      expect(Object.keys(peers).sort()).toEqual(ALL_V4);
      for (const address of ALL_V4) expect(peers[address]?.state).toBe('Established');
    }
  });

  it("holds every node's IPv4 and IPv6 path with that node as next hop, all used for ECMP", async () => {
    const v4 = (await until('three IPv4 paths', () => frrPaths(`${bgpVip4(0)}/32`), (p) => p.length === 3, 10_000)).value;
    expect(v4).toEqual(ALL_V4.map((a) => ({ peer: a, nextHop: a, ecmp: true, asPath: String(FRR_NODE_ASN), stale: false })));
    const v6 = (await until('three IPv6 paths', () => frrPaths(`${bgpVip6(0)}/128`), (p) => p.length === 3, 10_000)).value;
    expect(v6).toEqual(ALL_V4.map((a, i) => ({ peer: a, nextHop: ALL_V6[i], ecmp: true, asPath: String(FRR_NODE_ASN), stale: false })));
    const two = (await until('two IPv4 paths', () => frrPaths(`${TWO_NODE_VIP}/32`), (p) => p.length === 2, 10_000)).value;
    expect(two.map((p) => [p.nextHop, p.ecmp])).toEqual(TWO_V4.map((a) => [a, true]));
  });

  it("installs the ECMP routes in the router's kernel (zebra), and the far client reaches the VIP through them", async () => {
    expect((await until('three IPv4 next hops', () => kernelNextHops(bgpVip4(0)), (h) => h.length === 3, 10_000)).value).toEqual(ALL_V4);
    expect((await until('three IPv6 next hops', () => kernelNextHops(bgpVip6(0)), (h) => h.length === 3, 10_000)).value).toEqual(ALL_V6);
    expect((await until('two IPv4 next hops', () => kernelNextHops(TWO_NODE_VIP), (h) => h.length === 2, 10_000)).value).toEqual(TWO_V4);
    for (const vip of [bgpVip4(0), bgpVip6(0)]) expect(NODES).toContain(await curlFromFar(vip, 2));
    expect(['n1', 'n2']).toContain(await curlFromFar(TWO_NODE_VIP, 2));
  });

  it("keeps a restarting node's paths as stale (and in the kernel), fresh again after its End-of-RIB", async () => {
    if (lab === null) throw new Error('no lab');
    // A dynamic neighbour (bgp listen range) that is down is deleted from the summary: "up" is "listed Established".
    const sessionUp = async (): Promise<boolean> => (await frrEstablished())[RESTARTING_V4] === 'Established';
    await restartJudged('frr', lab, sessionUp, frrPaths, async () => {
      expect(await kernelNextHops(bgpVip4(0))).toEqual(ALL_V4);
      expect(await kernelNextHops(bgpVip6(0))).toEqual(ALL_V6);
    });
    expect(await kernelNextHops(bgpVip4(0))).toEqual(ALL_V4);
  }, 60_000);
});

interface FrrBfdPeer { peer: string; status: string }

/** FRR's BFD sessions by peer address: "up", "down", "init". */
async function frrBfdPeers(): Promise<Record<string, string>> {
  const peers = await vtysh<FrrBfdPeer[]>('show bfd peers json');
  return Object.fromEntries(peers.map((p) => [p.peer, p.status]));
}

describe('BFD against FRR (bfdd with the documented BFD lines)', () => {
  let lab: JudgeLab | null = null;
  beforeAll(async () => {
    lab = await labWith('frr', async () => {
      const sessions = await frrEstablished();
      return ALL_V4.every((a) => sessions[a] === 'Established');
    }, { bfd: true });
  }, 120_000);
  afterAll(() => lab?.teardown());

  it("brings every node's BFD session Up in FRR's bfdd", async () => {
    const peers = await until('three BFD peers up in FRR', frrBfdPeers, (p) => ALL_V4.every((a) => p[a] === 'up'), 15_000);
    expect(Object.fromEntries(ALL_V4.map((a) => [a, peers.value[a]]))).toEqual(Object.fromEntries(ALL_V4.map((a) => [a, 'up'])));
  }, 20_000);

  it('drops a dead node (link down, then SIGKILL) from the kernel within the BFD Detection Time, not the hold time', async () => {
    const victim = 'n1';
    await until('three next hops', () => kernelNextHops(bgpVip4(0)), (h) => h.length === 3, 10_000);
    await sleep(Math.random() * FRR_BFD.intervalMs); // anywhere in the BFD cycle
    const faultAt = performance.now();
    await linkDown(victim);
    await stopSpeaker(victim, 'SIGKILL');
    const gone = await until(`${victim}'s next hop withdrawn`, () => kernelNextHops(bgpVip4(0)), (h) => !h.includes(v4Of(hostByName(victim))), 10_000, faultAt);
    figures.frrBfdNodeDeathWithdrawMs = gone.ms;
    expect(gone.value).toEqual(ALL_V4.filter((a) => a !== v4Of(hostByName(victim))));
    // bfdd declares the session down 3 × 300 ms after the last packet it heard (sent up to an interval before the
    // fault); the hold time (90 s) would take a minute at least.
    expect(gone.ms).toBeGreaterThan(FRR_BFD.intervalMs * (FRR_BFD.multiplier - 1) - 50);
    expect(gone.ms).toBeLessThan(FRR_BFD.intervalMs * FRR_BFD.multiplier + 1000);
    expect((await frrBfdPeers())[v4Of(hostByName(victim))]).not.toBe('up');
  }, 30_000);
});

describe('BGP mode against GoBGP (gobgpd, the documented configuration)', () => {
  let lab: JudgeLab | null = null;
  beforeAll(async () => {
    lab = await labWith('gobgp', async () => {
      const sessions = await gobgpSessions();
      return ALL_V4.every((a) => sessions[a] === 'Established');
    });
  }, 120_000);
  afterAll(() => lab?.teardown());

  it('has every node Established', async () => {
    expect(await gobgpSessions()).toEqual(Object.fromEntries(ALL_V4.map((a) => [a, 'Established'])));
  });

  it("holds every node's IPv4 and IPv6 path in its RIB with that node as next hop (the paths ECMP would use)", async () => {
    const v4 = (await until('three IPv4 paths', () => gobgpPaths(`${bgpVip4(0)}/32`), (p) => p.length === 3, 10_000)).value;
    expect(v4).toEqual(ALL_V4.map((a) => ({ neighbor: a, nextHop: a, stale: false })));
    const v6 = (await until('three IPv6 paths', () => gobgpPaths(`${bgpVip6(0)}/128`), (p) => p.length === 3, 10_000)).value;
    expect(v6).toEqual(ALL_V4.map((a, i) => ({ neighbor: a, nextHop: ALL_V6[i], stale: false })));
    expect(await gobgpPaths(`${TWO_NODE_VIP}/32`)).toEqual(TWO_V4.map((a) => ({ neighbor: a, nextHop: a, stale: false })));
  });

  it('got End-of-RIB for both families from every node', async () => {
    const neighbors = JSON.parse(await gobgp(['neighbor', '-j'])) as { state: { neighbor_address: string }; afi_safis: { state: { family: { afi: number } }; mp_graceful_restart?: { state?: { end_of_rib_received?: boolean } } }[] }[];
    const eor = neighbors.map((n) => [n.state.neighbor_address, n.afi_safis.map((f) => [f.state.family.afi, f.mp_graceful_restart?.state?.end_of_rib_received === true])]);
    expect(eor.sort()).toEqual(ALL_V4.map((a) => [a, [[1, true], [2, true]]]));
  });

  it("keeps a restarting node's paths as stale, fresh again after its End-of-RIB", async () => {
    if (lab === null) throw new Error('no lab');
    await restartJudged('gobgp', lab, async () => (await gobgpSessions())[RESTARTING_V4] === 'Established', gobgpPaths);
    // GoBGP checks the R bit of a restarting peer's new OPEN (RFC 4724 §4.1) and says so when it is missing.
    const log = gobgpdLog();
    expect(log).toContain('peer graceful restart');
    expect(log).not.toContain('restart flag is not set');
  }, 60_000);
});
