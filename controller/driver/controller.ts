// The controller's driver: one serialized event loop (STYLE.md §5). Informers and the leader elector only
// enqueue keys; the loop applies them to the pure core and writes back what the core decided, only
// where the cluster differs. Every leadership term starts from a fresh core rebuilt from the cluster
// (pools, namespaces, then every Service's recorded IPs) before anything new is allocated.
import type { KubeConfig, V1Service } from '@kubernetes/client-node';
import { serviceKey, type ControllerCore, type ControllerCoreOptions, type ServiceKey, type ServiceOutcome } from '../core-api.js';
import { API_VERSION, IPADDRESSPOOL_KIND } from '../../crds/v1beta1/index.js';
import type { Logger } from '../../lib/log.js';
import type { ControllerMetrics } from './metrics.js';
import { compareResourceVersions, describeError, isConflict, isNotFound } from '../../lib/kube/errors.js';
import { ClusterCaches, type ClusterChange } from './informers.js';
import { ClusterWriter, canonicalJson, serviceWritesNeeded } from './writes.js';
import { EventRecorder } from './event-recorder.js';
import { WorkQueue, type BackoffOptions } from './queue.js';

type ServiceWork = `svc:${ServiceKey}`;
type WorkKey = ServiceWork | 'term' | 'pools' | 'namespaces' | 'poolStatus';
const isServiceWork = (key: WorkKey): key is ServiceWork => key.startsWith('svc:');

/** Service writes in flight at once: enough to keep the apiserver busy, few enough to stay polite. */
const MAX_WRITES_IN_FLIGHT = 8;

export interface ControllerDriverOptions {
  kubeConfig: KubeConfig;
  /** Where the pools and the Lease live (herald-system). */
  namespace: string;
  identity: string;
  coreOptions: ControllerCoreOptions;
  createCore: (options: ControllerCoreOptions) => ControllerCore;
  logger: Logger;
  metrics: ControllerMetrics;
  backoff?: BackoffOptions;
  /** How long pool status writes wait to batch the changes of a burst of Services. */
  poolStatusDelayMs?: number;
  now?: () => number;
}

export class ControllerDriver {
  private readonly caches: ClusterCaches;
  private readonly writer: ClusterWriter;
  private readonly recorder: EventRecorder;
  private readonly queue: WorkQueue<WorkKey>;
  private readonly now: () => number;
  /** The core of the current leadership term; undefined while following. */
  private core: ControllerCore | undefined;
  private leading = false;
  /** Services as our own writes returned them, until the watch catches up (avoids writing twice). */
  private readonly written = new Map<ServiceKey, V1Service>();
  private readonly poolStatusWritten = new Map<string, string>();
  private poolStatusTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly opts: ControllerDriverOptions) {
    this.now = opts.now ?? Date.now;
    this.caches = new ClusterCaches(opts.kubeConfig, opts.namespace, opts.logger, (c) => this.onChange(c));
    this.writer = new ClusterWriter(opts.kubeConfig, opts.namespace);
    this.recorder = new EventRecorder({ kubeConfig: opts.kubeConfig, component: 'herald-controller', instance: opts.identity, logger: opts.logger });
    this.queue = new WorkQueue<WorkKey>(opts.backoff);
  }

  /** Starts the caches and the loop; writes begin only after startLeading(). */
  async start(): Promise<void> {
    this.loop = this.run();
    await this.caches.start();
  }

  async stop(): Promise<void> {
    this.stopLeading();
    this.queue.shutDown();
    if (this.poolStatusTimer) clearTimeout(this.poolStatusTimer);
    await this.loop;
    await this.caches.stop();
    await this.recorder.flush();
  }

  notReadyReason(): string | undefined {
    return this.caches.notSyncedReason();
  }

  isLeader(): boolean {
    return this.leading;
  }

  startLeading(): void {
    this.leading = true;
    this.opts.metrics.setLeader(true);
    this.queue.add('term');
  }

  stopLeading(): void {
    this.leading = false;
    this.core = undefined;
    this.opts.metrics.setLeader(false);
  }

  private onChange(change: ClusterChange): void {
    if (change.kind === 'service') {
      if (change.deleted) this.written.delete(change.key);
      this.queue.add(`svc:${change.key}`);
    } else {
      this.queue.add(change.kind);
    }
  }

  private async run(): Promise<void> {
    for (let key = await this.queue.next(); key !== undefined; key = await this.queue.next()) {
      if (isServiceWork(key)) {
        await this.startServiceWork(key);
        continue;
      }
      try {
        await this.handle(key);
      } catch (err) {
        this.failed(key, err);
      } finally {
        this.queue.done(key);
      }
    }
    await Promise.all(this.inflight);
  }

  private failed(key: WorkKey, err: unknown): void {
    this.opts.metrics.reconcileFailed();
    const delayMs = this.queue.retry(key);
    this.opts.logger.warn({ key, err: describeError(err), retryInMs: delayMs }, 'reconcile failed; will retry');
  }

  /**
   * Decides one Service now (the core is only ever touched here, in loop order) and lets its writes run
   * while the loop goes on, up to MAX_WRITES_IN_FLIGHT. The key stays "processing" until its writes end, so
   * a Service never has two writes in flight and an update arriving meanwhile is handled after them.
   */
  private async startServiceWork(work: ServiceWork): Promise<void> {
    const core = this.core;
    if (!core) {
      this.queue.done(work); // following, or the term's full sync has not run yet (it covers everything)
      return;
    }
    let writes: Promise<void>;
    try {
      writes = this.reconcileService(core, work.slice(4) as ServiceKey);
    } catch (err) {
      writes = Promise.reject(err);
    }
    const tracked = writes.catch((err: unknown) => this.failed(work, err)).finally(() => this.queue.done(work));
    this.inflight.add(tracked);
    void tracked.finally(() => this.inflight.delete(tracked));
    while (this.inflight.size >= MAX_WRITES_IN_FLIGHT) await Promise.race(this.inflight);
  }

  private async handle(key: WorkKey): Promise<void> {
    if (key === 'term') return this.beginTerm();
    const core = this.core;
    if (!core) return; // following, or the term's full sync has not run yet (it covers everything)
    if (key === 'pools') {
      const update = core.setPools(this.caches.allPools(), this.now());
      for (const k of update.servicesToReprocess) this.queue.add(`svc:${k}`);
      this.enqueuePending(core);
      this.schedulePoolStatus(0);
    } else if (key === 'namespaces') {
      core.setNamespaces(this.caches.allNamespaces());
      this.enqueuePending(core);
    } else if (key === 'poolStatus') {
      await this.writePoolStatuses(core);
    }
  }

  /** A new term: rebuild the core from the caches, restore every recorded IP, then reconcile everything. */
  private async beginTerm(): Promise<void> {
    if (!this.leading) return;
    const started = this.now();
    const core = this.opts.createCore(this.opts.coreOptions);
    core.setNamespaces(this.caches.allNamespaces());
    core.setPools(this.caches.allPools(), this.now());
    const services = [...this.caches.allServices()];
    core.restore(services);
    this.core = core;
    this.poolStatusWritten.clear();
    await this.writePoolStatuses(core);
    for (const svc of services) {
      if (this.core !== core) return; // lost leadership mid-way
      const work: ServiceWork = `svc:${serviceKey(svc)}`;
      if (this.queue.claim(work)) await this.startServiceWork(work);
    }
    this.enqueuePending(core);
    this.opts.logger.info({ services: services.length, ms: this.now() - started }, 'leadership term synced');
  }

  private enqueuePending(core: ControllerCore): void {
    for (const k of core.pending()) this.queue.add(`svc:${k}`);
  }

  /** The freshest copy we know of: the informer's, or the one our last write returned if that is newer. */
  private current(key: ServiceKey): V1Service | undefined {
    const cached = this.caches.service(key);
    const ours = this.written.get(key);
    if (!cached || !ours) return cached;
    const order = compareResourceVersions(cached.metadata?.resourceVersion, ours.metadata?.resourceVersion);
    if (order === null || order >= 0) {
      this.written.delete(key);
      return cached;
    }
    return ours;
  }

  /** Decides synchronously; the returned promise is the writes. */
  private reconcileService(core: ControllerCore, key: ServiceKey): Promise<void> {
    const svc = this.current(key);
    const outcome = core.reconcile(key, svc);
    this.opts.metrics.reconciled(outcome.result);
    const work: WorkKey = `svc:${key}`;
    if (outcome.result === 'retry') this.queue.retry(work);
    else this.queue.forget(work);
    if (outcome.result === 'reprocessAll') this.enqueuePending(core);
    this.schedulePoolStatus(this.opts.poolStatusDelayMs ?? 250);
    if (!svc) return Promise.resolve();
    this.recordServiceEvents(svc, outcome);
    return this.applyService(core, key, svc, outcome);
  }

  private async applyService(core: ControllerCore, key: ServiceKey, svc: V1Service, outcome: ServiceOutcome): Promise<void> {
    const needed = serviceWritesNeeded(svc, outcome);
    if (this.core !== core) return;
    try {
      let latest = svc;
      if (needed.status) latest = await this.writer.writeIngress(latest, outcome.ingress);
      if (needed.annotation) latest = await this.writer.writePoolAnnotation(latest, outcome.poolAnnotation);
      if (latest !== svc) this.written.set(key, latest);
    } catch (err) {
      if (isNotFound(err)) return; // deleted meanwhile: the watch brings the delete, which releases
      if (!isConflict(err)) throw err;
      // Our copy was stale: read it again and decide once more from what the cluster really has.
      const [namespace = '', name = ''] = key.split('/');
      const fresh = await this.writer.readService(namespace, name).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
      if (fresh) this.written.set(key, fresh);
      this.queue.add(`svc:${key}`);
    }
  }

  private recordServiceEvents(svc: V1Service, outcome: ServiceOutcome): void {
    const meta = svc.metadata ?? {};
    const object = { apiVersion: 'v1', kind: 'Service', namespace: meta.namespace ?? '', name: meta.name ?? '', uid: meta.uid };
    for (const e of outcome.events) this.recorder.record({ object, type: e.type, reason: e.reason, message: e.message });
  }

  private schedulePoolStatus(delayMs: number): void {
    if (this.poolStatusTimer) return;
    this.poolStatusTimer = setTimeout(() => {
      this.poolStatusTimer = undefined;
      this.queue.add('poolStatus');
    }, delayMs);
    this.poolStatusTimer.unref();
  }

  private async writePoolStatuses(core: ControllerCore): Promise<void> {
    const outcomes = core.poolStatuses(this.now());
    this.opts.metrics.setPools(outcomes);
    for (const outcome of outcomes) {
      const pool = this.caches.pool(outcome.name);
      if (!pool) continue;
      const object = { apiVersion: API_VERSION, kind: IPADDRESSPOOL_KIND, namespace: this.opts.namespace, name: outcome.name, uid: pool.metadata.uid };
      for (const e of outcome.events) this.recorder.record({ object, type: e.type, reason: e.reason, message: e.message });
      const desired = canonicalJson(outcome.status);
      const writtenKey = `${pool.metadata.uid ?? ''}/${outcome.name}`;
      // What we last wrote is what the cluster has, even before the watch shows it to us.
      if (desired === (this.poolStatusWritten.get(writtenKey) ?? canonicalJson(pool.status ?? {}))) continue;
      if (this.core !== core) return;
      try {
        await this.writer.writePoolStatus(pool, outcome.status);
        this.poolStatusWritten.set(writtenKey, desired);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
}
