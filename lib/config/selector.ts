// metav1.LabelSelector matching, compiled once per pool so a bad selector is a pool problem found at
// configuration time rather than an exception in the middle of an allocation.
import type { LabelSelector } from '../../crds/v1beta1/index.js';

export type Labels = Readonly<Record<string, string>>;
export type LabelMatcher = (labels: Labels) => boolean;

export type SelectorCompile = { ok: true; matches: LabelMatcher } | { ok: false; message: string };

type Requirement = (labels: Labels) => boolean;

function compileRequirement(key: string, operator: string, values: readonly string[]): Requirement | string {
  const needsValues = operator === 'In' || operator === 'NotIn';
  if (needsValues && values.length === 0) return `operator ${operator} on key "${key}" needs at least one value`;
  if (!needsValues && values.length > 0) return `operator ${operator} on key "${key}" takes no values`;
  const set = new Set(values);
  switch (operator) {
    case 'In': return (labels) => { const v = labels[key]; return v !== undefined && set.has(v); };
    case 'NotIn': return (labels) => { const v = labels[key]; return v === undefined || !set.has(v); };
    case 'Exists': return (labels) => labels[key] !== undefined;
    case 'DoesNotExist': return (labels) => labels[key] === undefined;
    default: return `unknown operator "${operator}" on key "${key}"`;
  }
}

/** An empty selector matches everything, as in Kubernetes. */
export function compileSelector(selector: LabelSelector): SelectorCompile {
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push((labels) => labels[key] === value);
  }
  for (const expr of selector.matchExpressions ?? []) {
    const compiled = compileRequirement(expr.key, expr.operator, expr.values ?? []);
    if (typeof compiled === 'string') return { ok: false, message: compiled };
    requirements.push(compiled);
  }
  return { ok: true, matches: (labels) => requirements.every((r) => r(labels)) };
}
