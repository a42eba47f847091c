// Server-side apply (application/apply-patch+yaml): creates the object if it does not exist, else merges the
// applied configuration into it, records the manager's fields in metadata.managedFields, removes fields the
// manager applied before and no longer applies (when nobody else owns them), and reports conflicts with
// other managers unless force=true. Field ownership is tracked as kube's FieldsV1 sets.
import { ApiError, badRequest } from '../errors.js';
import { nowTimestamp, type Operations, type WriteOptions } from '../ops.js';
import { apiVersionOf, type ResourceType } from '../resource-type.js';
import type { Store } from '../store.js';
import { isJsonObject, type KubeObject, type ManagedFieldsEntry } from '../types.js';
import { fieldSet, leafPaths, removeFromFieldSet, removePath, valueAt, type FieldPath } from './fieldset.js';
import { deepEqual } from './json-util.js';
import { STRATEGIC_META, strategicMerge, type PatchMeta } from './strategic.js';

export interface ApplyOptions extends WriteOptions {
  force: boolean;
}

/** Built-in kinds' list keys; custom resources are treated as having none (their schema's are not read). */
function metaFor(type: ResourceType): PatchMeta {
  return type.builtin ? STRATEGIC_META[type.kind] ?? {} : {};
}

/** A path as one string, for set membership. */
const pathKey = (path: FieldPath): string => path.join('\u0000');

function pathText(path: FieldPath): string {
  return path.map((s) => (s.startsWith('f:') ? `.${s.slice(2)}` : `[${s.slice(2)}]`)).join('');
}

/** The part of an object SSA tracks: everything except apiVersion, kind and system metadata. */
function trackedPart(obj: KubeObject): KubeObject {
  const { name: _n, namespace: _ns, uid: _u, resourceVersion: _r, generation: _g, creationTimestamp: _c,
    managedFields: _m, deletionTimestamp: _d, deletionGracePeriodSeconds: _dg, generateName: _gn, ...meta } = obj.metadata;
  const { apiVersion: _a, kind: _k, metadata: _md, ...rest } = obj;
  return Object.keys(meta).length > 0 ? { ...rest, metadata: meta } : ({ ...rest } as KubeObject);
}

function entryFor(type: ResourceType, manager: string, obj: KubeObject, subresource: string | undefined): ManagedFieldsEntry {
  const entry: ManagedFieldsEntry = { manager, operation: 'Apply', apiVersion: apiVersionOf(type), time: nowTimestamp(),
    fieldsType: 'FieldsV1', fieldsV1: fieldSet(trackedPart(obj), metaFor(type)) };
  if (subresource) entry.subresource = subresource;
  return entry;
}

function checkApplyBody(type: ResourceType, name: string, body: unknown): KubeObject {
  if (!isJsonObject(body) || !isJsonObject(body.metadata)) throw badRequest('apply patch must be an object with metadata');
  if (body.apiVersion !== apiVersionOf(type) || body.kind !== type.kind) {
    throw badRequest(`apply patch apiVersion/kind ${String(body.apiVersion)}/${String(body.kind)} does not match ${apiVersionOf(type)}/${type.kind}`);
  }
  const obj = body as KubeObject;
  if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
    throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
  }
  return { ...obj, metadata: { ...obj.metadata, name } };
}

export function applyConfiguration(
  ops: Operations, store: Store, type: ResourceType, namespace: string, name: string, body: unknown, options: ApplyOptions,
): { object: KubeObject; created: boolean } {
  const manager = options.fieldManager;
  if (!manager) throw badRequest('PATCH, application/apply-patch+yaml: fieldManager is required for apply requests');
  const applied = checkApplyBody(type, name, body);
  const stored = store.get(type.storageKey, namespace, name);
  if (!stored) {
    const created = ops.create(type, namespace, {
      ...applied, metadata: { ...applied.metadata, managedFields: [entryFor(type, manager, applied, options.subresource)] },
    }, options);
    return { object: created, created: true };
  }
  const current = ops.present(type, stored);
  const entries = current.metadata.managedFields ?? [];
  const mine = entries.find((e) => e.manager === manager && e.operation === 'Apply');
  const others = entries.filter((e) => e !== mine);
  const newEntry = entryFor(type, manager, applied, options.subresource);
  const newPaths = leafPaths(newEntry.fieldsV1);
  const owned = others.map((entry) => ({ entry, keys: new Set(leafPaths(entry.fieldsV1).map(pathKey)) }));
  const conflicts: { path: FieldPath; owner: ManagedFieldsEntry }[] = [];
  for (const path of newPaths) {
    if (deepEqual(valueAt(current, path), valueAt(applied, path))) continue;
    const key = pathKey(path);
    const owner = owned.find(({ keys }) => keys.has(key))?.entry;
    if (owner) conflicts.push({ path, owner });
  }
  if (conflicts.length > 0 && !options.force) {
    const causes = conflicts.map(({ path, owner }) => ({ reason: 'FieldManagerConflict',
      message: `conflict with "${owner.manager}"${owner.operation === 'Update' ? ` using ${owner.apiVersion}` : ''}`, field: pathText(path) }));
    const list = causes.map((c) => `- ${c.message}: ${c.field}`).join('\n');
    throw new ApiError(409, 'Conflict', `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? 's' : ''}: ${causes.length === 1 ? `${causes[0]?.message}: ${causes[0]?.field}` : `\n${list}`}`,
      { causes });
  }
  let merged = strategicMerge(current, applied, metaFor(type)) as KubeObject;
  const newKeys = new Set(newPaths.map(pathKey));
  for (const path of mine ? leafPaths(mine.fieldsV1) : []) {
    const key = pathKey(path);
    if (!newKeys.has(key) && !owned.some(({ keys }) => keys.has(key))) merged = removePath(merged, path) as KubeObject;
  }
  const keptOthers = options.force ? others.map((e) => stripPaths(e, conflicts.map((c) => c.path))) : others;
  merged.metadata = { ...merged.metadata, managedFields: [...keptOthers, newEntry] };
  return { object: ops.replace(type, stored, merged, options), created: false };
}

/** Takes forced-away fields from a previous owner. */
function stripPaths(entry: ManagedFieldsEntry, paths: FieldPath[]): ManagedFieldsEntry {
  let fields = entry.fieldsV1;
  for (const path of paths) fields = removeFromFieldSet(fields, path);
  return { ...entry, fieldsV1: fields };
}
