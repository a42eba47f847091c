import { CEASE_SUBCODE, ERROR_CODE, encodeNotification, decodeNotification, shutdownNotification, type NotificationMessage } from '../messages/index.js';
import { notificationMeaning, notificationText } from './describe.js';

const notification = (code: number, subcode: number, data: number[] = []): NotificationMessage =>
  ({ type: 'notification', code, subcode, data: Uint8Array.from(data) });

describe('a NOTIFICATION for a person', () => {
  test.each([
    [1, 2, 'message header error, bad message length'],
    [2, 2, 'open message error, bad peer AS'],
    [2, 7, 'open message error, unsupported capability'],
    [3, 11, 'update message error, malformed AS path'],
    [4, 0, 'hold timer expired'],
    [5, 0, 'finite state machine error'],
    [6, 4, 'cease, administrative reset'],
    [6, 10, 'cease, BFD down'],
    [6, 99, 'cease'],
  ])('%i/%i means %s', (code, subcode, meaning) => {
    expect(notificationMeaning(code, subcode)).toBe(meaning);
  });

  test('an unknown code has no meaning, and the text still gives the numbers and the data', () => {
    expect(notificationMeaning(42, 1)).toBeUndefined();
    expect(notificationText({ direction: 'received', message: notification(42, 1, [0xab]) })).toBe('received 42/1 (data ab)');
  });

  test('the operator\'s shutdown communication (RFC 8203) is shown as text, as it came over the wire', () => {
    const wire = encodeNotification(shutdownNotification(CEASE_SUBCODE.ADMINISTRATIVE_SHUTDOWN, 'maintenance until 14:00 "rack 3"'));
    const message = decodeNotification(wire.subarray(19));
    expect(notificationText({ direction: 'received', message })).toBe('received 6/2 cease, administrative shutdown: "maintenance until 14:00 \\"rack 3\\""');
  });

  test('a malformed shutdown communication says so and keeps its bytes', () => {
    const text = notificationText({ direction: 'received', message: notification(ERROR_CODE.CEASE, CEASE_SUBCODE.ADMINISTRATIVE_SHUTDOWN, [5, 0x61]) });
    expect(text).toBe('received 6/2 cease, administrative shutdown (data 0561), shutdown communication malformed: length 5 but 1 octets follow');
  });

  test('long data is cut at 32 octets', () => {
    const text = notificationText({ direction: 'sent', message: notification(3, 1, Array.from({ length: 40 }, () => 0xff)) }) ?? '';
    expect(text).toBe(`sent 3/1 update message error, malformed attribute list (data ${'ff'.repeat(32)}…)`);
  });
});
