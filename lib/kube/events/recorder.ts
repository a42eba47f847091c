// Writes core/v1 Events (what `kubectl describe` lists) for the core's decisions. Writing happens off the
// reconcile loop, in order per aggregated Event and a few at a time, like kube's broadcaster: a slow events
// endpoint must not slow allocation. A full backlog drops events (kube drops them too) and says so.
// Events go out as plain JSON and their answers are not read (lib/kube/request.ts): nothing needs them.
// Each new event (not a repeat, which only bumps a count) is logged at debug: the decisions behind them have their
// own info lines (decision-log.ts), and a warning that no decision covers (WrongNamespace) is logged by its caller.
import { HttpMethod, type CoreV1Event, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../log.js';
import { describeError, isNotFound } from '../errors.js';
import { apiText, mergePatchRequest } from '../request.js';
import { EventAggregator, type EventAction, type Occurrence } from './aggregator.js';
import { boundedMessage } from '../../config/messages.js';
import { systemClock, type Clock } from '../../clock.js';

export interface EventRecorderOptions {
  kubeConfig: KubeConfig;
  component: string;
  instance: string;
  logger: Logger;
  maxInFlight?: number;
  maxBacklog?: number;
  /** Wall time for timestamps and decisions (lib/clock.ts); the system clock by default. */
  clock?: Pick<Clock, 'wallMs'>;
}

export class EventRecorder {
  private readonly aggregator = new EventAggregator();
  private readonly chains = new Map<string, Promise<void>>();
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private backlog = 0;
  private dropped = 0;
  private readonly clock: Pick<Clock, 'wallMs'>;

  constructor(private readonly opts: EventRecorderOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  /** Queues `o`; its message is cut to MESSAGE_MAX_BYTES (kube's note limit) before it is logged, keyed or kept. */
  record(occurrence: Occurrence): void {
    const o = { ...occurrence, message: boundedMessage(occurrence.message) };
    if (this.backlog >= (this.opts.maxBacklog ?? 10_000)) {
      if (this.dropped++ % 1000 === 0) this.opts.logger.warn({ dropped: this.dropped }, 'event backlog full; dropping events');
      return;
    }
    const action = this.aggregator.next(o, this.clock.wallMs());
    if (action.action === 'create') this.log(o);
    this.backlog++;
    const prior = this.chains.get(action.key) ?? Promise.resolve();
    const chain = prior.then(() => this.withSlot(() => this.write(o, action))).finally(() => {
      this.backlog--;
      if (this.chains.get(action.key) === chain) this.chains.delete(action.key);
    });
    this.chains.set(action.key, chain);
  }

  /** Resolves when every event recorded so far has been written (or has failed). */
  async flush(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private log(o: Occurrence): void {
    this.opts.logger.debug({ object: `${o.object.kind} ${o.object.namespace}/${o.object.name}`, type: o.type, reason: o.reason }, o.message);
  }

  private async withSlot(fn: () => Promise<void>): Promise<void> {
    if (this.inFlight >= (this.opts.maxInFlight ?? 4)) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
    try {
      await fn();
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }

  private async write(o: Occurrence, action: EventAction): Promise<void> {
    const namespace = o.object.namespace;
    const events = `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`;
    const nowIso = new Date(this.clock.wallMs()).toISOString();
    try {
      if (action.action === 'bump') {
        try {
          const body = { count: action.count, lastTimestamp: nowIso };
          await apiText(this.opts.kubeConfig, mergePatchRequest(`${events}/${encodeURIComponent(action.name)}`, body));
          return;
        } catch (err) {
          if (!isNotFound(err)) throw err;
          this.aggregator.forget(action.key);
        }
      }
      await apiText(this.opts.kubeConfig, { method: HttpMethod.POST, path: events, body: this.eventBody(o, action) });
    } catch (err) {
      this.opts.logger.warn({ err: describeError(err), reason: o.reason, object: `${o.object.kind} ${namespace}/${o.object.name}` }, 'could not write event');
    }
  }

  private eventBody(o: Occurrence, action: EventAction): CoreV1Event {
    const now = new Date(this.clock.wallMs());
    return {
      metadata: { name: action.name, namespace: o.object.namespace },
      involvedObject: { ...o.object },
      type: o.type,
      reason: o.reason,
      message: o.message,
      count: action.count,
      firstTimestamp: new Date(action.firstMs),
      lastTimestamp: now,
      source: { component: this.opts.component },
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.instance,
    };
  }
}
