// What migrate-from-metallb produces: Herald objects, each with where it came from and what did not carry over.
export type JsonObject = Record<string, unknown>;

export interface Migrated {
  object: JsonObject;
  /** The MetalLB object (or ConfigMap entry) it came from, for the comment above it. */
  from: string;
  /** What of the source is not in the object, and why; written as comments above it and to stderr. */
  warnings: string[];
}

export interface Migration {
  objects: Migrated[];
  /** About the input as a whole: MetalLB objects with no Herald counterpart, ConfigMaps that are not MetalLB's. */
  notes: string[];
}

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function metadataOf(o: JsonObject): { name: string; namespace: string | undefined; labels: Record<string, string> | undefined } {
  const meta = isObject(o.metadata) ? o.metadata : {};
  return {
    name: typeof meta.name === 'string' ? meta.name : '',
    namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined,
    labels: isObject(meta.labels) ? meta.labels as Record<string, string> : undefined,
  };
}
