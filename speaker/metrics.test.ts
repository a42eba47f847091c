import { Registry } from 'prom-client';
import { silentLogger } from '../lib/log.js';
import { startMetricsServer } from '../lib/metrics/server.js';
import { Announcer, type AnnouncerStats, type OpenSocket } from './layer2/announcer.js';
import type { LinkInfo } from './layer2/decide/interfaces.js';
import { ARP_OPERATION_REQUEST, BROADCAST_MAC, encodeArp, encodeEthernet, ETHERTYPE_ARP, ZERO_MAC } from './layer2/frames/index.js';
import { MemorySegment } from './layer2/testing/memory-segment.js';
import { registerSpeakerMetrics, SpeakerReadiness, type SpeakerFigures } from './metrics.js';

const noDrops: AnnouncerStats['drops'] = { otherHost: 0, notRequest: 0, gratuitous: 0, notOwned: 0, wrongInterface: 0, fromSelf: 0, malformed: 0, invalid: 0 };

describe('speaker metrics', () => {
  const figures: SpeakerFigures = {
    node: 'n1',
    announcer: { framesSent: 7, framesReceived: 12, requestsAnswered: 3, sendErrors: 0, ipsGained: 4,
      drops: { otherHost: 2, notRequest: 4, gratuitous: 0, notOwned: 5, wrongInterface: 0, fromSelf: 0, malformed: 1, invalid: 1 }, perIp: new Map() },
    loop: { announceFailures: 2, retries: 1, retriesExhausted: 0, reannounced: 6 },
    announcements: [{ ip: '192.0.2.100', ifname: 'eth0' }, { ip: '192.0.2.100', ifname: 'eth1' }, { ip: '2001:db8::1', ifname: 'eth0' }],
    desired: [],
    aliveMembers: 3,
    quorum: true,
    heartbeatsSent: 40,
    heartbeatsDropped: { badMac: 2 },
    membership: {
      datagrams: 1000, accepted: 30, sent: 40, sendErrors: 1, rejoins: 2, macs: 71, behind: 9, dropped: { badMac: 2 },
      kernelDropped: 123_456, filteredAddresses: 2, keyMismatch: [{ peer: 'n3', failed: 4, forMs: 2000 }],
    },
  };

  it('reports the parts\' figures on /metrics, and /healthz answers', async () => {
    const registry = new Registry();
    let current = figures;
    registerSpeakerMetrics(registry, () => current);
    const server = await startMetricsServer({ registry, port: 0, host: '127.0.0.1', notReadyReason: () => undefined });
    try {
      const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      for (const line of [
        'herald_speaker_owned_ips 2',
        'herald_speaker_announced{ip="192.0.2.100",interface="eth1",node="n1",protocol="layer2"} 1',
        'herald_speaker_frames_sent_total 7',
        'herald_speaker_ips_gained_total 4',
        'herald_speaker_reannounced_total 6',
        'herald_speaker_requests_answered_total 3',
        'herald_speaker_frames_dropped_total{reason="notOwned"} 5',
        'herald_speaker_alive_members 3',
        'herald_speaker_quorum 1',
        'herald_speaker_heartbeats_dropped_total{reason="badMac"} 2',
        'herald_speaker_announce_failures_total 2',
        'herald_speaker_announce_retries_total 1',
        'herald_speaker_frames_dropped_total{reason="otherHost"} 2',
        'herald_speaker_frames_dropped_total{reason="invalid"} 1',
        'herald_speaker_heartbeat_datagrams_total 1000',
        'herald_speaker_heartbeat_accepted_total 30',
        'herald_speaker_heartbeat_send_errors_total 1',
        'herald_speaker_heartbeat_macs_total 71',
        'herald_speaker_heartbeat_behind_total 9',
        'herald_speaker_heartbeat_kernel_dropped_total 123456',
        'herald_speaker_heartbeat_rejoins_total 2',
        'herald_speaker_heartbeat_filter_addresses 2',
        'herald_speaker_heartbeat_key_mismatch_peers 1',
      ]) expect(text).toContain(line);
      current = { ...figures, announcer: { ...figures.announcer, framesSent: 9 }, quorum: false, announcements: [] };
      const again = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(again).toContain('herald_speaker_frames_sent_total 9');
      expect(again).toContain('herald_speaker_quorum 0');
      expect(again).not.toContain('herald_speaker_announced{');
      expect(again).toContain('herald_speaker_heartbeat_macs_total 71');
      current = { ...current, membership: undefined }; // before membership is built
      const early = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(early).toContain('herald_speaker_heartbeat_kernel_dropped_total 0');
      expect(early).toContain('herald_speaker_heartbeat_filter_addresses 0');
      expect(early).toContain('herald_speaker_heartbeat_key_mismatch_peers 0');
      expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${server.port}/nope`)).status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});

describe('the speaker\'s metrics server', () => {
  const figures: SpeakerFigures = {
    node: 'n1', announcer: { framesSent: 1, framesReceived: 0, requestsAnswered: 0, sendErrors: 0, ipsGained: 0, drops: noDrops, perIp: new Map() },
    loop: { announceFailures: 0, retries: 0, retriesExhausted: 0, reannounced: 0 },
    announcements: [], desired: [], aliveMembers: 1, quorum: false, heartbeatsSent: 0, heartbeatsDropped: {},
  };
  let readiness: SpeakerReadiness;
  let server: Awaited<ReturnType<typeof startMetricsServer>>;
  /** What membership says stands in its way (UdpMembership.notReadyReason). */
  let membershipReason: string | undefined;
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;

  beforeEach(async () => {
    const registry = new Registry();
    registerSpeakerMetrics(registry, () => figures);
    membershipReason = undefined;
    readiness = new SpeakerReadiness(() => membershipReason);
    server = await startMetricsServer({ registry, port: 0, host: '127.0.0.1', notReadyReason: readiness.notReadyReason });
  });
  afterEach(() => server.stop());

  it('answers /metrics with a query string, as a scraper may send one', async () => {
    const res = await fetch(url('/metrics?x=1'));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('herald_speaker_frames_sent_total 1');
    expect((await fetch(url('/healthz?verbose'))).status).toBe(200);
  });

  it('refuses POST with 405 and says which methods it allows', async () => {
    for (const path of ['/metrics', '/healthz', '/readyz']) {
      const res = await fetch(url(path), { method: 'POST', body: 'x' });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
    }
  });

  it('/readyz is 503 "not started" until the speaker has started, then 200', async () => {
    const before = await fetch(url('/readyz'));
    expect(before.status).toBe(503);
    expect(await before.text()).toBe('not started\n');
    readiness.markStarted();
    const after = await fetch(url('/readyz?x=1'));
    expect(after.status).toBe(200);
    expect(await after.text()).toBe('ok\n');
  });

  it('/readyz is 503 with membership\'s reason once started (heartbeat keys that differ), 200 again when it has none', async () => {
    membershipReason = 'heartbeat keys differ: ...';
    expect(await (await fetch(url('/readyz'))).text()).toBe('not started\n');
    readiness.markStarted();
    const mismatched = await fetch(url('/readyz'));
    expect(mismatched.status).toBe(503);
    expect(await mismatched.text()).toBe('heartbeat keys differ: ...\n');
    membershipReason = undefined;
    expect((await fetch(url('/readyz'))).status).toBe(200);
  });
});

/** One scrape of `registry`, as Prometheus reads it. */
const scrape = (registry: Registry): Promise<string> => registry.metrics();
const linesOf = (text: string, name: string): string[] => text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));

describe('MetalLB\'s speaker metrics under herald_', () => {
  const base: SpeakerFigures = {
    node: 'n2', announcer: { framesSent: 0, framesReceived: 0, requestsAnswered: 0, sendErrors: 0, ipsGained: 0, drops: noDrops, perIp: new Map() },
    loop: { announceFailures: 0, retries: 0, retriesExhausted: 0, reannounced: 0 },
    announcements: [], desired: [], aliveMembers: 2, quorum: true, heartbeatsSent: 0, heartbeatsDropped: {},
  };

  it('herald_speaker_announced: one series per (IP, interface, Service) with the node; a shared IP once per Service', async () => {
    const registry = new Registry();
    registerSpeakerMetrics(registry, () => ({
      ...base,
      announcements: [{ ip: '192.0.2.10', ifname: 'eth0' }, { ip: '192.0.2.11', ifname: 'eth0' }, { ip: '192.0.2.12', ifname: 'eth0' }],
      desired: [
        { ip: '192.0.2.10', services: ['shop/web'], modes: ['layer2'], nodes: [] },
        { ip: '192.0.2.11', services: ['shop/dns-tcp', 'shop/dns-udp'], modes: ['layer2'], nodes: [] },
        // Not announced here (another node owns it): no series, whatever the snapshot says.
        { ip: '192.0.2.13', services: ['shop/other'], modes: ['layer2'], nodes: [] },
      ],
    }));
    expect(linesOf(await scrape(registry), 'herald_speaker_announced').sort()).toEqual([
      'herald_speaker_announced{ip="192.0.2.10",interface="eth0",node="n2",protocol="layer2",service="shop/web"} 1',
      'herald_speaker_announced{ip="192.0.2.11",interface="eth0",node="n2",protocol="layer2",service="shop/dns-tcp"} 1',
      'herald_speaker_announced{ip="192.0.2.11",interface="eth0",node="n2",protocol="layer2",service="shop/dns-udp"} 1',
      // Announced but named by no Service (the file source): the series is there, without a service label.
      'herald_speaker_announced{ip="192.0.2.12",interface="eth0",node="n2",protocol="layer2"} 1',
    ]);
  });

  it('herald_speaker_announced: IPs announced by BGP have series with protocol bgp and no interface', async () => {
    const registry = new Registry();
    registerSpeakerMetrics(registry, () => ({
      ...base,
      announcements: [{ ip: '192.0.2.10', ifname: 'eth0' }],
      bgpAnnounced: new Set(['192.0.2.10', '203.0.113.5']),
      desired: [
        { ip: '192.0.2.10', services: ['shop/web'], modes: ['layer2', 'bgp'], nodes: [] },
        { ip: '203.0.113.5', services: ['shop/api'], modes: ['bgp'], nodes: [] },
      ],
    }));
    expect(linesOf(await scrape(registry), 'herald_speaker_announced').sort()).toEqual([
      'herald_speaker_announced{ip="192.0.2.10",interface="eth0",node="n2",protocol="layer2",service="shop/web"} 1',
      'herald_speaker_announced{ip="192.0.2.10",node="n2",protocol="bgp",service="shop/web"} 1',
      'herald_speaker_announced{ip="203.0.113.5",node="n2",protocol="bgp",service="shop/api"} 1',
    ]);
  });

  it('herald_speaker_alive_members and herald_speaker_quorum follow membership', async () => {
    const registry = new Registry();
    let current = base;
    registerSpeakerMetrics(registry, () => current);
    expect(linesOf(await scrape(registry), 'herald_speaker_alive_members')).toEqual(['herald_speaker_alive_members 2']);
    expect(linesOf(await scrape(registry), 'herald_speaker_quorum')).toEqual(['herald_speaker_quorum 1']);
    current = { ...base, aliveMembers: 1, quorum: false };
    expect(linesOf(await scrape(registry), 'herald_speaker_alive_members')).toEqual(['herald_speaker_alive_members 1']);
    expect(linesOf(await scrape(registry), 'herald_speaker_quorum')).toEqual(['herald_speaker_quorum 0']);
  });

  it('herald_bgp_session_up and herald_bgp_announced_prefixes_total per peer; none without BGP peers', async () => {
    const registry = new Registry();
    let current: SpeakerFigures = base;
    registerSpeakerMetrics(registry, () => current);
    expect(linesOf(await scrape(registry), 'herald_bgp_session_up')).toEqual([]);
    const session = { negotiated: null, lastDown: null, establishedCount: 1, updatesSent: 0 };
    current = { ...base, bgpSessions: [
      { ...session, peer: '192.0.2.1', fsm: 'Established', advertised: 3 },
      { ...session, peer: '2001:db8::1', fsm: 'Active', advertised: 0 },
    ] };
    let text = await scrape(registry);
    expect(linesOf(text, 'herald_bfd_session_up')).toEqual([]); // no peer names a BFD profile
    expect(linesOf(text, 'herald_bgp_session_up')).toEqual(['herald_bgp_session_up{peer="192.0.2.1"} 1', 'herald_bgp_session_up{peer="2001:db8::1"} 0']);
    expect(linesOf(text, 'herald_bgp_announced_prefixes_total')).toEqual([
      'herald_bgp_announced_prefixes_total{peer="192.0.2.1"} 3', 'herald_bgp_announced_prefixes_total{peer="2001:db8::1"} 0',
    ]);
    current = { ...base, bgpSessions: [
      { ...session, peer: '192.0.2.1', fsm: 'Established', advertised: 3, bfd: { state: 'Up', diagnostic: 'noDiagnostic' } },
      { ...session, peer: '192.0.2.2', fsm: 'Idle', advertised: 0, bfd: { state: 'Down', diagnostic: 'controlDetectionTimeExpired' } },
      { ...session, peer: '2001:db8::1', fsm: 'Active', advertised: 0, bfd: null },
    ] };
    text = await scrape(registry);
    expect(linesOf(text, 'herald_bfd_session_up')).toEqual(['herald_bfd_session_up{peer="192.0.2.1"} 1', 'herald_bfd_session_up{peer="192.0.2.2"} 0']);
  });

  it('herald_bgp_updates_sent_total per peer: what each peer\'s sessions sent, 0 for a peer that sent nothing yet', async () => {
    const registry = new Registry();
    const session = { negotiated: null, lastDown: null, establishedCount: 1, advertised: 0, bfd: null };
    registerSpeakerMetrics(registry, () => ({ ...base, bgpSessions: [
      { ...session, peer: '192.0.2.1', fsm: 'Established', updatesSent: 12 },
      { ...session, peer: '2001:db8::1', fsm: 'Connect', updatesSent: 0 },
    ] }));
    const server = await startMetricsServer({ registry, port: 0, host: '127.0.0.1', notReadyReason: () => undefined });
    try {
      const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(text).toContain('# TYPE herald_bgp_updates_sent_total counter');
      expect(linesOf(text, 'herald_bgp_updates_sent_total')).toEqual([
        'herald_bgp_updates_sent_total{peer="192.0.2.1"} 12', 'herald_bgp_updates_sent_total{peer="2001:db8::1"} 0',
      ]);
    } finally {
      await server.stop();
    }
  });

  it('herald_speaker_api_synced is 1 when the source is synced, 0 when not, and absent without an API (file source)', async () => {
    const withApi = new Registry();
    let synced = false;
    registerSpeakerMetrics(withApi, () => base, () => synced);
    expect(linesOf(await scrape(withApi), 'herald_speaker_api_synced')).toEqual(['herald_speaker_api_synced 0']);
    synced = true;
    expect(linesOf(await scrape(withApi), 'herald_speaker_api_synced')).toEqual(['herald_speaker_api_synced 1']);
    const fileSource = new Registry();
    registerSpeakerMetrics(fileSource, () => base);
    expect(await scrape(fileSource)).not.toContain('herald_speaker_api_synced');
  });

  describe('the layer 2 counters, from a real announcer on an in-memory segment', () => {
    const nodeMac = '02:00:00:00:00:0b';
    const clientMac = '02:00:00:00:00:63';
    const eth0: LinkInfo = { name: 'eth0', index: 2, mac: nodeMac, up: true, hasMaster: false, noArp: false, addresses: [] };
    const arpRequest = (tpa: string): Uint8Array => encodeEthernet({
      destination: BROADCAST_MAC, source: clientMac, vlan: null, etherType: ETHERTYPE_ARP,
      payload: encodeArp({ oper: ARP_OPERATION_REQUEST, sha: clientMac, spa: '192.0.2.99', tha: ZERO_MAC, tpa }),
    });
    let segment: MemorySegment;
    let announcer: Announcer;
    let registry: Registry;
    /** When set, the node's sockets refuse to send, as the kernel does for a link going down. */
    let refuse = false;

    beforeEach(() => {
      segment = new MemorySegment();
      refuse = false;
      const open: OpenSocket = (...args) => {
        const socket = segment.open(...args);
        const send = socket.send.bind(socket);
        socket.send = (frame) => {
          if (refuse) throw new Error('ENETDOWN');
          send(frame);
        };
        return socket;
      };
      // One gratuitous frame per burst, sent at once: the counts do not depend on timers.
      announcer = new Announcer({ openSocket: open, logger: silentLogger(), schedule: [0] });
      registry = new Registry();
      registerSpeakerMetrics(registry, () => ({ ...base, announcer: announcer.stats, announcements: announcer.current() }));
    });
    afterEach(async () => {
      await announcer.apply({ announce: [], withdraw: announcer.current() }, []);
    });

    it('counts requests received, responses sent and gratuitous frames sent per IP held, and forgets an IP withdrawn', async () => {
      const client = segment.client(ETHERTYPE_ARP);
      await announcer.apply({ announce: [{ ip: '192.0.2.100', ifname: 'eth0' }, { ip: '192.0.2.101', ifname: 'eth0' }], withdraw: [] }, [eth0]);
      client.send(arpRequest('192.0.2.100'));
      client.send(arpRequest('192.0.2.100'));
      client.send(arpRequest('192.0.2.200')); // not held: no series for it
      refuse = true;
      client.send(arpRequest('192.0.2.101')); // received, but the reply is refused: not a response sent
      refuse = false;
      announcer.reannounce([{ ip: '192.0.2.101', ifname: 'eth0' }]);
      const text = await scrape(registry);
      expect(linesOf(text, 'herald_layer2_requests_received_total').sort()).toEqual([
        'herald_layer2_requests_received_total{ip="192.0.2.100"} 2',
        'herald_layer2_requests_received_total{ip="192.0.2.101"} 1',
      ]);
      expect(linesOf(text, 'herald_layer2_responses_sent_total')).toEqual(['herald_layer2_responses_sent_total{ip="192.0.2.100"} 2']);
      expect(linesOf(text, 'herald_layer2_gratuitous_sent_total').sort()).toEqual([
        'herald_layer2_gratuitous_sent_total{ip="192.0.2.100"} 1',
        'herald_layer2_gratuitous_sent_total{ip="192.0.2.101"} 2',
      ]);
      await announcer.apply({ announce: [], withdraw: [{ ip: '192.0.2.100', ifname: 'eth0' }] }, [eth0]);
      const after = await scrape(registry);
      expect(after).not.toContain('ip="192.0.2.100"');
      expect(linesOf(after, 'herald_layer2_requests_received_total')).toEqual(['herald_layer2_requests_received_total{ip="192.0.2.101"} 1']);
    });
  });
});
