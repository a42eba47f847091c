// What the emulator knows about one served resource (one group/version/plural), for built-ins and CRDs alike.
import type { FieldError } from './errors.js';
import type { KubeObject } from './types.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description?: string;
  priority: number;
}

/** Server-side printing for one kind: column definitions plus a function computing a row's cells. */
export interface Printer {
  columns: PrinterColumn[];
  cells(obj: KubeObject, nowMs: number): unknown[];
}

/** Lets a strategy undo allocations when the write fails or is a dry run, and defer frees until it commits. */
export interface Tx {
  onRollback(undo: () => void): void;
  onCommit(action: () => void): void;
}

/** Per-kind behaviour hooks, the emulator's equivalent of kube's registry "strategy". */
export interface Strategy {
  /** Defaults and allocations on create (e.g. Service clusterIP); may throw ApiError. */
  prepareCreate?(obj: KubeObject, tx: Tx): void;
  /** On update: keep allocated values, validate immutable fields; may throw ApiError. */
  prepareUpdate?(obj: KubeObject, old: KubeObject, tx: Tx): void;
  /** Release what the object held (IPs, ports) once it is gone. */
  released?(obj: KubeObject): void;
  /** Field-level validation; errors become a 422. */
  validate?(obj: KubeObject, old: KubeObject | undefined): FieldError[];
  /** Object → value of a field selector label; undefined when the label is not supported. */
  fieldValue?(obj: KubeObject, field: string): string | undefined;
}

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Has a /status subresource: the main endpoint ignores status, /status ignores everything else. */
  hasStatus: boolean;
  /**
   * What a /status write takes besides status (kube's status strategies reset only the spec of a built-in): the
   * metadata sent too ('statusAndMetadata', built-ins), all of it but the labels (Deployment), or nothing (custom resources).
   */
  statusTakes: 'status' | 'statusAndMetadata' | 'statusAndMetadataButLabels';
  /** Status is reset on create (Service, Namespace, CRs with a status subresource) rather than kept (Node). */
  resetStatusOnCreate: boolean;
  /** PUT without metadata.resourceVersion is allowed (built-ins) or a 422 (custom resources). */
  allowUnconditionalUpdate: boolean;
  /**
   * Whether kube's registry strategy for the kind manages metadata.generation, and what bumps it:
   * 'spec' (everything but metadata and a status subresource's status: DaemonSet, CRD, custom resources),
   * 'specAndAnnotations' (Deployment: annotations are copied to its ReplicaSets), 'specAndLabels'
   * (EndpointSlice), or 'none', the default: the generic registry never sets it, so Service, Namespace, Node,
   * Secret, ConfigMap, ServiceAccount, Event, Lease and RBAC objects carry no generation at all.
   */
  generation: 'spec' | 'specAndAnnotations' | 'specAndLabels' | 'none';
  /** A compiled-in kind: strategic merge patch works (with its merge keys); custom resources answer 415. */
  builtin: boolean;
  /** DELETE answers with the object (Service, Namespace) rather than a success Status. */
  returnDeletedObject: boolean;
  /** The group a 422 names the kind by, when not `group`: kube names the internal kind (events.k8s.io Events: core). */
  invalidGroup?: string;
  /** Where objects live: versions of one group/resource share it (`group/plural`). */
  storageKey: string;
  strategy: Strategy;
  printer?: Printer;
  /** Stored form → this version's form; identity for single-version resources apart from apiVersion. */
  fromStorage?(obj: KubeObject): KubeObject;
  toStorage?(obj: KubeObject): KubeObject;
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

export function storageKeyOf(group: string, plural: string): string {
  return `${group}/${plural}`;
}

type Spec = Pick<ResourceType, 'group' | 'version' | 'plural' | 'kind' | 'namespaced'> & Partial<ResourceType>;

/** A ResourceType with kube's usual defaults for whatever `spec` leaves out. */
export function resourceType(spec: Spec): ResourceType {
  return {
    singular: spec.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    verbs: ALL_VERBS,
    hasStatus: false,
    statusTakes: 'statusAndMetadata',
    resetStatusOnCreate: false,
    returnDeletedObject: false,
    allowUnconditionalUpdate: true,
    generation: 'none',
    builtin: true,
    storageKey: storageKeyOf(spec.group, spec.plural),
    strategy: {},
    ...spec,
  };
}

