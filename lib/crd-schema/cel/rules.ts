// Evaluation of x-kubernetes-validations the way apiextensions-apiserver's CEL validator does it:
// every node with rules is visited with `self` bound to its value (and `oldSelf` to the value at the
// same place in the old object, for transition rules, when one exists); a rule that is not true
// becomes a field error with kube's texts: the value itself for a string, number or boolean, no value
// for an object or array; a rule that errors shows the schema type instead ("failed rule: ...").
import { isCelError } from '@bufbuild/cel';
import { child, fieldError, index, OMIT_VALUE } from '../errors.js';
import { subSchema } from '../prune.js';
import { isObject, type FieldError, type JSONSchemaProps, type ValidationRule } from '../types.js';
import { evaluate } from './env.js';
import { toCelValue } from './values.js';

const REFERS_TO_OLD_SELF = /\boldSelf\b/;

/** `old` is undefined when there is no old value at this place (create, or an uncorrelatable item). */
export function validateRules(value: unknown, old: unknown, schema: JSONSchemaProps, path: string, errs: FieldError[]): void {
  if (value === undefined) return;
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    const error = checkRule(rule, value, old, schema, path);
    if (error) errs.push(error);
  }
  if (Array.isArray(value) && schema.items) {
    const items = schema.items;
    value.forEach((item, i) => validateRules(item, correlateItem(item, old, schema), items, index(path, i), errs));
  } else if (isObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      const sub = subSchema(schema, key);
      if (!sub) continue;
      const oldChild = isObject(old) ? old[key] : undefined;
      validateRules(v, oldChild, sub, schema.properties?.[key] ? child(path, key) : index(path, key), errs);
    }
  }
}

/** Only items of x-kubernetes-list-type: map lists have an old counterpart: the one with the same keys. */
function correlateItem(item: unknown, oldList: unknown, schema: JSONSchemaProps): unknown {
  if (schema['x-kubernetes-list-type'] !== 'map' || !Array.isArray(oldList) || !isObject(item)) return undefined;
  const keys = schema['x-kubernetes-list-map-keys'] ?? [];
  return oldList.find((o) => isObject(o) && keys.every((k) => o[k] === item[k]));
}

function checkRule(rule: ValidationRule, value: unknown, old: unknown, schema: JSONSchemaProps, path: string): FieldError | undefined {
  const transition = REFERS_TO_OLD_SELF.test(rule.rule);
  if (transition && old === undefined) return undefined;
  const bindings = { self: toCelValue(value, schema), ...(transition ? { oldSelf: toCelValue(old, schema) } : {}) };
  const result = evaluate(rule.rule, bindings);
  const at = rule.fieldPath ? joinFieldPath(path, rule.fieldPath) : path;
  const type = schema.type ?? (schema['x-kubernetes-int-or-string'] ? 'integer' : 'object');
  if (isCelError(result)) {
    return fieldError('FieldValueInvalid', at, `${ruleText(rule)}: ${result.message}`, type);
  }
  if (result === true) return undefined;
  return ruleFailure(rule, bindings, at, schema.type === 'object' || schema.type === 'array' ? OMIT_VALUE : value);
}

function ruleText(rule: ValidationRule): string {
  return `failed rule: ${rule.rule}`;
}

/** `shown` is the value kube prints: the node's own value, or OMIT_VALUE for objects and arrays. */
function ruleFailure(rule: ValidationRule, bindings: Record<string, ReturnType<typeof toCelValue>>, at: string, shown: unknown): FieldError {
  let detail = rule.message ?? ruleText(rule);
  if (rule.messageExpression) {
    // kube falls back to `message` (or the rule text) when the expression fails or yields no string.
    const produced = evaluate(rule.messageExpression, bindings);
    if (typeof produced === 'string' && produced.trim() !== '') detail = produced;
  }
  switch (rule.reason) {
    case 'FieldValueForbidden': return fieldError('FieldValueForbidden', at, detail);
    case 'FieldValueRequired': return fieldError('FieldValueRequired', at, detail);
    // field.Duplicate(path, value) carries no detail, so kube drops the message.
    case 'FieldValueDuplicate': return fieldError('FieldValueDuplicate', at, '', shown);
    default: return fieldError('FieldValueInvalid', at, detail, shown);
  }
}

/** Appends a rule's relative fieldPath (".a.b", ".a[0]", "['x.y']") to the node's path. */
export function joinFieldPath(path: string, fieldPath: string): string {
  const token = /\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\['([^']*)'\]/y;
  let out = path;
  let at = 0;
  while (at < fieldPath.length) {
    token.lastIndex = at;
    const m = token.exec(fieldPath);
    if (!m) throw new Error(`fieldPath ${JSON.stringify(fieldPath)} is not a relative JSONPath (at offset ${at})`);
    out = m[1] !== undefined ? child(out, m[1]) : index(out, m[2] ?? m[3] ?? '');
    at = token.lastIndex;
  }
  return out;
}
