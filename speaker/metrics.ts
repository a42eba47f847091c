// The speaker's Prometheus metrics and what its /readyz reports; lib/metrics/server.ts serves both. The parts
// keep plain counters (Announcer.stats, UdpMembership.stats()); the metrics read them when scraped, so
// nothing below the wiring imports prom-client (STYLE.md §3).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { PeerStatus } from './bgp/driver/index.js';
import type { BgpPeerStatus } from './bgp/mode-driver.js';
import type { AnnouncerStats, IpFrameCounts } from './layer2/announcer.js';
import type { Announcement } from './layer2/decide/diff.js';
import type { LoopStats } from './loop/loop.js';
import type { MembershipStats } from './membership/index.js';
import type { IpSpec } from './source/types.js';

export interface SpeakerFigures {
  /** This speaker's node: the `node` label of what it announces. */
  node: string;
  announcer: AnnouncerStats;
  loop: LoopStats;
  announcements: readonly Announcement[];
  /** The source's last snapshot's IPs (empty before the first): where the `service` labels come from. */
  desired: readonly IpSpec[];
  aliveMembers: number;
  quorum: boolean;
  heartbeatsSent: number;
  heartbeatsDropped: Readonly<Record<string, number>>;
  /** The heartbeat driver's own counters; undefined until membership is built (the first plan). */
  membership?: MembershipStats | undefined;
  /** BGP mode's sessions (bgp/mode-driver.ts), one per peer this node holds; none without BGP peers. */
  /** With `bfd` when the mode driver filled it in (a peer with a BFD profile). */
  bgpSessions?: readonly (PeerStatus & Partial<Pick<BgpPeerStatus, 'bfd'>>)[];
  /** The IPs this node announces by BGP (sent to at least one Established peer: BgpModeDriver.announcedIps). */
  bgpAnnounced?: ReadonlySet<string>;
}

/** A counter whose value is read from `value()` at scrape time (the source counts; we only report). */
function mirroredCounter(registry: Registry, name: string, help: string, value: () => number): void {
  new Counter({ name, help, registers: [registry], collect() { this.reset(); this.inc(value()); } });
}

/**
 * `apiSynced`: with the Kubernetes source, whether it is synced (its readiness: every cache listed, a usable
 * heartbeat key, its presence Lease written); without it (a file source) the series is not exported at all.
 */
export function registerSpeakerMetrics(registry: Registry, figures: () => SpeakerFigures, apiSynced?: () => boolean): void {
  const p = 'herald_speaker_';
  new Gauge({ name: `${p}owned_ips`, help: 'IPs this speaker announces (on at least one interface)', registers: [registry],
    collect() { this.set(new Set(figures().announcements.map((a) => a.ip)).size); } });
  registerAnnounced(registry, figures);
  registerLayer2Counters(registry, () => figures().announcer.perIp);
  if (apiSynced !== undefined) {
    new Gauge({ name: `${p}api_synced`, help: '1 when the Kubernetes source is synced (caches listed, heartbeat key usable, presence Lease written), else 0',
      registers: [registry], collect() { this.set(apiSynced() ? 1 : 0); } });
  }
  mirroredCounter(registry, `${p}ips_gained_total`,
    'IPs this speaker began to announce by layer 2 that it announced on no interface before: a failover to this node, or a new IP',
    () => figures().announcer.ipsGained);
  mirroredCounter(registry, `${p}frames_sent_total`, 'ARP/NDP frames sent (gratuitous and replies)', () => figures().announcer.framesSent);
  mirroredCounter(registry, `${p}frames_received_total`, 'Frames read from the ARP/IPv6 sockets', () => figures().announcer.framesReceived);
  mirroredCounter(registry, `${p}requests_answered_total`, 'ARP requests and Neighbor Solicitations answered', () => figures().announcer.requestsAnswered);
  mirroredCounter(registry, `${p}send_errors_total`, 'Frames the kernel refused to send', () => figures().announcer.sendErrors);
  mirroredCounter(registry, `${p}announce_failures_total`, 'Announcements (IP, interface) that failed, once per attempt', () => figures().loop.announceFailures);
  mirroredCounter(registry, `${p}announce_retries_total`, 'Timed retries of failed announcements', () => figures().loop.retries);
  mirroredCounter(registry, `${p}announce_retries_exhausted_total`, 'Times every retry was used up with announcements still failing',
    () => figures().loop.retriesExhausted);
  mirroredCounter(registry, `${p}reannounced_total`,
    'Announcements (IP, interface) whose gratuitous burst was sent again: a peer had this node dead, or the carrier came back',
    () => figures().loop.reannounced);
  new Counter({ name: `${p}frames_dropped_total`, help: 'Received frames not answered, by reason', labelNames: ['reason'], registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(figures().announcer.drops)) this.inc({ reason }, n);
    } });
  new Gauge({ name: `${p}alive_members`, help: 'Speakers this one hears, itself included', registers: [registry],
    collect() { this.set(figures().aliveMembers); } });
  new Gauge({ name: `${p}quorum`, help: '1 when the split-brain rule lets this speaker announce', registers: [registry],
    collect() { this.set(figures().quorum ? 1 : 0); } });
  mirroredCounter(registry, `${p}heartbeats_sent_total`, 'Heartbeats sent', () => figures().heartbeatsSent);
  new Counter({ name: `${p}heartbeats_dropped_total`, help: 'Heartbeats refused, by reason', labelNames: ['reason'], registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(figures().heartbeatsDropped)) this.inc({ reason }, n);
    } });
  registerMembershipMetrics(registry, () => figures().membership);
  registerBgpMetrics(registry, () => figures().bgpSessions ?? []);
}

/**
 * MetalLB's metallb_bgp_session_up, metallb_bgp_updates_total and metallb_bgp_announced_prefixes_total, per peer
 * address, and herald_bfd_session_up for the peers BFD guards (MetalLB's FRR mode has metallb_bfd_session_up).
 */
function registerBgpMetrics(registry: Registry, sessions: () => NonNullable<SpeakerFigures['bgpSessions']>): void {
  new Gauge({ name: 'herald_bfd_session_up', help: '1 while the BFD session beside the BGP session with the peer is Up, else 0', labelNames: ['peer'],
    registers: [registry], collect() {
      this.reset();
      for (const s of sessions()) if (s.bfd !== undefined && s.bfd !== null) this.set({ peer: s.peer }, s.bfd.state === 'Up' ? 1 : 0);
    } });
  new Gauge({ name: 'herald_bgp_session_up', help: '1 while the BGP session with the peer is Established, else 0', labelNames: ['peer'], registers: [registry],
    collect() {
      this.reset();
      for (const s of sessions()) this.set({ peer: s.peer }, s.fsm === 'Established' ? 1 : 0);
    } });
  // A counter mirrored from the sessions (mode-driver.ts keeps it growing across a peer's replaced sessions).
  new Counter({ name: 'herald_bgp_updates_sent_total', help: 'BGP UPDATE messages sent to the peer (End-of-RIB included)', labelNames: ['peer'],
    registers: [registry], collect() {
      this.reset();
      for (const s of sessions()) this.inc({ peer: s.peer }, s.updatesSent);
    } });
  new Gauge({ name: 'herald_bgp_announced_prefixes_total', help: 'Prefixes the peer has been sent in the current session', labelNames: ['peer'],
    registers: [registry], collect() {
      this.reset();
      for (const s of sessions()) this.set({ peer: s.peer }, s.advertised);
    } });
}

/**
 * MetalLB's metallb_speaker_announced: 1 per (IP, Service) this node announces, with its node and protocol, here
 * also per interface for layer 2 (BGP's series have no `interface`). `ip` stays the first label: the lab's
 * waitForAnnouncement (test/lab/speakers.ts) matches on it. A shared IP has one series per Service; an IP whose source
 * names no Service (a file) has no `service` label.
 */
function registerAnnounced(registry: Registry, figures: () => SpeakerFigures): void {
  new Gauge({
    name: 'herald_speaker_announced', help: 'One series per (IP, interface, Service) this speaker announces by layer 2, and per (IP, Service) by BGP',
    labelNames: ['ip', 'interface', 'node', 'protocol', 'service'], registers: [registry],
    collect() {
      this.reset();
      const f = figures();
      const services = new Map(f.desired.map((spec) => [spec.ip, spec.services]));
      const announced: { ip: string; interface?: string; node: string; protocol: string }[] = [
        ...f.announcements.map((a) => ({ ip: a.ip, interface: a.ifname, node: f.node, protocol: 'layer2' })),
        ...[...f.bgpAnnounced ?? []].map((ip) => ({ ip, node: f.node, protocol: 'bgp' })),
      ];
      for (const labels of announced) {
        const of = services.get(labels.ip) ?? [];
        if (of.length === 0) this.set(labels, 1);
        for (const service of of) this.set({ ...labels, service }, 1);
      }
    },
  });
}

/**
 * MetalLB's layer 2 counters, per IP this speaker holds: requests received for it (answered), responses the kernel
 * took, gratuitous frames the kernel took (on gaining it, and again when re-announced). An IP's series go when it is
 * withdrawn from every interface, as the announcer forgets its counts then.
 */
function registerLayer2Counters(registry: Registry, perIp: () => ReadonlyMap<string, IpFrameCounts>): void {
  const counters: [string, string, keyof IpFrameCounts][] = [
    ['requests_received_total', 'ARP requests and Neighbor Solicitations received for an IP this speaker announces', 'requestsReceived'],
    ['responses_sent_total', 'ARP replies and Neighbor Advertisements sent in answer, per IP', 'responsesSent'],
    ['gratuitous_sent_total', 'Gratuitous ARPs and unsolicited Neighbor Advertisements sent on gaining or re-announcing an IP', 'gratuitousSent'],
  ];
  for (const [name, help, field] of counters) {
    new Counter({ name: `herald_layer2_${name}`, help, labelNames: ['ip'], registers: [registry],
      collect() {
        this.reset();
        for (const [ip, counts] of perIp()) if (counts[field] > 0) this.inc({ ip }, counts[field]);
      } });
  }
}

/**
 * What membership counts that tells an operator how the heartbeat path copes (docs/layer2.md, "Under a
 * flood"): how much reaches the speaker, how much the kernel keeps from it, how much crypto it does, and
 * whether it fell behind its socket. All 0 until membership is built.
 */
function registerMembershipMetrics(registry: Registry, stats: () => MembershipStats | undefined): void {
  const p = 'herald_speaker_heartbeat_';
  const counters: [string, string, (s: MembershipStats) => number][] = [
    ['datagrams_total', 'Datagrams read from the heartbeat socket, junk included', (s) => s.datagrams],
    ['accepted_total', 'Heartbeats accepted: authenticated, fresh, for this node, from a listed peer', (s) => s.accepted],
    ['send_errors_total', 'Heartbeats the kernel refused to send, or that could not be sealed', (s) => s.sendErrors],
    ['macs_total', 'HMAC-SHA256 computations, sealing and checking; junk must not move it', (s) => s.macs],
    ['behind_total', 'Event-loop turns in which a deadline was due while the socket still held a backlog (deadlines wait)', (s) => s.behind],
    ['kernel_dropped_total', 'Datagrams the kernel dropped at the heartbeat socket: not from a listed peer\'s address (its filter) or the buffer full',
      (s) => s.kernelDropped],
    ['rejoins_total', 'Times a peer said it had declared this node dead (each re-sends the gratuitous bursts)', (s) => s.rejoins],
  ];
  for (const [name, help, value] of counters) mirroredCounter(registry, `${p}${name}`, help, () => { const s = stats(); return s === undefined ? 0 : value(s); });
  new Gauge({ name: `${p}filter_addresses`, help: 'Peer addresses in the heartbeat socket\'s kernel filter; 0: no filter (the log says why)',
    registers: [registry], collect() { this.set(stats()?.filteredAddresses ?? 0); } });
  new Gauge({ name: `${p}key_mismatch_peers`, help: 'Peers whose every heartbeat fails authentication: their heartbeat keys differ from this speaker\'s',
    registers: [registry], collect() { this.set(stats()?.keyMismatch.length ?? 0); } });
}

/**
 * The speaker's readiness for /readyz (startMetricsServer's notReadyReason): not ready until main has seen
 * Speaker.start() resolve (interfaces, source and membership up), then whenever `membership` has a reason
 * (UdpMembership.notReadyReason: every peer that sends has other heartbeat keys).
 */
export class SpeakerReadiness {
  private started = false;

  constructor(private readonly membership: () => string | undefined = () => undefined) {}

  markStarted(): void {
    this.started = true;
  }

  readonly notReadyReason = (): string | undefined => (this.started ? this.membership() : 'not started');
}
