// The message header (RFC 4271 §4.1) and each Message Header Error of §6.1, with the data the NOTIFICATION carries.
import { CAPTURES, hex, toHex } from './captures.fixture.js';
import { decodeHeader, decodeMessage, encodeKeepalive, ERROR_CODE, MESSAGE_HEADER_ERROR } from './index.js';
import { notificationFrom } from './test-helpers.js';

const MARKER = 'ff'.repeat(16);
const { CONNECTION_NOT_SYNCHRONIZED, BAD_MESSAGE_LENGTH, BAD_MESSAGE_TYPE } = MESSAGE_HEADER_ERROR;

test('a KEEPALIVE is the bare header, as RFC 4271 §4.4 lays it out', () => {
  expect(toHex(encodeKeepalive())).toBe(CAPTURES.keepalive);
  expect(decodeHeader(hex(CAPTURES.keepalive))).toEqual({ length: 19, type: 4 });
  expect(decodeMessage(hex(CAPTURES.keepalive))).toEqual({ type: 'keepalive' });
});

test.each([
  ['marker with one zero bit (§6.1 Connection Not Synchronized)', 'fe' + 'ff'.repeat(15) + '001304', CONNECTION_NOT_SYNCHRONIZED, ''],
  ['length 18, below the header (§6.1 Bad Message Length)', MARKER + '001204', BAD_MESSAGE_LENGTH, '0012'],
  ['length 4097, above 4096 (§6.1 Bad Message Length)', MARKER + '100104', BAD_MESSAGE_LENGTH, '1001'],
  ['type 0 (§6.1 Bad Message Type)', MARKER + '001300', BAD_MESSAGE_TYPE, '00'],
  ['type 6 (§6.1 Bad Message Type)', MARKER + '001306', BAD_MESSAGE_TYPE, '06'],
  ['KEEPALIVE of 20 octets (§6.1: KEEPALIVE length is 19)', MARKER + '001404', BAD_MESSAGE_LENGTH, '0014'],
  ['OPEN of 28 octets (§6.1: below the OPEN minimum of 29)', MARKER + '001c01', BAD_MESSAGE_LENGTH, '001c'],
  ['UPDATE of 22 octets (§6.1: below the UPDATE minimum of 23)', MARKER + '001602', BAD_MESSAGE_LENGTH, '0016'],
  ['NOTIFICATION of 20 octets (§6.1: below the minimum of 21)', MARKER + '001403', BAD_MESSAGE_LENGTH, '0014'],
  ['ROUTE-REFRESH of 24 octets (RFC 2918 §3: length is 23)', MARKER + '001805', BAD_MESSAGE_LENGTH, '0018'],
  ['fewer than 19 octets given', MARKER, BAD_MESSAGE_LENGTH, '0010'],
])('%s', (_, header, subcode, data) => {
  const error = notificationFrom(() => decodeHeader(hex(header)));
  expect(error.notification).toEqual({ type: 'notification', code: ERROR_CODE.MESSAGE_HEADER, subcode, data: hex(data) });
});

test('the marker is checked before the length, the length before the type (RFC 4271 §6.1 order)', () => {
  expect(notificationFrom(() => decodeHeader(hex('00'.repeat(16) + '000000'))).subcode).toBe(CONNECTION_NOT_SYNCHRONIZED);
  expect(notificationFrom(() => decodeHeader(hex(MARKER + '000000'))).subcode).toBe(BAD_MESSAGE_LENGTH);
});

test('a message whose Length disagrees with the octets given is a Bad Message Length', () => {
  const error = notificationFrom(() => decodeMessage(hex(CAPTURES.keepalive + '00')));
  expect(error.message).toBe('1/2: message length 19 but the message given is 20 octets (RFC 4271 §6.1)');
});
