// The leader election's decisions, pure: what to do with the Lease we just read, given what we saw before
// and the local clock. Like client-go, expiry is judged by *our* clock since we last saw the record change
// (never by comparing the holder's renewTime with our clock), so clock skew between replicas cannot make
// two leaders.

export interface ElectionTimings {
  /** How long a holder's claim lasts without a renewal (kube default 15 s). */
  leaseDurationMs: number;
  /** A leader that could not renew for this long steps down (kube default 10 s; < leaseDuration). */
  renewDeadlineMs: number;
  /** How often the leader renews and a follower retries (kube default 2 s). */
  retryPeriodMs: number;
}

export const DEFAULT_TIMINGS: ElectionTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** The fields of a coordination.k8s.io/v1 Lease the decision reads. */
export interface LeaseRecord {
  holderIdentity: string | undefined;
  leaseDurationSeconds: number | undefined;
  leaseTransitions: number | undefined;
  resourceVersion: string;
}

export interface ElectorState {
  identity: string;
  /** resourceVersion of the last record we saw, and when (our clock) we first saw it. */
  observedVersion: string | undefined;
  observedAtMs: number;
  /** Our clock when we last wrote the Lease successfully as holder; undefined when not leading. */
  lastRenewMs: number | undefined;
}

export type Decision =
  | { action: 'create' }                                     // no Lease yet: create it with us as holder
  | { action: 'acquire'; why: 'free' | 'expired' }           // someone else's claim is gone: take it over
  | { action: 'renew' }                                      // it is ours: renew it
  | { action: 'wait'; holder: string; expiresInMs: number }; // someone else holds it

export function initialState(identity: string): ElectorState {
  return { identity, observedVersion: undefined, observedAtMs: 0, lastRenewMs: undefined };
}

export function validateTimings(t: ElectionTimings): void {
  if (!(t.retryPeriodMs > 0)) throw new Error(`retry period ${t.retryPeriodMs} ms must be positive`);
  if (!(t.renewDeadlineMs > t.retryPeriodMs)) {
    throw new Error(`renew deadline ${t.renewDeadlineMs} ms must exceed the retry period ${t.retryPeriodMs} ms`);
  }
  if (!(t.leaseDurationMs > t.renewDeadlineMs)) {
    throw new Error(`lease duration ${t.leaseDurationMs} ms must exceed the renew deadline ${t.renewDeadlineMs} ms`);
  }
}

/** Records that we read `lease` at `nowMs`; the expiry clock restarts only when the record changed. */
export function observe(state: ElectorState, lease: LeaseRecord | undefined, nowMs: number): ElectorState {
  const version = lease?.resourceVersion;
  if (version === state.observedVersion) return state;
  return { ...state, observedVersion: version, observedAtMs: nowMs };
}

export function decide(state: ElectorState, lease: LeaseRecord | undefined, nowMs: number): Decision {
  if (!lease) return { action: 'create' };
  const holder = lease.holderIdentity ?? '';
  if (holder === state.identity) return { action: 'renew' };
  if (holder === '') return { action: 'acquire', why: 'free' };
  const durationMs = (lease.leaseDurationSeconds ?? 0) * 1000;
  const expiresInMs = state.observedAtMs + durationMs - nowMs;
  if (expiresInMs <= 0) return { action: 'acquire', why: 'expired' };
  return { action: 'wait', holder, expiresInMs };
}

/** A leader that has not renewed within the renew deadline must stop acting as leader. */
export function mustStepDown(state: ElectorState, nowMs: number, timings: ElectionTimings): boolean {
  return state.lastRenewMs !== undefined && nowMs - state.lastRenewMs > timings.renewDeadlineMs;
}

export interface LeaseSpecFields {
  holderIdentity: string | undefined;
  leaseDurationSeconds: number;
  acquireTimeMs: number;
  renewTimeMs: number;
  leaseTransitions: number;
}

/** The spec to write when we create, take over or renew. */
export function claimSpec(
  state: ElectorState, lease: LeaseRecord | undefined, nowMs: number, timings: ElectionTimings, acquiredAtMs: number | undefined,
): LeaseSpecFields {
  const ours = lease?.holderIdentity === state.identity;
  const transitions = lease?.leaseTransitions ?? 0;
  return {
    holderIdentity: state.identity,
    leaseDurationSeconds: Math.ceil(timings.leaseDurationMs / 1000),
    acquireTimeMs: ours && acquiredAtMs !== undefined ? acquiredAtMs : nowMs,
    renewTimeMs: nowMs,
    leaseTransitions: lease && !ours ? transitions + 1 : transitions,
  };
}

/** The spec a leader writes when it stops on purpose: no holder and a 1 s duration, so a follower takes over at once. */
export function releaseSpec(lease: LeaseRecord, nowMs: number): LeaseSpecFields {
  return {
    holderIdentity: undefined,
    leaseDurationSeconds: 1,
    acquireTimeMs: nowMs,
    renewTimeMs: nowMs,
    leaseTransitions: lease.leaseTransitions ?? 0,
  };
}
