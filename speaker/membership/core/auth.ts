// Authentication of heartbeats: HMAC-SHA256 (RFC 2104) over the whole encoded message with a key shared
// by the cluster's speakers, appended as a 32-byte tag. The MAC function is injected (the driver passes
// one built on node:crypto) so this module stays pure. Replay protection is not here: it needs the
// sender's history and lives in the state machine (step.ts).
import { WireError } from './errors.js';
import { decodeHeartbeat, encodeHeartbeat, type Heartbeat } from './message.js';

/** HMAC-SHA256 output size, RFC 6234 / RFC 4868. */
export const TAG_LENGTH = 32;

/** Keyed MAC over the bytes; must return TAG_LENGTH bytes. */
export type MacFunction = (bytes: Uint8Array) => Uint8Array;

/** Why a datagram was dropped before it reached the state machine. */
export type PacketDropReason = 'short' | 'badMac' | WireError['reason'];

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

/** Checks the tag, then decodes. Never throws on bad input: the reason is returned for the drop counter. */
export function openHeartbeat(datagram: Uint8Array, mac: MacFunction): OpenResult {
  if (datagram.length <= TAG_LENGTH) return { ok: false, reason: 'short', detail: `${datagram.length} bytes` };
  const body = datagram.subarray(0, datagram.length - TAG_LENGTH);
  const tag = datagram.subarray(datagram.length - TAG_LENGTH);
  if (!constantTimeEqual(mac(body), tag)) return { ok: false, reason: 'badMac', detail: 'HMAC mismatch' };
  try {
    return { ok: true, message: decodeHeartbeat(body) };
  } catch (err) {
    if (err instanceof WireError) return { ok: false, reason: err.reason, detail: err.message };
    throw err;
  }
}
