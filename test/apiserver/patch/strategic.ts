// Strategic merge patch for built-in kinds: like a JSON merge patch, except that lists tagged "merge" in
// kube's Go types merge item by item (by a merge key, or as a set of primitives) instead of being replaced,
// and the directives kubectl sends are honoured: $patch (replace/delete/merge), $retainKeys,
// $deleteFromPrimitiveList/<field> and $setElementOrder/<field>.
import { badRequest } from '../errors.js';
import { deleteKey, isJsonObject, type JsonObject } from '../types.js';
import { deepEqual } from './json-util.js';

export interface ListMerge {
  /** Fields identifying an item in a list of maps; empty for a list of primitives merged as a set. */
  keys: string[];
  /** Values the server defaults, so a patch item that omits one still matches (protocol: TCP). */
  defaults?: Record<string, unknown>;
}

export interface PatchMeta {
  fields?: Record<string, PatchMeta>;
  list?: ListMerge;
  /** Meta of the items of a merged list. */
  item?: PatchMeta;
}

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM = '$deleteFromPrimitiveList/';
const SET_ORDER = '$setElementOrder/';

/** Copy of a patch value with every `$...` directive removed, for values added as they are. */
function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) if (!key.startsWith('$') && v !== null) out[key] = stripDirectives(v);
  return out;
}

function sameItem(a: unknown, b: unknown, list: ListMerge): boolean {
  if (list.keys.length === 0) return deepEqual(a, b);
  if (!isJsonObject(a) || !isJsonObject(b)) return false;
  return list.keys.every((key) => deepEqual(a[key] ?? list.defaults?.[key], b[key] ?? list.defaults?.[key]));
}

function mergeList(original: unknown, patch: unknown[], meta: PatchMeta, list: ListMerge): unknown[] {
  if (patch.some((item) => isJsonObject(item) && item[DIRECTIVE] === 'replace')) {
    return patch.filter((item) => !(isJsonObject(item) && item[DIRECTIVE] === 'replace')).map(stripDirectives);
  }
  const server = Array.isArray(original) ? original : [];
  const out = [...server];
  const merged: unknown[] = [];
  for (const item of patch) {
    if (isJsonObject(item) && item[DIRECTIVE] === 'delete') {
      const index = out.findIndex((existing) => sameItem(existing, item, list));
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    merged.push(item);
    const index = out.findIndex((existing) => sameItem(existing, item, list));
    if (index < 0) out.push(stripDirectives(item));
    else if (list.keys.length > 0) out[index] = strategicMerge(out[index], item, meta.item ?? {});
  }
  return kubeOrder(out, merged, server, list);
}

/**
 * The order kube's mergeSlice leaves (normalizeElementOrder + mergeSortedSlice): the items the patch names, in the
 * patch's order, with the items only the server had slotted in by the server's order. Where one of the two is new
 * to the server there is nothing to compare, and the patch's item goes first.
 */
function kubeOrder(items: unknown[], patch: unknown[], server: unknown[], list: ListMerge): unknown[] {
  const indexIn = (where: unknown[], item: unknown): number => where.findIndex((other) => sameItem(other, item, list));
  const byIndexIn = (where: unknown[]) => (a: unknown, b: unknown): number => indexIn(where, a) - indexIn(where, b);
  const fromPatch = items.filter((item) => indexIn(patch, item) >= 0).sort(byIndexIn(patch));
  const serverOnly = items.filter((item) => indexIn(patch, item) < 0).sort(byIndexIn(server));
  const out: unknown[] = [];
  while (fromPatch.length > 0 && serverOnly.length > 0) {
    const [left, right] = [indexIn(server, serverOnly[0]), indexIn(server, fromPatch[0])];
    out.push(left >= 0 && right >= 0 && left < right ? serverOnly.shift() : fromPatch.shift());
  }
  return [...out, ...serverOnly, ...fromPatch];
}

/** Puts the items named in `order` first, in that order, as $setElementOrder asks. */
function reorder(items: unknown[], order: unknown[], list: ListMerge): unknown[] {
  const ordered: unknown[] = [];
  const rest = [...items];
  for (const wanted of order) {
    const index = rest.findIndex((item) => sameItem(item, wanted, list));
    if (index >= 0) ordered.push(...rest.splice(index, 1));
  }
  return [...ordered, ...rest];
}

function applyField(result: JsonObject, key: string, value: unknown, meta: PatchMeta): void {
  const fieldMeta = meta.fields?.[key];
  if (value === null) {
    deleteKey(result, key);
  } else if (Array.isArray(value) && fieldMeta?.list) {
    result[key] = mergeList(result[key], value, fieldMeta, fieldMeta.list);
  } else if (isJsonObject(value)) {
    const merged = strategicMerge(result[key], value, fieldMeta ?? {});
    if (merged === undefined) deleteKey(result, key);
    else result[key] = merged;
  } else {
    result[key] = stripDirectives(value);
  }
}

/** Applies directives that refer to sibling lists after those lists are merged. */
function applyListDirectives(result: JsonObject, patch: JsonObject, meta: PatchMeta): void {
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM)) {
      const field = key.slice(DELETE_FROM.length);
      const current = result[field];
      if (!Array.isArray(value) || !Array.isArray(current)) continue;
      result[field] = current.filter((item) => !value.some((gone) => deepEqual(gone, item)));
    } else if (key.startsWith(SET_ORDER)) {
      const field = key.slice(SET_ORDER.length);
      const current = result[field];
      const list = meta.fields?.[field]?.list ?? { keys: [] };
      if (Array.isArray(value) && Array.isArray(current)) result[field] = reorder(current, value, list);
    }
  }
}

export function strategicMerge(original: unknown, patch: unknown, meta: PatchMeta): unknown {
  if (!isJsonObject(patch)) return stripDirectives(patch);
  const directive = patch[DIRECTIVE];
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return stripDirectives(patch);
  if (directive !== undefined && directive !== 'merge') throw badRequest(`Unknown patch type: ${String(directive)}`);
  const result: JsonObject = isJsonObject(original) ? { ...original } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (!key.startsWith('$')) applyField(result, key, value, meta);
  }
  applyListDirectives(result, patch, meta);
  const retain = patch[RETAIN_KEYS];
  if (Array.isArray(retain)) {
    for (const key of Object.keys(result)) if (!retain.includes(key)) deleteKey(result, key);
  }
  return result;
}

export function strategicMergePatch(current: JsonObject, patch: JsonObject, meta: PatchMeta): unknown {
  return strategicMerge(current, patch, meta);
}

// Merge metadata, transcribed from the patchStrategy/patchMergeKey tags of kube's Go types.
const conditions: PatchMeta = { list: { keys: ['type'] } };
const objectMeta: PatchMeta = {
  fields: {
    finalizers: { list: { keys: [] } },
    ownerReferences: { list: { keys: ['uid'] } },
  },
};

function kindMeta(fields: Record<string, PatchMeta>): PatchMeta {
  return { fields: { metadata: objectMeta, ...fields } };
}

const byName: PatchMeta = { list: { keys: ['name'] } };

const container: PatchMeta = {
  fields: {
    // patchMergeKey containerPort (the list-map key adds protocol, which strategic merge ignores)
    ports: { list: { keys: ['containerPort'] } },
    env: byName,
    volumeMounts: { list: { keys: ['mountPath'] } },
    volumeDevices: { list: { keys: ['devicePath'] } },
  },
};
const containers: PatchMeta = { ...byName, item: container };

const podTemplate: PatchMeta = {
  fields: {
    metadata: objectMeta,
    spec: {
      fields: {
        containers, initContainers: containers, ephemeralContainers: containers,
        volumes: byName, imagePullSecrets: byName, hostAliases: { list: { keys: ['ip'] } },
        topologySpreadConstraints: { list: { keys: ['topologyKey', 'whenUnsatisfiable'] } },
        resourceClaims: byName, schedulingGates: byName,
      },
    },
  },
};

const workload: PatchMeta = kindMeta({ spec: { fields: { template: podTemplate } }, status: { fields: { conditions } } });

export const STRATEGIC_META: Record<string, PatchMeta> = {
  Deployment: workload,
  DaemonSet: workload,
  ServiceAccount: kindMeta({ secrets: byName }),
  ConfigMap: kindMeta({}),
  Role: kindMeta({}),
  ClusterRole: kindMeta({}),
  RoleBinding: kindMeta({}),
  ClusterRoleBinding: kindMeta({}),
  Service: kindMeta({
    spec: { fields: { ports: { list: { keys: ['port', 'protocol'], defaults: { protocol: 'TCP' } } } } },
    status: { fields: { conditions } },
  }),
  Node: kindMeta({
    spec: { fields: { podCIDRs: { list: { keys: [] } } } },
    status: { fields: { conditions, addresses: { list: { keys: ['type'] } } } },
  }),
  Namespace: kindMeta({ status: { fields: { conditions } } }),
  Secret: kindMeta({}),
  Event: kindMeta({}),
  Lease: kindMeta({}),
  EndpointSlice: kindMeta({}),
  CustomResourceDefinition: kindMeta({}),
};
