// MetalLB's custom resources (metallb.io v1beta1, and v1beta2 BGPPeer) → Herald's. Herald's kinds keep MetalLB's
// names and fields, so a spec carries over as it is; what Herald's CRD schema does not describe is left out, each
// field named in a warning (found by the same pruning kube-apiserver applies, lib/crd-schema). Labels carry over
// (advertisements select pools by them); status does not (Herald's controller writes its own).
import { openAPISchema } from '../../crds/openapi.js';
import { KINDS } from '../../crds/kinds.js';
import { API_VERSION, HERALD_NAMESPACE } from '../../crds/v1beta1/index.js';
import { prune } from '../../lib/crd-schema/prune.js';
import type { JSONSchemaProps } from '../../lib/crd-schema/index.js';
import { isObject, metadataOf, type JsonObject, type Migrated } from './types.js';

/** MetalLB kinds that become the Herald kind of the same name. */
export const CARRIED_KINDS = ['IPAddressPool', 'L2Advertisement', 'BGPAdvertisement', 'BGPPeer', 'BFDProfile', 'Community'] as const;

/** MetalLB kinds that hold state MetalLB writes, with no configuration to carry. */
export const STATE_KINDS = ['ServiceL2Status', 'ServiceBGPStatus', 'ConfigurationState'] as const;

/** Why a MetalLB field Herald lacks matters, where there is more to say than "Herald has no such field". */
const WHY_LEFT_OUT: Readonly<Record<string, string>> = {
  'spec.disableMP': 'Herald has no such field: a Herald session carries both address families, IPv6 by MP-BGP (docs/bgp.md), where disableMP: true asked MetalLB for one family per session',
  'spec.interface': 'Herald has no BGP unnumbered sessions: give the peer\'s address in peerAddress',
};

function specSchema(kind: string): JSONSchemaProps {
  const entry = KINDS.find((k) => k.kind === kind);
  const spec = entry ? (openAPISchema(entry).properties as Record<string, JSONSchemaProps> | undefined)?.spec : undefined;
  if (!spec) throw new Error(`Herald has no spec schema for kind "${kind}"`);
  return spec;
}

/** The spec with only the fields Herald's schema describes, and the paths of those it does not. */
function carriedSpec(kind: string, spec: unknown): { spec: JsonObject; dropped: string[] } {
  const copy = isObject(spec) ? structuredClone(spec) : {};
  const dropped: string[] = [];
  prune(copy, specSchema(kind), false, (path) => dropped.push(path), 'spec');
  return { spec: copy, dropped };
}

/** A BGPPeer's passwordSecret: Herald reads Secrets only in its own namespace, so the Secret has to be copied there. */
function movePasswordSecret(spec: JsonObject, from: string | undefined): string[] {
  if (!isObject(spec.passwordSecret)) return [];
  const name = typeof spec.passwordSecret.name === 'string' ? spec.passwordSecret.name : '';
  const namespace = typeof spec.passwordSecret.namespace === 'string' && spec.passwordSecret.namespace !== '' ? spec.passwordSecret.namespace : from ?? 'metallb-system';
  spec.passwordSecret = { name, namespace: HERALD_NAMESPACE };
  if (namespace === HERALD_NAMESPACE) return [];
  return [`spec.passwordSecret: Herald reads the Secret "${name}" from namespace ${HERALD_NAMESPACE}; copy it there from ${namespace} `
    + `(kubectl get secret ${name} -n ${namespace} -o json | jq '.metadata |= {name, namespace: "${HERALD_NAMESPACE}"}' | kubectl apply -f -)`];
}

/** Echo mode: Herald's BFD sends control packets only and refuses a profile that asks for echo; without it the
 *  session still detects a failure, by control packets at the profile's intervals. */
function dropEchoMode(spec: JsonObject): string[] {
  if (spec.echoMode !== true) return [];
  delete spec.echoMode;
  return ['spec.echoMode: true is not carried over: Herald\'s BFD sends control packets only (RFC 5880 asynchronous mode), '
    + 'so the session detects failures by control packets at this profile\'s intervals'];
}

/** One MetalLB custom resource of a CARRIED_KINDS kind as the Herald object of the same kind. */
export function migrateResource(source: JsonObject): Migrated {
  const kind = typeof source.kind === 'string' ? source.kind : '';
  const meta = metadataOf(source);
  const { spec, dropped } = carriedSpec(kind, source.spec);
  const warnings = dropped.map((path) => `${path} is not carried over: ${WHY_LEFT_OUT[path] ?? 'Herald has no such field'}`);
  if (kind === 'BGPPeer') warnings.push(...movePasswordSecret(spec, meta.namespace));
  if (kind === 'BFDProfile') warnings.push(...dropEchoMode(spec));
  const metadata = { name: meta.name, namespace: HERALD_NAMESPACE, ...(meta.labels ? { labels: meta.labels } : {}) };
  const object: JsonObject = { apiVersion: API_VERSION, kind, metadata };
  if (Object.keys(spec).length > 0 || source.spec !== undefined) object.spec = spec;
  return { object, from: `${String(source.apiVersion)} ${kind} ${meta.namespace ?? ''}/${meta.name}`, warnings };
}
