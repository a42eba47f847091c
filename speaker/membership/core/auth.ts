// Authentication of heartbeats: HMAC-SHA256 (RFC 2104) over the whole encoded message with a key shared
// by the cluster's speakers, appended as a 32-byte tag. The MAC function is injected (the driver passes
// one built on node:crypto) so this module stays pure. Replay protection is not here: it needs the
// sender's history and lives in the state machine (step.ts).
//
// Several keys may be valid at once (a key rotation, docs/layer2.md): the first seals, every one opens
// (matchingKey). The driver does not call openHeartbeat on what it receives: it splits the datagram,
// decodes and checks the untrusted header first (admission.ts), and only then computes a MAC, so junk
// costs no crypto at all (udp-membership.ts explains the order).
import { WireError } from './errors.js';
import { decodeHeartbeat, encodeHeartbeat, headerProblem, type Heartbeat } from './message.js';
import { MAX_NAME_BYTES } from './names.js';

/** HMAC-SHA256 output size, RFC 6234 / RFC 4868. */
export const TAG_LENGTH = 32;

/** The largest datagram a heartbeat can be: the version 2 header, two names of MAX_NAME_BYTES, the tag. */
export const MAX_DATAGRAM_BYTES = 36 + 2 * (1 + MAX_NAME_BYTES) + TAG_LENGTH;

/** Keyed MAC over the bytes; must return TAG_LENGTH bytes. */
export type MacFunction = (bytes: Uint8Array) => Uint8Array;

/** Why a datagram was dropped before it reached the state machine. */
export type PacketDropReason = 'short' | 'oversize' | 'badMac' | WireError['reason'];

export type SplitResult =
  | { ok: true; body: Uint8Array; tag: Uint8Array }
  | { ok: false; reason: 'short' | 'oversize'; detail: string };

/** The message bytes and the tag, by length alone (nothing is trusted yet). */
export function splitDatagram(datagram: Uint8Array): SplitResult {
  if (datagram.length <= TAG_LENGTH) return { ok: false, reason: 'short', detail: `${datagram.length} bytes` };
  if (datagram.length > MAX_DATAGRAM_BYTES) return { ok: false, reason: 'oversize', detail: `${datagram.length} bytes > ${MAX_DATAGRAM_BYTES}` };
  return { ok: true, body: datagram.subarray(0, datagram.length - TAG_LENGTH), tag: datagram.subarray(datagram.length - TAG_LENGTH) };
}

/**
 * The index of the first MAC function whose tag over `body` is `tag`, or -1. Tried in order, so a
 * message sealed with the signing key (the first) costs one MAC, one sealed with an older key two.
 */
export function matchingKey(body: Uint8Array, tag: Uint8Array, macs: readonly MacFunction[]): number {
  for (let i = 0; i < macs.length; i++) {
    const mac = macs[i];
    if (mac !== undefined && constantTimeEqual(mac(body), tag)) return i;
  }
  return -1;
}

export type OpenResult = { ok: true; message: Heartbeat } | { ok: false; reason: PacketDropReason; detail: string };

/** Compares in time independent of where the first difference is, so the tag cannot be guessed byte by byte. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** Encodes and tags a heartbeat: the bytes to put in one datagram. */
export function sealHeartbeat(m: Heartbeat, mac: MacFunction): Uint8Array {
  const body = encodeHeartbeat(m);
  const tag = mac(body);
  if (tag.length !== TAG_LENGTH) throw new Error(`MAC function returned ${tag.length} bytes, expected ${TAG_LENGTH}`);
  const out = new Uint8Array(body.length + TAG_LENGTH);
  out.set(body, 0);
  out.set(tag, body.length);
  return out;
}

/** Decodes untrusted message bytes. Never throws on bad input: the reason is returned for the drop counter. */
export function tryDecodeHeartbeat(body: Uint8Array): OpenResult {
  const problem = headerProblem(body);
  if (problem !== null) return { ok: false, reason: problem, detail: `not a heartbeat (${problem})` };
  try {
    return { ok: true, message: decodeHeartbeat(body) };
  } catch (err) {
    if (err instanceof WireError) return { ok: false, reason: err.reason, detail: err.message };
    throw err;
  }
}

/**
 * Checks the tag with any of the keys, then decodes: a whole datagram in one call, for tests, tools and the
 * bench's picture of the old receive path. Never throws on bad input.
 */
export function openHeartbeat(datagram: Uint8Array, mac: MacFunction | readonly MacFunction[]): OpenResult {
  const split = splitDatagram(datagram);
  if (!split.ok) return split;
  if (matchingKey(split.body, split.tag, typeof mac === 'function' ? [mac] : mac) < 0) return { ok: false, reason: 'badMac', detail: 'HMAC mismatch' };
  return tryDecodeHeartbeat(split.body);
}
