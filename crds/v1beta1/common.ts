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

export const LabelSelectorRequirementSchema = Type.Object({
  key: Type.String(),
  operator: Type.Union([Type.Literal('In'), Type.Literal('NotIn'), Type.Literal('Exists'), Type.Literal('DoesNotExist')]),
  values: Type.Optional(Type.Array(Type.String())),
});

/** metav1.LabelSelector. */
export const LabelSelectorSchema = Type.Object({
  matchLabels: Type.Optional(Type.Record(Type.String(), Type.String())),
  matchExpressions: Type.Optional(Type.Array(LabelSelectorRequirementSchema)),
});
export type LabelSelector = Static<typeof LabelSelectorSchema>;

/** metav1.Condition, as every Kubernetes API uses it. */
export const ConditionSchema = Type.Object({
  type: Type.String({ maxLength: 316 }),
  status: Type.Union([Type.Literal('True'), Type.Literal('False'), Type.Literal('Unknown')]),
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0 })),
  lastTransitionTime: Type.String({ format: 'date-time' }),
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
