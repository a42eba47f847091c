// From octets to session events: a whole message (as MessageSplitter cuts it) decodes to the RFC 4271 §8.1
// event it is, and a message the codec refuses to the error event whose NOTIFICATION the session will send.
import { ERROR_CODE, NotificationError, decodeMessage, type CodecOptions, type NotificationMessage } from '../messages/index.js';
import type { SessionEvent } from './state.js';

/** The event for a NOTIFICATION the codec built: Event 21 (header), 22 (OPEN) or 28 (UPDATE). */
export function errorEvent(notification: NotificationMessage): SessionEvent {
  switch (notification.code) {
    case ERROR_CODE.OPEN_MESSAGE: return { kind: 'BGPOpenMsgErr', notification };
    case ERROR_CODE.UPDATE_MESSAGE: return { kind: 'UpdateMsgErr', notification };
    default: return { kind: 'BGPHeaderErr', notification };
  }
}

/** The event for one whole received message; `options` from codecOptions(state). */
export function messageEvent(bytes: Uint8Array, options: CodecOptions): SessionEvent {
  try {
    const message = decodeMessage(bytes, options);
    switch (message.type) {
      case 'open': return { kind: 'BGPOpen', open: message }; // Event 19
      case 'notification': return { kind: 'NotifMsg', notification: message }; // Events 24, 25
      case 'keepalive': return { kind: 'KeepAliveMsg' }; // Event 26
      case 'update': return { kind: 'UpdateMsg', decoding: message }; // Event 27
      case 'routeRefresh': return { kind: 'RouteRefreshMsg', refresh: message };
    }
  } catch (error) {
    if (error instanceof NotificationError) return errorEvent(error.notification);
    throw error;
  }
}
