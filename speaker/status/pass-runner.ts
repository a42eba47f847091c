// Runs a writer's pass off the loop, one at a time: a kick while a pass runs asks for one more pass after it (what
// the pass writes is always the latest wish), and a pass that fails is tried again with backoff. A stop cancels
// the retry, makes a pass still settling at once, and waits for the pass in flight.
//
// With settleMs, a kick that finds the runner idle waits that long before its pass. A takeover's gratuitous ARP
// goes out first and the client's first requests reach the new owner in the next few ms; the status writes the
// takeover causes (objects, events, a condition, and the apiserver's and every informer's work on them) would
// otherwise run on the same cores at that moment. It also folds a burst of changes into one pass.
import type { Clock, TimerHandle } from '../../lib/clock.js';
import { describeError } from '../../lib/kube/errors.js';
import type { Logger } from '../../lib/log.js';

const RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000];
/** The speaker's status writers' settleMs: well past a takeover's first requests, far under what a person notices. */
export const STATUS_SETTLE_MS = 50;

/** A writer's option to settle before its passes; every writer built on a PassRunner takes it. */
export interface SettleOption {
  /** How long a first change waits before its writes; 0 or unset: none. */
  settleMs?: number;
}

export class PassRunner {
  private running: Promise<void> | null = null;
  private dirty = false;
  private attempt = 0;
  /** A retry's backoff, or a settling kick's wait (`settling` says which). */
  private timer: TimerHandle | null = null;
  private settling = false;
  private stopped = false;

  /** `failure`: the log line when a pass fails (the error and the retry delay are fields of it). */
  constructor(private readonly pass: () => Promise<void>,
    private readonly o: SettleOption & { clock: Clock; logger: Logger; failure: string }) {}

  kick(): void {
    if (this.stopped) return;
    this.dirty = true;
    if (this.running !== null || this.timer !== null) return;
    const settleMs = this.o.settleMs ?? 0;
    if (settleMs === 0) return this.run();
    this.settling = true;
    this.timer = this.o.clock.setTimer(() => {
      this.timer = null;
      this.settling = false;
      this.run();
    }, settleMs);
  }

  private run(): void {
    this.running = this.passes().finally(() => { this.running = null; });
  }

  /** Resolves when the passes asked for so far are done or one has failed. */
  async settled(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const settling = this.settling;
    this.timer?.cancel();
    this.timer = null;
    this.settling = false;
    if (settling) this.run();
    await this.settled();
  }

  private async passes(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      try {
        await this.pass();
        this.attempt = 0;
      } catch (err) {
        if (this.stopped) return;
        const delay = RETRY_MS[Math.min(this.attempt, RETRY_MS.length - 1)] ?? 30_000;
        this.attempt++;
        this.o.logger.warn({ err: describeError(err), retryInMs: delay }, this.o.failure);
        this.timer = this.o.clock.setTimer(() => {
          this.timer = null;
          this.kick();
        }, delay);
        return;
      }
    }
  }
}
