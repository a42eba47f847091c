// kube's FieldsV1 field sets: `{"f:spec":{"f:ports":{"k:{\"port\":80,\"protocol\":\"TCP\"}":{".":{},"f:port":{}}}}}`.
// A path is the list of keys from the root (`f:NAME` for a map field, `k:{KEYS}` for an item of a keyed list,
// `.` for "the item itself").
import { deleteKey, isJsonObject, type JsonObject } from '../types.js';
import { deepEqual } from './json-util.js';
import type { PatchMeta } from './strategic.js';

export type FieldPath = string[];

function itemKey(item: unknown, keys: string[], defaults: Record<string, unknown> | undefined): string | undefined {
  if (!isJsonObject(item)) return undefined;
  const picked: JsonObject = {};
  for (const key of keys) {
    const value = item[key] ?? defaults?.[key];
    if (value !== undefined) picked[key] = value;
  }
  return `k:${JSON.stringify(picked)}`;
}

/** Fields set in `value`; lists without merge keys are atomic (owned as a whole). */
export function fieldSet(value: unknown, meta: PatchMeta): JsonObject {
  const out: JsonObject = {};
  if (!isJsonObject(value)) return out;
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined || child === null) continue;
    const childMeta = meta.fields?.[key] ?? {};
    const keys = childMeta.list?.keys ?? [];
    if (Array.isArray(child) && keys.length > 0) {
      const items: JsonObject = {};
      for (const item of child) {
        const k = itemKey(item, keys, childMeta.list?.defaults);
        if (k) items[k] = { '.': {}, ...fieldSet(item, childMeta.item ?? {}) };
      }
      out[`f:${key}`] = items;
    } else if (isJsonObject(child) && Object.keys(child).length > 0) {
      out[`f:${key}`] = fieldSet(child, childMeta);
    } else {
      out[`f:${key}`] = {};
    }
  }
  return out;
}

/** Every owned leaf: empty nodes, and items marked with ".". */
export function leafPaths(tree: JsonObject, prefix: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = [];
  for (const [key, child] of Object.entries(tree)) {
    if (key === '.') continue;
    const path = [...prefix, key];
    if (!isJsonObject(child) || Object.keys(child).length === 0) out.push(path);
    else {
      if ('.' in child) out.push(path);
      out.push(...leafPaths(child, path));
    }
  }
  return out;
}

function findItem(list: unknown[], segment: string): number {
  const wanted: unknown = JSON.parse(segment.slice(2));
  if (!isJsonObject(wanted)) return -1;
  return list.findIndex((item) => isJsonObject(item)
    && Object.entries(wanted).every(([k, v]) => deepEqual(item[k] ?? (k === 'protocol' ? 'TCP' : undefined), v)));
}

export function valueAt(obj: unknown, path: FieldPath): unknown {
  let current: unknown = obj;
  for (const segment of path) {
    if (segment.startsWith('f:') && isJsonObject(current)) current = current[segment.slice(2)];
    else if (segment.startsWith('k:') && Array.isArray(current)) current = current[findItem(current, segment)];
    else return undefined;
  }
  return current;
}

/** Copy of `obj` without the value at `path` (an object field, or an item of a keyed list). */
export function removePath(obj: unknown, path: FieldPath): unknown {
  const [segment, ...rest] = path;
  if (segment === undefined) return undefined;
  if (segment.startsWith('f:') && isJsonObject(obj)) {
    const key = segment.slice(2);
    if (!(key in obj)) return obj;
    const copy = { ...obj };
    if (rest.length === 0) deleteKey(copy, key);
    else copy[key] = removePath(copy[key], rest);
    return copy;
  }
  if (segment.startsWith('k:') && Array.isArray(obj)) {
    const index = findItem(obj, segment);
    if (index < 0) return obj;
    const copy = [...obj];
    if (rest.length === 0) copy.splice(index, 1);
    else copy[index] = removePath(copy[index], rest);
    return copy;
  }
  return obj;
}

/** Copy of a FieldsV1 tree without the node at `path`. */
export function removeFromFieldSet(tree: JsonObject, path: FieldPath): JsonObject {
  const [segment, ...rest] = path;
  if (segment === undefined || !(segment in tree)) return tree;
  const copy = { ...tree };
  const child = copy[segment];
  if (rest.length === 0 || !isJsonObject(child)) deleteKey(copy, segment);
  else copy[segment] = removeFromFieldSet(child, rest);
  return copy;
}
