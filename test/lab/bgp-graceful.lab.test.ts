// Graceful restart (RFC 4724) of a speaker, judged by BIRD as the helper (`graceful restart on`) and by the far
// client's traffic. Each node holds two sessions with BIRD: `router` (iBGP over IPv4) with enableGracefulRestart,
// `edge` (eBGP over IPv6) without. When n2's speaker gets SIGTERM (a DaemonSet rolling update), BIRD keeps n2's
// routes from `router` (the session closed without a NOTIFICATION: "Neighbor graceful restart active") and the
// router's kernel goes on sending a third of the far client's requests to n2, whose kernel answers them with no
// speaker running; the `edge` session got a Cease and its route through n2 goes at once. When n2's speaker comes
// back, it announces again and sends End-of-RIB: BIRD ends the restart and sweeps the stale route n2 no longer
// announces. Not one request is lost, and none of the far client's held-open connections breaks.
// The other half: the same restart on the `edge` session, which has no graceful restart, withdraws n2's route and
// announces it again; the router's ECMP rehashes the flows each time and held-open connections break.
import { EDGE_ASN, LAB_ASN, NODE_EDGE_ASN, RouteMonitor, birdc, birdSessions, curlFromFar, kernelNextHops, startBird, until, upBgpLab } from './bgp-lab.js';
import { sleep } from './exec.js';
import { down, sysctl, up } from './lab.js';
import { HttpProber, type HeldConnection } from './probe.js';
import { startSpeaker, stopAllSpeakers, stopSpeaker, writeSpeakerConfig, type SpeakerConfig } from './speakers.js';
import { FAR_NS, NODES, bgpVip4, bgpVip6, hostByName, nsOf, v4Of, v6Of } from './topology.js';

const ALL_V4 = NODES.map((n) => v4Of(hostByName(n))).sort();
const ALL_V6 = NODES.map((n) => v6Of(hostByName(n))).sort();
const [KEPT_V4, KEPT_V6, DROPPED, EDGE] = [bgpVip4(0), bgpVip6(0), bgpVip4(1), bgpVip4(2)];
const VICTIM = 'n2';
const GR_LINE = 'Neighbor graceful restart active';
/** Held-open connections from the far client: enough that some hash to the victim ((2/3)^16 < 0.2% that none do). */
const HELD = 16;
const HELD_INTERVAL_MS = 200;

/**
 * Holds HELD connections to `vip` from the far client, once the router's kernel has all three next hops for it (a
 * route still changing would break connections before the fault); resolves once every node has answered one.
 */
async function holdConnections(vip: string): Promise<HttpProber> {
  await until(`three next hops for ${vip}`, () => kernelNextHops(vip), (h) => h.length === 3, 30_000);
  const held = await HttpProber.start(vip, HELD_INTERVAL_MS, 1000, { ns: FAR_NS, held: HELD });
  await until('every node answering a held connection', async () => held.heldConnections().flatMap((c) => c.nodes),
    (nodes) => NODES.every((n) => nodes.includes(n)), 10_000);
  return held;
}

/** How many held connections there were, how many broke, and how many the victim answered before the fault. */
function heldFigures(connections: HeldConnection[], onVictimBefore: readonly number[]): { held: number; broken: number; onVictim: number; onVictimBroken: number } {
  const broken = connections.filter((c) => c.broken).map((c) => c.conn);
  return { held: connections.length, broken: broken.length, onVictim: onVictimBefore.length, onVictimBroken: onVictimBefore.filter((c) => broken.includes(c)).length };
}

/** Every node announces every VIP; `withoutDropped`: the victim's restarted speaker no longer announces DROPPED. */
function config(withoutDropped: boolean): SpeakerConfig {
  return {
    bgpPeers: [
      { name: 'router', myASN: LAB_ASN, peerASN: LAB_ASN, peerAddress: v4Of(hostByName('router')), holdTime: '9s', connectTime: '1s', enableGracefulRestart: true },
      { name: 'edge', myASN: NODE_EDGE_ASN, peerASN: EDGE_ASN, peerAddress: v6Of(hostByName('router')), holdTime: '9s', connectTime: '1s' },
    ],
    ips: [
      { ip: KEPT_V4, modes: ['bgp'], bgp: { peers: ['router'] } },
      { ip: KEPT_V6, modes: ['bgp'], bgp: { peers: ['router'] } },
      { ip: DROPPED, modes: ['bgp'], bgp: { peers: ['router'] }, ...(withoutDropped && { nodes: NODES.filter((n) => n !== VICTIM) }) },
      { ip: EDGE, modes: ['bgp'], bgp: { peers: ['edge'] } },
    ],
  };
}

/** The far client asking for the VIP again and again (a new source port each time), until stopped. */
class Prober {
  readonly answers: { atMs: number; node: string | undefined }[] = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(vips: readonly string[]) {
    this.done = (async () => {
      for (let i = 0; this.running; i++) {
        const vip = vips[i % vips.length] ?? '';
        this.answers.push({ atMs: performance.now(), node: await curlFromFar(vip, 1) });
      }
    })();
  }

  async stop(): Promise<{ sent: number; failed: number; byNode: Record<string, number> }> {
    this.running = false;
    await this.done;
    const byNode: Record<string, number> = {};
    for (const a of this.answers) if (a.node !== undefined) byNode[a.node] = (byNode[a.node] ?? 0) + 1;
    return { sent: this.answers.length, failed: this.answers.filter((a) => a.node === undefined).length, byNode };
  }
}

/** BIRD's count of routes it took from `protocol` on its IPv4 channel (every announcement, refreshes included). */
async function importUpdates(protocol: string): Promise<number> {
  const out = await birdc(['show', 'protocols', 'all', protocol]);
  return Number(/Channel ipv4[\s\S]*?Import updates:\s+(\d+)/.exec(out)?.[1] ?? NaN);
}

const figures: Record<string, unknown> = {};
let prober: Prober | null = null;
let heldWithGr: HttpProber | null = null;
let onVictimWithGr: number[] = [];
/**
 * A restart the router helps with changes nothing for a route the node announces again: BIRD takes the identical
 * route back as a refresh. A new OPEN without the F bit would have BIRD flush the stale routes first (RFC 4724
 * §4.2), and the kernel would see the route lose that next hop and get it back, too fast for polling to notice.
 */
let monitor: RouteMonitor | null = null;
let updatesBefore = 0;

describe('graceful restart of a speaker, BIRD as the helper', () => {
  beforeAll(async () => {
    await down();
    await up();
    await upBgpLab();
    // Hash on ports too, so the far client's requests (each from a new port) spread over every next hop.
    await sysctl(nsOf('router'), { 'net.ipv4.fib_multipath_hash_policy': 1, 'net.ipv6.fib_multipath_hash_policy': 1 });
    await startBird({ gracefulRestart: true });
    const path = writeSpeakerConfig(config(false), 'bgp-graceful.yaml');
    for (const node of NODES) startSpeaker(node, path, ['--metrics-port', '0']);
    await until('six Established sessions', birdSessions, (s) => NODES.every((n) => s[n] === 'Established' && s[`${n}e`] === 'Established'), 60_000);
    for (const vip of [KEPT_V4, DROPPED, EDGE]) await until(`three next hops for ${vip}`, () => kernelNextHops(vip), (h) => h.length === 3, 10_000);
    await until('three IPv6 next hops', () => kernelNextHops(KEPT_V6), (h) => h.length === 3, 10_000);
    updatesBefore = await importUpdates(VICTIM);
  }, 120_000);

  afterAll(async () => {
    await prober?.stop();
    await heldWithGr?.stop();
    await monitor?.stop();
    console.log(`BGP graceful restart figures: ${JSON.stringify(figures)}`);
    await stopAllSpeakers('SIGKILL').catch(() => undefined);
    await down();
  });

  it("keeps the node's routes while its speaker is stopped (SIGTERM closes without NOTIFICATION); without graceful restart the route goes at once", async () => {
    prober = new Prober([KEPT_V4, KEPT_V6]);
    monitor = new RouteMonitor();
    heldWithGr = await holdConnections(KEPT_V4);
    onVictimWithGr = heldWithGr.heldConnections().filter((c) => c.nodes.includes(VICTIM)).map((c) => c.conn);
    const stopAt = performance.now();
    await stopSpeaker(VICTIM, 'SIGTERM');
    await until(`${VICTIM}'s session down`, birdSessions, (s) => s[VICTIM] !== 'Established', 5000, stopAt);
    const n2 = await birdc(['show', 'protocols', 'all', VICTIM]);
    expect(n2).toContain(GR_LINE);
    expect(n2).not.toMatch(/Last error:.*(Received|Administrative)/);
    // The edge session had no graceful restart: a Cease, and its route through the victim is gone at once.
    const edgeGone = await until('the edge route withdrawn', () => kernelNextHops(EDGE), (h) => h.length === 2, 3000, stopAt);
    figures.withoutGrWithdrawnMs = edgeGone.ms;
    expect(edgeGone.value).not.toContain(v4Of(hostByName(VICTIM)));
    expect(await birdc(['show', 'protocols', 'all', `${VICTIM}e`])).toMatch(/Received: Administrative shutdown/);
    // With it, the router still forwards to the victim, for 2 s of speaker downtime.
    for (let i = 0; i < 10; i++) {
      expect(await kernelNextHops(KEPT_V4)).toEqual(ALL_V4);
      expect(await kernelNextHops(KEPT_V6)).toEqual(ALL_V6);
      expect(await kernelNextHops(DROPPED)).toEqual(ALL_V4);
      await sleep(200);
    }
    expect(await birdc(['show', 'protocols', 'all', VICTIM])).toContain(GR_LINE);
  }, 30_000);

  it('takes the restarted speaker\'s routes again, and End-of-RIB sweeps the stale route it no longer announces; no request lost', async () => {
    const startAt = performance.now();
    startSpeaker(VICTIM, writeSpeakerConfig(config(true), 'bgp-graceful-restarted.yaml'), ['--metrics-port', '0']);
    const established = await until(`${VICTIM} Established again`, birdSessions, (s) => s[VICTIM] === 'Established', 30_000, startAt);
    figures.restartToEstablishedMs = established.ms;
    const swept = await until('the stale route swept', () => kernelNextHops(DROPPED), (h) => h.length === 2, 5000, startAt);
    figures.restartToStaleSweptMs = swept.ms;
    expect(swept.value).not.toContain(v4Of(hostByName(VICTIM)));
    await until('the restart over in BIRD', () => birdc(['show', 'protocols', 'all', VICTIM]), (out) => !out.includes(GR_LINE), 5000);
    expect(await importUpdates(VICTIM)).toBeGreaterThan(updatesBefore);
    expect(await kernelNextHops(KEPT_V4)).toEqual(ALL_V4);
    expect(await kernelNextHops(KEPT_V6)).toEqual(ALL_V6);
    await sleep(500);
    // The routes the node announced again never changed in the router's kernel, from the stop to now; the monitor
    // saw the edge route and the swept one change, so it was listening.
    expect({ kept: [...(monitor as RouteMonitor).changesOf(`${KEPT_V4} `), ...(monitor as RouteMonitor).changesOf(`${KEPT_V6} `)] }).toEqual({ kept: [] });
    expect((monitor as RouteMonitor).changesOf(`${DROPPED} `).length).toBeGreaterThan(0);
    expect((monitor as RouteMonitor).changesOf(`${EDGE} `).length).toBeGreaterThan(0);
    const result = await (prober as Prober).stop();
    prober = null;
    Object.assign(figures, { requests: result.sent, failed: result.failed, answeredByVictim: result.byNode[VICTIM] ?? 0 });
    expect(result.failed).toBe(0);
    // The victim's kernel answered its share while its speaker was away.
    expect(result.byNode[VICTIM] ?? 0).toBeGreaterThan(5);
    // And the far client's held-open connections, the victim's among them, never noticed.
    const held = (heldWithGr as HttpProber).heldConnections();
    await (heldWithGr as HttpProber).stop();
    heldWithGr = null;
    figures.heldConnectionsWithGr = heldFigures(held, onVictimWithGr);
    expect(held.length).toBe(HELD);
    expect(onVictimWithGr.length).toBeGreaterThan(0);
    expect(held.filter((c) => c.broken)).toEqual([]);
  }, 60_000);

  it('without graceful restart (the edge session) the same restart breaks held-open connections: the route goes and comes back, ECMP rehashes', async () => {
    const fresh = new Prober([EDGE]);
    const held = await holdConnections(EDGE);
    const onVictim = held.heldConnections().filter((c) => c.nodes.includes(VICTIM)).map((c) => c.conn);
    try {
      const stopAt = performance.now();
      await stopSpeaker(VICTIM, 'SIGTERM');
      const gone = await until('the edge route through the victim withdrawn', () => kernelNextHops(EDGE), (h) => h.length === 2, 3000, stopAt);
      figures.withoutGrRestartWithdrawnMs = gone.ms;
      await sleep(2000); // the speaker away as long as in the graceful restart above
      startSpeaker(VICTIM, writeSpeakerConfig(config(true), 'bgp-graceful-restarted.yaml'), ['--metrics-port', '0']);
      const back = await until('the edge route through the victim back', () => kernelNextHops(EDGE), (h) => h.length === 3, 30_000, stopAt);
      figures.withoutGrRestartBackMs = back.ms;
      await sleep(1000);
    } finally {
      await held.stop();
    }
    const connections = held.heldConnections();
    const result = await fresh.stop();
    figures.freshRequestsWithoutGr = { requests: result.sent, failed: result.failed };
    figures.heldConnectionsWithoutGr = heldFigures(connections, onVictim);
    expect(onVictim.length).toBeGreaterThan(0);
    // Every connection the victim held was cut off from it when its route went (the far client's packets now
    // reach another node, which resets them); the rehashing may take others with them.
    expect(connections.filter((c) => onVictim.includes(c.conn) && !c.broken)).toEqual([]);
  }, 60_000);
});
