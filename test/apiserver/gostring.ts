// Go's %#v rendering of the few values kube's validation prints after "Invalid value:" for the built-in kinds
// the emulator validates (field.Invalid falls back to %#v for maps, slices and structs).
import { isJsonObject } from './types.js';

const quote = (value: unknown): string => JSON.stringify(typeof value === 'string' ? value : '');

/** map[string]string{"a":"1", "b":"2"}: Go prints map keys sorted. */
export function goStringMap(map: unknown): string {
  const entries = isJsonObject(map) ? Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [];
  return `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${quote(v)}`).join(', ')}}`;
}

/** []string{"a", "b"}, or []string(nil) when absent. */
export function goStrings(value: unknown): string {
  if (!Array.isArray(value)) return '[]string(nil)';
  return `[]string{${value.map((v) => JSON.stringify(String(v))).join(', ')}}`;
}

/** &v1.LabelSelector{...} for a *metav1.LabelSelector. */
export function goLabelSelector(selector: unknown): string {
  if (!isJsonObject(selector)) return '(*v1.LabelSelector)(nil)';
  const labels = isJsonObject(selector.matchLabels) ? goStringMap(selector.matchLabels) : 'map[string]string(nil)';
  const expressions = Array.isArray(selector.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${selector.matchExpressions.map((e: unknown) => {
      const r = isJsonObject(e) ? e : {};
      return `v1.LabelSelectorRequirement{Key:${quote(r.key)}, Operator:${quote(r.operator)}, Values:${goStrings(r.values)}}`;
    }).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `&v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${expressions}}`;
}

/** rbac.RoleRef{APIGroup:"...", Kind:"...", Name:"..."}. */
export function goRoleRef(ref: unknown): string {
  const r = isJsonObject(ref) ? ref : {};
  return `rbac.RoleRef{APIGroup:${quote(r.apiGroup)}, Kind:${quote(r.kind)}, Name:${quote(r.name)}}`;
}
