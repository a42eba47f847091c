// How kube-apiserver (1.34 and later) prints a decoded value after "Invalid value:" or "Duplicate value:": Go's
// json.Marshal of it (field.Error.ErrorBody), map keys sorted. The API emulator's gostring.ts builds its struct
// forms (a LabelSelector, a RoleRef) on this.
import { isObject } from './types.js';

/** json.Marshal escapes these, so the text is safe inside HTML. */
const HTML_UNSAFE = /[<>&\u2028\u2029]/g;

function escapeHtml(text: string): string {
  return text.replace(HTML_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function encode(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(encode).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${encode(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** json.Marshal of a value decoded from JSON (a map[string]interface{}, []interface{}, map[string]string...). */
export function goJson(value: unknown): string {
  return escapeHtml(encode(value));
}

/** Structural equality, map key order ignored (as Go's reflect.DeepEqual on decoded JSON). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a).filter((k) => a[k] !== undefined);
    if (keys.length !== Object.keys(b).filter((k) => b[k] !== undefined).length) return false;
    return keys.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}
