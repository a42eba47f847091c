// Namespace deletion as kube's namespace controller does it: a deleted Namespace turns Terminating, everything
// in it is deleted (objects with finalizers wait for them), and the Namespace goes once it is empty.
import { CRD_STORAGE } from './crds.js';
import type { Operations } from './ops.js';
import type { TypeRegistry } from './registry.js';
import { storageKeyOf, type ResourceType } from './resource-type.js';
import type { Store } from './store.js';
import { isJsonObject, type KubeObject } from './types.js';

const NAMESPACES = storageKeyOf('', 'namespaces');

function namespacedStorage(registry: TypeRegistry): Map<string, ResourceType> {
  const byStorage = new Map<string, ResourceType>();
  for (const type of registry.all()) if (type.namespaced && !byStorage.has(type.storageKey)) byStorage.set(type.storageKey, type);
  return byStorage;
}

export function watchNamespaces(store: Store, registry: TypeRegistry, ops: Operations): void {
  const terminating = new Set<string>();
  const sweep = (name: string): void => {
    const ns = store.get(NAMESPACES, '', name);
    if (!ns) {
      terminating.delete(name);
      return;
    }
    const storage = namespacedStorage(registry);
    for (const [key, type] of storage) {
      for (const obj of store.list(key, name)) {
        if (!obj.metadata.deletionTimestamp) ops.delete(type, name, obj.metadata.name ?? '');
      }
    }
    if ([...storage.keys()].some((key) => store.count(key, name) > 0)) return;
    terminating.delete(name);
    const type = registry.find('', 'v1', 'namespaces');
    if (type) ops.finalize(type, ns);
  };
  store.subscribe(NAMESPACES, (event) => {
    const ns = event.object;
    const name = ns.metadata.name ?? '';
    if (event.type === 'DELETED' || !ns.metadata.deletionTimestamp || terminating.has(name)) return;
    terminating.add(name);
    setImmediate(() => {
      markTerminating(store, ns);
      sweep(name);
    });
  });
  // Objects leaving a terminating namespace may let it finish.
  const onAnyDelete = (obj: KubeObject): void => {
    const ns = obj.metadata.namespace;
    if (ns && terminating.has(ns)) setImmediate(() => sweep(ns));
  };
  const subscribed = new Set<string>();
  const subscribeAll = (): void => {
    for (const key of namespacedStorage(registry).keys()) {
      if (subscribed.has(key)) continue;
      subscribed.add(key);
      store.subscribe(key, (event) => { if (event.type === 'DELETED') onAnyDelete(event.object); });
    }
  };
  subscribeAll();
  store.subscribe(CRD_STORAGE, () => setImmediate(subscribeAll));
}

function markTerminating(store: Store, ns: KubeObject): void {
  const current = store.get(NAMESPACES, '', ns.metadata.name ?? '');
  if (!current || (isJsonObject(current.status) && current.status.phase === 'Terminating')) return;
  store.put(NAMESPACES, { ...current, status: { ...(isJsonObject(current.status) ? current.status : {}), phase: 'Terminating' } });
}
