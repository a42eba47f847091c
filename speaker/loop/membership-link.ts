// The loop's membership port: builds UdpMembership from the first plan that names the speakers (a membership
// that started before knowing its peers would claim quorum alone), then passes every later plan on, one way.
// What membership hears goes back to the loop only as enqueued events.
import type { Logger } from '../../lib/log.js';
import type { UdpMembership } from '../membership/index.js';
import type { NodeSpec } from '../source/types.js';
import type { MembershipPort } from './loop.js';
import { selfAddressProblem } from './self-address.js';
import { samePeers, type MembershipPlan, type SpeakerEvent } from './state.js';

export interface MembershipLinkOptions {
  self: string;
  /** Where membership's socket binds (--bind-address): checked against the address listed for this node. */
  bindAddress?: string;
  logger: Logger;
  build: (peers: { name: string; address: string }[]) => UdpMembership;
  enqueue: (event: SpeakerEvent) => void;
  /** A peer had this node dead: something may have changed under us (the links, say) before the re-announce. */
  onRejoined: (peer: string) => void;
}

export interface Members {
  alive: ReadonlySet<string>;
  quorum: boolean;
  heartbeatsSent: number;
  heartbeatsDropped: Record<string, number>;
}

export class MembershipLink implements MembershipPort {
  private membership: UdpMembership | null = null;
  /** The speakers membership was last given. */
  private peers: readonly NodeSpec[] = [];
  private starting: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly o: MembershipLinkOptions) {}

  apply(plan: MembershipPlan): void {
    if (this.stopped) return;
    const problem = selfAddressProblem(plan.peers, this.o.self, this.o.bindAddress);
    const m = this.membership;
    if (m !== null) {
      // Cannot rebind while running: the operator has to fix the file or the flag and restart.
      if (problem !== null) this.o.logger.error({ problem }, 'heartbeats cannot reach this node');
      if (!samePeers(this.peers, plan.peers)) m.setPeers(peersOf(plan.peers));
      this.peers = plan.peers;
      m.setFastTargets(plan.fastTargets);
      return;
    }
    if (problem !== null) {
      this.starting = Promise.reject(new Error(problem));
      this.starting.catch(() => undefined); // reported by started()
      return;
    }
    if (!plan.peers.some((n) => n.name === this.o.self)) {
      this.o.logger.warn({ node: this.o.self }, 'this node is not listed in the configuration: it will announce nothing');
    }
    const membership = this.o.build(peersOf(plan.peers));
    this.peers = plan.peers;
    membership.setFastTargets(plan.fastTargets);
    membership.onChange((alive, quorum, _decision, settling) => this.o.enqueue({ kind: 'membership', alive: [...alive], quorum, settling: [...settling] }));
    membership.onRejoined((peer) => {
      this.o.onRejoined(peer);
      this.o.enqueue({ kind: 'reannounce', cause: { kind: 'peerHadUsDead', peer } });
    });
    this.membership = membership;
    // Membership reports changes only; the loop also needs where it stands once it runs.
    this.starting = membership.start().then(() => {
      this.o.enqueue({ kind: 'membership', alive: [...membership.alive()], quorum: membership.hasQuorum(), settling: [...membership.settling()] });
    });
    this.starting.catch(() => undefined); // reported by started()
  }

  /** Resolves once membership runs; rejects when it could not start (or this node's address is wrong). */
  async started(): Promise<void> {
    if (this.starting === null) throw new Error('membership was never given the speakers: the source delivered no configuration');
    await this.starting;
  }

  /** Alive members and quorum as membership last said (before start: only self, no quorum). */
  members(): Members {
    const m = this.membership;
    if (m === null) return { alive: new Set([this.o.self]), quorum: false, heartbeatsSent: 0, heartbeatsDropped: {} };
    const stats = m.stats();
    return { alive: m.alive(), quorum: m.hasQuorum(), heartbeatsSent: stats.sent, heartbeatsDropped: stats.dropped };
  }

  /** Goodbye to every peer (they take over at once), then the socket closes. A start in flight ends first. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.starting?.catch(() => undefined);
    await this.membership?.stop();
  }
}

function peersOf(nodes: readonly NodeSpec[]): { name: string; address: string }[] {
  return nodes.map((n) => ({ name: n.name, address: n.address }));
}
