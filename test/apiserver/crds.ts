// CustomResourceDefinitions: creating one serves its resources (each served version, its scope, its status
// subresource, its printer columns) and validates their objects with the version's openAPIV3Schema through
// the schema module (pruning and defaults included). Deleting one stops serving them and deletes the objects.
import { invalid, type FieldError } from './errors.js';
import { deepEqual } from './patch/json-util.js';
import { crdPrinter } from './printers.js';
import type { TypeRegistry } from './registry.js';
import { apiVersionOf, resourceType, storageKeyOf, type ResourceType, type Strategy } from './resource-type.js';
import { bodyOf, validateCustomObject } from '../../lib/crd-schema/object.js';
import type { Store, StoreEvent } from './store.js';
import { deleteKey, isJsonObject, type JsonObject, type KubeObject } from './types.js';

export const CRD_STORAGE = storageKeyOf('apiextensions.k8s.io', 'customresourcedefinitions');

interface CrdNames { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[]; categories?: string[] }
interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: JsonObject };
  subresources?: { status?: JsonObject };
  additionalPrinterColumns?: JsonObject[];
}
interface CrdSpec { group: string; names: CrdNames; scope: 'Namespaced' | 'Cluster'; versions: CrdVersion[] }

function specOf(crd: KubeObject): CrdSpec | undefined {
  const spec = crd.spec;
  if (!isJsonObject(spec) || typeof spec.group !== 'string' || !isJsonObject(spec.names) || !Array.isArray(spec.versions)) return undefined;
  return spec as unknown as CrdSpec;
}

/** Schema check for a custom resource, then pruned and defaulted values replace what the client sent. */
function schemaStrategy(kind: string, group: string, schema: JsonObject | undefined): Strategy {
  if (!schema) return {};
  const apply = (obj: KubeObject, old: KubeObject | undefined): void => {
    const { apiVersion, kind: k, metadata } = obj;
    const { body, errors } = validateCustomObject(schema, obj, old);
    if (errors.length > 0) {
      const mapped: FieldError[] = errors.map((e) => ({ type: e.type, field: e.field, message: '', value: e.value, body: e.message }));
      throw invalid(kind, group, metadata.name ?? '', mapped);
    }
    for (const key of Object.keys(bodyOf(obj))) deleteKey(obj, key);
    Object.assign(obj, body, { apiVersion, kind: k, metadata });
  };
  return { prepareCreate: (obj) => apply(obj, undefined), prepareUpdate: (obj, old) => apply(obj, old) };
}

/** A custom resource's verbs in the order apiextensions-apiserver lists them in discovery. */
const CR_VERBS = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];

function typesOf(spec: CrdSpec): ResourceType[] {
  const storageKey = storageKeyOf(spec.group, spec.names.plural);
  return spec.versions.filter((v) => v.served).map((version) => {
    const hasStatus = isJsonObject(version.subresources?.status);
    const type = resourceType({
      group: spec.group, version: version.name, plural: spec.names.plural, kind: spec.names.kind,
      singular: spec.names.singular ?? spec.names.kind.toLowerCase(), namespaced: spec.scope === 'Namespaced',
      shortNames: spec.names.shortNames ?? [], categories: spec.names.categories ?? [], hasStatus,
      resetStatusOnCreate: hasStatus, statusTakes: 'status', allowUnconditionalUpdate: false, builtin: false, generation: 'spec', storageKey, verbs: CR_VERBS,
      strategy: schemaStrategy(spec.names.kind, spec.group, version.schema?.openAPIV3Schema),
    });
    type.printer = crdPrinter(version.additionalPrinterColumns ?? []);
    // "None" conversion: versions differ only in apiVersion, as kube serves them without a webhook.
    type.fromStorage = (obj) => ({ ...obj, apiVersion: apiVersionOf(type) });
    return type;
  });
}

export const crdStrategy: Strategy = {
  prepareCreate(obj) {
    const spec = specOf(obj);
    if (!spec) return;
    const names = spec.names;
    const storage = spec.versions.find((v) => v.storage)?.name ?? spec.versions[0]?.name;
    obj.status = {
      acceptedNames: { ...names, singular: names.singular ?? names.kind.toLowerCase(), listKind: names.listKind ?? `${names.kind}List` },
      conditions: ['NamesAccepted', 'Established'].map((type) => ({
        type, status: 'True', lastTransitionTime: obj.metadata.creationTimestamp,
        reason: type === 'NamesAccepted' ? 'NoConflicts' : 'InitialNamesAccepted',
        message: type === 'NamesAccepted' ? 'no conflicts found' : 'the initial names have been accepted',
      })),
      storedVersions: storage ? [storage] : [],
    };
  },
  validate(obj) {
    const spec = specOf(obj);
    const errors: FieldError[] = [];
    if (!spec) return [{ type: 'FieldValueRequired', field: 'spec', message: 'group, names and versions are required' }];
    const expected = `${spec.names.plural}.${spec.group}`;
    if (obj.metadata.name !== expected) {
      errors.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: obj.metadata.name, message: `must be spec.names.plural+"."+spec.group` });
    }
    if (spec.versions.filter((v) => v.storage).length !== 1) {
      errors.push({ type: 'FieldValueInvalid', field: 'spec.versions', value: spec.versions.map((v) => v.name), message: 'must have exactly one version marked as storage version' });
    }
    if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
      errors.push({ type: 'FieldValueNotSupported', field: 'spec.scope', value: spec.scope, message: 'supported values: "Cluster", "Namespaced"' });
    }
    return [...errors, ...schemaErrors(spec)];
  },
};

/** kube validates one schema at spec.validation when every version has the same one, else each at its version. */
function schemaErrors(spec: CrdSpec): FieldError[] {
  const schemas = spec.versions.map((v) => v.schema?.openAPIV3Schema);
  if (schemas.every((schema) => deepEqual(schema, schemas[0]))) return listMapKeyErrors(schemas[0], 'spec.validation.openAPIV3Schema');
  return schemas.flatMap((schema, i) => listMapKeyErrors(schema, `spec.versions[${i}].schema.openAPIV3Schema`));
}

/** A property named in x-kubernetes-list-map-keys must be required or have a default, so every item has its key. */
function listMapKeyErrors(schema: unknown, path: string): FieldError[] {
  if (!isJsonObject(schema)) return [];
  const errors: FieldError[] = [];
  const { items, properties, additionalProperties } = schema;
  if (schema['x-kubernetes-list-type'] === 'map' && isJsonObject(items) && Array.isArray(schema['x-kubernetes-list-map-keys'])) {
    const required = Array.isArray(items.required) ? items.required : [];
    const itemProperties = isJsonObject(items.properties) ? items.properties : {};
    for (const key of schema['x-kubernetes-list-map-keys']) {
      const property = itemProperties[String(key)];
      if (isJsonObject(property) && !required.includes(key) && property.default === undefined) {
        errors.push({ type: 'FieldValueRequired', field: `${path}.items.properties[${String(key)}].default`,
          message: 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property' });
      }
    }
  }
  for (const [name, child] of Object.entries(isJsonObject(properties) ? properties : {})) errors.push(...listMapKeyErrors(child, `${path}.properties[${name}]`));
  errors.push(...listMapKeyErrors(items, `${path}.items`), ...listMapKeyErrors(additionalProperties, `${path}.additionalProperties`));
  return errors;
}

/** Keeps the registry in step with the stored CRDs. */
export function watchCrds(store: Store, registry: TypeRegistry): void {
  const served = new Map<string, ResourceType[]>();
  const unserve = (name: string): void => {
    for (const type of served.get(name) ?? []) registry.remove(type.group, type.version, type.plural);
    served.delete(name);
  };
  store.subscribe(CRD_STORAGE, (event: StoreEvent) => {
    const name = event.object.metadata.name ?? '';
    unserve(name);
    const spec = specOf(event.object);
    if (event.type === 'DELETED') {
      if (spec) store.removeAll(storageKeyOf(spec.group, spec.names.plural));
      return;
    }
    if (!spec) return;
    const types = typesOf(spec);
    for (const type of types) registry.add(type);
    served.set(name, types);
  });
}
