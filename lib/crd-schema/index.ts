// validateCustomResource: what kube-apiserver does to a custom resource on create/update before it
// stores it — prune unknown fields, drop disallowed nulls, apply defaults, validate against the
// structural OpenAPI schema, then evaluate x-kubernetes-validations (CEL) — returning the stored value
// and kube's field errors. One copy for two users: the API emulator (test/apiserver/crds.ts) turns a non-empty
// error list into a 422 Invalid Status, and `kubectl herald validate` prints it offline (cli/validate/).
import { validateRules } from './cel/rules.js';
import { fieldError } from './errors.js';
import { applyDefaults, prune } from './prune.js';
import type { FieldError, JSONSchemaProps } from './types.js';
import { validateValue } from './validate.js';

export type { FieldError, FieldErrorType, JSONSchemaProps, ValidationRule } from './types.js';

/**
 * kube skips CEL when schema errors mean `self` may not have the types and bounds the rules were checked against
 * (apiextensions-apiserver's hasBlockingErr: wrong type, enum, required, maxLength, maxItems/maxProperties).
 */
const BLOCKS_CEL = new Set<FieldError['type']>([
  'FieldValueTypeInvalid', 'FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany',
]);

export function validateCustomResource(
  schemaInput: Record<string, unknown>,
  obj: unknown,
  oldObj?: unknown,
): { value: unknown; errors: FieldError[] } {
  const schema = schemaInput as JSONSchemaProps;
  const value = structuredClone(obj);
  prune(value, schema, true);
  applyDefaults(value, schema);
  const errors: FieldError[] = [];
  validateValue(value, schema, '', errors);
  if (!hasRules(schema)) return { value, errors };
  if (errors.some((e) => BLOCKS_CEL.has(e.type))) {
    // kube's field.Invalid(nil, nil, ...): a nil path prints as "<nil>", a nil value as null.
    errors.push(fieldError('FieldValueInvalid', '<nil>', 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation', null));
  } else {
    validateRules(value, oldObj, schema, '', errors);
  }
  return { value, errors };
}

/** Whether any node of a schema has rules; remembered per schema object, which a CRD version reuses for every write. */
const rulesSeen = new WeakMap<JSONSchemaProps, boolean>();

function hasRules(schema: JSONSchemaProps): boolean {
  let found = rulesSeen.get(schema);
  if (found === undefined) {
    const children = [...Object.values(schema.properties ?? {}), schema.items, typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined];
    found = (schema['x-kubernetes-validations'] ?? []).length > 0 || children.some((c) => c !== undefined && hasRules(c));
    rulesSeen.set(schema, found);
  }
  return found;
}
