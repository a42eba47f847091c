// Whole BGP messages: the union of the five types, one decoder for a message the splitter cut out of the
// stream (framing.ts), and one encoder. A KEEPALIVE (RFC 4271 §4.4) is the bare header.
import { DEFAULT_CODEC_OPTIONS, type CodecOptions } from './attributes.js';
import { BGP_HEADER_LENGTH, MESSAGE_TYPE } from './constants.js';
import { badMessageLength, type NotificationMessage } from './errors.js';
import { decodeHeader, encodeMessage as encodeWithHeader } from './header.js';
import { decodeNotification, encodeNotification } from './notification.js';
import { decodeOpen, encodeOpen, type OpenMessage } from './open.js';
import { decodeRouteRefresh, encodeRouteRefresh, type RouteRefreshMessage } from './route-refresh.js';
import { decodeUpdate, encodeUpdate, type UpdateDecoding, type UpdateMessage } from './update.js';

export interface KeepaliveMessage {
  type: 'keepalive';
}

export type BgpMessage = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

/** What a received message decodes to: UPDATEs come with RFC 7606's verdict (update.ts). */
export type ReceivedMessage =
  | OpenMessage
  | NotificationMessage
  | KeepaliveMessage
  | RouteRefreshMessage
  | ({ type: 'update' } & UpdateDecoding);

/**
 * Decodes one whole message, header included, as the splitter returns it. Anything that must be answered
 * with a NOTIFICATION throws that NotificationError; nothing else is thrown for any input.
 */
export function decodeMessage(bytes: Uint8Array, options: CodecOptions = DEFAULT_CODEC_OPTIONS): ReceivedMessage {
  const { length, type } = decodeHeader(bytes);
  if (length !== bytes.length) throw badMessageLength(length, `but the message given is ${bytes.length} octets`);
  const body = bytes.subarray(BGP_HEADER_LENGTH);
  switch (type) {
    case MESSAGE_TYPE.OPEN: return decodeOpen(body);
    case MESSAGE_TYPE.UPDATE: return { type: 'update', ...decodeUpdate(body, options) };
    case MESSAGE_TYPE.NOTIFICATION: return decodeNotification(body);
    case MESSAGE_TYPE.ROUTE_REFRESH: return decodeRouteRefresh(body);
    default: return { type: 'keepalive' }; // decodeHeader admits no other type
  }
}

export function encodeKeepalive(): Uint8Array {
  return encodeWithHeader(MESSAGE_TYPE.KEEPALIVE, 0, () => undefined);
}

export function encodeMessage(message: BgpMessage, options: CodecOptions = DEFAULT_CODEC_OPTIONS): Uint8Array {
  switch (message.type) {
    case 'open': return encodeOpen(message);
    case 'update': return encodeUpdate(message, options);
    case 'notification': return encodeNotification(message);
    case 'keepalive': return encodeKeepalive();
    case 'routeRefresh': return encodeRouteRefresh(message);
  }
}
