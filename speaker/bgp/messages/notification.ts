// The NOTIFICATION message (RFC 4271 §4.5) and the Shutdown Communication some Cease NOTIFICATIONs carry
// (RFC 8203, updated by RFC 9003): a short UTF-8 text the operator gave for shutting a session down or
// resetting it, shown by the peer's operator tools.
import { ByteReader } from '../../../lib/wire/index.js';
import { CEASE_SUBCODE, ERROR_CODE, MESSAGE_TYPE, SHUTDOWN_COMMUNICATION_MAX_LENGTH } from './constants.js';
import { badMessageLength, type NotificationMessage } from './errors.js';
import { encodeMessage } from './header.js';

export type { NotificationMessage } from './errors.js';

/** Decodes a NOTIFICATION body (the octets after the header, at least 2). */
export function decodeNotification(body: Uint8Array): NotificationMessage {
  const input = new ByteReader(body, { truncated: (t) => badMessageLength(body.length + 19, `: NOTIFICATION ${t.message}`) });
  const code = input.u8('error code');
  const subcode = input.u8('error subcode');
  return { type: 'notification', code, subcode, data: input.rest() };
}

/*
 * NOTIFICATION, RFC 4271 §4.5 (after the header):
 *   | Error code (1) | Error subcode (1) | Data (variable) |
 */
export function encodeNotification(notification: NotificationMessage): Uint8Array {
  return encodeMessage(MESSAGE_TYPE.NOTIFICATION, 2 + notification.data.length, (writer) => {
    writer.u8(notification.code).u8(notification.subcode).bytes(notification.data);
  });
}

/** The Cease subcodes that may carry a Shutdown Communication (RFC 9003 §2). */
export type ShutdownSubcode = typeof CEASE_SUBCODE.ADMINISTRATIVE_SHUTDOWN | typeof CEASE_SUBCODE.ADMINISTRATIVE_RESET;

const utf8 = new TextEncoder();

/**
 * A Cease NOTIFICATION with a Shutdown Communication, RFC 9003 §2:
 *   | Length (1) | Shutdown Communication (Length octets of UTF-8) |
 * A text longer than 255 octets is cut at the last whole character that fits: an operator's long message
 * should not stop the session from closing.
 */
export function shutdownNotification(subcode: ShutdownSubcode, communication: string): NotificationMessage {
  const text = fitUtf8(communication, SHUTDOWN_COMMUNICATION_MAX_LENGTH);
  const data = new Uint8Array(1 + text.length);
  data[0] = text.length;
  data.set(text, 1);
  return { type: 'notification', code: ERROR_CODE.CEASE, subcode, data };
}

function fitUtf8(text: string, maxLength: number): Uint8Array {
  const encoded = utf8.encode(text);
  if (encoded.length <= maxLength) return encoded;
  let end = maxLength;
  while (end > 0 && ((encoded[end] ?? 0) & 0xc0) === 0x80) end--; // back off a continuation octet
  return encoded.subarray(0, end);
}

export type ShutdownCommunication =
  /** Not a Cease/2 or Cease/4, or one without data (peers before RFC 8203). */
  | { kind: 'none' }
  | { kind: 'text'; text: string }
  /** RFC 9003 §2: an invalid length or invalid UTF-8 is logged as such and the text not passed on. */
  | { kind: 'malformed'; reason: string };

/** Reads the Shutdown Communication of a received NOTIFICATION. */
export function shutdownCommunication(notification: NotificationMessage): ShutdownCommunication {
  const { code, subcode, data } = notification;
  const carries = code === ERROR_CODE.CEASE && (subcode === CEASE_SUBCODE.ADMINISTRATIVE_SHUTDOWN || subcode === CEASE_SUBCODE.ADMINISTRATIVE_RESET);
  if (!carries || data.length === 0) return { kind: 'none' };
  const length = data[0] ?? 0;
  if (1 + length !== data.length) {
    return { kind: 'malformed', reason: `length ${length} but ${data.length - 1} octets follow` };
  }
  try {
    return { kind: 'text', text: new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(1)) };
  } catch (cause) {
    return { kind: 'malformed', reason: `not UTF-8: ${String(cause)}` };
  }
}
