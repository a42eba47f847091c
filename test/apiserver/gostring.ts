// How kube-apiserver (1.34 and later) prints a map, slice or struct after "Invalid value:" or "Duplicate value:":
// Go's json.Marshal of it (field.Error.ErrorBody). Maps print their keys sorted; structs their fields in declaration
// order under their json names, or under their Go names for internal types that have no json tags (rbac.RoleRef).
import { isJsonObject } from './types.js';

/** json.Marshal escapes these, so the text is safe inside HTML. */
const HTML_UNSAFE = /[<>&\u2028\u2029]/g;

function escapeHtml(text: string): string {
  return text.replace(HTML_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function encode(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(encode).join(',')}]`;
  if (isJsonObject(value)) {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${encode(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** json.Marshal of a value decoded from JSON (a map[string]interface{}, []interface{}, map[string]string...). */
export function goJson(value: unknown): string {
  return escapeHtml(encode(value));
}

/** json.Marshal of a *metav1.LabelSelector: matchLabels, then matchExpressions (key, operator, values), empty ones left out. */
export function goLabelSelector(selector: unknown): string {
  if (!isJsonObject(selector)) return 'null';
  const parts: string[] = [];
  if (isJsonObject(selector.matchLabels) && Object.keys(selector.matchLabels).length > 0) {
    parts.push(`"matchLabels":${goJson(selector.matchLabels)}`);
  }
  if (Array.isArray(selector.matchExpressions) && selector.matchExpressions.length > 0) {
    const requirements = selector.matchExpressions.map((e: unknown) => {
      const r = isJsonObject(e) ? e : {};
      const values = Array.isArray(r.values) && r.values.length > 0 ? `,"values":${goJson(r.values)}` : '';
      return `{"key":${goJson(r.key ?? '')},"operator":${goJson(r.operator ?? '')}${values}}`;
    });
    parts.push(`"matchExpressions":[${requirements.join(',')}]`);
  }
  return `{${parts.join(',')}}`;
}

/** json.Marshal of the internal rbac.RoleRef, which has no json tags: {"APIGroup":...,"Kind":...,"Name":...}. */
export function goRoleRef(ref: unknown): string {
  const r = isJsonObject(ref) ? ref : {};
  return `{"APIGroup":${goJson(r.apiGroup ?? '')},"Kind":${goJson(r.kind ?? '')},"Name":${goJson(r.name ?? '')}}`;
}
