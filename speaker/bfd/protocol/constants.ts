// BFD numbers from RFC 5880 (the protocol) and RFC 5881 (BFD for IPv4 and IPv6, single hop). Every name says
// where it comes from; the IANA "BFD Diagnostic Codes" and "BFD Authentication Types" registries start from
// the RFC 5880 tables repeated here.

/** RFC 5880 §4.1 "Version (Vers)": "This document defines protocol version 1." */
export const BFD_VERSION = 1;

/** RFC 5880 §4.1: the mandatory section is 24 bytes; §6.8.6: the least Length with the A bit clear. */
export const MANDATORY_SECTION_LENGTH = 24;

/** RFC 5880 §6.8.6: the least Length with the A bit set (the mandatory section, Auth Type and Auth Len). */
export const MINIMUM_LENGTH_WITH_AUTHENTICATION = 26;

/** RFC 5881 §4: "BFD Control packets MUST be transmitted in UDP packets with destination port 3784". */
export const BFD_CONTROL_PORT = 3784;

/** RFC 5881 §4: the destination port of BFD Echo packets (Herald sends none; listed for completeness). */
export const BFD_ECHO_PORT = 3785;

/** RFC 5881 §4: "The source port MUST be in the range 49152 through 65535." */
export const BFD_SOURCE_PORT_MIN = 49152;
export const BFD_SOURCE_PORT_MAX = 65535;

/**
 * RFC 5881 §5: without authentication, packets "MUST be sent with a Time to Live (TTL) or Hop Limit value
 * of 255", and received ones whose TTL or Hop Limit is not 255 "MUST be discarded" (the GTSM idea, RFC 5082).
 */
export const BFD_TTL = 255;

/** RFC 5880 §4.1 "State (Sta)", in wire order (0-3). Every 2-bit value is a state. */
export const SESSION_STATES = ['AdminDown', 'Down', 'Init', 'Up'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/**
 * RFC 5880 §4.1 "Diagnostic (Diag)", 5 bits: why the sender's session last changed state. Values 9-31 are
 * reserved; a received one is kept as its number.
 */
export const DIAGNOSTIC = {
  noDiagnostic: 0,
  controlDetectionTimeExpired: 1,
  echoFunctionFailed: 2,
  neighborSignaledSessionDown: 3,
  forwardingPlaneReset: 4,
  pathDown: 5,
  concatenatedPathDown: 6,
  administrativelyDown: 7,
  reverseConcatenatedPathDown: 8,
} as const;
export type DiagnosticName = keyof typeof DIAGNOSTIC;
/** A diagnostic code, 0-31. */
export type Diagnostic = number;
export const DIAGNOSTIC_MAX = 31;

/** The RFC's name of a diagnostic code, for logs; reserved codes read `reserved(12)`. */
export function diagnosticName(code: Diagnostic): string {
  const entry = Object.entries(DIAGNOSTIC).find(([, value]) => value === code);
  return entry ? entry[0] : `reserved(${code})`;
}

/** RFC 5880 §4.1 "Auth Type" (IANA "BFD Authentication Types"). */
export const AUTH_TYPE = {
  simplePassword: 1,
  keyedMd5: 2,
  meticulousKeyedMd5: 3,
  keyedSha1: 4,
  meticulousKeyedSha1: 5,
} as const;

/**
 * RFC 5880 §6.8.3: "When bfd.SessionState is not Up, the system MUST set bfd.DesiredMinTxInterval to a value
 * of not less than one second (1,000,000 microseconds)." Intervals are microseconds, as on the wire.
 */
export const SLOW_DESIRED_MIN_TX_INTERVAL = 1_000_000;

/** Microseconds per millisecond: the wire's intervals are microseconds, the driver's clock milliseconds. */
export const MICROSECONDS_PER_MS = 1000;
