// The arithmetic of BFD's timers and the randomness it needs, all pure: the randomness is a number the caller
// draws (the session keeps a seeded generator in its state, session-state.ts; the driver seeds it once).
import { BFD_SOURCE_PORT_MAX, BFD_SOURCE_PORT_MIN, MICROSECONDS_PER_MS } from './constants.js';

function checkUnitInterval(random: number, what: string): void {
  if (!(random >= 0 && random < 1)) throw new RangeError(`${what}: random ${random} is not in [0, 1)`);
}

/**
 * RFC 5880 §6.8.7: "The transmission of periodic BFD Control packets MUST be jittered on a per-packet basis
 * by up to 25%, that is, the interval MUST be reduced by a random value of 0 to 25% ... If bfd.DetectMult is
 * equal to 1, the interval between transmitted BFD Control packets MUST be no more than 90% of the negotiated
 * transmission interval, and MUST be no less than 75%." With random in [0, 1): 75-100 % of the interval,
 * or 75-90 % when the local Detect Mult is 1 (75 % itself only by rounding, which the RFC allows).
 */
export function jitteredIntervalMs(intervalMs: number, detectMult: number, random: number): number {
  checkUnitInterval(random, 'bfd jitter');
  const longest = detectMult === 1 ? 0.9 : 1;
  return intervalMs * (longest - (longest - 0.75) * random);
}

/** The shortest and longest gaps jitteredIntervalMs can return: what a test or a peer may rely on. */
export function jitterBoundsMs(intervalMs: number, detectMult: number): { shortest: number; longest: number } {
  return { shortest: intervalMs * 0.75, longest: intervalMs * (detectMult === 1 ? 0.9 : 1) };
}

/** Microseconds on the wire to the driver's milliseconds. */
export function toMs(microseconds: number): number {
  return microseconds / MICROSECONDS_PER_MS;
}

/**
 * RFC 5881 §4: "The source port MUST be in the range 49152 through 65535. The same UDP source port number
 * MUST be used for all BFD Control packets associated with a particular session." The driver draws the
 * random number once per session (and picks again if the port is taken).
 */
export function sourcePortFor(random: number): number {
  checkUnitInterval(random, 'bfd source port');
  const span = BFD_SOURCE_PORT_MAX - BFD_SOURCE_PORT_MIN + 1;
  return BFD_SOURCE_PORT_MIN + Math.floor(random * span);
}

/** A seed no generator state can be (xorshift32 stays at zero forever): replaced by this. */
const ZERO_SEED_REPLACEMENT = 0x9e3779b9;

/**
 * One step of xorshift32 (Marsaglia, 2003): a small, fast generator, plenty for jitter whose only job is to
 * keep sessions from falling into step. Returns a number in (0, 1) and the next seed.
 */
export function nextRandom(seed: number): { value: number; seed: number } {
  let x = seed >>> 0 || ZERO_SEED_REPLACEMENT;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  x >>>= 0;
  return { value: x / 0x1_0000_0000, seed: x };
}
