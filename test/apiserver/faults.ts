// The fault switch for chaos tests: drop every open watch, fail the next N requests that match a verb and
// resource with a chosen status, or delay every request. Everything resets with reset().
import { ApiError, type StatusReason } from './errors.js';
import type { WatchRegistry } from './watch.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
export type FaultCode = 409 | 410 | 429 | 500 | 503;

export interface FailureRule {
  /** Omitted: any verb. */
  verb?: Verb;
  /** Plural, with "/status" for the subresource (`services/status`); omitted: any resource. */
  resource?: string;
  code: FaultCode;
  /** How many matching requests fail; default 1. */
  count?: number;
}

const REASONS: Record<FaultCode, StatusReason> = { 409: 'Conflict', 410: 'Expired', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable' };

function faultError(code: FaultCode, verb: Verb, resource: string): ApiError {
  const what = `${verb} ${resource}`;
  switch (code) {
    case 409: return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${resource}: injected conflict (${what})`);
    case 410: return new ApiError(410, 'Expired', `The provided continue parameter is too old (injected fault, ${what})`);
    case 429: return new ApiError(429, 'TooManyRequests', `injected throttling (${what})`, { retryAfterSeconds: 1 });
    case 500: return new ApiError(500, 'InternalError', `Internal error occurred: injected fault (${what})`);
    case 503: return new ApiError(503, 'ServiceUnavailable', `the server is currently unable to handle the request (injected fault, ${what})`);
  }
}

export class Faults {
  private rules: { rule: FailureRule; left: number }[] = [];
  private latency = 0;
  /** Requests failed so far by injected faults, for tests asserting a fault really fired. */
  injected = 0;

  constructor(private readonly watches: WatchRegistry) {}

  /** Ends every open watch now; returns how many were open. `abrupt` resets the socket instead of ending cleanly. */
  dropWatches(options: { abrupt?: boolean } = {}): number {
    return this.watches.dropAll(options.abrupt ?? false);
  }

  failNext(rule: FailureRule): void {
    if (!(rule.code in REASONS)) throw new Error(`fault code ${String(rule.code)} is not one of ${Object.keys(REASONS).join(', ')}`);
    this.rules.push({ rule, left: rule.count ?? 1 });
  }

  setLatency(ms: number): void {
    if (!(ms >= 0)) throw new Error(`latency ${ms} ms must be >= 0`);
    this.latency = ms;
  }

  get latencyMs(): number {
    return this.latency;
  }

  reset(): void {
    this.rules = [];
    this.latency = 0;
  }

  /** Called by the router for each resource request; throws the injected error if a rule matches. */
  check(verb: Verb, resource: string): void {
    const entry = this.rules.find(({ rule }) =>
      (rule.verb === undefined || rule.verb === verb) && (rule.resource === undefined || rule.resource === resource));
    if (!entry) return;
    entry.left--;
    if (entry.left <= 0) this.rules.splice(this.rules.indexOf(entry), 1);
    this.injected++;
    throw faultError(entry.rule.code, verb, resource);
  }
}
