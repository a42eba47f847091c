// One object against its CRD, offline: what `kubectl apply` would be told by kube-apiserver. The schema is the one
// `npm run crds` writes into crds/*.yaml (openAPISchema of the same KINDS entry), and the checker is the one the API
// emulator runs (lib/crd-schema), whose fidelity tests compare it with the real server.
import { openAPISchema } from '../../crds/openapi.js';
import { KINDS, type KindEntry } from '../../crds/kinds.js';
import { API_VERSION, GROUP } from '../../crds/v1beta1/index.js';
import { fieldError } from '../../lib/crd-schema/errors.js';
import { validateMetadata, type CheckedMetadata } from '../../lib/crd-schema/metadata.js';
import { unknownFields, validateCustomObject } from '../../lib/crd-schema/object.js';
import type { JsonObject } from './documents.js';

const schemas = new Map<string, { entry: KindEntry; schema: JsonObject }>(
  KINDS.map((entry) => [entry.kind, { entry, schema: openAPISchema(entry) as unknown as JsonObject }]));

export const HERALD_KINDS: readonly string[] = KINDS.map((k) => k.kind);

export type SchemaCheck =
  | { ok: true; object: JsonObject }
  | { ok: false; errors: string[] };

/** The group of an apiVersion ("" for the core group's "v1"). */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** kubectl's own words when the server has no such kind (a RESTMapper miss), with what Herald does serve. */
function unknownKind(kind: string, apiVersion: string): string {
  return `no matches for kind "${kind}" in version "${apiVersion}" (Herald serves ${API_VERSION}: ${HERALD_KINDS.join(', ')})`;
}

/** kube-apiserver's ObjectMeta checks (the emulator's code): a name, its format, labels, annotations, finalizers. */
function metadataErrors(kind: string, metadata: JsonObject): string[] {
  if (typeof metadata.name !== 'string' || metadata.name === '') {
    if (typeof metadata.generateName !== 'string') return ['metadata.name: Required value: name or generateName is required'];
  }
  return validateMetadata({ kind, group: GROUP }, { metadata: metadata as CheckedMetadata })
    .map((e) => `${e.field}: ${fieldError(e.type, e.field, e.message, e.value).message}`);
}

/**
 * The object as kube-apiserver would store it (pruned, defaulted; a status subresource's status dropped, as on
 * create), or each error it would answer, as "field: message" in kube's field.Error text.
 */
export function checkSchema(object: JsonObject): SchemaCheck {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const kind = typeof object.kind === 'string' ? object.kind : '';
  const known = schemas.get(kind);
  if (apiVersion !== API_VERSION || !known) return { ok: false, errors: [unknownKind(kind, apiVersion)] };
  const metadata = typeof object.metadata === 'object' && object.metadata !== null ? object.metadata as JsonObject : {};
  const errors = metadataErrors(kind, metadata);
  // kubectl apply asks for strict field validation: the server refuses unknown fields while decoding, before it
  // validates anything else, and says only that.
  const unknown = unknownFields(known.schema, object);
  if (unknown.length > 0) return { ok: false, errors: unknown.map((path) => `unknown field "${path}"`) };
  const { status: _status, ...withoutStatus } = object;
  const sent = known.entry.statusSubresource ? withoutStatus : object;
  const checked = validateCustomObject(known.schema, sent);
  errors.push(...checked.errors.map((e) => (e.field === '' ? e.message : `${e.field}: ${e.message}`)));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, object: { ...checked.body, apiVersion, kind, metadata } };
}

export const isHeraldGroup = (apiVersion: string): boolean => groupOf(apiVersion) === GROUP;
