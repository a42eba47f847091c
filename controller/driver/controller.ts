// The controller's driver: one serialized event loop (STYLE.md §5). Informers and the leader elector only
// enqueue keys; the loop applies them to the pure core and writes back what the core decided, only
// where the cluster differs. Every leadership term starts from a fresh core rebuilt from the cluster
// (pools, namespaces, then every Service's recorded IPs) before anything new is allocated.
// Each object's writes run on its own key (a Service, a pool's status), a bounded number at once: a write that
// fails is retried with that key's own backoff, and never delays or blocks the writes of other objects.
// The leader also keeps the speakers' heartbeat key Secret in existence (heartbeat-secret.ts), as one more such write,
// and writes every L2Advertisement's Ready condition (reconcile/advertisement-status.ts decides it) and every BGP
// object's (reconcile/bgp-status.ts; BGPPeer, BGPAdvertisement, BFDProfile, Community) as pools' are written.
import type { KubeConfig, V1Service } from '@kubernetes/client-node';
import { serviceKey, type ControllerCore, type ControllerCoreOptions, type CoreEvent, type ServiceKey, type ServiceOutcome } from '../core-api.js';
import { API_VERSION, IPADDRESSPOOL_KIND, L2ADVERTISEMENT_KIND, type L2Advertisement, type L2AdvertisementStatus } from '../../crds/v1beta1/index.js';
import type { Logger } from '../../lib/log.js';
import type { ControllerMetrics } from './metrics.js';
import { compareResourceVersions, isConflict, isNotFound, isUidMismatch } from '../../lib/kube/errors.js';
import { apiFailure } from '../../lib/kube/status.js';
import { ClusterCaches, type ClusterChange } from './informers.js';
import { ClusterWriter, servicePatch } from './writes.js';
import { EventRecorder } from '../../lib/kube/events/recorder.js';
import { logAdvertisementReadiness, logBGPReadiness, logDecision, logReadiness } from './decision-log.js';
import { BGPStatusBooks } from './bgp-status.js';
import { WorkQueue, type BackoffOptions } from './queue.js';
import { PoolStatusBook } from './pool-status.js';
import { StatusBook, type PlannedWrite, type StatusObject } from './status-book.js';
import {
  bgpObjectOf, failureLogFields, isAdvertisementWork, isBGPWork, isPoolWork, isServiceWork, isStale, isStrayWork, retryOptions,
  type AdvertisementWork, type BGPWork, type PoolWork, type ServiceWork, type WorkKey,
} from './work.js';
import { StrayPoolCache, type StrayPoolKey } from './stray-pools.js';
import { HeartbeatSecret } from './heartbeat-secret.js';
import { advertisementOutcomes, rememberWrittenConditions, wrongNamespaceEvent, type ReadyMemory } from '../reconcile/index.js';
import { systemClock, type Clock } from '../../lib/clock.js';

/** Writes in flight at once (Services and pool statuses): enough to keep the apiserver busy, few enough to stay polite. */
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
  /** Wall time for timestamps and decisions (lib/clock.ts); the system clock by default. */
  clock?: Pick<Clock, 'wallMs'>;
}

export class ControllerDriver {
  private readonly caches: ClusterCaches;
  /** Pools outside the namespace: reported, never used; never holds up readiness. */
  private readonly strays: StrayPoolCache;
  /** The speakers' heartbeat key Secret: watched by every replica, created by the leader. */
  private readonly heartbeatSecret: HeartbeatSecret;
  private readonly writer: ClusterWriter;
  private readonly recorder: EventRecorder;
  private readonly queue: WorkQueue<WorkKey>;
  private readonly clock: Pick<Clock, 'wallMs'>;
  /** The core of the current leadership term; undefined while following. */
  private core: ControllerCore | undefined;
  private leading = false;
  /** Services as our own writes returned them, until the watch catches up (avoids writing twice). */
  private readonly written = new Map<ServiceKey, V1Service>();
  private readonly poolStatus = new PoolStatusBook();
  private readonly advertisementStatus = new StatusBook<L2AdvertisementStatus, L2Advertisement>();
  /** The Ready condition last reported per L2Advertisement in this term (advertisement-status.ts). */
  private advertisementReady: ReadyMemory = new Map();
  /** BGPPeers', BGPAdvertisements', BFDProfiles' and Communities' status books and Ready memory (bgp-status.ts). */
  private readonly bgpStatus = new BGPStatusBooks();
  private poolStatusTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly opts: ControllerDriverOptions) {
    this.clock = opts.clock ?? systemClock;
    this.caches = new ClusterCaches(opts.kubeConfig, opts.namespace, opts.logger, (c) => this.onChange(c));
    this.strays = new StrayPoolCache({ kubeConfig: opts.kubeConfig, namespace: opts.namespace, logger: opts.logger, onChange: (key) => this.queue.add(`stray:${key}`) });
    this.heartbeatSecret = new HeartbeatSecret({
      kubeConfig: opts.kubeConfig, namespace: opts.namespace, logger: opts.logger, onMissing: () => this.queue.add('heartbeatSecret'),
    });
    this.writer = new ClusterWriter(opts.kubeConfig, opts.namespace);
    this.recorder = new EventRecorder({ kubeConfig: opts.kubeConfig, component: 'herald-controller', instance: opts.identity, logger: opts.logger });
    this.queue = new WorkQueue<WorkKey>(opts.backoff);
  }

  /** Starts the caches and the loop; writes begin only after startLeading(). */
  async start(): Promise<void> {
    this.loop = this.run();
    this.strays.start();
    this.heartbeatSecret.start();
    await this.caches.start();
  }

  async stop(): Promise<void> {
    this.stopLeading();
    this.queue.shutDown();
    if (this.poolStatusTimer) clearTimeout(this.poolStatusTimer);
    await this.loop;
    await Promise.all([this.caches.stop(), this.strays.stop(), this.heartbeatSecret.stop()]);
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
    // Not part of the term's sync: the speakers wait for this key, not for the Services.
    this.queue.add('heartbeatSecret');
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
    } else if (change.kind === 'advertisements' || change.kind === 'speakers') {
      this.queue.add('advertisementStatus');
    } else if (change.kind === 'bgp') {
      this.queue.add('bgpStatus');
    } else {
      this.queue.add(change.kind);
    }
  }

  private async run(): Promise<void> {
    for (let key = await this.queue.next(); key !== undefined; key = await this.queue.next()) {
      if (isServiceWork(key) || isPoolWork(key) || isAdvertisementWork(key) || isBGPWork(key)) {
        await this.startWrites(key);
        continue;
      }
      if (key === 'heartbeatSecret') {
        this.startHeartbeatSecret();
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

  /** `key` failed: it comes back after its own backoff, stretched as the server's answer asks for (work.ts). */
  private failed(key: WorkKey, err: unknown): void {
    this.opts.metrics.reconcileFailed();
    const failure = apiFailure(err);
    const delayMs = this.queue.retry(key, retryOptions(failure));
    const fields = failureLogFields(key, this.opts.namespace, failure, delayMs);
    if (isStale(failure)) this.opts.logger.info(fields, 'stale write refused; re-read, will retry');
    else this.opts.logger.warn(fields, 'write failed; will retry');
  }

  /**
   * Decides one Service (the core is only ever touched here, in loop order), or takes a pool's latest status, and
   * lets the writes run while the loop goes on, up to MAX_WRITES_IN_FLIGHT. The key stays "processing" until its
   * writes end, so an object never has two writes in flight and an update arriving meanwhile is handled after them.
   */
  private async startWrites(work: ServiceWork | PoolWork | AdvertisementWork | BGPWork): Promise<void> {
    const core = this.core;
    if (!core) {
      this.queue.done(work); // following, or the term's full sync has not run yet (it covers everything)
      return;
    }
    let writes: Promise<void>;
    try {
      writes = isServiceWork(work) ? this.reconcileService(core, work.slice('svc:'.length) as ServiceKey)
        : isPoolWork(work) ? this.writePoolStatus(core, work.slice('pool:'.length))
          : isAdvertisementWork(work) ? this.writeAdvertisementStatus(core, work.slice('l2adv:'.length))
            : this.writeBGPStatus(core, work);
    } catch (err) {
      writes = Promise.reject(err);
    }
    const tracked = writes.catch((err: unknown) => this.failed(work, err)).finally(() => this.queue.done(work));
    this.inflight.add(tracked);
    void tracked.finally(() => this.inflight.delete(tracked));
    while (this.inflight.size >= MAX_WRITES_IN_FLIGHT) await Promise.race(this.inflight);
  }

  /**
   * Creates the heartbeat key Secret if it is missing, while the loop goes on: a slow or failing API server delays
   * nothing else. A failure comes back after the key's backoff, with the server's reason in the log (failed()).
   */
  private startHeartbeatSecret(): void {
    const work = 'heartbeatSecret';
    if (!this.leading) {
      this.queue.done(work); // a follower never creates it; startLeading() asks again
      return;
    }
    const tracked = this.heartbeatSecret.ensure()
      .then(() => this.queue.forget(work), (err: unknown) => this.failed(work, err))
      .finally(() => this.queue.done(work));
    this.inflight.add(tracked);
    void tracked.finally(() => this.inflight.delete(tracked));
  }

  private async handle(key: WorkKey): Promise<void> {
    if (key === 'term') return this.beginTerm();
    const core = this.core;
    if (!core) return; // following, or the term's full sync has not run yet (it covers everything)
    if (key === 'pools') {
      const update = core.setPools(this.caches.allPools(), this.clock.wallMs());
      for (const k of update.servicesToReprocess) this.queue.add(`svc:${k}`);
      this.enqueuePending(core);
      this.schedulePoolStatus(0);
      this.queue.add('advertisementStatus'); // a pool may now be selected, or no longer
      this.queue.add('bgpStatus'); // aggregation lengths and localPref conflicts are judged against the pools
    } else if (key === 'namespaces') {
      core.setNamespaces(this.caches.allNamespaces());
      this.enqueuePending(core);
    } else if (key === 'poolStatus') {
      this.planPoolStatuses(core);
    } else if (key === 'advertisementStatus') {
      this.planAdvertisementStatuses();
    } else if (key === 'bgpStatus') {
      this.planBGPStatuses();
    } else if (isStrayWork(key)) {
      this.reportStray(key.slice('stray:'.length) as StrayPoolKey);
    }
  }

  /** A pool outside the namespace: a Warning event on it, and a log line, saying where pools must live. */
  private reportStray(key: StrayPoolKey): void {
    const pool = this.strays.pool(key);
    const event = pool && wrongNamespaceEvent(pool, this.opts.namespace);
    if (!pool || !event) return;
    const meta = pool.metadata;
    const object = { apiVersion: API_VERSION, kind: IPADDRESSPOOL_KIND, namespace: meta.namespace ?? '', name: meta.name ?? '', uid: meta.uid };
    this.opts.logger.warn({ object: `${IPADDRESSPOOL_KIND} ${key}`, reason: event.reason }, event.message);
    this.recorder.record({ object, ...event });
  }

  /** A new term: rebuild the core from the caches, restore every recorded IP, then reconcile everything. */
  private async beginTerm(): Promise<void> {
    if (!this.leading) return;
    const started = this.clock.wallMs();
    const core = this.opts.createCore(this.opts.coreOptions);
    core.setNamespaces(this.caches.allNamespaces());
    core.setPools(this.caches.allPools(), this.clock.wallMs());
    const services = [...this.caches.allServices()];
    core.restore(services);
    this.core = core;
    this.poolStatus.clear();
    for (const [name] of this.planPoolStatuses(core, false)) {
      const work: PoolWork = `pool:${name}`;
      if (this.queue.claim(work)) await this.startWrites(work);
    }
    this.advertisementStatus.clear();
    this.advertisementReady = new Map();
    for (const [name] of this.planAdvertisementStatuses(false)) {
      const work: AdvertisementWork = `l2adv:${name}`;
      if (this.queue.claim(work)) await this.startWrites(work);
    }
    this.bgpStatus.clear();
    for (const [ref] of this.planBGPStatuses(false)) {
      const work: BGPWork = `bgp:${ref}` as BGPWork;
      if (this.queue.claim(work)) await this.startWrites(work);
    }
    for (const svc of services) {
      if (this.core !== core) return; // lost leadership mid-way
      const work: ServiceWork = `svc:${serviceKey(svc)}`;
      if (this.queue.claim(work)) await this.startWrites(work);
    }
    this.enqueuePending(core);
    for (const key of this.strays.keys()) this.queue.add(`stray:${key}`);
    this.opts.logger.info({ services: services.length, ms: this.clock.wallMs() - started }, 'leadership term synced');
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

  /**
   * Decides synchronously; the returned promise is the write. The key's backoff is cleared only once the write
   * succeeded, so a Service whose write keeps failing waits longer each time.
   */
  private reconcileService(core: ControllerCore, key: ServiceKey): Promise<void> {
    const svc = this.current(key);
    const outcome = core.reconcile(key, svc);
    this.opts.metrics.serviceDecided(key, outcome);
    if (outcome.result === 'reprocessAll') this.enqueuePending(core);
    this.schedulePoolStatus(this.opts.poolStatusDelayMs ?? 250);
    if (outcome.decision) logDecision(this.opts.logger, key, outcome.decision);
    if (svc) this.recordServiceEvents(svc, outcome);
    const written = svc ? this.applyService(core, key, svc, outcome) : Promise.resolve();
    const work: ServiceWork = `svc:${key}`;
    return written.then(() => {
      if (outcome.result === 'retry') this.queue.retry(work);
      else this.queue.forget(work);
    });
  }

  private async applyService(core: ControllerCore, key: ServiceKey, svc: V1Service, outcome: ServiceOutcome): Promise<void> {
    const patch = servicePatch(svc, outcome, this.clock.wallMs());
    if (!patch || this.core !== core) return;
    try {
      this.written.set(key, await this.writer.writeService(svc, patch));
    } catch (err) {
      if (isNotFound(err)) return; // deleted meanwhile: the watch brings the delete, which releases
      if (!isConflict(err) && !isUidMismatch(err)) throw err;
      // Our copy was stale, or the Service was deleted and re-created since we read it: read it again, so the
      // retry decides from what the cluster really has even before the watch shows it.
      const [namespace = '', name = ''] = key.split('/');
      const fresh = await this.writer.readService(namespace, name).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
      if (fresh) this.written.set(key, fresh);
      throw err;
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

  /**
   * Takes every pool's status from the core, records its events, and queues a write for each pool whose status
   * differs: at once, or (for a pool whose last write failed) when its backoff ends, unless its owner changed it
   * since. Returns the pools to write, for a new term to write them itself.
   */
  private planPoolStatuses(core: ControllerCore, enqueue = true): PlannedWrite[] {
    const outcomes = core.poolStatuses(this.clock.wallMs());
    this.opts.metrics.setPools(outcomes);
    for (const outcome of outcomes) {
      if (outcome.readiness) logReadiness(this.opts.logger, outcome.name, outcome.readiness);
      this.recordEvents(IPADDRESSPOOL_KIND, outcome.name, this.caches.pool(outcome.name), outcome.events);
    }
    const writes = this.poolStatus.plan(outcomes, (name) => this.caches.pool(name));
    if (enqueue) this.enqueueWrites('pool', writes);
    return writes;
  }

  /** The events of one of Herald's objects in its namespace, on the object as the cache has it (none once it is gone). */
  private recordEvents(kind: string, name: string, cached: StatusObject<unknown> | undefined, events: readonly CoreEvent<string>[]): void {
    if (!cached) return;
    const object = { apiVersion: API_VERSION, kind, namespace: this.opts.namespace, name, uid: cached.metadata.uid };
    for (const e of events) this.recorder.record({ object, type: e.type, reason: e.reason, message: e.message });
  }

  /** Queues the status writes planned: at once, or (for an object whose last write failed) after its backoff. */
  private enqueueWrites(prefix: 'pool' | 'l2adv' | 'bgp', writes: readonly PlannedWrite[]): void {
    for (const [name, urgency] of writes) {
      const work = `${prefix}:${name}` as PoolWork | AdvertisementWork | BGPWork;
      if (urgency === 'afterBackoff') {
        this.queue.addRespectingBackoff(work);
      } else {
        this.queue.forget(work);
        this.queue.add(work);
      }
    }
  }

  /**
   * Decides every L2Advertisement's Ready condition from the caches (advertisements, pools, what the speakers'
   * presence Leases say), logs each change and records its events, and queues a write for each whose status differs.
   * Returns the advertisements to write, for a new term to write them itself.
   */
  private planAdvertisementStatuses(enqueue = true): PlannedWrite[] {
    const advertisements = this.caches.allAdvertisements();
    rememberWrittenConditions(this.advertisementReady, advertisements);
    const outcomes = advertisementOutcomes({
      advertisements, pools: this.caches.allPools(), speakers: this.caches.speakerInterfaces(),
    }, this.advertisementReady, this.clock.wallMs());
    for (const outcome of outcomes) {
      if (outcome.readiness) logAdvertisementReadiness(this.opts.logger, outcome.name, outcome.readiness);
      this.recordEvents(L2ADVERTISEMENT_KIND, outcome.name, this.caches.advertisement(outcome.name), outcome.events);
    }
    const writes = this.advertisementStatus.plan(outcomes, (name) => this.caches.advertisement(name));
    if (enqueue) this.enqueueWrites('l2adv', writes);
    return writes;
  }

  /**
   * Decides every BGP object's Ready condition from the caches (the four kinds, the pools, the Secrets a
   * passwordSecret may name), logs each change and records its events, and queues a write for each whose status
   * differs. Returns the objects to write (`Kind/name`), for a new term to write them itself.
   */
  private planBGPStatuses(enqueue = true): PlannedWrite[] {
    const { outcomes, writes } = this.bgpStatus.plan(this.caches.bgpResources(), (kind, name) => this.caches.bgpObject(kind, name), this.clock.wallMs());
    for (const outcome of outcomes) {
      if (outcome.readiness) logBGPReadiness(this.opts.logger, outcome.kind, outcome.name, outcome.readiness);
      this.recordEvents(outcome.kind, outcome.name, this.caches.bgpObject(outcome.kind, outcome.name), outcome.events);
    }
    if (enqueue) this.enqueueWrites('bgp', writes);
    return writes;
  }

  /** Writes one BGP object's latest status (its conditions only), if the cluster does not have it yet. */
  private writeBGPStatus(core: ControllerCore, work: BGPWork): Promise<void> {
    const { kind, name } = bgpObjectOf(work);
    return this.writeStatus(core, work, this.caches.bgpObject(kind, name), this.bgpStatus.book(kind),
      (object, status) => this.writer.writeBGPStatus(kind, object, status));
  }

  /** Writes one L2Advertisement's latest status, if the cluster does not have it yet; never after leadership ends. */
  private writeAdvertisementStatus(core: ControllerCore, name: string): Promise<void> {
    return this.writeStatus(core, `l2adv:${name}`, this.caches.advertisement(name), this.advertisementStatus,
      (ad, status) => this.writer.writeAdvertisementStatus(ad, status));
  }

  /** Writes one pool's latest status, if the cluster does not have it yet. */
  private writePoolStatus(core: ControllerCore, name: string): Promise<void> {
    return this.writeStatus(core, `pool:${name}`, this.caches.pool(name), this.poolStatus,
      (pool, status) => this.writer.writePoolStatus(pool, status));
  }

  /**
   * One object's status write under its work key: only what the book says the cluster lacks, only while `core`
   * is still this term's (leadership not lost), a 404 taken as "deleted meanwhile", a failure remembered for backoff.
   */
  private async writeStatus<Status, T extends StatusObject<Status>>(core: ControllerCore, work: PoolWork | AdvertisementWork | BGPWork, object: T | undefined,
    book: StatusBook<Status, T>, write: (object: T, status: Status) => Promise<void>): Promise<void> {
    const status = object && book.next(object);
    if (!object || !status || this.core !== core) return;
    try {
      await write(object, status);
    } catch (err) {
      if (isNotFound(err)) return;
      book.failed(object);
      throw err;
    }
    book.wrote(object, status);
    this.queue.forget(work);
  }
}
