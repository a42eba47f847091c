// A pool of spare real control planes for the real-backend test pass. Starting one (etcd, kube-apiserver,
// kube-controller-manager, its own PKI) takes ~4 s and stopping it ~1 s; suites start one per test. The pool starts
// the next one while a test runs, so a test gets a brand-new, never-used control plane at once, and a released one
// is stopped in the background. Nothing is ever reused or reset: isolation is what the suites rely on.
// The pool itself only orders starts and stops; pool-daemon.ts gives it the real starter and a socket.
import type { ControlPlaneState } from './controlplane.js';

export interface PoolDrivers {
  /** Starts a brand-new control plane (in a folder of its own). */
  start(): Promise<ControlPlaneState>;
  /** Ends the processes of the control plane run from `dir` and removes the folder. */
  stop(dir: string): Promise<void>;
}

export class ControlPlanePool {
  private readonly spares: Promise<ControlPlaneState>[] = [];
  /** Starts run one after another: on two cores a second concurrent start would only slow the running test more. */
  private startChain: Promise<unknown> = Promise.resolve();
  /** The state folder of every control plane started and not yet being stopped: spares and handed-out ones. */
  private readonly live = new Set<string>();
  private readonly handedOut = new Set<string>();
  private readonly stopping = new Map<string, Promise<void>>();
  private readonly stopFailures: string[] = [];
  private closing = false;

  constructor(private readonly drivers: PoolDrivers, readonly spareCount: number) {
    if (!Number.isInteger(spareCount) || spareCount < 1) throw new Error(`a control-plane pool needs at least 1 spare, not ${spareCount}`);
  }

  /** Starts spares until `spareCount` are ready or starting. */
  fill(): void {
    while (!this.closing && this.spares.length < this.spareCount) this.spares.push(this.startSpare());
  }

  private startSpare(): Promise<ControlPlaneState> {
    const started = this.startChain.then(async () => {
      if (this.closing) throw new Error('the control-plane pool is shutting down');
      const state = await this.drivers.start();
      this.live.add(state.dir);
      return state;
    });
    this.startChain = started.catch(() => undefined);
    // A spare that failed to start is reported to the take that gets it, not as an unhandled rejection now.
    started.catch(() => undefined);
    return started;
  }

  /** A control plane nobody has used; a replacement starts at once. */
  async take(): Promise<ControlPlaneState> {
    if (this.closing) throw new Error('the control-plane pool is shutting down: no more control planes');
    const next = this.spares.shift() ?? this.startSpare();
    this.fill();
    const state = await next;
    this.handedOut.add(state.dir);
    return state;
  }

  /** Gives back a handed-out control plane; it is stopped in the background (shutdown waits for it). */
  release(dir: string): void {
    if (!this.handedOut.delete(dir)) throw new Error(`"${dir}" is not a control plane this pool handed out, or it was released already`);
    void this.stopInBackground(dir);
  }

  private stopInBackground(dir: string): Promise<void> {
    const already = this.stopping.get(dir);
    if (already) return already;
    this.live.delete(dir);
    const stopped = this.drivers.stop(dir)
      .catch((err: unknown) => { this.stopFailures.push(`${dir}: ${err instanceof Error ? err.message : String(err)}`); })
      .finally(() => this.stopping.delete(dir));
    this.stopping.set(dir, stopped);
    return stopped;
  }

  /** Stops every control plane this pool started (spares, handed-out, starting) and resolves once all have ended. */
  async shutdown(): Promise<void> {
    this.closing = true;
    await this.startChain;
    this.handedOut.clear();
    for (const dir of [...this.live]) void this.stopInBackground(dir);
    await Promise.all(this.stopping.values());
    if (this.stopFailures.length > 0) throw new Error(`the pool could not stop every control plane:\n${this.stopFailures.join('\n')}`);
  }

  /** What the pool holds now (for its test and its log). */
  counts(): { spares: number; handedOut: number; stopping: number } {
    return { spares: this.spares.length, handedOut: this.handedOut.size, stopping: this.stopping.size };
  }
}
