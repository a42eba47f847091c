// A token bucket: how many costly checks one source may cause. Each source address a peer is listed at
// gets one (unknown sources are dropped before they could cost anything, so the number of buckets is
// bounded by the configuration). A genuine peer needs a token once per boot (its first beat, see
// admission.ts); the capacity leaves room for a few restarts in a row and for a key being rotated.

export interface BudgetConfig {
  /** Tokens a full bucket holds: checks a source may cause in a burst. */
  capacity: number;
  /** Tokens added per second. */
  perSecond: number;
}

export interface Bucket {
  readonly tokens: number;
  readonly atMs: number;
}

/** The default: 8 at once, then 2 per second, i.e. at most ~2 MACs a second per source in a flood. */
export const DEFAULT_BUDGET: BudgetConfig = { capacity: 8, perSecond: 2 };

/** Refills the bucket for the time passed and takes one token if there is one. Pure. */
export function takeToken(bucket: Bucket | undefined, nowMs: number, config: BudgetConfig = DEFAULT_BUDGET): { bucket: Bucket; ok: boolean } {
  const elapsed = bucket === undefined ? 0 : Math.max(0, nowMs - bucket.atMs);
  const tokens = bucket === undefined ? config.capacity : Math.min(config.capacity, bucket.tokens + (elapsed * config.perSecond) / 1000);
  if (tokens < 1) return { bucket: { tokens, atMs: nowMs }, ok: false };
  return { bucket: { tokens: tokens - 1, atMs: nowMs }, ok: true };
}
