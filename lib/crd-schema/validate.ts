// OpenAPI v3 validation of a (pruned, defaulted) custom resource against its structural schema, with
// kube-apiserver's error types and texts (kube-openapi validation errors as converted by
// apiextensions-apiserver's ConvertToFieldErrors, and structurallisttype for list-type set/map).
import { deepEqual } from './go-json.js';
import { child, fieldError, index, showValue } from './errors.js';
import { matchesFormat } from './formats.js';
import { subSchema } from './prune.js';
import { isObject, type FieldError, type JSONSchemaProps } from './types.js';

type Errors = FieldError[];

export function validateValue(value: unknown, schema: JSONSchemaProps, path: string, errs: Errors): void {
  if (value === null) {
    if (!schema.nullable && schema.type) errs.push(typeError(path, value, schema.type));
    return;
  }
  if (!hasType(value, schema)) {
    errs.push(typeError(path, value, schema['x-kubernetes-int-or-string'] ? 'integer-or-string' : String(schema.type)));
    return;
  }
  if (schema.enum && !schema.enum.some((e) => deepEqual(e, value))) {
    const supported = schema.enum.map(showValue).join(', ');
    errs.push(fieldError('FieldValueNotSupported', path, `supported values: ${supported}`, value));
  }
  if (typeof value === 'string') validateString(value, schema, path, errs);
  else if (typeof value === 'number') validateNumber(value, schema, path, errs);
  else if (Array.isArray(value)) validateArray(value, schema, path, errs);
  else if (isObject(value)) validateObject(value, schema, path, errs);
}

function hasType(value: unknown, schema: JSONSchemaProps): boolean {
  if (schema['x-kubernetes-int-or-string']) return typeof value === 'string' || Number.isInteger(value);
  switch (schema.type) {
    case undefined: return true;
    case 'object': return isObject(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'integer': return Number.isInteger(value);
    case 'number': return typeof value === 'number';
    case 'boolean': return typeof value === 'boolean';
  }
}

/** kube-openapi reports the type it found, not the value, in both places: `Invalid value: "string": ... "string"`. */
function typeError(path: string, value: unknown, type: string): FieldError {
  const found = typeName(value);
  return fieldError('FieldValueTypeInvalid', path, `${path} in body must be of type ${type}: ${JSON.stringify(found)}`, found);
}

/** The JSON type name go-openapi prints for the value it got. */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function validateString(value: string, schema: JSONSchemaProps, path: string, errs: Errors): void {
  // kube counts maxLength/minLength in Unicode code points.
  const length = [...value].length;
  if (schema.maxLength !== undefined && length > schema.maxLength) {
    errs.push(fieldError('FieldValueTooLong', path, `may not be more than ${schema.maxLength} bytes`, value));
  }
  if (schema.minLength !== undefined && length < schema.minLength) {
    errs.push(fieldError('FieldValueInvalid', path, `${path} in body should be at least ${schema.minLength} chars long`, value));
  }
  if (schema.pattern !== undefined && !compiledPattern(schema.pattern).test(value)) {
    errs.push(fieldError('FieldValueInvalid', path, `${path} in body should match '${schema.pattern}'`, value));
  }
  if (schema.format && !matchesFormat(schema.format, value)) {
    errs.push(fieldError('FieldValueInvalid', path, `${path} in body must be of type ${schema.format}: ${JSON.stringify(value)}`, value));
  }
}

/** Schemas are validated on every write with the same few patterns: each is compiled once. */
const patterns = new Map<string, RegExp>();

function compiledPattern(pattern: string): RegExp {
  let regex = patterns.get(pattern);
  if (!regex) {
    regex = new RegExp(pattern, 'u');
    patterns.set(pattern, regex);
  }
  return regex;
}

function validateNumber(value: number, schema: JSONSchemaProps, path: string, errs: Errors): void {
  const { minimum, maximum } = schema;
  if (minimum !== undefined && (schema.exclusiveMinimum ? value <= minimum : value < minimum)) {
    const rel = schema.exclusiveMinimum ? 'greater than' : 'greater than or equal to';
    errs.push(fieldError('FieldValueInvalid', path, `${path} in body should be ${rel} ${minimum}`, value));
  }
  if (maximum !== undefined && (schema.exclusiveMaximum ? value >= maximum : value > maximum)) {
    const rel = schema.exclusiveMaximum ? 'less than' : 'less than or equal to';
    errs.push(fieldError('FieldValueInvalid', path, `${path} in body should be ${rel} ${maximum}`, value));
  }
  if (schema.multipleOf !== undefined && value % schema.multipleOf !== 0) {
    errs.push(fieldError('FieldValueInvalid', path, `${path} in body should be a multiple of ${schema.multipleOf}`, value));
  }
  if (schema.format && !matchesFormat(schema.format, value)) {
    errs.push(fieldError('FieldValueInvalid', path, `${path} in body must be of type ${schema.format}: "${value}"`, value));
  }
}

function validateArray(value: unknown[], schema: JSONSchemaProps, path: string, errs: Errors): void {
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    errs.push(fieldError('FieldValueInvalid', path, `${path} in body should have at least ${schema.minItems} items`, value.length));
  }
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    errs.push(fieldError('FieldValueTooMany', path, `must have at most ${schema.maxItems} items`, value.length));
  }
  const items = schema.items;
  if (items) value.forEach((item, i) => validateValue(item, items, index(path, i), errs));
  validateListType(value, schema, path, errs);
}

/**
 * x-kubernetes-list-type: set items are unique; map items are unique by their x-kubernetes-list-map-keys
 * (apiextensions' structurallisttype). Each repeated value is reported once, at its second appearance; a map
 * item's duplicate shows only the keys it sets.
 */
function validateListType(value: unknown[], schema: JSONSchemaProps, path: string, errs: Errors): void {
  const listType = schema['x-kubernetes-list-type'];
  if (listType !== 'set' && listType !== 'map') return;
  if (listType === 'map') {
    const bad = value.findIndex((item) => item !== null && !isObject(item));
    if (bad >= 0) {
      errs.push(fieldError('FieldValueInvalid', index(path, bad), 'must be an object for an array of list-type map', value[bad]));
      return;
    }
  }
  const keys = schema['x-kubernetes-list-map-keys'] ?? [];
  const seen = new Map<string, number>();
  value.forEach((item, i) => {
    const identity = listType === 'set' ? item : mapKeyOf(item, keys);
    const id = canonicalJson(identity);
    const times = seen.get(id) ?? 0;
    if (times === 1) errs.push(fieldError('FieldValueDuplicate', index(path, i), '', identity));
    seen.set(id, times + 1);
  });
}

function mapKeyOf(item: unknown, keys: string[]): Record<string, unknown> {
  const obj = isObject(item) ? item : {};
  return Object.fromEntries(keys.filter((k) => obj[k] !== undefined).map((k) => [k, obj[k]]));
}

/** JSON with object keys sorted, so equal values compare equal whatever order their keys came in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function validateObject(value: Record<string, unknown>, schema: JSONSchemaProps, path: string, errs: Errors): void {
  for (const name of schema.required ?? []) {
    if (value[name] === undefined) errs.push(fieldError('FieldValueRequired', child(path, name), ''));
  }
  const count = Object.keys(value).length;
  if (schema.minProperties !== undefined && count < schema.minProperties) {
    errs.push(fieldError('FieldValueInvalid', path, `${path} in body should have at least ${schema.minProperties} properties`, count));
  }
  if (schema.maxProperties !== undefined && count > schema.maxProperties) {
    errs.push(fieldError('FieldValueTooMany', path, `must have at most ${schema.maxProperties} items`, count));
  }
  for (const [key, v] of Object.entries(value)) {
    const sub = subSchema(schema, key);
    if (!sub) continue;
    // kube-openapi's object validator names a map's value like a property (`path.key`); CEL rules name it `path[key]`.
    validateValue(v, sub, child(path, key), errs);
  }
}
