// The speaker's caches of the cluster: one informer per kind it reads, each object trimmed to the view the pure
// announcement function takes (views.ts) as it enters, so a cache of thousands of Services holds a few fields of
// each. Callbacks only say that something changed; the source reads the caches when it recomputes.
//
// An update whose view is the one the cache holds (a Service whose status conditions the speakers write, an
// EndpointSlice whose addresses moved between pods on the same nodes) is not a change: it keeps the held view and
// says nothing. Without this, every condition a speaker writes on a Service costs every speaker a whole
// computation (tens of ms and over a MiB of garbage each with 1 000 Services), once per Service.
import { isDeepStrictEqual } from 'node:util';
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
  /** Updates that kept the view the cache held (a new resourceVersion only). */
  private readonly unchanged = new WeakSet<Trimmed<V>>();

  constructor(kubeConfig: KubeConfig, spec: CacheSpec<V>, logger: Logger, onChange: () => void) {
    // The list trims each page as it arrives and the informer trims what the list returns again (with the version
    // the cache holds): an object trimmed once is only compared with that version.
    const trim = (obj: KubernetesObject, previous?: Trimmed<V>): Trimmed<V> => {
      const trimmed = 'view' in obj ? obj as Trimmed<V> : {
        metadata: { name: obj.metadata?.name, namespace: obj.metadata?.namespace, resourceVersion: obj.metadata?.resourceVersion },
        view: spec.view(obj),
      };
      if (previous === undefined || previous === trimmed || !isDeepStrictEqual(previous.view, trimmed.view)) return trimmed;
      const same = { metadata: trimmed.metadata, view: previous.view };
      this.unchanged.add(same);
      return same;
    };
    const selectors = { labelSelector: spec.labelSelector, fieldSelector: spec.fieldSelector };
    this.informer = new ResilientInformer<Trimmed<V>>(kubeConfig, spec.what, spec.path,
      () => listTrimmed(kubeConfig, spec.path, { ...selectors, trim }), logger, { ...selectors, trim });
    this.informer.informer.on('add', onChange);
    this.informer.informer.on('update', (obj) => {
      if (!this.unchanged.has(obj)) onChange();
    });
    this.informer.informer.on('delete', onChange);
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
