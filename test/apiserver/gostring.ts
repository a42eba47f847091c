// How kube-apiserver (1.34 and later) prints a map, slice or struct after "Invalid value:" or "Duplicate value:":
// Go's json.Marshal of it (field.Error.ErrorBody). Maps print their keys sorted; structs their fields in declaration
// order under their json names, or under their Go names for internal types that have no json tags (rbac.RoleRef).
import { goJson } from '../../lib/crd-schema/go-json.js';
import { isJsonObject } from './types.js';

export { goJson };

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
