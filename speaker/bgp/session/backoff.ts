// The retry delay: ConnectRetryTime doubled per failure since the last Established, capped, and jittered as
// RFC 4271 §10 asks ("multiplied by a random factor uniformly distributed in the range of 0.75 to 1.0") so
// that many speakers restarted together do not all reconnect in the same millisecond. The randomness is a
// xorshift32 sequence kept in the session state and seeded by the driver: step() stays a pure function.
import type { SessionConfig } from './config.js';

/** Doublings past which the cap has long been reached (2^16 × any sane base). */
const MAX_DOUBLINGS = 16;

/** Marsaglia's xorshift32: the next non-zero 32-bit state. A zero seed would stay zero, so it becomes 1. */
export function nextRandomState(state: number): number {
  let x = state >>> 0 || 1;
  x ^= x << 13;
  x >>>= 0;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}

/** A random state as a number in [0, 1). */
export function unitInterval(state: number): number {
  return (state >>> 0) / 0x1_0000_0000;
}

/**
 * The delay before the next attempt after `failures` failures in a row (0 or 1: the base delay), for a
 * random value `random` in [0, 1).
 */
export function retryDelayMs(config: Pick<SessionConfig, 'connectRetryMs' | 'connectRetryMaxMs'>, failures: number, random: number): number {
  const doublings = Math.min(Math.max(failures - 1, 0), MAX_DOUBLINGS);
  const ceiling = Math.min(config.connectRetryMs * 2 ** doublings, config.connectRetryMaxMs);
  return Math.round(ceiling * (0.75 + 0.25 * random));
}
