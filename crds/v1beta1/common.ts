// Shared pieces of the herald.dev/v1beta1 API: group names, label selectors and conditions.
// The TypeBox schemas here are the single source of truth: the TypeScript types are derived from
// them (Static<>) and crds/generate.ts turns them into the CRD YAML that `kubectl apply` validates.
import { Type, type Static } from '@sinclair/typebox';
import type { V1ObjectMeta } from '@kubernetes/client-node';

export const GROUP = 'herald.dev';
export const VERSION = 'v1beta1';
export const API_VERSION = `${GROUP}/${VERSION}`;
/** Every Herald object lives in this namespace (like MetalLB's metallb-system). */
export const HERALD_NAMESPACE = 'herald-system';

// Every list, map and string of the API has a bound (maxItems, maxProperties, maxLength; a map's keys a CEL rule):
// what a pool's author writes is read by the controller on every allocation, and kube-apiserver estimates the
// cost of CEL rules from these bounds (crds/limits.test.ts checks that none is missing).

/** A label key: an optional DNS subdomain prefix (253) and "/", then a name (63). */
export const LABEL_KEY_MAX_LENGTH = 317;
/** A label value. */
export const LABEL_VALUE_MAX_LENGTH = 63;
/** Labels a matchLabels may name, expressions a matchExpressions may hold. */
export const SELECTOR_MAX_TERMS = 32;
/** Values of one In/NotIn expression. */
export const EXPRESSION_MAX_VALUES = 256;

export const LabelSelectorRequirementSchema = Type.Object({
  key: Type.String({ maxLength: LABEL_KEY_MAX_LENGTH }),
  operator: Type.Union([Type.Literal('In'), Type.Literal('NotIn'), Type.Literal('Exists'), Type.Literal('DoesNotExist')]),
  values: Type.Optional(Type.Array(Type.String({ maxLength: LABEL_VALUE_MAX_LENGTH }), { maxItems: EXPRESSION_MAX_VALUES })),
});

/** metav1.LabelSelector. */
export const LabelSelectorSchema = Type.Object({
  matchLabels: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: LABEL_VALUE_MAX_LENGTH }), {
    maxProperties: SELECTOR_MAX_TERMS,
    'x-kubernetes-validations': [{
      rule: `self.all(k, size(k) <= ${LABEL_KEY_MAX_LENGTH})`,
      message: `label keys are at most ${LABEL_KEY_MAX_LENGTH} characters (a 253-character prefix, "/" and a 63-character name)`,
    }],
  })),
  matchExpressions: Type.Optional(Type.Array(LabelSelectorRequirementSchema, { maxItems: SELECTOR_MAX_TERMS })),
});
export type LabelSelector = Static<typeof LabelSelectorSchema>;

/** metav1.Condition, as every Kubernetes API uses it (RFC 3339 times are far shorter than 64 characters). */
export const ConditionSchema = Type.Object({
  type: Type.String({ maxLength: 316 }),
  status: Type.Union([Type.Literal('True'), Type.Literal('False'), Type.Literal('Unknown')]),
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0 })),
  lastTransitionTime: Type.String({ format: 'date-time', maxLength: 64 }),
  reason: Type.String({ maxLength: 1024, minLength: 1 }),
  message: Type.String({ maxLength: 32768 }),
});
export type Condition = Static<typeof ConditionSchema>;

/** The envelope every herald.dev object shares. */
export interface HeraldObject<Kind extends string, Spec, Status = never> {
  apiVersion: typeof API_VERSION;
  kind: Kind;
  metadata: V1ObjectMeta;
  spec: Spec;
  status?: Status;
}
