// TypeBox schema -> Kubernetes structural OpenAPI v3 schema (apiextensions.k8s.io/v1 JSONSchemaProps).
// TypeBox emits JSON Schema that kube-apiserver refuses or reads differently, so this rewrites it:
//   Type.Union of Type.Literal   (anyOf of const)      -> type + enum
//   Type.Literal                 (const)               -> type + enum of one
//   Type.Record(String, X)       (patternProperties)   -> additionalProperties: X
//   TypeBox's symbol keys, $id, $schema                -> dropped (JSON has no symbols; kube has no $id)
// and insists on what "structural" means: every node has a type, no anyOf/oneOf/allOf/not are left.
// Anything else it does not know throws, naming the path, so a new TypeBox construct cannot slip
// into a CRD half-translated.

export type Structural = { [key: string]: unknown };

const KEPT = new Set([
  'type', 'format', 'description', 'default', 'nullable', 'enum', 'pattern', 'minimum', 'maximum',
  'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'minItems', 'maxItems',
  'minProperties', 'maxProperties', 'required', 'uniqueItems',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string',
  'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-validations',
]);
const DROPPED = new Set(['$id', '$schema']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The literals of a union of TypeBox literals, or undefined when the union is anything else. */
function literalUnion(anyOf: unknown): unknown[] | undefined {
  if (!Array.isArray(anyOf)) return undefined;
  const values = anyOf.map((m) => (isRecord(m) && 'const' in m ? m.const : undefined));
  return values.every((v) => v !== undefined) ? values : undefined;
}

function jsonType(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export function toStructural(schema: unknown, path = '<root>'): Structural {
  if (!isRecord(schema)) throw new Error(`schema at ${path} is not an object: ${JSON.stringify(schema)}`);
  const out: Structural = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED.has(key)) continue;
    if (key === 'properties') out.properties = mapValues(value, (v, k) => toStructural(v, `${path}.${k}`));
    else if (key === 'items') out.items = toStructural(value, `${path}[]`);
    else if (key === 'patternProperties') out.additionalProperties = recordValues(value, path);
    else if (key === 'additionalProperties') {
      if (value !== false) out.additionalProperties = value === true ? true : toStructural(value, `${path}{}`);
    } else if (key === 'const') Object.assign(out, { type: jsonType(value), enum: [value] });
    else if (key === 'anyOf') Object.assign(out, enumOf(value, path));
    else if (KEPT.has(key)) out[key] = value;
    else throw new Error(`schema at ${path}: keyword "${key}" has no structural translation`);
  }
  if (out.type === undefined && !out['x-kubernetes-int-or-string'] && !out['x-kubernetes-preserve-unknown-fields']) {
    throw new Error(`schema at ${path} has no type; structural schemas need one on every node`);
  }
  return out;
}

function enumOf(anyOf: unknown, path: string): Structural {
  const values = literalUnion(anyOf);
  const types = new Set(values?.map(jsonType));
  if (!values || types.size !== 1) throw new Error(`schema at ${path}: anyOf is only supported as a union of literals of one type`);
  return { type: [...types][0], enum: values };
}

function recordValues(patternProperties: unknown, path: string): Structural {
  if (!isRecord(patternProperties)) throw new Error(`schema at ${path}: patternProperties is not an object`);
  const entries = Object.entries(patternProperties);
  const [first] = entries;
  // Type.Record(Type.String(), X) is the only record kube can express: any key, one value schema.
  if (entries.length !== 1 || !first || first[0] !== '^(.*)$') {
    throw new Error(`schema at ${path}: only Type.Record(Type.String(), ...) maps are supported, got keys ${JSON.stringify(entries.map((e) => e[0]))}`);
  }
  return toStructural(first[1], `${path}{}`);
}

function mapValues(value: unknown, f: (v: unknown, k: string) => Structural): Record<string, Structural> {
  if (!isRecord(value)) throw new Error(`properties is not an object: ${JSON.stringify(value)}`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, f(v, k)]));
}
