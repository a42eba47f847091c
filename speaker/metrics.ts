// The speaker's Prometheus metrics and what its /readyz reports; lib/metrics/server.ts serves both. The parts
// keep plain counters (Announcer.stats, UdpMembership.stats()); the metrics read them when scraped, so
// nothing below the wiring imports prom-client (STYLE.md §3).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AnnouncerStats } from './layer2/announcer.js';
import type { Announcement } from './layer2/decide/diff.js';
import type { LoopStats } from './loop/loop.js';
import type { MembershipStats } from './membership/index.js';

export interface SpeakerFigures {
  announcer: AnnouncerStats;
  loop: LoopStats;
  announcements: readonly Announcement[];
  aliveMembers: number;
  quorum: boolean;
  heartbeatsSent: number;
  heartbeatsDropped: Readonly<Record<string, number>>;
  /** The heartbeat driver's own counters; undefined until membership is built (the first plan). */
  membership?: MembershipStats | undefined;
}

/** A counter whose value is read from `value()` at scrape time (the source counts; we only report). */
function mirroredCounter(registry: Registry, name: string, help: string, value: () => number): void {
  new Counter({ name, help, registers: [registry], collect() { this.reset(); this.inc(value()); } });
}

export function registerSpeakerMetrics(registry: Registry, figures: () => SpeakerFigures): void {
  const p = 'herald_speaker_';
  new Gauge({ name: `${p}owned_ips`, help: 'IPs this speaker announces (on at least one interface)', registers: [registry],
    collect() { this.set(new Set(figures().announcements.map((a) => a.ip)).size); } });
  new Gauge({ name: `${p}announced`, help: 'One series per (IP, interface) this speaker announces', labelNames: ['ip', 'interface'], registers: [registry],
    collect() {
      this.reset();
      for (const a of figures().announcements) this.set({ ip: a.ip, interface: a.ifname }, 1);
    } });
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
}

/**
 * The speaker's readiness for /readyz (startMetricsServer's notReadyReason): not ready until main has seen
 * Speaker.start() resolve (interfaces, source and membership up), ready from then on.
 */
export class SpeakerReadiness {
  private started = false;

  markStarted(): void {
    this.started = true;
  }

  readonly notReadyReason = (): string | undefined => (this.started ? undefined : 'not started');
}
