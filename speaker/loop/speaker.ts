// The speaker assembled: source, interface watcher and membership feed the loop; the loop drives the
// announcer. main.ts builds the concrete parts; this file only connects them and orders start and stop.
import type { Logger } from '../../lib/log.js';
import { heartbeatTargets } from '../election/index.js';
import type { Announcer } from '../layer2/announcer.js';
import type { InterfaceWatcher } from '../layer2/interface-watcher.js';
import type { UdpMembership } from '../membership/index.js';
import type { AnnouncementSource, DesiredAnnouncements } from '../source/types.js';
import { SpeakerLoop } from './loop.js';

export interface SpeakerParts {
  self: string;
  source: AnnouncementSource;
  watcher: InterfaceWatcher;
  announcer: Announcer;
  /** Built once the first configuration is known, so it starts with the real peer list. */
  membership: (peers: { name: string; address: string }[], fastTargets: (alive: ReadonlySet<string>) => Iterable<string>) => UdpMembership;
  logger: Logger;
  defaultInterfaces?: readonly string[];
}

export class Speaker {
  readonly loop: SpeakerLoop;
  private membership: UdpMembership | null = null;
  private desired: DesiredAnnouncements | null = null;

  constructor(private readonly parts: SpeakerParts) {
    this.loop = new SpeakerLoop({ self: parts.self, announcer: parts.announcer, logger: parts.logger, defaultInterfaces: parts.defaultInterfaces });
  }

  /** Alive members and quorum as membership last said (before start: only self, no quorum). */
  members(): { alive: ReadonlySet<string>; quorum: boolean; heartbeatsSent: number; heartbeatsDropped: Record<string, number> } {
    const m = this.membership;
    if (m === null) return { alive: new Set([this.parts.self]), quorum: false, heartbeatsSent: 0, heartbeatsDropped: {} };
    const stats = m.stats();
    return { alive: m.alive(), quorum: m.hasQuorum(), heartbeatsSent: stats.sent, heartbeatsDropped: stats.dropped };
  }

  async start(): Promise<void> {
    const { watcher, source, self, logger } = this.parts;
    watcher.onChange((links) => this.loop.enqueue({ kind: 'links', links }));
    await watcher.start();
    source.onChange((desired) => this.onDesired(desired));
    await source.start();
    const desired = this.desired;
    if (desired === null) throw new Error('the announcement source started without delivering a configuration');
    if (!desired.nodes.some((n) => n.name === self)) {
      logger.warn({ node: self }, 'this node is not listed in the configuration: it will announce nothing');
    }
    const membership = this.parts.membership(peersOf(desired), (alive) => this.fastTargets(alive));
    membership.onChange((alive, quorum) => this.loop.enqueue({ kind: 'membership', alive: [...alive], quorum }));
    await membership.start();
    this.membership = membership;
    // Membership reports changes only; the loop also needs where it stands now.
    this.loop.enqueue({ kind: 'membership', alive: [...membership.alive()], quorum: membership.hasQuorum() });
  }

  /**
   * Goodbye first, so the next node takes over at once; then withdraw everything and close the sockets.
   * The short overlap where both answer is harmless: both point clients at a live node.
   */
  async stop(): Promise<void> {
    await this.membership?.stop();
    await this.loop.stop();
    await this.parts.source.stop();
    await this.parts.watcher.stop();
  }

  private onDesired(desired: DesiredAnnouncements): void {
    this.desired = desired;
    this.loop.enqueue({ kind: 'desired', desired });
    this.membership?.setPeers(peersOf(desired));
    this.membership?.refreshTargets();
  }

  private fastTargets(alive: ReadonlySet<string>): Set<string> {
    const desired = this.desired;
    if (desired === null) return new Set();
    const weights = new Map(desired.nodes.map((n) => [n.name, n.weight]));
    const ips = desired.ips.map((s) => ({ ip: s.ip, nodes: s.nodes.map((name) => ({ name, weight: weights.get(name) ?? 0 })) }));
    return heartbeatTargets(this.parts.self, ips, alive);
  }
}

function peersOf(desired: DesiredAnnouncements): { name: string; address: string }[] {
  return desired.nodes.map((n) => ({ name: n.name, address: n.address }));
}
