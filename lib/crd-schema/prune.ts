// Structural pruning and defaulting, in kube-apiserver's order: unknown fields are dropped, then nulls
// that a non-nullable field may not hold, then `default`s are filled in (k8s.io/apiextensions-apiserver
// pkg/apiserver/schema/pruning and .../defaulting). Both work in place on a deep copy made by the caller.
import { isObject, type JSONSchemaProps, type JsonObject } from './types.js';

/** Fields of every Kubernetes object that a CRD schema does not describe and pruning must keep. */
const OBJECT_ENVELOPE = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * Drops what the schema does not describe. `onDrop` hears the path of each dropped field ("spec.foo",
 * "spec.items[0].bar"), as kube-apiserver's strict field validation names it in `unknown field "…"`.
 */
export function prune(value: unknown, schema: JSONSchemaProps, isResource: boolean, onDrop?: (path: string) => void, path = ''): void {
  if (Array.isArray(value)) {
    if (schema.items) {
      const items = schema.items;
      value.forEach((item, i) => prune(item, items, items['x-kubernetes-embedded-resource'] === true, onDrop, `${path}[${i}]`));
    }
    return;
  }
  if (!isObject(value)) return;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  for (const key of Object.keys(value)) {
    if (isResource && OBJECT_ENVELOPE.has(key) && !schema.properties?.[key]) continue;
    const sub = subSchema(schema, key);
    const keyPath = path === '' ? key : `${path}.${key}`;
    if (sub) prune(value[key], sub, sub['x-kubernetes-embedded-resource'] === true, onDrop, keyPath);
    else if (!preserve && schema.additionalProperties !== true) {
      Reflect.deleteProperty(value, key);
      onDrop?.(keyPath);
    }
  }
}

/** The schema of one property: a named property, else the map's value schema. */
export function subSchema(schema: JSONSchemaProps, key: string): JSONSchemaProps | undefined {
  const named = schema.properties?.[key];
  if (named) return named;
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

/** A null where the schema neither allows null nor has a default to replace it is removed, as kube does. */
export function applyDefaults(value: unknown, schema: JSONSchemaProps): void {
  if (Array.isArray(value)) {
    const items = schema.items;
    if (!items) return;
    value.forEach((item, i) => {
      if (item === null && !items.nullable && items.default !== undefined) value[i] = structuredClone(items.default);
      applyDefaults(value[i], items);
    });
    return;
  }
  if (!isObject(value)) return;
  for (const [key, prop] of Object.entries(schema.properties ?? {})) fillDefault(value, key, prop);
  if (typeof schema.additionalProperties === 'object') {
    for (const key of Object.keys(value)) {
      if (!schema.properties?.[key]) fillDefault(value, key, schema.additionalProperties);
    }
  }
}

function fillDefault(obj: JsonObject, key: string, prop: JSONSchemaProps): void {
  const current = obj[key];
  const nonNullableNull = current === null && !prop.nullable;
  if ((current === undefined || nonNullableNull) && prop.default !== undefined) {
    obj[key] = structuredClone(prop.default);
  } else if (nonNullableNull) {
    Reflect.deleteProperty(obj, key);
    return;
  }
  if (obj[key] !== undefined) applyDefaults(obj[key], prop);
}
