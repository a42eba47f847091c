// ObjectMeta checks every kind gets in kube-apiserver (names, label keys and values, annotation keys and their total
// size, finalizer names), with the messages of k8s.io/apimachinery/pkg/api/validate/content and
// pkg/apis/core/validation. The API emulator runs them on every write (test/apiserver/ops.ts) and `kubectl herald
// validate` on every object offline; `message` is the detail after the value, rendered by each as kube does.

/** A field error of the metadata, as the emulator's FieldError (test/apiserver/errors.ts) takes it. */
export interface MetadataError {
  type: 'FieldValueInvalid' | 'FieldValueTooLong';
  field: string;
  message: string;
  value?: unknown;
}

/** What the checks need to know of the object's type. */
export interface MetadataTarget { kind: string; group: string }

/** The metadata fields checked. */
export interface CheckedMetadata {
  name?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const LABEL_KEY_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE_FMT = `(${LABEL_KEY_FMT})?`;
const DNS1123_LABEL = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const LABEL_KEY = new RegExp(`^${LABEL_KEY_FMT}$`);
const LABEL_VALUE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const LABEL_KEY_MESSAGE = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** content.RegexError: `msg (e.g. 'a',  or 'b', regex used for validation is 're')`. */
function regexError(message: string, regex: string, ...examples: string[]): string {
  const eg = examples.length === 0 ? '' : `e.g. ${examples.map((e) => `'${e}', `).join(' or ')}`;
  return `${message} (${eg}regex used for validation is '${regex}')`;
}

const maxLength = (max: number): string => `must be no more than ${max} bytes`;

export function isDNS1123Label(value: string): string[] {
  const errors = value.length > 63 ? [maxLength(63)] : [];
  if (!DNS1123_LABEL.test(value)) {
    errors.push(DNS1123_SUBDOMAIN.test(value) ? 'must not contain dots' : regexError('a lowercase RFC 1123 label must consist of lower case '
      + "alphanumeric characters or '-', and must start and end with an alphanumeric character", DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errors;
}

export function isDNS1123Subdomain(value: string): string[] {
  const errors = value.length > 253 ? [maxLength(253)] : [];
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errors.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
      + 'start and end with an alphanumeric character', DNS1123_SUBDOMAIN_FMT, 'example.com'));
  }
  return errors;
}

/** content.IsLabelKey (IsQualifiedName): an optional DNS subdomain prefix and '/', then a name of at most 63 bytes. */
export function isQualifiedName(value: string): string[] {
  const parts = value.split('/');
  if (parts.length > 2) {
    return [`a valid label key ${regexError(LABEL_KEY_MESSAGE, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS `
      + "subdomain prefix and '/' (e.g. 'example.com/MyName')"];
  }
  const errors: string[] = [];
  const name = parts.length === 2 ? (parts[1] ?? '') : value;
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix === '') errors.push('prefix part must be non-empty');
    else errors.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  }
  if (name === '') errors.push('name part must be non-empty');
  else if (name.length > 63) errors.push(`name part ${maxLength(63)}`);
  if (!LABEL_KEY.test(name)) errors.push(`name part ${regexError(LABEL_KEY_MESSAGE, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errors;
}

function isLabelValue(value: string): string[] {
  const errors = value.length > 63 ? [maxLength(63)] : [];
  if (!LABEL_VALUE.test(value)) {
    errors.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
      + 'start and end with an alphanumeric character', LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  }
  return errors;
}

/** Services (RelaxedServiceNameValidation, GA in 1.37) and Namespaces are named by a label; the rest by a subdomain. */
function nameErrors(kind: string, name: string): string[] {
  return kind === 'Service' || kind === 'Namespace' ? isDNS1123Label(name) : isDNS1123Subdomain(name);
}

/** Groups whose validation is pkg/apis/core's ValidateObjectMeta, which also wants finalizers without a '/' to be kube's own. */
const CORE_META_GROUPS = new Set(['', 'apps', 'discovery.k8s.io', 'events.k8s.io']);
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

function finalizerErrors(type: MetadataTarget, finalizers: string[]): MetadataError[] {
  const invalid = (field: string, value: string, message: string): MetadataError => ({ type: 'FieldValueInvalid', field, value, message });
  const errors = finalizers.flatMap((f) => isQualifiedName(f).map((m) => invalid('metadata.finalizers', f, m)));
  if (!CORE_META_GROUPS.has(type.group)) return errors;
  finalizers.forEach((f, i) => {
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errors.push(invalid(`metadata.finalizers[${i}]`, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errors;
}

/** apimachinery's TotalAnnotationSizeLimitB: the bytes of every annotation key and value of one object, together. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/**
 * apimachinery's ValidateAnnotations: each key a qualified name once lowercased (the key is quoted as written), and
 * all keys and values together at most TOTAL_ANNOTATION_SIZE_LIMIT bytes (a TooLong that quotes no value).
 */
function annotationErrors(annotations: Record<string, unknown>): MetadataError[] {
  const errors: MetadataError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    for (const message of isQualifiedName(key.toLowerCase())) errors.push({ type: 'FieldValueInvalid', field: 'metadata.annotations', value: key, message });
    size += Buffer.byteLength(key) + Buffer.byteLength(typeof value === 'string' ? value : '');
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errors.push({ type: 'FieldValueTooLong', field: 'metadata.annotations', message: `may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes` });
  }
  return errors;
}

export function validateMetadata(type: MetadataTarget, obj: { metadata: CheckedMetadata }): MetadataError[] {
  const name = obj.metadata.name ?? '';
  const errors: MetadataError[] = nameErrors(type.kind, name).map((message) => ({ type: 'FieldValueInvalid', field: 'metadata.name', value: name, message }));
  for (const [key, value] of Object.entries(obj.metadata.labels ?? {})) {
    for (const message of isQualifiedName(key)) errors.push({ type: 'FieldValueInvalid', field: 'metadata.labels', value: key, message });
    const text = typeof value === 'string' ? value : '';
    for (const message of isLabelValue(text)) errors.push({ type: 'FieldValueInvalid', field: 'metadata.labels', value, message });
  }
  errors.push(...annotationErrors(obj.metadata.annotations ?? {}));
  return [...errors, ...finalizerErrors(type, obj.metadata.finalizers ?? [])];
}
