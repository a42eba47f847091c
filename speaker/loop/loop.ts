// The speaker's one serialized loop (STYLE.md §5): events are queued by their producers (source, membership,
// interface watcher, the loop's own retry timer), folded into the state in arrival order, and after each batch
// one plan is computed (state.ts, pure) and handed out: each mode's part to its driver, and to membership who the
// speakers are and which of them get fast heartbeats. Data flows one way: producers → queue → state → plan →
// drivers. Nothing calls back into the loop but enqueue().
import type { Logger } from '../../lib/log.js';
import { EMPTY_BGP_PLAN, type BgpPlan } from '../bgp/plan.js';
import type { AnnounceFailure } from '../layer2/announcer.js';
import type { Layer2Driver } from '../layer2/driver.js';
import type { ReannounceCause } from '../layer2/decide/reannounce.js';
import { ownedIps, type OwnedIp } from '../status/l2-status-plan.js';
import type { IpSpec } from '../source/types.js';
import { retryDelayMs } from './retry.js';
import { applyEvent, initialState, planFor, reannounceCauses, samePeers, type MembershipPlan, type SpeakerEvent, type SpeakerSettings, type SpeakerState } from './state.js';

/** What the loop tells membership (in one direction: membership only ever enqueues events). */
export interface MembershipPort {
  apply(plan: MembershipPlan): void;
}

/** BGP mode's driver (bgp/mode-driver.ts), as the loop sees it. */
export interface BgpModePort {
  apply(plan: BgpPlan): Promise<void>;
  /** Ends every session (the peers withdraw this node's routes). */
  stop(): Promise<void>;
}

/** Who is told, after every pass, what this node announces (the ServiceL2Status and ServiceBGPStatus writers). */
export interface StatusPort {
  /** `alive`: the speakers membership hears, so the writer can remove what a dead node could not. */
  report(owned: readonly OwnedIp[], alive: ReadonlySet<string>): void;
  /** What this node advertises by BGP (the plan given to the BGP driver), and the IPs' specs for their Services. */
  reportBgp?(plan: BgpPlan, ips: readonly IpSpec[], alive: ReadonlySet<string>): void;
  /** A peer had declared this node dead: it may have removed this node's status objects, which are read back. */
  peerHadUsDead?(): void;
}

export interface SpeakerLoopOptions extends SpeakerSettings {
  layer2: Layer2Driver;
  /** BGP mode; a speaker without it announces by layer 2 only. */
  bgp?: BgpModePort;
  membership: MembershipPort;
  status?: StatusPort;
  logger: Logger;
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
  private current: SpeakerState = initialState();
  private readonly queue: SpeakerEvent[] = [];
  private draining: Promise<void> | null = null;
  private stopped = false;
  /** The membership plan last handed out, so membership hears only of changes. */
  private told: MembershipPlan | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Timed retries scheduled since the last success or the last real change. */
  private retryAttempt = 0;
  readonly stats: LoopStats = { announceFailures: 0, retries: 0, retriesExhausted: 0, reannounced: 0 };

  constructor(private readonly options: SpeakerLoopOptions) {}

  /** The state as the last batch left it (read-only: for start-up checks and tests). */
  get state(): SpeakerState {
    return this.current;
  }

  enqueue(event: SpeakerEvent): void {
    if (this.stopped) return;
    this.queue.push(event);
    this.draining ??= this.drain();
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
    await this.stopBgp();
    const withdrawn = await this.options.layer2.withdrawAll(this.current.links);
    this.options.status?.report([], this.current.alive);
    this.options.status?.reportBgp?.(EMPTY_BGP_PLAN, [], this.current.alive);
    if (withdrawn > 0) this.options.logger.info({ withdrawn }, 'withdrew every announcement on stop');
  }

  /**
   * Applies queued events, one batch at a time, until none is left. Exactly one drain runs at a time: a driver may
   * enqueue synchronously while a batch is being planned (membership reports the quorum its new peers give it from
   * inside apply()), and that call must find `draining` already set, or a second drain would plan and apply beside
   * this one, and whichever apply finished last would win (a speaker that took quorum withdrew again: the lab's
   * "two of three die" test). So the body starts after one microtask, once `draining` holds this promise, and
   * clears it in the same turn as the last look at the queue, so no event can land in between and wait.
   */
  private async drain(): Promise<void> {
    await Promise.resolve();
    try {
      while (this.queue.length > 0) await this.applyBatch();
    } finally {
      this.draining = null;
    }
  }

  /** Folds every queued event into the state, plans once, and makes the plan true. */
  private async applyBatch(): Promise<void> {
    // Fold every queued event before planning: a burst of changes costs one plan, not one per event.
    const events = this.queue.splice(0);
    const causes: ReannounceCause[] = [];
    for (const event of events) {
      causes.push(...reannounceCauses(this.current, event));
      this.current = applyEvent(this.current, event, this.options);
    }
    if (this.stopped) return;
    const plan = planFor(this.current, this.options);
    if (plan.membership !== null && !sameMembershipPlan(this.told, plan.membership)) {
      this.told = plan.membership;
      this.options.membership.apply(plan.membership);
    }
    let failures: AnnounceFailure[] | Error;
    try {
      const outcome = await this.options.layer2.apply(plan.modes.layer2, { links: this.current.links, causes });
      failures = outcome.failures;
      this.stats.reannounced += outcome.reannounced;
    } catch (err) {
      // Not one announcement failing (those are returned) but the apply itself: retried the same way.
      failures = err instanceof Error ? err : new Error(String(err));
    }
    await this.applyBgp(plan.modes.bgp);
    this.options.status?.reportBgp?.(plan.modes.bgp, this.current.desired?.ips ?? [], this.current.alive);
    if (!(failures instanceof Error)) {
      this.options.status?.report(ownedIps(this.options.self, plan.modes.layer2.ips, this.current.desired?.ips ?? [], failures), this.current.alive);
    }
    // A real change starts a fresh retry schedule: whatever fails now may be a new failure.
    if (events.some((e) => e.kind !== 'retry' && e.kind !== 'reannounce')) this.retryAttempt = 0;
    this.scheduleRetry(failures);
  }

  /**
   * BGP's part. Its driver does not fail per IP (a session that is down sends when it comes up), so an error
   * here is a bug or a listener that cannot bind: logged, and the next pass tries again, without holding
   * layer 2 back.
   */
  private async applyBgp(plan: BgpPlan): Promise<void> {
    try {
      await this.options.bgp?.apply(plan);
    } catch (err) {
      this.options.logger.error({ err }, 'applying the BGP plan failed');
    }
  }

  private async stopBgp(): Promise<void> {
    try {
      await this.options.bgp?.stop();
    } catch (err) {
      this.options.logger.error({ err }, 'stopping BGP sessions failed');
    }
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
}

function sameMembershipPlan(a: MembershipPlan | null, b: MembershipPlan): boolean {
  if (a === null || a.fastTargets.size !== b.fastTargets.size) return false;
  if (!samePeers(a.peers, b.peers)) return false;
  for (const t of b.fastTargets) if (!a.fastTargets.has(t)) return false;
  return true;
}
