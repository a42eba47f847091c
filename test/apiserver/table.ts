// Server-side printing: `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` turns an object or a list
// into a meta.k8s.io/v1 Table with the kind's columns (NAME and AGE when it has no printer of its own).
// includeObject=None|Metadata|Object (default Metadata, as kube) decides what each row carries.
import { badRequest } from './errors.js';
import type { PrinterColumn, ResourceType } from './resource-type.js';
import { isJsonObject, type JsonObject, type KubeObject } from './types.js';

export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => part.includes('as=Table') && part.includes('g=meta.k8s.io'));
}

export const NAME_COLUMN: PrinterColumn = {
  name: 'Name', type: 'string', format: 'name', priority: 0,
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
};

export const AGE_COLUMN: PrinterColumn = {
  name: 'Age', type: 'string', priority: 0,
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
};

/** kube's duration.HumanDuration, as printed in AGE columns. */
export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 365 * 2) return `${days}d`;
  return `${Math.floor(days / 365)}y`;
}

export function age(obj: KubeObject, nowMs: number): string {
  const created = obj.metadata.creationTimestamp;
  return created ? humanDuration(nowMs - Date.parse(created)) : '<unknown>';
}

function defaultCells(obj: KubeObject, nowMs: number): unknown[] {
  return [obj.metadata.name ?? '', age(obj, nowMs)];
}

function rowObject(obj: KubeObject, include: string): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function tableFor(type: ResourceType, body: JsonObject, includeObject: string | null): JsonObject {
  const include = includeObject ?? 'Metadata';
  if (!['None', 'Metadata', 'Object'].includes(include)) {
    throw badRequest(`includeObject: Unsupported value: "${include}": supported values: "Metadata", "None", "Object"`);
  }
  const columns = type.printer?.columns ?? [NAME_COLUMN, AGE_COLUMN];
  const cells = type.printer?.cells ?? defaultCells;
  const objects = (Array.isArray(body.items) ? body.items : [body]) as KubeObject[];
  const nowMs = Date.now();
  const rows = objects.map((obj) => {
    const row: JsonObject = { cells: cells(obj, nowMs) };
    const object = rowObject(obj, include);
    if (object !== undefined) row.object = object;
    return row;
  });
  // A list's resourceVersion and continue token, or the single object's resourceVersion.
  const sourceMeta = isJsonObject(body.metadata) ? body.metadata : {};
  const metadata: JsonObject = { resourceVersion: sourceMeta.resourceVersion };
  if (Array.isArray(body.items) && sourceMeta.continue) metadata.continue = sourceMeta.continue;
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: columns, rows };
}
