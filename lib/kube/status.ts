// What the API server said when it refused a request: its meta/v1 Status (HTTP code, reason, message and, for a
// 422, the causes that name each field), read from whatever a call threw. client-node's ApiException puts
// "HTTP-Code: 422" on its message's first line and the Status in `body` (the text as apiText got it, or the object a
// generated call parsed); a transport error (refused, reset, timeout) has no Status at all.
import { ApiException } from '@kubernetes/client-node';

export interface StatusCause {
  /** kube's CauseType: FieldValueInvalid, FieldValueTooLong, FieldValueRequired, ... */
  reason?: string;
  message?: string;
  /** The field's path, e.g. `status.conditions[0].message` or `metadata.uid`. */
  field?: string;
}

export interface ApiFailure {
  /** The HTTP status; undefined for a transport error. */
  code?: number;
  /** The Status's reason: Invalid, Conflict, NotFound, TooManyRequests, Forbidden, ... */
  reason?: string;
  message: string;
  causes: StatusCause[];
  /** How many more causes the Status named than `causes` keeps (MAX_CAUSES). */
  causesLeftOff?: number;
  /** How long the server asked us to wait (details.retryAfterSeconds, or a Retry-After header). */
  retryAfterSeconds?: number;
}

/** A log line stays a line: a 422 can quote a 40 KiB value, a 502 from a proxy can be a whole HTML page. */
export const MAX_TEXT = 500;
/** The causes kept of a Status: a 422 on a list names each bad item, and a list can hold thousands. */
export const MAX_CAUSES = 5;

function clip(text: string): string {
  if (text.length <= MAX_TEXT) return text;
  const last = text.charCodeAt(MAX_TEXT - 1);
  const cut = last >= 0xd800 && last <= 0xdbff ? MAX_TEXT - 1 : MAX_TEXT; // never half of a surrogate pair
  return `${text.slice(0, cut)}… (${text.length} chars)`;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? clip(v) : undefined);

function parseStatus(body: unknown): Json | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      return undefined;
    }
  }
  return isObject(value) && value.kind === 'Status' ? value : undefined;
}

/** The first MAX_CAUSES causes, and how many more there were. */
function causesOf(details: unknown): Pick<ApiFailure, 'causes' | 'causesLeftOff'> {
  const all = (isObject(details) && Array.isArray(details.causes) ? details.causes : []).filter(isObject);
  const causes = all.slice(0, MAX_CAUSES).map((c) => ({ reason: text(c.reason), message: text(c.message), field: text(c.field) }));
  return all.length > MAX_CAUSES ? { causes, causesLeftOff: all.length - MAX_CAUSES } : { causes };
}

function retryAfter(details: unknown, headers: unknown): number | undefined {
  if (isObject(details) && typeof details.retryAfterSeconds === 'number') return details.retryAfterSeconds;
  const header = isObject(headers) ? (headers['retry-after'] ?? headers['Retry-After']) : undefined;
  const seconds = typeof header === 'string' ? Number(header) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** The server's Status for a failed call, or what is known of a failure that has none. */
export function apiFailure(err: unknown): ApiFailure {
  if (!(err instanceof ApiException)) {
    const message = err instanceof Error ? err.message : String(err);
    const cause = err instanceof Error && isObject(err.cause) && typeof err.cause.code === 'string' ? ` (${err.cause.code})` : '';
    const code = isObject(err) && typeof err.code === 'number' ? err.code : undefined;
    return { code, message: clip((message.split('\n')[0] ?? message) + cause), causes: [] };
  }
  const status = parseStatus(err.body);
  const body: unknown = err.body;
  if (!status) return { code: err.code, message: clip(typeof body === 'string' ? body : JSON.stringify(body) ?? ''), causes: [] };
  return {
    code: err.code, reason: text(status.reason), message: text(status.message) ?? '', ...causesOf(status.details),
    retryAfterSeconds: retryAfter(status.details, err.headers),
  };
}

/**
 * One line for a log: `HTTP 422 Invalid: <the server's message> [causes: <field> <reason>: <message>; ...]`.
 * kube's message often repeats the causes; they are listed anyway, since only they name the field for sure.
 */
export function describeFailure(f: ApiFailure): string {
  const head = f.code === undefined ? f.message : `HTTP ${f.code}${f.reason ? ` ${f.reason}` : ''}: ${f.message}`;
  if (f.causes.length === 0) return head;
  const causes = f.causes.map((c) => [c.field, c.reason].filter((s) => s).join(' ') + (c.message ? `: ${c.message}` : ''));
  const more = f.causesLeftOff ? `; and ${f.causesLeftOff} more` : '';
  return `${head} [causes: ${causes.join('; ')}${more}]`;
}

/**
 * The write carried a `metadata.uid` and reached an object of the same name with another uid: the one it was meant
 * for was deleted and re-created. kube-apiserver answers a merge patch like that with 422 Invalid naming
 * `metadata.uid` ("field is immutable"), a PUT with 409 Conflict ("Precondition failed: UID in precondition").
 */
export function uidMismatch(f: ApiFailure): boolean {
  if (f.code === 409) return /UID in (the )?precondition/.test(f.message);
  return f.code === 422 && f.causes.some((c) => c.field === 'metadata.uid');
}
