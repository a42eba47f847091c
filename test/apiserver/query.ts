// List and watch filtering: the namespace, label selector and field selector of a request, checked once
// and applied per object.
import { checkFieldSelector, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { ResourceType } from './resource-type.js';
import type { KubeObject } from './types.js';

export type ObjectFilter = (obj: KubeObject) => boolean;

export function fieldValue(type: ResourceType, obj: KubeObject, field: string): string | undefined {
  if (field === 'metadata.name') return obj.metadata.name ?? '';
  if (field === 'metadata.namespace') return obj.metadata.namespace ?? '';
  return type.strategy.fieldValue?.(obj, field);
}

/** Throws a 400 for a bad selector or a field label the kind does not support, as kube does. */
export function objectFilter(type: ResourceType, labelSelector: string | null, fieldSelector: string | null): ObjectFilter {
  const labels = parseLabelSelector(labelSelector);
  const fields = parseFieldSelector(fieldSelector);
  const probe: KubeObject = { metadata: {} };
  checkFieldSelector(fields, (field) => fieldValue(type, probe, field) !== undefined);
  if (labels.length === 0 && fields.length === 0) return () => true;
  return (obj) => matchesLabels(labels, obj.metadata.labels)
    && matchesFields(fields, (field) => fieldValue(type, obj, field));
}
