// The verbs: get, list, create, update, patch, delete, applied to the store the way kube-apiserver's generic
// registry does it (metadata bookkeeping, status subresource rules, preconditions, finalizers, no-op writes
// that change nothing and bump nothing).
import { randomUUID } from 'node:crypto';
import {
  ApiError, MODIFIED_CONFLICT, alreadyExists, badRequest, conflict, invalid, notFound, type FieldError,
} from './errors.js';
import { applyPatch, type PatchType } from './patch/index.js';
import { deepEqual } from './patch/json-util.js';
import { STRATEGIC_META } from './patch/strategic.js';
import { apiVersionOf, storageKeyOf, type ResourceType, type Tx } from './resource-type.js';
import { validateMetadata } from '../../lib/crd-schema/metadata.js';
import type { Store } from './store.js';
import { deleteKey, isJsonObject, type KubeObject } from './types.js';

export interface WriteOptions {
  dryRun?: boolean;
  subresource?: 'status';
  fieldManager?: string;
}

export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  dryRun?: boolean;
}

const NAMESPACES = storageKeyOf('', 'namespaces');

export function nowTimestamp(nowMs = Date.now()): string {
  return new Date(Math.floor(nowMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** kube's name generator alphabet: no vowels, no look-alikes. */
const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function generateSuffix(): string {
  let out = '';
  for (let i = 0; i < 5; i++) out += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
  return out;
}

class Transaction implements Tx {
  private readonly undo: (() => void)[] = [];
  private readonly commits: (() => void)[] = [];
  onRollback(fn: () => void): void { this.undo.push(fn); }
  onCommit(fn: () => void): void { this.commits.push(fn); }
  rollback(): void { for (const fn of this.undo.reverse()) fn(); }
  commit(): void { for (const fn of this.commits) fn(); }
}

/** Everything but metadata and status (when status is a subresource) counts as spec for metadata.generation. */
function specPart(type: ResourceType, obj: KubeObject): Record<string, unknown> {
  const { metadata, status, apiVersion: _a, kind: _k, ...rest } = obj;
  const part: Record<string, unknown> = type.hasStatus ? rest : { ...rest, status };
  if (type.generation === 'specAndAnnotations') part.annotations = metadata.annotations;
  if (type.generation === 'specAndLabels') part.labels = metadata.labels;
  return part;
}

/** The object a /status write stores: the old one with the new status, and the new metadata where the kind takes it. */
function statusWrite(type: ResourceType, old: KubeObject, next: KubeObject): KubeObject {
  if (type.statusTakes === 'status') return { ...old, metadata: { ...old.metadata }, status: next.status };
  const metadata = { ...next.metadata };
  if (type.statusTakes === 'statusAndMetadataButLabels') {
    if (old.metadata.labels === undefined) deleteKey(metadata, 'labels');
    else metadata.labels = old.metadata.labels;
  }
  return { ...old, metadata, status: next.status };
}

/** Go's omitempty: empty labels, annotations, finalizers and ownerReferences are not stored. */
function dropEmptyMetadata(obj: KubeObject): void {
  for (const key of ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const) {
    const value = obj.metadata[key];
    if (value !== undefined && (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0)) deleteKey(obj.metadata, key);
  }
}

export class Operations {
  constructor(private readonly store: Store) {}

  /** The stored object in the version `type` serves, as a fresh shallow view (never mutate nested values). */
  present(type: ResourceType, stored: KubeObject): KubeObject {
    const converted = type.fromStorage ? type.fromStorage(stored) : stored;
    return { ...converted, apiVersion: apiVersionOf(type), kind: type.kind };
  }

  private toStorage(type: ResourceType, obj: KubeObject): KubeObject {
    return type.toStorage ? type.toStorage(obj) : obj;
  }

  getStored(type: ResourceType, namespace: string, name: string): KubeObject {
    const obj = this.store.get(type.storageKey, namespace, name);
    if (!obj) throw notFound(type.plural, type.group, name);
    return obj;
  }

  private checkNamespace(type: ResourceType, namespace: string, name: string): void {
    if (!type.namespaced) return;
    const ns = this.store.get(NAMESPACES, '', namespace);
    if (!ns) throw notFound('namespaces', '', namespace);
    if (ns.metadata.deletionTimestamp) {
      throw new ApiError(403, 'Forbidden',
        `${type.plural}${type.group ? `.${type.group}` : ''} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  private validate(type: ResourceType, obj: KubeObject, old: KubeObject | undefined): void {
    const errors: FieldError[] = [...validateMetadata(type, obj), ...(type.strategy.validate?.(obj, old) ?? [])];
    if (errors.length > 0) throw invalid(type.kind, type.invalidGroup ?? type.group, obj.metadata.name ?? '', errors);
  }

  private checkBody(type: ResourceType, body: unknown, namespace: string): KubeObject {
    if (!isJsonObject(body) || !isJsonObject(body.metadata ?? {})) throw badRequest('the body of the request must be a JSON object');
    const obj = { ...body, metadata: { ...(isJsonObject(body.metadata) ? body.metadata : {}) } } as KubeObject;
    if (obj.kind !== undefined && obj.kind !== type.kind) {
      throw badRequest(`the kind of the provided object (${String(obj.kind)}) does not match the kind of the resource (${type.kind})`);
    }
    if (type.namespaced && obj.metadata.namespace && obj.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (type.namespaced) obj.metadata.namespace = namespace;
    else delete obj.metadata.namespace;
    obj.apiVersion = apiVersionOf(type);
    obj.kind = type.kind;
    dropEmptyMetadata(obj);
    return obj;
  }

  create(type: ResourceType, namespace: string, body: unknown, options: WriteOptions = {}): KubeObject {
    const obj = this.checkBody(type, body, namespace);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + generateSuffix();
    if (!meta.name) {
      throw invalid(type.kind, type.group, '', [{ type: 'FieldValueRequired', field: 'metadata.name', message: 'name or generateName is required' }]);
    }
    this.checkNamespace(type, namespace, meta.name);
    if (this.store.get(type.storageKey, namespace, meta.name)) throw alreadyExists(type.plural, type.group, meta.name);
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTimestamp();
    if (type.generation === 'none') delete meta.generation;
    else meta.generation = 1;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (type.resetStatusOnCreate) delete obj.status;
    const tx = new Transaction();
    return this.commit(type, obj, undefined, options, tx, () => type.strategy.prepareCreate?.(obj, tx));
  }

  /** Runs `prepare` and validation inside `tx`, then stores (or, for a dry run, only answers). */
  private commit(
    type: ResourceType, obj: KubeObject, old: KubeObject | undefined, options: WriteOptions,
    tx: Transaction, prepare: () => void, unchanged?: () => boolean,
  ): KubeObject {
    try {
      prepare();
      this.validate(type, obj, old);
    } catch (error) {
      tx.rollback();
      throw error;
    }
    if (old && unchanged?.()) {
      tx.rollback();
      return old; // kube skips writes that change nothing: no new resourceVersion, no watch event
    }
    if (options.dryRun) {
      tx.rollback();
      return this.present(type, { ...obj, metadata: { ...obj.metadata, resourceVersion: old?.metadata.resourceVersion } });
    }
    tx.commit();
    return this.present(type, this.store.put(type.storageKey, this.toStorage(type, obj)));
  }

  /** PUT. `body` is the whole object (or, for /status, an object whose status is taken). */
  update(type: ResourceType, namespace: string, name: string, body: unknown, options: WriteOptions = {}): KubeObject {
    const stored = this.getStored(type, namespace, name);
    const obj = this.checkBody(type, body, namespace);
    if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
      throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    const rv = obj.metadata.resourceVersion;
    if (rv === undefined || rv === '') {
      if (!type.allowUnconditionalUpdate) {
        throw invalid(type.kind, type.group, name, [{ type: 'FieldValueInvalid', field: 'metadata.resourceVersion',
          value: 0, message: 'must be specified for an update' }]);
      }
    } else if (rv !== stored.metadata.resourceVersion) {
      throw conflict(type.plural, type.group, name, MODIFIED_CONFLICT);
    }
    // A PUT's uid is a precondition (rest.DefaultUpdatedObjectInfo), checked by the storage layer: hence its wording.
    const uid = obj.metadata.uid;
    if (uid !== undefined && uid !== '' && uid !== stored.metadata.uid) {
      throw conflict(type.plural, type.group, name, `StorageError: invalid object, Code: 4, Key: ${etcdKey(type, namespace, name)}, `
        + `ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${uid}, UID in object meta: ${stored.metadata.uid ?? ''}`);
    }
    return this.replace(type, stored, obj, options);
  }

  /** The shared tail of update and patch: `next` is the desired object in this version's form. */
  replace(type: ResourceType, stored: KubeObject, next: KubeObject, options: WriteOptions): KubeObject {
    const old = this.present(type, stored);
    const obj: KubeObject = options.subresource === 'status' ? statusWrite(type, old, next) : { ...next, metadata: { ...next.metadata } };
    if (type.hasStatus && options.subresource !== 'status') {
      if (old.status === undefined) delete obj.status;
      else obj.status = old.status;
    }
    this.keepSystemMetadata(type, obj, old);
    if (old.metadata.deletionTimestamp) {
      const added = (obj.metadata.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
      if (added.length > 0) {
        throw invalid(type.kind, type.group, old.metadata.name ?? '', [{ type: 'FieldValueForbidden',
          field: 'metadata.finalizers', message: 'no new finalizers can be added if the object is being deleted' }]);
      }
    }
    const tx = new Transaction();
    const result = this.commit(type, obj, old, options, tx, () => {
      type.strategy.prepareUpdate?.(obj, old, tx);
      if (type.generation !== 'none' && options.subresource !== 'status' && !deepEqual(specPart(type, obj), specPart(type, old))) {
        obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
      }
    }, () => deepEqual(obj, old));
    if (result === old) return old;
    if (!options.dryRun && result.metadata.deletionTimestamp && (result.metadata.finalizers ?? []).length === 0) {
      this.finalize(type, result);
    }
    return result;
  }

  private keepSystemMetadata(type: ResourceType, obj: KubeObject, old: KubeObject): void {
    const meta = obj.metadata;
    meta.name = old.metadata.name;
    meta.uid = old.metadata.uid;
    meta.creationTimestamp = old.metadata.creationTimestamp;
    if (old.metadata.generation === undefined) deleteKey(meta, 'generation');
    else meta.generation = old.metadata.generation;
    meta.resourceVersion = old.metadata.resourceVersion;
    if (type.namespaced) meta.namespace = old.metadata.namespace;
    for (const key of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'generateName'] as const) {
      if (old.metadata[key] === undefined) deleteKey(meta, key);
      else meta[key] = old.metadata[key] as never;
    }
    if (meta.managedFields === undefined && old.metadata.managedFields !== undefined) meta.managedFields = old.metadata.managedFields;
  }

  patch(type: ResourceType, namespace: string, name: string, patchType: PatchType, body: unknown,
    options: WriteOptions = {}): KubeObject {
    const stored = this.getStored(type, namespace, name);
    const current = this.present(type, stored);
    const meta = type.builtin ? STRATEGIC_META[type.kind] : undefined;
    const patched = applyPatch(patchType, current, body, meta);
    if (!isJsonObject(patched)) throw badRequest('the patch produced something that is not an object');
    const next = this.checkBody(type, patched, namespace);
    const rv = next.metadata.resourceVersion;
    if (rv !== undefined && rv !== stored.metadata.resourceVersion) throw conflict(type.plural, type.group, name, MODIFIED_CONFLICT);
    // A patch has no uid precondition: a uid it changes fails validation as any immutable field does.
    const uid = next.metadata.uid;
    if (uid !== undefined && uid !== stored.metadata.uid) {
      throw invalid(type.kind, type.group, name, [{ type: 'FieldValueInvalid', field: 'metadata.uid', value: uid, message: 'field is immutable' }]);
    }
    if (next.metadata.name !== name) {
      throw badRequest(`the name of the object (${String(next.metadata.name)}) does not match the name on the URL (${name})`);
    }
    return this.replace(type, stored, next, options);
  }

  delete(type: ResourceType, namespace: string, name: string, options: DeleteOptions = {}): KubeObject | undefined {
    const stored = this.getStored(type, namespace, name);
    const pre = options.preconditions;
    // rest.BeforeDelete names the kind, not the resource: `Operation cannot be fulfilled on Service "x": ...`.
    if (pre?.uid && pre.uid !== stored.metadata.uid) {
      throw conflict(type.kind, type.group, name, `the UID in the precondition (${pre.uid}) does not match the UID in record `
        + `(${stored.metadata.uid ?? ''}). The object might have been deleted and then recreated`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== stored.metadata.resourceVersion) {
      throw conflict(type.kind, type.group, name, `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match `
        + `the ResourceVersion in record (${stored.metadata.resourceVersion ?? ''}). The object might have been modified`);
    }
    const current = this.present(type, stored);
    if ((current.metadata.finalizers ?? []).length > 0 || (type.kind === 'Namespace' && !options.dryRun)) {
      if (current.metadata.deletionTimestamp || options.dryRun) return current;
      const marked: KubeObject = { ...current, metadata: { ...current.metadata, deletionTimestamp: nowTimestamp(), deletionGracePeriodSeconds: 0 } };
      // kube's markAsDeleting: setting deletionTimestamp bumps generation on kinds that manage one.
      if (current.metadata.generation !== undefined && current.metadata.generation > 0) marked.metadata.generation = current.metadata.generation + 1;
      return this.present(type, this.store.put(type.storageKey, this.toStorage(type, marked)));
    }
    if (options.dryRun) return current;
    return this.finalize(type, current);
  }

  /** Removes an object whose deletion can complete now; returns what the DELETED event carried. */
  finalize(type: ResourceType, obj: KubeObject): KubeObject | undefined {
    const gone = this.store.remove(type.storageKey, obj.metadata.namespace ?? '', obj.metadata.name ?? '');
    if (gone) type.strategy.released?.(gone);
    return gone && this.present(type, gone);
  }
}

/** The etcd key kube-apiserver names in a storage error: built-in kinds under their resource (a few renamed), custom ones under group/resource. */
function etcdKey(type: ResourceType, namespace: string, name: string): string {
  const renamed: Record<string, string> = { services: 'services/specs', nodes: 'minions' };
  const prefix = type.builtin ? renamed[type.plural] ?? type.plural : `${type.group}/${type.plural}`;
  return `/registry/${prefix}/${type.namespaced ? `${namespace}/` : ''}${name}`;
}
