// What the session's actions say in the log: one line per transition a person cares about (Established, down
// with its reason and NOTIFICATION, RFC 7606 problems), debug lines for the routine ones, nothing per KEEPALIVE.
import {
  CEASE_SUBCODE, ERROR_CODE, MESSAGE_HEADER_ERROR, OPEN_MESSAGE_ERROR, UPDATE_MESSAGE_ERROR, shutdownCommunication, type NotificationMessage,
} from '../messages/index.js';
import type { SessionAction } from '../session/index.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn';
  message: string;
  fields: Record<string, unknown>;
}

const ACRONYMS = new Set(['AS', 'BFD']);

/** Words from a constant's name: HOLD_TIMER_EXPIRED → "hold timer expired", BAD_PEER_AS → "bad peer AS". */
const words = (name: string): string => name.split('_').map((w) => (ACRONYMS.has(w) ? w : w.toLowerCase())).join(' ');

/** The subcodes that have names, per error code (the constants' tables: one list, the codec's). */
const SUBCODES: Readonly<Record<number, Readonly<Record<string, number>>>> = {
  [ERROR_CODE.MESSAGE_HEADER]: MESSAGE_HEADER_ERROR,
  [ERROR_CODE.OPEN_MESSAGE]: OPEN_MESSAGE_ERROR,
  [ERROR_CODE.UPDATE_MESSAGE]: UPDATE_MESSAGE_ERROR,
  [ERROR_CODE.CEASE]: CEASE_SUBCODE,
};

const nameOf = (table: Readonly<Record<string, number>>, value: number): string | undefined =>
  Object.entries(table).find(([, v]) => v === value)?.[0];

/** "cease, administrative shutdown"; "message header error, bad message length"; undefined for an unknown code. */
export function notificationMeaning(code: number, subcode: number): string | undefined {
  const codeName = nameOf(ERROR_CODE, code);
  if (codeName === undefined) return undefined;
  const what = code === ERROR_CODE.HOLD_TIMER_EXPIRED || code === ERROR_CODE.CEASE ? words(codeName) : `${words(codeName)} error`;
  const table = SUBCODES[code];
  const subName = table && nameOf(table, subcode);
  return subName === undefined ? what : `${what}, ${words(subName)}`;
}

/**
 * A NOTIFICATION for a person (the BGPPeer status, the log): direction, RFC 4271 §4.5 code/subcode, their meaning,
 * and the operator's Shutdown Communication (RFC 8203) where one came, else the data in hex:
 * `received 6/2 cease, administrative shutdown: "maintenance"`, `sent 1/2 message header error, bad message length (data 0013)`.
 */
export function notificationText(last: { direction: 'sent' | 'received'; message: NotificationMessage } | null): string | null {
  if (last === null) return null;
  const { code, subcode, data } = last.message;
  const meaning = notificationMeaning(code, subcode);
  const head = `${last.direction} ${code}/${subcode}${meaning === undefined ? '' : ` ${meaning}`}`;
  const shutdown = shutdownCommunication(last.message);
  if (shutdown.kind === 'text') return `${head}: ${JSON.stringify(shutdown.text)}`;
  const hex = Buffer.from(data).toString('hex');
  const dataText = hex === '' ? '' : ` (data ${hex.length > 64 ? `${hex.slice(0, 64)}…` : hex})`;
  return shutdown.kind === 'malformed' ? `${head}${dataText}, shutdown communication malformed: ${shutdown.reason}` : `${head}${dataText}`;
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
