// What the session's actions say in the log: one line per transition a person cares about (Established, down
// with its reason and NOTIFICATION, RFC 7606 problems), debug lines for the routine ones, nothing per KEEPALIVE.
import type { NotificationMessage } from '../messages/index.js';
import type { SessionAction } from '../session/index.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn';
  message: string;
  fields: Record<string, unknown>;
}

/** RFC 4271 §4.5 code/subcode with the data in hex: "6/2 (data 00)". */
export function notificationText(last: { direction: 'sent' | 'received'; message: NotificationMessage } | null): string | null {
  if (last === null) return null;
  const { code, subcode, data } = last.message;
  const hex = Buffer.from(data).toString('hex');
  return `${last.direction} ${code}/${subcode}${hex === '' ? '' : ` (data ${hex.length > 64 ? `${hex.slice(0, 64)}…` : hex})`}`;
}

export function describeAction(action: SessionAction): LogLine | null {
  switch (action.kind) {
    case 'established': {
      const n = action.negotiated;
      return {
        level: 'info', message: 'BGP session established',
        fields: { peerAsn: n.peerAsn, peerId: n.peerIdentifier, holdTimeMs: n.holdTimeMs, families: n.families, fourOctetAs: n.fourOctetAs },
      };
    }
    case 'down':
      return {
        level: action.wasEstablished ? 'warn' : 'debug', message: 'BGP session down',
        fields: { reason: action.reason, detail: action.detail, notification: notificationText(action.notification), restartAtMs: action.restartAtMs },
      };
    case 'sendUpdates':
      return { level: 'debug', message: 'sent UPDATEs', fields: { updates: action.updates.length, announced: action.announced, withdrawn: action.withdrawn } };
    case 'updateProblems':
      return { level: 'warn', message: 'received UPDATE with attribute errors (RFC 7606)', fields: { treatAsWithdraw: action.treatAsWithdraw, problems: action.problems } };
    case 'connect':
      return { level: 'debug', message: 'connecting to the BGP peer', fields: { address: action.address, port: action.port } };
    default:
      return null;
  }
}
