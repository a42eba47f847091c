// The speaker's one serialized loop (STYLE.md §5): events are queued by their producers, folded into the
// state in arrival order, and after each batch the plan is recomputed and its diff applied to the
// announcer. Only this loop calls the announcer, so an announce and a withdraw can never interleave.
import type { Logger } from '../../lib/log.js';
import { diffAnnouncements, type Announcement, type AnnouncementDiff } from '../layer2/decide/diff.js';
import type { LinkInfo } from '../layer2/decide/interfaces.js';
import type { IpPlan, Plan } from '../layer2/decide/plan.js';
import { applyEvent, initialState, planFor, type SpeakerEvent, type SpeakerState } from './state.js';

/** What the loop needs of the announcer: the (IP, interface) pairs it holds, and a way to change them. */
export interface AnnouncerPort {
  current(): Announcement[];
  apply(diff: AnnouncementDiff, links: readonly LinkInfo[]): Promise<void>;
}

export interface SpeakerLoopOptions {
  self: string;
  announcer: AnnouncerPort;
  logger: Logger;
  defaultInterfaces?: readonly string[];
}

export class SpeakerLoop {
  private state: SpeakerState = initialState();
  private readonly queue: SpeakerEvent[] = [];
  private draining: Promise<void> | null = null;
  private stopped = false;
  private lastPlan = new Map<string, IpPlan>();
  private readonly planListeners: ((plan: Plan, state: SpeakerState) => void)[] = [];

  constructor(private readonly options: SpeakerLoopOptions) {}

  /** Called after every applied plan (metrics, membership's heartbeat targets). */
  onPlan(cb: (plan: Plan, state: SpeakerState) => void): void {
    this.planListeners.push(cb);
  }

  enqueue(event: SpeakerEvent): void {
    if (this.stopped) return;
    this.queue.push(event);
    this.draining ??= this.drain().finally(() => { this.draining = null; });
  }

  /** Resolves once every event queued so far has been applied. */
  async settled(): Promise<void> {
    while (this.draining !== null) await this.draining;
  }

  /** Stops taking events and withdraws everything this node announces. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    await this.settled();
    const withdraw = this.options.announcer.current();
    await this.options.announcer.apply({ announce: [], withdraw }, this.state.links);
    if (withdraw.length > 0) this.options.logger.info({ withdrawn: withdraw.length }, 'withdrew every announcement on stop');
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      // Fold every queued event before planning: a burst of changes costs one plan, not one per event.
      for (const event of this.queue.splice(0)) this.state = applyEvent(this.state, event);
      if (this.stopped) return;
      const plan = planFor(this.state, this.options.self, this.options.defaultInterfaces);
      const diff = diffAnnouncements(plan.announcements, this.options.announcer.current());
      try {
        await this.options.announcer.apply(diff, this.state.links);
      } catch (err) {
        // A socket that cannot open on one interface must not stop the loop; the next event retries.
        this.options.logger.error({ err }, 'applying announcements failed');
      }
      this.logChanges(plan);
      for (const cb of this.planListeners) cb(plan, this.state);
    }
  }

  private logChanges(plan: Plan): void {
    const next = new Map(plan.ips.map((p) => [p.ip, p]));
    for (const p of plan.ips) {
      const before = this.lastPlan.get(p.ip);
      if (before !== undefined && before.decision === p.decision && before.owner === p.owner
        && before.interfaces.join() === p.interfaces.join()) continue;
      this.options.logger.info(
        { ip: p.ip, owner: p.owner, reason: p.decision, interfaces: p.interfaces, previousOwner: before?.owner ?? null },
        p.decision === 'announce' ? 'announcing' : 'not announcing',
      );
    }
    for (const ip of this.lastPlan.keys()) {
      if (!next.has(ip)) this.options.logger.info({ ip, reason: 'removedFromSource' }, 'not announcing');
    }
    this.lastPlan = next;
  }
}
