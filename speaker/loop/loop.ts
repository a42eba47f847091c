// The speaker's one serialized loop (STYLE.md §5): events are queued by their producers, folded into the
// state in arrival order, and after each batch the plan is recomputed and its diff applied to the
// announcer. Only this loop calls the announcer, so an announce and a withdraw can never interleave.
import type { Logger } from '../../lib/log.js';
import type { AnnounceFailure } from '../layer2/announcer.js';
import { diffAnnouncements, type Announcement, type AnnouncementDiff } from '../layer2/decide/diff.js';
import type { LinkInfo } from '../layer2/decide/interfaces.js';
import type { IpPlan, Plan } from '../layer2/decide/plan.js';
import { reannouncements, type ReannounceCause } from '../layer2/decide/reannounce.js';
import { planCacheFor, type PlanCache } from './plan-cache.js';
import { retryDelayMs } from './retry.js';
import { applyEvent, initialState, planFor, reannounceCauses, type SpeakerEvent, type SpeakerState } from './state.js';

/** What the loop needs of the announcer: the (IP, interface) pairs it holds, and a way to change them. */
export interface AnnouncerPort {
  current(): Announcement[];
  /** Resolves with the announcements that could not be made; they are not in current() afterwards. */
  apply(diff: AnnouncementDiff, links: readonly LinkInfo[]): Promise<AnnounceFailure[]>;
  /** Sends the gratuitous burst again for announcements it holds (others are ignored). */
  reannounce(announcements: readonly Announcement[]): void;
}

export interface SpeakerLoopOptions {
  self: string;
  announcer: AnnouncerPort;
  logger: Logger;
  defaultInterfaces?: readonly string[];
  /** Delays of the timed retries after a failed announcement (retry.ts); tests shorten them. */
  retryDelaysMs?: readonly number[];
}

export interface LoopStats {
  /** (IP, interface) announcements that failed, once per attempt. */
  announceFailures: number;
  /** Timed retries run. */
  retries: number;
  /** Times every retry was used up with announcements still failing. */
  retriesExhausted: number;
  /** (IP, interface) announcements whose gratuitous burst was sent again (decide/reannounce.ts). */
  reannounced: number;
}

export class SpeakerLoop {
  private state: SpeakerState = initialState();
  private readonly queue: SpeakerEvent[] = [];
  private draining: Promise<void> | null = null;
  private stopped = false;
  private lastPlan = new Map<string, IpPlan>();
  /** Election orders and interface choices, kept until the configuration or the links change. */
  private planCache: PlanCache | null = null;
  private readonly planListeners: ((plan: Plan, state: SpeakerState) => void)[] = [];
  private retryTimer: NodeJS.Timeout | null = null;
  /** Timed retries scheduled since the last success or the last real change. */
  private retryAttempt = 0;
  readonly stats: LoopStats = { announceFailures: 0, retries: 0, retriesExhausted: 0, reannounced: 0 };

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
    this.cancelRetry();
    await this.settled();
    const withdraw = this.options.announcer.current();
    await this.options.announcer.apply({ announce: [], withdraw }, this.state.links);
    if (withdraw.length > 0) this.options.logger.info({ withdrawn: withdraw.length }, 'withdrew every announcement on stop');
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      // Fold every queued event before planning: a burst of changes costs one plan, not one per event.
      const events = this.queue.splice(0);
      const causes: ReannounceCause[] = [];
      for (const event of events) {
        causes.push(...reannounceCauses(this.state, event));
        this.state = applyEvent(this.state, event);
      }
      if (this.stopped) return;
      const { desired, links } = this.state;
      if (desired !== null) this.planCache = planCacheFor(this.planCache, desired, links, this.options.defaultInterfaces);
      const plan = planFor(this.state, this.options.self, this.options.defaultInterfaces, this.planCache ?? undefined);
      const diff = diffAnnouncements(plan.announcements, this.options.announcer.current());
      let failures: AnnounceFailure[] | Error;
      try {
        failures = await this.options.announcer.apply(diff, this.state.links);
      } catch (err) {
        // Not one announcement failing (those are returned) but the apply itself: retried the same way.
        failures = err instanceof Error ? err : new Error(String(err));
      }
      this.reannounce(causes, diff);
      // A real change starts a fresh retry schedule: whatever fails now may be a new failure.
      if (events.some((e) => e.kind !== 'retry' && e.kind !== 'reannounce')) this.retryAttempt = 0;
      this.scheduleRetry(failures);
      this.logChanges(plan);
      for (const cb of this.planListeners) cb(plan, this.state);
    }
  }

  private reannounce(causes: readonly ReannounceCause[], diff: AnnouncementDiff): void {
    const again = reannouncements(this.options.announcer.current(), causes, diff.announce);
    if (again.length === 0) return;
    this.options.announcer.reannounce(again);
    this.stats.reannounced += again.length;
    this.options.logger.info({ causes, announcements: again.length }, 'sending the gratuitous burst again');
  }

  /**
   * After a failed apply, a timer enqueues a 'retry' event (STYLE.md §5: timers only enqueue), whose
   * plan makes the failed announcements again, since they are not in the announcer's current().
   */
  private scheduleRetry(failures: AnnounceFailure[] | Error): void {
    this.cancelRetry();
    if (this.stopped) return;
    const failed = failures instanceof Error || failures.length > 0;
    if (!failed) {
      if (this.retryAttempt > 0) this.options.logger.info({ retries: this.retryAttempt }, 'announcements recovered');
      this.retryAttempt = 0;
      return;
    }
    const delay = retryDelayMs(this.retryAttempt, this.options.retryDelaysMs);
    const next = { attempt: this.retryAttempt + 1, retryInMs: delay };
    if (failures instanceof Error) {
      this.options.logger.error({ err: failures, ...next }, 'applying announcements failed');
    } else {
      this.stats.announceFailures += failures.length;
      // The cause, not the wrapper: ip and ifname are fields already, and pino appends causes to the message.
      for (const f of failures) this.options.logger.warn({ ip: f.ip, ifname: f.ifname, err: f.error.cause ?? f.error, ...next }, 'announcing failed');
    }
    if (delay === null) {
      this.stats.retriesExhausted++;
      this.options.logger.error({ retries: this.retryAttempt }, 'announcing still fails after every retry; trying again on the next change');
      return;
    }
    this.retryAttempt++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.stats.retries++;
      this.enqueue({ kind: 'retry' });
    }, delay);
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private logChanges(plan: Plan): void {
    const next = new Map(plan.ips.map((p) => [p.ip, p]));
    for (const p of plan.ips) {
      const before = this.lastPlan.get(p.ip);
      if (before !== undefined && before.decision === p.decision && before.owner === p.owner
        && sameList(before.interfaces, p.interfaces)) continue;
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

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
