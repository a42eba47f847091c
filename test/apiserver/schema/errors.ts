// Builds FieldErrors whose text matches k8s.io/apimachinery/pkg/util/validation/field (Error.ErrorBody):
// "<Type text>: <value>: <detail>", the value printed bare for numbers and booleans and quoted for strings.
import type { FieldError, FieldErrorType } from './types.js';

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueForbidden: 'Forbidden',
  FieldValueDuplicate: 'Duplicate value',
};

/** Error types whose text never shows the value (kube omits it for these). */
const VALUELESS = new Set<FieldErrorType>(['FieldValueRequired', 'FieldValueForbidden', 'FieldValueTooLong']);

/**
 * field.Error's ErrorBody rendering of a bad value: nil as the string "null" (quoted), strings %q, numbers and
 * booleans %v, and anything else (a decoded map or slice) Go's %#v.
 */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return '"null"';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return goValue(value);
}

/** Go's %#v of a value decoded from JSON: `map[string]interface {}{"a":1, "b":"x"}` (keys sorted), `[]interface {}{...}`. */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return 'interface {}(nil)';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[]interface {}{${value.map(goValue).join(', ')}}`;
  if (typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[string]interface {}{${entries.map(([k, v]) => `${JSON.stringify(k)}:${goValue(v)}`).join(', ')}}`;
  }
  return String(value);
}

export function fieldError(type: FieldErrorType, field: string, detail: string, value?: unknown): FieldError {
  let message = TYPE_TEXT[type];
  if (!VALUELESS.has(type)) message += `: ${showValue(value)}`;
  if (detail !== '') message += `: ${detail}`;
  return VALUELESS.has(type) ? { type, field, message } : { type, field, message, value };
}

/** Path helpers with field.Path's rendering: ".name" for children, "[i]" / "[key]" for indexes and keys. */
export const child = (path: string, name: string): string => (path === '' ? name : `${path}.${name}`);
export const index = (path: string, i: number | string): string => `${path}[${i}]`;
