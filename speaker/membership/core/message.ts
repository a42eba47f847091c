// The heartbeat message: one UDP datagram, big-endian, versioned, authenticated (see auth.ts).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +---------------+---------------+---------------+---------------+
// |  magic 'H'    |  magic 'L'    |  version (4)  |  type         |  type: 1 beat, 2 goodbye, 3 ping
// +---------------+---------------+---------------+---------------+
// |                   incarnation (64 bits)                       |  random per boot of the sender
// +                                                               +
// |                                                               |
// +---------------------------------------------------------------+
// |                   sequence (64 bits)                          |  +1 per message the sender sends,
// +                                                               +  whoever it goes to; < 2^53
// |                                                               |
// +---------------------------------------------------------------+
// |                   sendTimeMs (64 bits)                        |  sender's wall clock, Unix ms
// +                                                               +
// |                                                               |
// +---------------------------------------------------------------+
// |                   nextWithinMs (32 bits)                      |  the sender's next beat to this
// +---------------------------------------------------------------+  receiver leaves within this many ms
// |                   timesDeclaredDead (32 bits)                 |  version ≥ 2: how often, in this
// +---------------------------------------------------------------+  incarnation, the sender declared
// |                   uptimeMs (32 bits)                          |  the receiver dead; version 3: ms
// +---------------+-----------------------------------------------+  since its incarnation began
// |  fromLength   |  from (UTF-8 node name, 1..255 bytes) ...     |
// +---------------+-----------------------------------------------+
// |  toLength     |  to (UTF-8 node name of the receiver) ...     |  binds the message to one receiver,
// +---------------+-----------------------------------------------+  so it cannot be replayed to another
// |  HMAC-SHA256 tag (32 bytes) over every byte above (auth.ts)   |
// +---------------------------------------------------------------+
//
// nextWithinMs is what makes the cheap mesh work: a sender beats some peers fast and others slowly,
// and each receiver sets its dead timer from the promise in the beat it received, so no two nodes need
// to agree on who beats whom at which rate.
//
// timesDeclaredDead (version 2) tells a node that a peer had it dead. A node beaten only slowly does not
// notice a link flap of a few hundred ms, while the peers it beats fast do, and one of them takes its
// IPs over with gratuitous ARP. When the link returns the election hands the IPs back, but the clients
// still point at the successor's MAC: the counter going up is the owner's cue to send its gratuitous
// burst again (step.ts, 'rejoined'). A counter rather than a one-shot flag, so a lost beat loses nothing
// (the next one carries it) and a repeated one triggers nothing.
//
// uptimeMs (version 3) tells every node when each peer's incarnation began, so all of them can tell which speaker
// has just joined a mesh that ran before it (a restart, a DaemonSet update) and is not elected owner yet
// (state.ts settlingOf): a process that has just started stalls for hundreds of ms while it warms up, and an IP
// handed to it at once would move away and back. It saturates at 2^32 - 1 ms (49 days).
//
// Type 3, ping (version 4, the layout of version 3), is a beat that also asks its receiver for a beat back at once.
// A node whose peer falls silent pings the others before it takes that peer's IPs: an answer from enough of them
// shows that it is on the side that hears a quorum, not the one node cut off (step.ts, 'doubt'). Without it an
// isolated node, declaring its peers dead one by one, held quorum for the moments between two deaths and took the
// first dead peer's IPs with gratuitous ARP that pointed clients at it for seconds.
//
// Version 1 lacks timesDeclaredDead and uptimeMs, version 2 uptimeMs, version 3 ping. All decode; a sender writes
// to each peer the version that peer last spoke if it is older (an older build during a rolling update), else 4,
// and pings only a peer heard speaking version 4.
import { ByteReader, ByteWriter, type TruncationError } from '../../../lib/wire/index.js';
import { WireError } from './errors.js';
import { MAX_NAME_BYTES } from './names.js';

export const HEARTBEAT_MAGIC = [0x48, 0x4c] as const; // "HL", Herald membership
/** The version this build writes; it also reads every version in HEARTBEAT_VERSIONS. */
export const HEARTBEAT_VERSION = 4;
export const HEARTBEAT_VERSIONS = [1, 2, 3, 4] as const;
/** The first version that carries a ping. */
export const PING_VERSION = 4;
export type HeartbeatVersion = (typeof HEARTBEAT_VERSIONS)[number];

/** Wire values of the message type byte. */
export const MESSAGE_TYPE = { beat: 1, goodbye: 2, ping: 3 } as const;
export type MessageType = keyof typeof MESSAGE_TYPE;

export interface Heartbeat {
  /** Wire version: 4 may be a ping, 3 carries uptimeMs, 2 timesDeclaredDead; 1 to 3 are what older speakers read and write. */
  version: HeartbeatVersion;
  type: MessageType;
  /** Sender's node name. */
  from: string;
  /** Receiver's node name. */
  to: string;
  incarnation: bigint;
  sequence: number;
  sendTimeMs: number;
  /** Promise: the next beat from `from` to `to` leaves within this many ms (0 in a goodbye). */
  nextWithinMs: number;
  /** How many times, in the sender's current incarnation, it declared `to` dead. Always 0 in version 1. */
  timesDeclaredDead: number;
  /** How long the sender's incarnation has run, in ms (saturating at 2^32 - 1). Always 0 before version 3. */
  uptimeMs: number;
}


const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function encodeName(name: string, field: string): Uint8Array {
  const bytes = utf8.encode(name);
  if (bytes.length < 1 || bytes.length > MAX_NAME_BYTES) {
    throw new RangeError(`heartbeat ${field} "${name.slice(0, 40)}" is ${bytes.length} bytes; must be 1..${MAX_NAME_BYTES}`);
  }
  return bytes;
}

/** The message without its tag. Throws RangeError on values the format cannot carry. */
export function encodeHeartbeat(m: Heartbeat): Uint8Array {
  if (!Number.isSafeInteger(m.sequence) || m.sequence < 0) throw new RangeError(`heartbeat sequence ${m.sequence} is not a safe integer`);
  if (!Number.isSafeInteger(m.sendTimeMs) || m.sendTimeMs < 0) throw new RangeError(`heartbeat sendTimeMs ${m.sendTimeMs} is not a safe integer`);
  if (m.version === 1 && m.timesDeclaredDead !== 0) throw new RangeError(`heartbeat version 1 cannot carry timesDeclaredDead ${m.timesDeclaredDead}`);
  if (m.version < 3 && m.uptimeMs !== 0) throw new RangeError(`heartbeat version ${m.version} cannot carry uptimeMs ${m.uptimeMs}`);
  if (m.type === 'ping' && m.version < PING_VERSION) throw new RangeError(`heartbeat version ${m.version} cannot be a ping`);
  const from = encodeName(m.from, 'from');
  const to = encodeName(m.to, 'to');
  const w = new ByteWriter()
    .u8(HEARTBEAT_MAGIC[0]).u8(HEARTBEAT_MAGIC[1]).u8(m.version).u8(MESSAGE_TYPE[m.type])
    .u64(m.incarnation).u64(BigInt(m.sequence)).u64(BigInt(m.sendTimeMs)).u32(m.nextWithinMs);
  if (m.version >= 2) w.u32(m.timesDeclaredDead);
  if (m.version >= 3) w.u32(Math.min(Math.max(Math.floor(m.uptimeMs), 0), 0xffffffff));
  return w.u8(from.length).bytes(from).u8(to.length).bytes(to).finish();
}

const truncated: TruncationError = (truncation) => new WireError('truncated', `heartbeat ${truncation.message}`);

function decodeVersion(v: number): HeartbeatVersion {
  const known = HEARTBEAT_VERSIONS.find((k) => k === v);
  if (known === undefined) throw new WireError('badVersion', `heartbeat version ${v}, expected one of ${HEARTBEAT_VERSIONS.join(', ')}`);
  return known;
}

function decodeType(v: number, version: HeartbeatVersion): MessageType {
  if (v === MESSAGE_TYPE.beat) return 'beat';
  if (v === MESSAGE_TYPE.goodbye) return 'goodbye';
  if (v === MESSAGE_TYPE.ping && version >= PING_VERSION) return 'ping';
  throw new WireError('badType', `unknown heartbeat type ${v} in version ${version}`);
}

function safeNumber(v: bigint, field: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new WireError('badNumber', `heartbeat ${field} ${v} exceeds 2^53`);
  return Number(v);
}

function readName(r: ByteReader, field: string): string {
  const length = r.u8(`${field} length`);
  if (length === 0) throw new WireError('badName', `heartbeat ${field} is empty`);
  try {
    return utf8Strict.decode(r.view(length, field));
  } catch (cause) {
    if (cause instanceof WireError) throw cause;
    throw new WireError('badName', `heartbeat ${field} is not valid UTF-8`);
  }
}

/**
 * Why these bytes cannot be a heartbeat, judged from the first four (magic, version, type) in the order
 * decodeHeartbeat reads them, or null when they may be one. It says what decodeHeartbeat would throw first
 * for almost all junk, without the cost of an exception (an Error with its stack trace costs microseconds,
 * more than the rest of the receive path), so a flood of junk from a listed address is dropped on a few byte
 * compares. decodeHeartbeat still checks everything.
 */
export function headerProblem(bytes: Uint8Array): WireError['reason'] | null {
  if (bytes.length < 1) return 'truncated';
  if (bytes[0] !== HEARTBEAT_MAGIC[0]) return 'badMagic';
  if (bytes.length < 2) return 'truncated';
  if (bytes[1] !== HEARTBEAT_MAGIC[1]) return 'badMagic';
  if (bytes.length < 3) return 'truncated';
  if (!(HEARTBEAT_VERSIONS as readonly number[]).includes(bytes[2] ?? -1)) return 'badVersion';
  if (bytes.length < 4) return 'truncated';
  const type = bytes[3];
  if (type !== MESSAGE_TYPE.beat && type !== MESSAGE_TYPE.goodbye && !(type === MESSAGE_TYPE.ping && (bytes[2] ?? 0) >= PING_VERSION)) return 'badType';
  return null;
}

/** Decodes a whole untagged message (every byte must belong to it). Throws WireError. */
export function decodeHeartbeat(bytes: Uint8Array): Heartbeat {
  const r = new ByteReader(bytes, { truncated });
  if (r.u8('magic') !== HEARTBEAT_MAGIC[0] || r.u8('magic') !== HEARTBEAT_MAGIC[1]) {
    throw new WireError('badMagic', 'not a Herald heartbeat (magic)');
  }
  const version = decodeVersion(r.u8('version'));
  const type = decodeType(r.u8('type'), version);
  const incarnation = r.u64('incarnation');
  const sequence = safeNumber(r.u64('sequence'), 'sequence');
  const sendTimeMs = safeNumber(r.u64('sendTimeMs'), 'sendTimeMs');
  const nextWithinMs = r.u32('nextWithinMs');
  const timesDeclaredDead = version >= 2 ? r.u32('timesDeclaredDead') : 0;
  const uptimeMs = version >= 3 ? r.u32('uptimeMs') : 0;
  const from = readName(r, 'from');
  const to = readName(r, 'to');
  if (r.remaining !== 0) throw new WireError('trailingBytes', `${r.remaining} bytes after the heartbeat`);
  return { version, type, from, to, incarnation, sequence, sendTimeMs, nextWithinMs, timesDeclaredDead, uptimeMs };
}
