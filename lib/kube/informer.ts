// Informers that keep watching. client-node's ListWatch has two habits a controller cannot live with:
// (1) after a watch ends with an error (a reset socket, a 500 on list) it calls the error callbacks and
// stops for good; (2) its reconnect delay doubles on every clean close (1 s, 2 s, ... 30 s) and never shrinks
// while the watch keeps working, so after a few apiserver restarts every event is seen up to 30 s late.
// Here: errors restart the informer after a short pause, and a watch that lived a while reconnects at once.
// An optional `trim` shapes every object before it enters the cache (list items and watch events alike),
// so a cache of thousands of objects holds only the fields its reader uses; it gets the version the cache
// holds, so it can share what did not change with it.
import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import { describeError } from './errors.js';

export interface ResilientInformerOptions<T extends KubernetesObject = KubernetesObject> {
  /** Pause before restarting after an error, and the longest reconnect delay ever used. */
  maxDelayMs?: number;
  /** A watch that stayed open this long was healthy: the next reconnect is immediate. */
  healthyAfterMs?: number;
  fieldSelector?: string;
  labelSelector?: string;
  /**
   * What the cache keeps of each object, given the version the cache holds (if any) to share unchanged parts
   * with; must keep metadata name, namespace and resourceVersion.
   */
  trim?: (obj: KubernetesObject, previous?: T) => T;
}

/** A Watch whose events carry trimmed objects (ERROR and BOOKMARK events pass through as they are). */
class TrimmingWatch<T extends KubernetesObject> extends Watch {
  constructor(kubeConfig: KubeConfig, private readonly trim: (obj: KubernetesObject) => T) {
    super(kubeConfig);
  }

  override watch(...[path, queryParams, callback, done]: Parameters<Watch['watch']>): ReturnType<Watch['watch']> {
    const trimmed = (phase: string, obj: KubernetesObject, event?: unknown): void => {
      callback(phase, phase === 'ERROR' || phase === 'BOOKMARK' ? obj : this.trim(obj), event);
    };
    return super.watch(path, queryParams, trimmed, done);
  }
}

export class ResilientInformer<T extends KubernetesObject> {
  readonly informer: ListWatch<T>;
  /** Whether the initial list has completed at least once (the cache can be trusted). */
  listed = false;
  private stopped = true;
  private lastConnectMs = 0;
  private previousConnectMs = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly o: ResilientInformerOptions<T>;

  constructor(
    kubeConfig: KubeConfig, readonly what: string, path: string,
    list: () => Promise<KubernetesListObject<T>>, private readonly logger: Logger, o: ResilientInformerOptions<T> = {},
  ) {
    this.o = o;
    const userTrim = o.trim;
    const trim = userTrim && ((obj: KubernetesObject): T => userTrim(obj, this.cached(obj)));
    const listFn = async (): Promise<KubernetesListObject<T>> => {
      const result = await list();
      this.listed = true;
      return trim ? { ...result, items: result.items.map(trim) } : result;
    };
    const watch = trim ? new TrimmingWatch(kubeConfig, trim) : new Watch(kubeConfig);
    this.informer = new ListWatch<T>(path, watch, listFn, false, o.labelSelector, o.fieldSelector, {
      delayFn: (ms) => this.delay(ms),
    });
    this.informer.on('connect', () => {
      this.previousConnectMs = this.lastConnectMs;
      this.lastConnectMs = Date.now();
    });
    this.informer.on('error', (err: unknown) => this.onError(err));
  }

  private cached(obj: KubernetesObject): T | undefined {
    const name = obj.metadata?.name;
    return name === undefined ? undefined : this.informer.get(name, obj.metadata?.namespace);
  }

  private delay(ms: number): Promise<void> {
    const lived = this.lastConnectMs - this.previousConnectMs;
    const wait = lived >= (this.o.healthyAfterMs ?? 10_000) ? 0 : Math.min(ms, this.o.maxDelayMs ?? 1000);
    return new Promise((resolve) => setTimeout(resolve, wait).unref());
  }

  private onError(err: unknown): void {
    if (this.stopped) return;
    this.logger.warn({ err: describeError(err), what: this.what }, 'watch failed; restarting it');
    if (this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopped) this.informer.start().catch((e: unknown) => this.onError(e));
    }, this.o.maxDelayMs ?? 1000);
    this.restartTimer.unref();
  }

  start(): Promise<void> {
    this.stopped = false;
    return this.informer.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.informer.stop();
  }
}
