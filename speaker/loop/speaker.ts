// The speaker assembled: source, interface watcher and membership only enqueue into the loop; the loop holds
// every piece of state and drives the layer 2 driver and membership. main.ts builds the concrete parts; this
// file only connects them and orders start and stop.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../lib/log.js';
import type { Announcer } from '../layer2/announcer.js';
import { Layer2Driver } from '../layer2/driver.js';
import type { InterfaceWatcher } from '../layer2/interface-watcher.js';
import type { UdpMembership } from '../membership/index.js';
import type { AnnouncementSource } from '../source/types.js';
import { SpeakerLoop, type BgpModePort, type StatusPort } from './loop.js';
import { MembershipLink, type Members } from './membership-link.js';

export interface SpeakerParts {
  self: string;
  source: AnnouncementSource;
  watcher: InterfaceWatcher;
  announcer: Announcer;
  /** BGP mode's driver (bgp/mode-driver.ts); without it, IPs whose mode is bgp are not announced. */
  bgp?: BgpModePort;
  /** Built once the first configuration names the speakers, so it starts with the real peer list. */
  membership: (peers: { name: string; address: string }[]) => UdpMembership;
  logger: Logger;
  /** Told what this node announces after every pass (the Kubernetes source's ServiceL2Status writer); stopped last. */
  status?: StatusPort & { stop(): Promise<void> };
  defaultInterfaces?: readonly string[];
  /** Where membership's socket binds (--bind-address): checked against the address listed for this node. */
  bindAddress?: string;
  /** Delays of the loop's timed retries (retry.ts); tests shorten them. */
  retryDelaysMs?: readonly number[];
  /** A stop's wait between withdrawing and its last API work, when it had peers (HANDOVER_QUIET_MS unless told). */
  handoverQuietMs?: number;
}

/**
 * How long a stopping speaker that had peers waits, once it has said goodbye and withdrawn, before its last status
 * writes, closing its watches and deleting its presence Lease. The peers take over within a few ms of the goodbye;
 * the API server and every speaker's informers would otherwise wake for those writes on the same cores at that
 * moment, and the client's first requests to the new owner would wait behind them (docs/layer2.md, graceful
 * handover). A stopping pod has 30 s; this takes 0.1 of them.
 */
export const HANDOVER_QUIET_MS = 100;

export class Speaker {
  readonly loop: SpeakerLoop;
  private readonly membership: MembershipLink;
  private starting: Promise<void> | null = null;
  private stopping = false;

  constructor(private readonly parts: SpeakerParts) {
    const { self, announcer, logger, defaultInterfaces, retryDelaysMs, bindAddress, watcher } = parts;
    this.membership = new MembershipLink({
      self, bindAddress, logger, build: parts.membership, enqueue: (e) => this.loop.enqueue(e),
      // The links first: if the watcher saw this node's link go down, it must see it up before the IPs
      // (withdrawn meanwhile) can be announced again; the re-announce covers the IPs held all along. The peers
      // that held this node dead may have removed its status objects: the writers read them back.
      onRejoined: () => {
        watcher.refresh();
        parts.status?.peerHadUsDead?.();
      },
    });
    this.loop = new SpeakerLoop({
      self, defaultInterfaces, retryDelaysMs, logger, layer2: new Layer2Driver(announcer, logger), membership: this.membership,
      status: parts.status, bgp: parts.bgp,
    });
  }

  /** Alive members and quorum as membership last said (before start: only self, no quorum). */
  members(): Members {
    return this.membership.members();
  }

  /**
   * Interfaces first (nothing can be planned without them), then the source (its first snapshot names the
   * speakers, and the loop's first plan builds membership with them), then membership, whose quorum is what
   * lets the loop announce. Once stop() was called, no further part starts.
   */
  async start(): Promise<void> {
    if (this.starting !== null) throw new Error(`speaker "${this.parts.self}" already started`);
    this.starting = this.startParts();
    await this.starting;
  }

  private async startParts(): Promise<void> {
    const { watcher, source } = this.parts;
    watcher.onChange((links) => {
      this.loop.enqueue({ kind: 'links', links });
      source.linksChanged?.(links);
    });
    await watcher.start();
    if (this.stopping) return;
    source.onChange((desired) => this.loop.enqueue({ kind: 'desired', desired }));
    await source.start();
    if (this.stopping) return;
    await this.loop.settled();
    if (this.loop.state.desired === null) throw new Error('the announcement source started without delivering a configuration');
    await this.membership.started();
  }

  /**
   * Goodbye first, so the next node takes over at once; then withdraw everything (the packet sockets close), and
   * after HANDOVER_QUIET_MS make the last status writes, stop the source (its watches, its Lease) and the watcher.
   * The short overlap where both answer is harmless: both point clients at a live node. A stop during
   * start (SIGTERM while the file is read) lets the part being started finish, then stops it too:
   * stopping the parts under a start still running would leave the later ones running for ever.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    // Peers alive now take over on the goodbye; without any, nobody does and nothing needs to wait.
    const handover = this.membership.members().alive.size > 1;
    // At once, so a configuration that arrives during a start being stopped builds no membership.
    const membershipStopped = this.membership.stop();
    await this.starting?.catch(() => undefined);
    await membershipStopped;
    await this.loop.stop();
    const quietMs = this.parts.handoverQuietMs ?? HANDOVER_QUIET_MS;
    if (handover && quietMs > 0) await sleep(quietMs);
    await this.parts.status?.stop();
    await this.parts.source.stop();
    await this.parts.watcher.stop();
  }
}
