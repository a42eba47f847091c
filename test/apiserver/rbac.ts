// rbac.authorization.k8s.io/v1: Roles, ClusterRoles and their bindings, with kube's validation of rules and
// roleRef (which cannot change once set) and no generation. The emulator authorizes nothing: every request is
// allowed, so these objects are stored and served but never enforced (and no escalation check applies).
import type { FieldError } from './errors.js';
import { goJson, goRoleRef } from './gostring.js';
import { deepEqual } from './patch/json-util.js';
import { roleBindingPrinter, rolePrinter } from './printers-apps.js';
import { resourceType, type ResourceType, type Strategy } from './resource-type.js';
import { isJsonObject, type KubeObject } from './types.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

const nonEmpty = (value: unknown): boolean => Array.isArray(value) && value.length > 0;

/**
 * ValidatePolicyRule: verbs always; an API group for resource rules; nonResourceURLs only cluster-wide. The verbs
 * check is declarative in 1.37: its errors (plain "Required value") come after all the handwritten ones.
 */
function validateRules(obj: KubeObject, clusterScoped: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const declarative: FieldError[] = [];
  const rules = Array.isArray(obj.rules) ? obj.rules : [];
  rules.forEach((rule: unknown, i) => {
    const r = isJsonObject(rule) ? rule : {};
    const path = `rules[${i}]`;
    if (!nonEmpty(r.verbs)) declarative.push({ type: 'FieldValueRequired', field: `${path}.verbs`, message: '' });
    if (nonEmpty(r.nonResourceURLs)) {
      const invalidURLs = (why: string): FieldError => ({ type: 'FieldValueInvalid', field: `${path}.nonResourceURLs`, message: '',
        body: `Invalid value: ${goJson(r.nonResourceURLs)}: ${why}` });
      if (!clusterScoped) errors.push(invalidURLs('namespaced rules cannot apply to non-resource URLs'));
      if (nonEmpty(r.apiGroups) || nonEmpty(r.resources) || nonEmpty(r.resourceNames)) {
        errors.push(invalidURLs('rules cannot apply to both regular resources and non-resource URLs'));
      }
      return;
    }
    if (!nonEmpty(r.apiGroups)) errors.push({ type: 'FieldValueRequired', field: `${path}.apiGroups`, message: 'resource rules must supply at least one api group' });
    if (!nonEmpty(r.resources)) errors.push({ type: 'FieldValueRequired', field: `${path}.resources`, message: 'resource rules must supply at least one resource' });
  });
  return [...errors, ...declarative];
}

/** ValidateRoleBinding / ValidateClusterRoleBinding and their Update forms. */
function validateBinding(obj: KubeObject, old: KubeObject | undefined, kinds: string[]): FieldError[] {
  const errors: FieldError[] = [];
  const ref = isJsonObject(obj.roleRef) ? obj.roleRef : {};
  if (ref.apiGroup !== RBAC_GROUP) {
    errors.push({ type: 'FieldValueNotSupported', field: 'roleRef.apiGroup', value: ref.apiGroup ?? '', message: `supported values: "${RBAC_GROUP}"` });
  }
  if (typeof ref.kind !== 'string' || !kinds.includes(ref.kind)) {
    errors.push({ type: 'FieldValueNotSupported', field: 'roleRef.kind', value: ref.kind ?? '', message: `supported values: ${kinds.map((k) => `"${k}"`).join(', ')}` });
  }
  if (typeof ref.name !== 'string' || ref.name === '') errors.push({ type: 'FieldValueRequired', field: 'roleRef.name', message: '' });
  if (old && !deepEqual(obj.roleRef, old.roleRef)) {
    errors.push({ type: 'FieldValueInvalid', field: 'roleRef', message: '', body: `Invalid value: ${goRoleRef(obj.roleRef)}: field is immutable` });
  }
  return errors;
}

const roleStrategy = (clusterScoped: boolean): Strategy => ({ validate: (obj) => validateRules(obj, clusterScoped) });
const bindingStrategy = (kinds: string[]): Strategy => ({ validate: (obj, old) => validateBinding(obj, old, kinds) });

export function rbacTypes(): ResourceType[] {
  const common = { group: RBAC_GROUP, version: 'v1' } as const;
  return [
    resourceType({ ...common, plural: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false,
      strategy: bindingStrategy(['ClusterRole']), printer: roleBindingPrinter }),
    resourceType({ ...common, plural: 'clusterroles', kind: 'ClusterRole', namespaced: false,
      strategy: roleStrategy(true), printer: rolePrinter }),
    resourceType({ ...common, plural: 'rolebindings', kind: 'RoleBinding', namespaced: true,
      strategy: bindingStrategy(['Role', 'ClusterRole']), printer: roleBindingPrinter }),
    resourceType({ ...common, plural: 'roles', kind: 'Role', namespaced: true, strategy: roleStrategy(false), printer: rolePrinter }),
  ];
}
