// Pools created outside Herald's namespace: never used, but no longer ignored without a word. This cache watches
// every namespace but herald-system (the pools Herald uses come from ClusterCaches) and only tells the driver's loop
// which pool changed; the leader records a Warning `WrongNamespace` event on it, and logs it, when it starts leading
// and whenever one is created or changed. This needs `list` and `watch` on ipaddresspools.herald.dev in every
// namespace (a ClusterRole rule); without them it says so once in the log and stays out of the way: it never holds
// up readiness, the leader's work or the pools in herald-system.
import { CustomObjectsApi, type KubeConfig, type KubernetesListObject } from '@kubernetes/client-node';
import { GROUP, IPADDRESSPOOL_PLURAL, VERSION, type IPAddressPool } from '../../crds/v1beta1/index.js';
import type { Logger } from '../../lib/log.js';
import { describeError, httpStatus } from '../../lib/kube/errors.js';
import { ResilientInformer } from '../../lib/kube/informer.js';

/** `namespace/name` of a pool outside Herald's namespace. */
export type StrayPoolKey = `${string}/${string}`;

export interface StrayPoolCacheOptions {
  kubeConfig: KubeConfig;
  /** Where pools belong (herald-system). */
  namespace: string;
  logger: Logger;
  /** A pool outside the namespace was listed, created or changed. */
  onChange: (key: StrayPoolKey) => void;
}

export class StrayPoolCache {
  private informer: ResilientInformer<IPAddressPool> | undefined;
  private stopped = false;

  constructor(private readonly o: StrayPoolCacheOptions) {}

  /** Starts watching in the background; nothing waits for it. */
  start(): void {
    this.run().catch((err: unknown) => {
      if (!this.stopped) this.o.logger.warn({ err: describeError(err) }, 'cannot watch IPAddressPools outside the namespace');
    });
  }

  /** Does not wait for a first list still in flight: run() stops what it started once that ends. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.informer?.stop();
  }

  keys(): StrayPoolKey[] {
    return (this.informer?.informer.list() ?? []).map((p) => `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}` as const);
  }

  pool(key: StrayPoolKey): IPAddressPool | undefined {
    const slash = key.indexOf('/');
    return this.informer?.informer.get(key.slice(slash + 1), key.slice(0, slash));
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
    const changed = (pool: IPAddressPool) => this.o.onChange(`${pool.metadata.namespace ?? ''}/${pool.metadata.name ?? ''}`);
    informer.informer.on('add', changed);
    informer.informer.on('update', changed);
    this.informer = informer;
    await informer.start();
    if (this.stopped) await informer.stop();
  }
}
