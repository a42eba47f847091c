// Pools created outside Herald's namespace: never used, but no longer ignored without a word. A watch of every
// namespace but herald-system (the pools Herald uses come from ClusterCaches) feeds the leader, which records a
// Warning `WrongNamespace` event on each (the EventRecorder logs it too) when it starts leading and whenever one is
// created or changed. This needs `list` and `watch` on ipaddresspools.herald.dev in every namespace (a ClusterRole
// rule); without them it says so once in the log and stays out of the way: it never holds up readiness, the
// leader's work or the pools in herald-system.
import { CustomObjectsApi, type KubeConfig, type KubernetesListObject } from '@kubernetes/client-node';
import { API_VERSION, GROUP, IPADDRESSPOOL_KIND, IPADDRESSPOOL_PLURAL, VERSION, type IPAddressPool } from '../../crds/v1beta1/index.js';
import { wrongNamespaceEvent } from '../reconcile/index.js';
import type { Logger } from '../../lib/log.js';
import { describeError, httpStatus } from '../../lib/kube/errors.js';
import { ResilientInformer } from '../../lib/kube/informer.js';
import { EventRecorder } from './event-recorder.js';

export interface StrayPoolWatchOptions {
  kubeConfig: KubeConfig;
  /** Where pools belong (herald-system). */
  namespace: string;
  identity: string;
  logger: Logger;
}

export class StrayPoolWatch {
  private readonly recorder: EventRecorder;
  private informer: ResilientInformer<IPAddressPool> | undefined;
  private leading = false;
  private stopped = false;

  constructor(private readonly o: StrayPoolWatchOptions) {
    this.recorder = new EventRecorder({ kubeConfig: o.kubeConfig, component: 'herald-controller', instance: o.identity, logger: o.logger });
  }

  /** Starts watching in the background; nothing waits for it. */
  start(): void {
    this.run().catch((err: unknown) => {
      if (!this.stopped) this.o.logger.warn({ err: describeError(err) }, 'cannot watch IPAddressPools outside the namespace');
    });
  }

  /** Does not wait for a first list still in flight: run() stops what it started once that ends. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.leading = false;
    await this.informer?.stop();
    await this.recorder.flush();
  }

  startLeading(): void {
    this.leading = true;
    for (const pool of this.informer?.informer.list() ?? []) this.report(pool);
  }

  stopLeading(): void {
    this.leading = false;
  }

  private async run(): Promise<void> {
    const custom = this.o.kubeConfig.makeApiClient(CustomObjectsApi);
    const fieldSelector = `metadata.namespace!=${this.o.namespace}`;
    const list = (limit?: number) => custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: IPADDRESSPOOL_PLURAL, fieldSelector, limit }) as Promise<KubernetesListObject<IPAddressPool>>;
    try {
      await list(1);
    } catch (err) {
      if (httpStatus(err) !== 403) throw err;
      this.o.logger.warn({ err: describeError(err), namespace: this.o.namespace },
        `cannot watch IPAddressPools outside "${this.o.namespace}" (the ClusterRole needs list and watch on ipaddresspools.herald.dev): a pool created in another namespace is not reported`);
      return;
    }
    if (this.stopped) return;
    const path = `/apis/${GROUP}/${VERSION}/${IPADDRESSPOOL_PLURAL}`;
    const informer = new ResilientInformer<IPAddressPool>(this.o.kubeConfig, 'ipaddresspools outside the namespace', path, () => list(), this.o.logger, { fieldSelector });
    informer.informer.on('add', (pool) => this.report(pool));
    informer.informer.on('update', (pool) => this.report(pool));
    this.informer = informer;
    await informer.start();
    if (this.stopped) await informer.stop();
  }

  private report(pool: IPAddressPool): void {
    const event = this.leading ? wrongNamespaceEvent(pool, this.o.namespace) : undefined;
    if (!event) return;
    const meta = pool.metadata;
    const object = { apiVersion: API_VERSION, kind: IPADDRESSPOOL_KIND, namespace: meta.namespace ?? '', name: meta.name ?? '', uid: meta.uid };
    this.recorder.record({ object, ...event });
  }
}
