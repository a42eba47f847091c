// NOTIFICATION (RFC 4271 §4.5) with the Shutdown Communication of RFC 8203 / RFC 9003, ROUTE-REFRESH (RFC 2918).
import { CAPTURES, hex, toHex } from './captures.fixture.js';
import {
  CEASE_SUBCODE,
  decodeMessage,
  encodeMessage,
  ERROR_CODE,
  shutdownCommunication,
  shutdownNotification,
  type NotificationMessage,
  type RouteRefreshMessage,
} from './index.js';
import { withinLargerBuffer } from './test-helpers.js';

describe('NOTIFICATION', () => {
  test('the hand-written Cease / Administrative Shutdown decodes and reads "maintenance"', () => {
    const notification = decodeMessage(hex(CAPTURES.shutdown)) as NotificationMessage;
    expect(notification).toEqual({ type: 'notification', code: ERROR_CODE.CEASE, subcode: CEASE_SUBCODE.ADMINISTRATIVE_SHUTDOWN, data: hex('0b6d61696e74656e616e6365') });
    expect(shutdownCommunication(notification)).toEqual({ kind: 'text', text: 'maintenance' });
    expect(toHex(encodeMessage(shutdownNotification(CEASE_SUBCODE.ADMINISTRATIVE_SHUTDOWN, 'maintenance')))).toBe(CAPTURES.shutdown);
  });

  test.each([0, 5])('round trip with data, at offset %i', (offset) => {
    const message: NotificationMessage = { type: 'notification', code: 3, subcode: 5, data: hex('400305c000020101') };
    const bytes = encodeMessage(message);
    expect(decodeMessage(withinLargerBuffer(bytes, offset))).toEqual(message);
  });

  test('a long communication is cut to 255 octets at a character boundary (RFC 9003 §2)', () => {
    const text = 'é'.repeat(200); // 400 octets of two-octet characters
    const notification = shutdownNotification(CEASE_SUBCODE.ADMINISTRATIVE_RESET, text);
    expect(notification.data[0]).toBe(254);
    expect(shutdownCommunication(notification)).toEqual({ kind: 'text', text: 'é'.repeat(127) });
  });

  test.each([
    ['no data (a peer before RFC 8203)', ERROR_CODE.CEASE, 2, '', { kind: 'none' }],
    ['another Cease subcode', ERROR_CODE.CEASE, 3, '03616263', { kind: 'none' }],
    ['another error code', ERROR_CODE.UPDATE_MESSAGE, 2, '03616263', { kind: 'none' }],
    ['empty communication', ERROR_CODE.CEASE, 4, '00', { kind: 'text', text: '' }],
    ['length past the data (RFC 9003 §2: invalid Length)', ERROR_CODE.CEASE, 2, '05616263', { kind: 'malformed', reason: 'length 5 but 3 octets follow' }],
    ['invalid UTF-8 (RFC 9003 §2)', ERROR_CODE.CEASE, 2, '02c328', { kind: 'malformed', reason: expect.stringContaining('not UTF-8') }],
  ])('shutdown communication: %s', (_, code, subcode, data, expected) => {
    expect(shutdownCommunication({ type: 'notification', code, subcode, data: hex(data) })).toEqual(expected);
  });
});

describe('ROUTE-REFRESH', () => {
  test('the hand-written IPv6 unicast request decodes and re-encodes', () => {
    const message = decodeMessage(hex(CAPTURES.routeRefreshIPv6)) as RouteRefreshMessage;
    expect(message).toEqual({ type: 'routeRefresh', afi: 2, subtype: 0, safi: 1 });
    expect(toHex(encodeMessage(message))).toBe(CAPTURES.routeRefreshIPv6);
  });

  test.each([0, 3])('an RFC 7313 End-of-RIB subtype round-trips at offset %i', (offset) => {
    const message: RouteRefreshMessage = { type: 'routeRefresh', afi: 1, subtype: 2, safi: 1 };
    expect(decodeMessage(withinLargerBuffer(encodeMessage(message), offset))).toEqual(message);
  });
});
