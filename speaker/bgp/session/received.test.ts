// From octets to RFC 4271 §8.1 events (received.ts).
import { encodeKeepalive, encodeMessage } from '../messages/index.js';
import { messageEvent } from './received.js';

const OPTIONS = { fourOctetAs: true };

describe('messageEvent', () => {
  test('KEEPALIVE is Event 26', () => {
    expect(messageEvent(encodeKeepalive(), OPTIONS)).toEqual({ kind: 'KeepAliveMsg' });
  });

  test('a bad marker is Event 21 carrying Connection Not Synchronized', () => {
    const bytes = encodeKeepalive();
    bytes[0] = 0;
    expect(messageEvent(bytes, OPTIONS)).toMatchObject({ kind: 'BGPHeaderErr', notification: { code: 1, subcode: 1 } });
  });

  test('an OPEN with hold time 1 is Event 22 carrying Unacceptable Hold Time', () => {
    const bytes = encodeMessage({ type: 'open', myAutonomousSystem: 1, holdTime: 3, bgpIdentifier: '10.0.0.1', capabilities: [] });
    bytes[19 + 4] = 1; // hold time low octet
    expect(messageEvent(bytes, OPTIONS)).toMatchObject({ kind: 'BGPOpenMsgErr', notification: { code: 2, subcode: 6 } });
  });

  test('an UPDATE whose withdrawn length overruns it is Event 28 (Malformed Attribute List)', () => {
    const bytes = encodeMessage({ type: 'update', withdrawnRoutes: [], pathAttributes: [], nlri: [] });
    bytes[20] = 9;
    expect(messageEvent(bytes, OPTIONS)).toMatchObject({ kind: 'UpdateMsgErr', notification: { code: 3, subcode: 1 } });
  });

  test('an UPDATE with a bad ORIGIN is Event 27 with treat-as-withdraw (RFC 7606), not an error', () => {
    const bytes = encodeMessage({
      type: 'update', withdrawnRoutes: [], nlri: ['10.0.0.0/8'],
      pathAttributes: [{ kind: 'origin', origin: 9 }, { kind: 'asPath', segments: [] }, { kind: 'nextHop', nextHop: '192.0.2.1' }],
    });
    expect(messageEvent(bytes, OPTIONS)).toMatchObject({ kind: 'UpdateMsg', decoding: { action: 'treatAsWithdraw', withdrawn: ['10.0.0.0/8'] } });
  });
});
