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

/** Go's %q / %v rendering of a JSON value, as far as kube's messages show it. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
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
