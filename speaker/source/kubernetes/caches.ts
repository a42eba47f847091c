// The speaker's caches of the cluster: one informer per kind it reads, each object trimmed to the view the pure
// announcement function takes (views.ts) as it enters, so a cache of thousands of Services holds a few fields of
// each. Callbacks only say that something changed; the source reads the caches when it recomputes.
import { ResilientInformer } from '../../../lib/kube/informer.js';
import { listTrimmed } from '../../../lib/kube/list.js';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../../../lib/log.js';

/** What a cache keeps of an object: its identity, and the part its reader uses. */
export interface Trimmed<V> extends KubernetesObject {
  metadata: { name?: string; namespace?: string; resourceVersion?: string };
  view: V;
}

export interface CacheSpec<V> {
  /** For logs and the sync state. */
  what: string;
  /** The collection's path, e.g. /api/v1/services. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  view: (obj: KubernetesObject) => V;
}

export class ViewCache<V> {
  private readonly informer: ResilientInformer<Trimmed<V>>;

  constructor(kubeConfig: KubeConfig, spec: CacheSpec<V>, logger: Logger, onChange: () => void) {
    // The list trims each page as it arrives and the informer trims what the list returns again: an object
    // trimmed once passes through as it is.
    const trim = (obj: KubernetesObject): Trimmed<V> => ('view' in obj ? obj as Trimmed<V> : {
      metadata: { name: obj.metadata?.name, namespace: obj.metadata?.namespace, resourceVersion: obj.metadata?.resourceVersion },
      view: spec.view(obj),
    });
    const selectors = { labelSelector: spec.labelSelector, fieldSelector: spec.fieldSelector };
    this.informer = new ResilientInformer<Trimmed<V>>(kubeConfig, spec.what, spec.path,
      () => listTrimmed(kubeConfig, spec.path, { ...selectors, trim }), logger, { ...selectors, trim });
    for (const verb of ['add', 'update', 'delete'] as const) this.informer.informer.on(verb, onChange);
  }

  get what(): string {
    return this.informer.what;
  }

  /** Whether the first list has completed (the cache can be trusted). */
  get listed(): boolean {
    return this.informer.listed;
  }

  views(): V[] {
    return this.informer.informer.list().map((t) => t.view);
  }

  start(): Promise<void> {
    return this.informer.start();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }
}
