// A LIST that keeps only what the caller needs. The generated list calls parse the whole answer at once and
// turn every object into client-node model instances (Date objects, every field), so an informer's first
// list of 10 000 Services builds hundreds of MiB of garbage and V8 grows the heap to hold it. Here the list
// is read in pages (as kubectl does, 500 a page) as plain JSON, and each page's items are trimmed before
// the next page is asked for, so only one page of full objects is ever alive.
import { HttpMethod, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { apiJson } from './request.js';

export interface ListOptions<T> {
  /** Items per page (the `limit` query parameter). */
  pageSize?: number;
  labelSelector?: string;
  fieldSelector?: string;
  /** What to keep of each item (by default, all of it). */
  trim?: (item: KubernetesObject) => T;
}

interface ListPage {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: KubernetesObject[];
}

/**
 * Lists `path` (e.g. `/api/v1/services`) page by page. The list's resourceVersion is the first page's: every
 * page of one list carries the same snapshot version on kube-apiserver, and watching from the earliest one
 * can only replay an event the cache already holds (the informer skips an object whose version it has).
 */
export async function listTrimmed<T extends KubernetesObject>(kubeConfig: KubeConfig, path: string, o: ListOptions<T>): Promise<KubernetesListObject<T>> {
  const trim = o.trim ?? ((item: KubernetesObject) => item as T);
  const items: T[] = [];
  let resourceVersion: string | undefined;
  let continueToken: string | undefined;
  do {
    const query = { limit: String(o.pageSize ?? 500), continue: continueToken, labelSelector: o.labelSelector, fieldSelector: o.fieldSelector };
    const page = await apiJson<ListPage>(kubeConfig, { method: HttpMethod.GET, path, query });
    resourceVersion ??= page.metadata?.resourceVersion;
    for (const item of page.items ?? []) items.push(trim(item));
    continueToken = page.metadata?.continue || undefined;
  } while (continueToken);
  return { metadata: { resourceVersion }, items };
}
