// kube-apiserver's columns for apps/v1 Deployments and DaemonSets and for rbac.authorization.k8s.io/v1
// (pkg/printers/internalversion/printers.go), with the wide columns included as the server always does.
import { column, field, formatLabels, list, text } from './printers.js';
import type { Printer } from './resource-type.js';
import { AGE_COLUMN, NAME_COLUMN, age } from './table.js';
import { isJsonObject, type KubeObject } from './types.js';

const count = (value: unknown): number => (typeof value === 'number' ? value : 0);

/** metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key, `in`/`notin` values sorted. */
export function selectorString(selector: unknown): string {
  if (!isJsonObject(selector)) return '';
  const requirements: [string, string][] = [];
  const labels = isJsonObject(selector.matchLabels) ? selector.matchLabels : {};
  for (const [key, value] of Object.entries(labels)) requirements.push([key, `${key}=${String(value)}`]);
  for (const expression of list(selector, 'matchExpressions')) {
    const key = text(expression.key, '');
    const values = (Array.isArray(expression.values) ? expression.values.map(String) : []).sort();
    switch (expression.operator) {
      case 'In': requirements.push([key, `${key} in (${values.join(',')})`]); break;
      case 'NotIn': requirements.push([key, `${key} notin (${values.join(',')})`]); break;
      case 'Exists': requirements.push([key, key]); break;
      case 'DoesNotExist': requirements.push([key, `!${key}`]); break;
      default: return '<invalid>';
    }
  }
  return requirements.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r).join(',');
}

/** layoutContainerCells: container names and images, each joined by ",". */
function containerCells(obj: KubeObject): [string, string] {
  const containers = list(obj, 'spec', 'template', 'spec', 'containers');
  return [containers.map((c) => text(c.name, '')).join(','), containers.map((c) => text(c.image, '')).join(',')];
}

const WIDE_WORKLOAD_COLUMNS = [column('Containers', 1), column('Images', 1), column('Selector', 1)];

export const deploymentPrinter: Printer = {
  columns: [NAME_COLUMN, column('Ready'), column('Up-to-date', 0, 'integer'), column('Available', 0, 'integer'), AGE_COLUMN,
    ...WIDE_WORKLOAD_COLUMNS],
  cells: (d, now) => [d.metadata.name, `${count(field(d, 'status', 'readyReplicas'))}/${count(field(d, 'spec', 'replicas'))}`,
    count(field(d, 'status', 'updatedReplicas')), count(field(d, 'status', 'availableReplicas')), age(d, now),
    ...containerCells(d), selectorString(field(d, 'spec', 'selector'))],
};

export const daemonSetPrinter: Printer = {
  columns: [NAME_COLUMN, ...['Desired', 'Current', 'Ready', 'Up-to-date', 'Available'].map((n) => column(n, 0, 'integer')),
    column('Node Selector'), AGE_COLUMN, ...WIDE_WORKLOAD_COLUMNS],
  cells: (ds, now) => [ds.metadata.name,
    ...['desiredNumberScheduled', 'currentNumberScheduled', 'numberReady', 'updatedNumberScheduled', 'numberAvailable']
      .map((f) => count(field(ds, 'status', f))),
    formatLabels(field(ds, 'spec', 'template', 'spec', 'nodeSelector')), age(ds, now),
    ...containerCells(ds), selectorString(field(ds, 'spec', 'selector'))],
};

/** Role and ClusterRole: the creation time as RFC 3339, not an age. */
export const rolePrinter: Printer = {
  columns: [NAME_COLUMN, column('Created At', 0, 'date')],
  cells: (role) => [role.metadata.name, role.metadata.creationTimestamp ?? ''],
};

/** rbac.SubjectsStrings: users, groups and service accounts (namespace/name), each joined by ", ". */
function subjects(binding: KubeObject): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const s of list(binding, 'subjects')) {
    if (s.kind === 'ServiceAccount') serviceAccounts.push(`${text(s.namespace, '')}/${text(s.name, '')}`);
    else if (s.kind === 'User') users.push(text(s.name, ''));
    else if (s.kind === 'Group') groups.push(text(s.name, ''));
  }
  return [users.join(', '), groups.join(', '), serviceAccounts.join(', ')];
}

/** RoleBinding and ClusterRoleBinding. */
export const roleBindingPrinter: Printer = {
  columns: [NAME_COLUMN, column('Role'), AGE_COLUMN, column('Users', 1), column('Groups', 1), column('ServiceAccounts', 1)],
  cells: (binding, now) => [binding.metadata.name,
    `${text(field(binding, 'roleRef', 'kind'), '')}/${text(field(binding, 'roleRef', 'name'), '')}`, age(binding, now), ...subjects(binding)],
};
