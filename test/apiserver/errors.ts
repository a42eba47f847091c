// kube-apiserver's error shape: every failure is a meta/v1 Status with a reason and an HTTP code. Clients
// (client-node, kubectl, the controller's retry logic) branch on `reason` and `code`, so these must match.
import { goJson } from './gostring.js';

export type StatusReason =
  | 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Gone'
  | 'Invalid' | 'TooManyRequests' | 'InternalError' | 'MethodNotAllowed' | 'UnsupportedMediaType'
  | 'NotAcceptable' | 'Timeout' | 'ServiceUnavailable' | 'Expired';

export interface StatusCause { reason: string; message: string; field?: string }

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** Thrown anywhere in request handling; the router turns it into a Status response. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    const status: Status = {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: this.message, reason: this.reason, code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

/**
 * kube-apiserver answers a Status only under /api and a built-in group's /apis/GROUP; a path no handler claims (an
 * unknown group, a CRD group's unknown version or resource) falls to its mux, which writes plain "404 page not found".
 */
export class PageNotFound extends Error {
  constructor() {
    super('404 page not found');
  }
}

/** `group` is '' for core; kube names the resource as `services` or `leases.coordination.k8s.io`. */
export function qualifiedResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export function notFound(resource: string, group: string, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(resource, group)} "${name}" not found`,
    { name, group: group || undefined, kind: resource });
}

export function alreadyExists(resource: string, group: string, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedResource(resource, group)} "${name}" already exists`,
    { name, group: group || undefined, kind: resource });
}

export function conflict(resource: string, group: string, name: string, why: string): ApiError {
  return new ApiError(409, 'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": ${why}`,
    { name, group: group || undefined, kind: resource });
}

export const MODIFIED_CONFLICT = 'the object has been modified; please apply your changes to the latest version and try again';

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export interface FieldError {
  type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueTypeInvalid'
    | 'FieldValueTooLong' | 'FieldValueTooMany' | 'FieldValueForbidden' | 'FieldValueDuplicate';
  field: string;
  message: string;
  value?: unknown;
  /** The whole text after "field: " when already rendered (the schema module renders its own). */
  body?: string;
}

/** What kube puts after "Invalid value:": strings quoted, numbers and booleans bare, anything else as Go's JSON. */
function renderValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'object' ? goJson(value) : String(value ?? null);
}

/** The one-line text kube prints for a field error, e.g. `spec.x: Invalid value: "y": must be z`. */
export function fieldErrorText(error: FieldError): string {
  return error.field === '' ? fieldErrorBody(error) : `${error.field}: ${fieldErrorBody(error)}`;
}

/** kube's ErrorBody: the text without the field path. */
export function fieldErrorBody(error: FieldError): string {
  if (error.body !== undefined) return error.body;
  switch (error.type) {
    case 'FieldValueRequired': return `Required value${error.message ? `: ${error.message}` : ''}`;
    case 'FieldValueForbidden': return `Forbidden: ${error.message}`;
    case 'FieldValueTooLong': return `Too long: ${error.message}`;
    case 'FieldValueTooMany': return `Too many: ${error.message}`;
    case 'FieldValueDuplicate': return `Duplicate value: ${renderValue(error.value)}`;
    case 'FieldValueNotSupported':
      return `Unsupported value: ${renderValue(error.value)}${error.message ? `: ${error.message}` : ''}`;
    default: // FieldValueInvalid and FieldValueTypeInvalid
      return `Invalid value: ${renderValue(error.value)}: ${error.message}`;
  }
}

/** 422 like kube: `Kind.group "name" is invalid: [a, b]` (brackets only for more than one error). */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): ApiError {
  const texts = errors.map(fieldErrorText);
  const joined = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${joined}`, {
    name, group: group || undefined, kind,
    causes: errors.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field })),
  });
}
