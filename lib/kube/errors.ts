// client-node 2.x throws ApiException (with `code`) for HTTP errors and plain Errors for transport
// failures. The drivers only care about a few codes, so they ask here instead of poking at shapes.
import { ApiException } from '@kubernetes/client-node';
import { apiFailure, describeFailure, uidMismatch } from './status.js';

/** The HTTP status of a failed API call, or undefined for a transport error (refused, reset, timeout). */
export function httpStatus(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'number') return err.code;
  return undefined;
}

export const isNotFound = (err: unknown): boolean => httpStatus(err) === 404;
export const isConflict = (err: unknown): boolean => httpStatus(err) === 409;

/** A write carrying `metadata.uid` reached a re-created object of the same name (status.ts, uidMismatch). */
export function isUidMismatch(err: unknown): boolean {
  return uidMismatch(apiFailure(err));
}

/** A one-line description of an API error for logs: status code, the server's reason, message and causes. */
export function describeError(err: unknown): string {
  return describeFailure(apiFailure(err));
}

/**
 * Compares two resourceVersions. They are opaque strings in the API contract, but every apiserver (and our
 * emulator) uses an etcd-style revision number; when either is not a number the answer is "unknown" (null).
 */
export function compareResourceVersions(a: string | undefined, b: string | undefined): number | null {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return null;
  const x = BigInt(a);
  const y = BigInt(b);
  return x === y ? 0 : x < y ? -1 : 1;
}
