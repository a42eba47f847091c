// Leader election on a coordination.k8s.io/v1 Lease (client-node has none). The decisions are in
// decide.ts; this class owns the timer, the API calls and a watch on the Lease, so a follower sees a
// release (or the exact moment of the holder's last renewal) at once instead of on its next poll.
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from '../../log.js';
import { describeError, isNotFound } from '../errors.js';
import { ResilientInformer } from '../informer.js';
import {
  claimSpec, decide, initialState, mustStepDown, observe, releaseSpec, validateTimings,
  type ElectionTimings, type ElectorState, type LeaseRecord, type LeaseSpecFields,
} from './decide.js';
import { systemClock, type Clock } from '../../clock.js';

export interface LeaderElectorOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  identity: string;
  timings: ElectionTimings;
  logger: Logger;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  /** Wall time for timestamps and decisions (lib/clock.ts); the system clock by default. */
  clock?: Pick<Clock, 'wallMs'>;
}

function recordOf(lease: V1Lease | undefined): LeaseRecord | undefined {
  if (!lease) return undefined;
  return {
    holderIdentity: lease.spec?.holderIdentity,
    leaseDurationSeconds: lease.spec?.leaseDurationSeconds,
    leaseTransitions: lease.spec?.leaseTransitions,
    resourceVersion: lease.metadata?.resourceVersion ?? '',
  };
}

function specOf(fields: LeaseSpecFields): V1Lease['spec'] {
  return {
    holderIdentity: fields.holderIdentity,
    leaseDurationSeconds: fields.leaseDurationSeconds,
    acquireTime: new V1MicroTime(fields.acquireTimeMs),
    renewTime: new V1MicroTime(fields.renewTimeMs),
    leaseTransitions: fields.leaseTransitions,
  };
}

export class LeaderElector {
  private state: ElectorState;
  private leading = false;
  private acquiredAtMs: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private api: CoordinationV1Api | undefined;
  private informer: ResilientInformer<V1Lease> | undefined;
  private readonly clock: Pick<Clock, 'wallMs'>;

  constructor(private readonly opts: LeaderElectorOptions) {
    validateTimings(opts.timings);
    this.state = initialState(opts.identity);
    this.clock = opts.clock ?? systemClock;
  }

  isLeader(): boolean {
    return this.leading;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.api = this.opts.kubeConfig.makeApiClient(CoordinationV1Api);
    await this.startWatch();
    this.poke();
  }

  /** Try now instead of at the next tick (a release was seen, or a test wants it). */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.attempt().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.poke();
      }
    });
  }

  /** Stops electing; a leader that `release`s clears the holder so a follower takes over without waiting. */
  async stop(opts: { release: boolean }): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.informer?.stop().catch(() => undefined);
    if (this.leading && opts.release) await this.release();
    if (this.leading) this.stepDown('stopped');
  }

  private async startWatch(): Promise<void> {
    const api = this.requireApi();
    const { namespace, name } = this.opts;
    const path = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`;
    const informer = new ResilientInformer<V1Lease>(this.opts.kubeConfig, 'leases', path,
      () => api.listNamespacedLease({ namespace, fieldSelector: `metadata.name=${name}` }), this.opts.logger,
      { fieldSelector: `metadata.name=${name}`, maxDelayMs: this.opts.timings.retryPeriodMs });
    const onChange = (lease: V1Lease): void => {
      if (lease.metadata?.name === name && lease.spec?.holderIdentity !== this.opts.identity) this.poke();
    };
    // The watch only makes takeover faster; polling every retry period works without it.
    informer.informer.on('add', onChange);
    informer.informer.on('update', onChange);
    informer.informer.on('delete', onChange);
    this.informer = informer;
    await informer.start().catch((err: unknown) => this.opts.logger.warn({ err: describeError(err) }, 'lease watch did not start'));
  }

  private requireApi(): CoordinationV1Api {
    if (!this.api) throw new Error(`leader elector for lease "${this.opts.name}" used before start()`);
    return this.api;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poke(), Math.max(0, delayMs));
  }

  private async read(): Promise<V1Lease | undefined> {
    try {
      return await this.requireApi().readNamespacedLease({ name: this.opts.name, namespace: this.opts.namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async attempt(): Promise<void> {
    const { timings, logger } = this.opts;
    let next = timings.retryPeriodMs;
    try {
      const lease = await this.read();
      const record = recordOf(lease);
      const nowMs = this.clock.wallMs();
      this.state = observe(this.state, record, nowMs);
      const decision = decide(this.state, record, nowMs);
      if (decision.action === 'wait') {
        if (this.leading) this.stepDown(`lease now held by "${decision.holder}"`);
        // Wake up right when the holder's claim runs out rather than up to a retry period later.
        next = Math.min(timings.retryPeriodMs, decision.expiresInMs + 1);
      } else {
        const written = await this.claim(lease, record, nowMs);
        this.onClaimed(written, nowMs, decision.action);
      }
    } catch (err) {
      logger.debug({ err: describeError(err), lease: this.opts.name }, 'lease attempt failed');
    }
    if (this.leading && mustStepDown(this.state, this.clock.wallMs(), timings)) this.stepDown('could not renew within the renew deadline');
    this.schedule(next);
  }

  private async claim(lease: V1Lease | undefined, record: LeaseRecord | undefined, nowMs: number): Promise<V1Lease> {
    const spec = specOf(claimSpec(this.state, record, nowMs, this.opts.timings, this.acquiredAtMs));
    const { name, namespace } = this.opts;
    const api = this.requireApi();
    if (!lease) return api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec } });
    // replace carries the resourceVersion we read: a concurrent writer makes this fail with 409.
    return api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec } });
  }

  private onClaimed(written: V1Lease, nowMs: number, action: string): void {
    this.state = { ...observe(this.state, recordOf(written), nowMs), lastRenewMs: nowMs };
    if (this.leading) return;
    this.leading = true;
    this.acquiredAtMs = nowMs;
    this.opts.logger.info({ lease: this.opts.name, identity: this.opts.identity, action }, 'became leader');
    this.opts.onStartedLeading();
  }

  private stepDown(why: string): void {
    this.leading = false;
    this.acquiredAtMs = undefined;
    this.state = { ...this.state, lastRenewMs: undefined };
    const level = why === 'stopped' ? 'info' : 'warn';
    this.opts.logger[level]({ lease: this.opts.name, identity: this.opts.identity, why }, 'stopped leading');
    this.opts.onStoppedLeading();
  }

  private async release(): Promise<void> {
    try {
      const lease = await this.read();
      const record = recordOf(lease);
      if (!lease || !record || record.holderIdentity !== this.opts.identity) return;
      const spec = specOf(releaseSpec(record, this.clock.wallMs()));
      await this.requireApi().replaceNamespacedLease({ name: this.opts.name, namespace: this.opts.namespace, body: { ...lease, spec } });
      this.opts.logger.info({ lease: this.opts.name }, 'released the lease');
    } catch (err) {
      this.opts.logger.warn({ err: describeError(err) }, 'could not release the lease; the other replica waits for it to expire');
    }
  }
}
