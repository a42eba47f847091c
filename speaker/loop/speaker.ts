// The speaker assembled: source, interface watcher and membership feed the loop; the loop drives the
// announcer. main.ts builds the concrete parts; this file only connects them and orders start and stop.
import type { Logger } from '../../lib/log.js';
import { heartbeatTargetsRanked, type RankedIp } from '../election/index.js';
import type { Announcer } from '../layer2/announcer.js';
import type { InterfaceWatcher } from '../layer2/interface-watcher.js';
import type { UdpMembership } from '../membership/index.js';
import type { AnnouncementSource, DesiredAnnouncements } from '../source/types.js';
import { SpeakerLoop } from './loop.js';
import { rankedFor } from './plan-cache.js';
import { selfAddressProblem } from './self-address.js';

export interface SpeakerParts {
  self: string;
  source: AnnouncementSource;
  watcher: InterfaceWatcher;
  announcer: Announcer;
  /** Built once the first configuration is known, so it starts with the real peer list. */
  membership: (peers: { name: string; address: string }[], fastTargets: (alive: ReadonlySet<string>) => Iterable<string>) => UdpMembership;
  logger: Logger;
  defaultInterfaces?: readonly string[];
  /** Where membership's socket binds (--bind-address): checked against the address listed for this node. */
  bindAddress?: string;
  /** Delays of the loop's timed retries (retry.ts); tests shorten them. */
  retryDelaysMs?: readonly number[];
}

export class Speaker {
  readonly loop: SpeakerLoop;
  private membership: UdpMembership | null = null;
  private desired: DesiredAnnouncements | null = null;
  /** Every IP's candidates in preference order: ranked once per configuration, not on every alive change. */
  private ranked: RankedIp[] = [];
  private starting: Promise<void> | null = null;
  private stopping = false;

  constructor(private readonly parts: SpeakerParts) {
    const { self, announcer, logger, defaultInterfaces, retryDelaysMs } = parts;
    this.loop = new SpeakerLoop({ self, announcer, logger, defaultInterfaces, retryDelaysMs });
  }

  /** Alive members and quorum as membership last said (before start: only self, no quorum). */
  members(): { alive: ReadonlySet<string>; quorum: boolean; heartbeatsSent: number; heartbeatsDropped: Record<string, number> } {
    const m = this.membership;
    if (m === null) return { alive: new Set([this.parts.self]), quorum: false, heartbeatsSent: 0, heartbeatsDropped: {} };
    const stats = m.stats();
    return { alive: m.alive(), quorum: m.hasQuorum(), heartbeatsSent: stats.sent, heartbeatsDropped: stats.dropped };
  }

  /**
   * Interfaces first (nothing can be planned without them), then the source (membership needs its node
   * list), then membership, whose quorum is what lets the loop announce. Once stop() was called, no
   * further part starts.
   */
  async start(): Promise<void> {
    if (this.starting !== null) throw new Error(`speaker "${this.parts.self}" already started`);
    this.starting = this.startParts();
    await this.starting;
  }

  private async startParts(): Promise<void> {
    const { watcher, source, self, logger } = this.parts;
    watcher.onChange((links) => this.loop.enqueue({ kind: 'links', links }));
    await watcher.start();
    if (this.stopping) return;
    source.onChange((desired) => this.onDesired(desired));
    await source.start();
    const desired = this.desired;
    if (this.stopping) return;
    if (desired === null) throw new Error('the announcement source started without delivering a configuration');
    if (!desired.nodes.some((n) => n.name === self)) {
      logger.warn({ node: self }, 'this node is not listed in the configuration: it will announce nothing');
    }
    const problem = selfAddressProblem(desired, self, this.parts.bindAddress);
    if (problem !== null) throw new Error(problem);
    const membership = this.parts.membership(peersOf(desired), (alive) => this.fastTargets(alive));
    membership.onChange((alive, quorum) => this.loop.enqueue({ kind: 'membership', alive: [...alive], quorum }));
    membership.onRejoined((peer) => {
      // The links first: if the watcher saw this node's link go down, it must see it up before the IPs
      // (withdrawn meanwhile) can be announced again; the re-announce covers the IPs held all along.
      watcher.refresh();
      this.loop.enqueue({ kind: 'reannounce', cause: { kind: 'peerHadUsDead', peer } });
    });
    // Set before it starts, so a stop() from here on says goodbye once the start is through.
    this.membership = membership;
    await membership.start();
    // Membership reports changes only; the loop also needs where it stands now.
    this.loop.enqueue({ kind: 'membership', alive: [...membership.alive()], quorum: membership.hasQuorum() });
  }

  /**
   * Goodbye first, so the next node takes over at once; then withdraw everything and close the sockets.
   * The short overlap where both answer is harmless: both point clients at a live node. A stop during
   * start (SIGTERM while the file is read) lets the part being started finish, then stops it too:
   * stopping the parts under a start still running would leave the later ones running for ever.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.starting?.catch(() => undefined);
    await this.membership?.stop();
    await this.loop.stop();
    await this.parts.source.stop();
    await this.parts.watcher.stop();
  }

  private onDesired(desired: DesiredAnnouncements): void {
    const problem = selfAddressProblem(desired, this.parts.self, this.parts.bindAddress);
    // Cannot rebind while running: the operator has to fix the file or the flag and restart.
    if (problem !== null && this.desired !== null) this.parts.logger.error({ problem }, 'heartbeats cannot reach this node');
    this.desired = desired;
    this.ranked = rankedFor(desired);
    this.loop.enqueue({ kind: 'desired', desired });
    this.membership?.setPeers(peersOf(desired));
    this.membership?.refreshTargets();
  }

  /** Called by membership on every alive change: a walk over the ranked orders, no hashing or sorting. */
  private fastTargets(alive: ReadonlySet<string>): Set<string> {
    return heartbeatTargetsRanked(this.parts.self, this.ranked, alive);
  }
}

function peersOf(desired: DesiredAnnouncements): { name: string; address: string }[] {
  return desired.nodes.map((n) => ({ name: n.name, address: n.address }));
}
