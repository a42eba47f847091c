// ROUTE-REFRESH (RFC 2918 §3) asks the peer to send its Adj-RIB-Out for one address family again.
// The octet between AFI and SAFI is reserved in RFC 2918; RFC 7313 §3 makes it a subtype (0 normal request,
// 1 Beginning of Route Refresh, 2 End of Route Refresh), which is kept so nothing is lost.
import { ByteReader } from '../../../lib/wire/index.js';
import { MESSAGE_TYPE } from './constants.js';
import { badMessageLength } from './errors.js';
import { encodeMessage } from './header.js';

export interface RouteRefreshMessage {
  type: 'routeRefresh';
  afi: number;
  /** Reserved in RFC 2918 (0); the Message Subtype of RFC 7313 §3. */
  subtype: number;
  safi: number;
}

/** Decodes a ROUTE-REFRESH body (4 octets: the header check fixed its length). */
export function decodeRouteRefresh(body: Uint8Array): RouteRefreshMessage {
  const input = new ByteReader(body, { truncated: (t) => badMessageLength(body.length + 19, `: ROUTE-REFRESH ${t.message}`) });
  return { type: 'routeRefresh', afi: input.u16('afi'), subtype: input.u8('subtype'), safi: input.u8('safi') };
}

/*
 * ROUTE-REFRESH, RFC 2918 §3 (after the header):
 *   | AFI (2) | Res. / Subtype (1) | SAFI (1) |
 */
export function encodeRouteRefresh(message: RouteRefreshMessage): Uint8Array {
  return encodeMessage(MESSAGE_TYPE.ROUTE_REFRESH, 4, (writer) => {
    writer.u16(message.afi).u8(message.subtype).u8(message.safi);
  });
}
