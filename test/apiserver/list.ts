// LIST: selectors, key-sorted output and limit/continue paging as kube-apiserver does it (kubectl pages by
// 500). A continue token carries the last key returned; an expired token is a 410 like kube's.
import { ApiError, badRequest } from './errors.js';
import type { Operations } from './ops.js';
import { objectFilter } from './query.js';
import { apiVersionOf, type ResourceType } from './resource-type.js';
import type { Store } from './store.js';
import type { KubeObject } from './types.js';

export interface ListQuery {
  namespace?: string;
  labelSelector: string | null;
  fieldSelector: string | null;
  limit?: number;
  continueToken?: string;
}

export interface ListResult {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

function decodeContinue(token: string): { start: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'start' in parsed && typeof parsed.start === 'string') {
      return { start: parsed.start };
    }
  } catch {
    // fall through to the error kube gives for a token it cannot read
  }
  throw badRequest(`continue key is not valid: ${token}`);
}

export function listObjects(store: Store, ops: Operations, type: ResourceType, query: ListQuery): ListResult {
  const filter = objectFilter(type, query.labelSelector, query.fieldSelector);
  const namespace = type.namespaced ? query.namespace : undefined;
  const start = query.continueToken ? decodeContinue(query.continueToken).start : undefined;
  // Each key is built once, not once per comparison.
  const keyed = store.list(type.storageKey, namespace).filter(filter)
    .map((obj) => ({ key: keyOf(obj), obj }))
    .filter(({ key }) => start === undefined || key > start);
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let matching = keyed.map(({ obj }) => obj);
  const result: ListResult = {
    kind: `${type.kind}List`,
    apiVersion: apiVersionOf(type),
    metadata: { resourceVersion: String(store.currentRV()) },
    items: [],
  };
  const limit = query.limit && query.limit > 0 ? query.limit : undefined;
  if (limit !== undefined && matching.length > limit) {
    const last = matching[limit - 1];
    if (!last) throw new ApiError(500, 'InternalError', `paging: no item at ${limit - 1}`);
    result.metadata.continue = Buffer.from(JSON.stringify({ start: keyOf(last) })).toString('base64url');
    matching = matching.slice(0, limit);
  }
  result.items = matching.map((obj) => ops.present(type, obj));
  return result;
}
