// WATCH: a chunked stream of {"type","object"} lines. Starts with the current objects as ADDED when no
// resourceVersion (or "0") is given, else replays the history after it, or sends a 410 Expired ERROR event
// when that history is gone. Selector watches see an object that stops matching as DELETED and one that
// starts matching as ADDED, as kube's watch cache does. A streaming list (sendInitialEvents=true, what client-go
// 1.37's reflectors ask for: kubectl wait, informers) gets the current objects as ADDED, then a BOOKMARK annotated
// k8s.io/initial-events-end. Each event is encoded once per apiVersion and written to every interested stream.
import type { ServerResponse } from 'node:http';
import { ApiError } from './errors.js';
import type { Operations } from './ops.js';
import type { ObjectFilter } from './query.js';
import { apiVersionOf, type ResourceType } from './resource-type.js';
import { TooOldResourceVersion, type Store, type StoreEvent, type StoreEventType } from './store.js';
import type { KubeObject } from './types.js';

export interface WatchRequest {
  type: ResourceType;
  namespace?: string;
  filter: ObjectFilter;
  resourceVersion: string | null;
  allowBookmarks: boolean;
  /** true: the current objects, then (with bookmarks) the initial-events-end one; false: none, from now or the RV. */
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
}

/** The annotation kube-apiserver puts on the BOOKMARK that ends a streaming list's initial events. */
const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/** Open watch streams, so a fault can drop them all at once. */
export class WatchRegistry {
  private readonly open = new Set<ServerResponse>();

  add(res: ServerResponse): void {
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
  }

  /** Ends every open watch (cleanly, as kube does at a watch timeout, or abruptly by destroying the socket). */
  dropAll(abrupt = false): number {
    const count = this.open.size;
    for (const res of this.open) {
      if (abrupt) res.destroy();
      else res.end();
    }
    this.open.clear();
    return count;
  }

  get size(): number {
    return this.open.size;
  }
}

export interface WatchSettings {
  bookmarkIntervalMs: number;
}

function parseRV(value: string, type: ResourceType): number {
  const rv = Number(value);
  if (!Number.isInteger(rv) || rv < 0) {
    throw new ApiError(400, 'BadRequest', `invalid resource version for ${type.plural}: ${JSON.stringify(value)}`);
  }
  return rv;
}

export function startWatch(
  res: ServerResponse, request: WatchRequest, store: Store, ops: Operations, registry: WatchRegistry,
  settings: WatchSettings,
): void {
  const { type, filter } = request;
  const inScope = (obj: KubeObject): boolean =>
    (request.namespace === undefined || obj.metadata.namespace === request.namespace) && filter(obj);
  const rvText = request.resourceVersion;
  const noRV = rvText === null || rvText === '' || rvText === '0';
  const fromCurrentState = request.sendInitialEvents ?? noRV;
  let replay: StoreEvent[] = [];
  let gone: TooOldResourceVersion | undefined;
  if (!fromCurrentState && !noRV) {
    try {
      replay = store.eventsSince(type.storageKey, parseRV(rvText, type));
    } catch (error) {
      if (!(error instanceof TooOldResourceVersion)) throw error;
      gone = error;
    }
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  registry.add(res);
  if (gone) {
    const status = new ApiError(410, 'Expired', gone.message).toStatus();
    res.end(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
    return;
  }
  const apiVersion = apiVersionOf(type);
  /** `event` caches the encoded line; it is keyed by the type written, so a synthesized ADDED/DELETED caches too. */
  const write = (eventType: StoreEventType, event: StoreEvent | undefined, obj: KubeObject): void => {
    const cacheKey = `${eventType}:${apiVersion}`;
    let line = event?.encoded?.get(cacheKey);
    if (line === undefined) {
      line = `${JSON.stringify({ type: eventType, object: ops.present(type, obj) })}\n`;
      if (event) (event.encoded ??= new Map()).set(cacheKey, line);
    }
    res.write(line);
  };
  const deliver = (event: StoreEvent): void => {
    const now = event.type !== 'DELETED' && inScope(event.object);
    const before = event.previous !== undefined && inScope(event.previous);
    if (event.type === 'DELETED') {
      if (before) write('DELETED', event, event.object);
    } else if (now) {
      write(before ? event.type : 'ADDED', event, event.object);
    } else if (before) {
      write('DELETED', event, event.object);
    }
  };
  const bookmark = (annotations?: Record<string, string>): void => {
    const metadata = { resourceVersion: String(store.currentRV()), ...(annotations && { annotations }) };
    res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: type.kind, apiVersion, metadata } })}\n`);
  };
  if (fromCurrentState) {
    for (const obj of store.list(type.storageKey, type.namespaced ? request.namespace : undefined)) {
      if (inScope(obj)) write('ADDED', undefined, obj);
    }
    if (request.sendInitialEvents && request.allowBookmarks) bookmark({ [INITIAL_EVENTS_END]: 'true' });
  } else {
    for (const event of replay) deliver(event);
  }
  const unsubscribe = store.subscribe(type.storageKey, deliver);
  const timers: NodeJS.Timeout[] = [];
  if (request.allowBookmarks) timers.push(setInterval(() => bookmark(), settings.bookmarkIntervalMs));
  if (request.timeoutSeconds !== undefined && request.timeoutSeconds > 0) {
    timers.push(setTimeout(() => res.end(), request.timeoutSeconds * 1000));
  }
  res.on('close', () => {
    unsubscribe();
    for (const timer of timers) clearTimeout(timer);
  });
}
