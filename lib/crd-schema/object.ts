// A whole custom object against its CRD version's openAPIV3Schema, as kube-apiserver checks it: the envelope
// (apiVersion, kind, metadata) is the server's own to check, so the schema's properties for it are set aside and
// only the body (spec, status, anything else) goes through validateCustomResource.
import { validateCustomResource } from './index.js';
import { prune } from './prune.js';
import type { JSONSchemaProps } from './types.js';
import { isObject, type FieldError, type JsonObject } from './types.js';

export interface ObjectCheck {
  /** The body after pruning and defaults, without the envelope. */
  body: JsonObject;
  errors: FieldError[];
}

/** The schema without the envelope's properties, made once per schema (validateCustomResource remembers facts per
 *  schema object, and the emulator checks every write of a kind against the same one). */
const bodySchemas = new WeakMap<JsonObject, JsonObject>();

function envelopeLess(schema: JsonObject): JsonObject {
  let body = bodySchemas.get(schema);
  if (!body) {
    const { metadata: _m, apiVersion: _a, kind: _k, ...bodyProperties } = isObject(schema.properties) ? schema.properties : {};
    body = { ...schema, properties: bodyProperties };
    bodySchemas.set(schema, body);
  }
  return body;
}

/** The object's fields but apiVersion, kind and metadata. */
export function bodyOf(obj: JsonObject): JsonObject {
  const { apiVersion: _av, kind: _kd, metadata: _md, ...rest } = obj;
  return rest;
}

/** Checks `obj` (and `old`, for transition rules) against `schema`, the version's openAPIV3Schema. */
export function validateCustomObject(schema: JsonObject, obj: JsonObject, old?: JsonObject): ObjectCheck {
  const { value, errors } = validateCustomResource(envelopeLess(schema), bodyOf(obj), old && bodyOf(old));
  return { body: isObject(value) ? value : {}, errors };
}

/**
 * The body's fields the schema does not describe, by path ("spec.foo"): pruning drops them silently, but kubectl
 * apply asks for strict field validation (its default since 1.27), which refuses the object naming each one.
 */
export function unknownFields(schema: JsonObject, obj: JsonObject): string[] {
  const dropped: string[] = [];
  prune(structuredClone(bodyOf(obj)), envelopeLess(schema) as JSONSchemaProps, true, (path) => dropped.push(path));
  return dropped;
}
