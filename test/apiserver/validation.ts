// ObjectMeta checks every kind gets in kube-apiserver (names, label keys and values), with kube's messages.
import type { FieldError } from './errors.js';
import type { ResourceType } from './resource-type.js';
import type { KubeObject } from './types.js';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const SUBDOMAIN_MESSAGE = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MESSAGE = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MESSAGE = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/** Names kube validates as a label rather than a subdomain (pkg/apis/core/validation). */
function nameRule(kind: string): { regex: RegExp; max: number; message: string } {
  if (kind === 'Service') return { regex: DNS1035_LABEL, max: 63, message: DNS1035_MESSAGE };
  if (kind === 'Namespace') return { regex: DNS1123_LABEL, max: 63, message: LABEL_MESSAGE };
  return { regex: DNS1123_SUBDOMAIN, max: 253, message: SUBDOMAIN_MESSAGE };
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export function validateMetadata(type: ResourceType, obj: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  const name = obj.metadata.name ?? '';
  const rule = nameRule(type.kind);
  if (!rule.regex.test(name)) errors.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: name, message: rule.message });
  else if (name.length > rule.max) {
    errors.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: name, message: `must be no more than ${rule.max} characters` });
  }
  for (const [key, value] of Object.entries(obj.metadata.labels ?? {})) {
    if (!QUALIFIED_NAME.test(key)) {
      errors.push({ type: 'FieldValueInvalid', field: 'metadata.labels', value: key,
        message: "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character" });
    }
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      errors.push({ type: 'FieldValueInvalid', field: `metadata.labels`, value,
        message: "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character" });
    }
  }
  return errors;
}
