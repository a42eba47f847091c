// Builds FieldErrors whose text matches k8s.io/apimachinery/pkg/util/validation/field (Error.ErrorBody):
// "<Type text>: <value>: <detail>", the value printed bare for numbers and booleans and quoted for strings.
import { goJson } from './go-json.js';
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
 * field.Error's ErrorBody rendering of a bad value: nil as json.Marshal prints it (null, bare), strings %q, numbers and
 * booleans %v, and anything else (a decoded map or slice) as Go's json.Marshal prints it.
 */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return goJson(value);
}

/** field.OmitValue(): kube prints no value at all, as for a CEL rule that fails on an object or an array. */
export const OMIT_VALUE: unique symbol = Symbol('field.OmitValue');

export function fieldError(type: FieldErrorType, field: string, detail: string, value?: unknown): FieldError {
  const shown = !VALUELESS.has(type) && value !== OMIT_VALUE;
  let message = TYPE_TEXT[type];
  if (shown) message += `: ${showValue(value)}`;
  if (detail !== '') message += `: ${detail}`;
  return shown ? { type, field, message, value } : { type, field, message };
}

/** Path helpers with field.Path's rendering: ".name" for children, "[i]" / "[key]" for indexes and keys. */
export const child = (path: string, name: string): string => (path === '' ? name : `${path}.${name}`);
export const index = (path: string, i: number | string): string => `${path}[${i}]`;
