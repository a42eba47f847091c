// OPEN (RFC 4271 §4.2) with capabilities (RFC 5492, 4760, 2918, 4724, 6793): hand-written peer layouts decode
// field by field, our own encoding round-trips, and each OPEN Message Error of §6.2 carries its subcode.
import { CAPTURES, hex, toHex } from './captures.fixture.js';
import {
  AS_TRANS,
  checkPeerAs,
  decodeMessage,
  encodeMessage,
  encodeOpen,
  ERROR_CODE,
  myAsField,
  OPEN_MESSAGE_ERROR,
  peerAs,
  type Capability,
  type OpenMessage,
} from './index.js';
import { notificationFrom, withinLargerBuffer } from './test-helpers.js';

const MARKER = 'ff'.repeat(16);

describe('decoding OPENs laid out as peers send them', () => {
  test('one capability per optional parameter (AS 65001)', () => {
    expect(decodeMessage(hex(CAPTURES.openOneParameterPerCapability))).toEqual({
      type: 'open', myAutonomousSystem: 65001, holdTime: 90, bgpIdentifier: '192.0.2.1',
      capabilities: [
        { kind: 'multiprotocol', afi: 1, safi: 1 },
        { kind: 'multiprotocol', afi: 2, safi: 1 },
        { kind: 'routeRefresh' },
        { kind: 'raw', code: 70, value: new Uint8Array(0) },
        { kind: 'fourOctetAs', asn: 65001 },
        { kind: 'gracefulRestart', restartState: false, notification: false, restartTimeSeconds: 120, families: [
          { afi: 1, safi: 1, forwardingState: true }, { afi: 2, safi: 1, forwardingState: true },
        ] },
      ],
    });
  });

  test('a 4-octet AS behind AS_TRANS, all capabilities in one parameter, re-encoded octet for octet', () => {
    const open = decodeMessage(hex(CAPTURES.openFourOctetAs)) as OpenMessage;
    expect(open).toMatchObject({ myAutonomousSystem: AS_TRANS, holdTime: 0, bgpIdentifier: '198.51.100.1' });
    expect(peerAs(open)).toBe(4200000001);
    expect(open.capabilities[2]).toEqual({ kind: 'gracefulRestart', restartState: true, notification: false, restartTimeSeconds: 180, families: [{ afi: 2, safi: 1, forwardingState: false }] });
    expect(toHex(encodeOpen(open))).toBe(CAPTURES.openFourOctetAs);
  });
});

describe('round trips', () => {
  const open: OpenMessage = {
    type: 'open', myAutonomousSystem: myAsField(4200000001), holdTime: 9, bgpIdentifier: '10.0.0.1',
    capabilities: [
      { kind: 'multiprotocol', afi: 1, safi: 1 }, { kind: 'multiprotocol', afi: 2, safi: 1 }, { kind: 'routeRefresh' },
      { kind: 'fourOctetAs', asn: 4200000001 },
      { kind: 'gracefulRestart', restartState: true, notification: true, restartTimeSeconds: 4095, families: [{ afi: 2, safi: 1, forwardingState: true }] },
      { kind: 'raw', code: 73, value: hex('0568657261') },
    ],
  };

  test.each([0, 1, 13])('encode -> decode -> encode at offset %i', (offset) => {
    const bytes = encodeMessage(open);
    const decoded = decodeMessage(withinLargerBuffer(bytes, offset));
    expect(decoded).toEqual(open);
    expect(encodeMessage(decoded as OpenMessage)).toEqual(bytes);
  });

  test('every capability goes in one Capabilities parameter, up to the 253 octets Opt Parm Len leaves', () => {
    const many: Capability[] = Array.from({ length: 31 }, (_, i) => ({ kind: 'raw', code: 200, value: Uint8Array.of(i, 0, 0, 0, 0, 0) }));
    const bytes = encodeOpen({ ...open, capabilities: many.slice(0, 31) });
    expect([bytes[28], bytes[29], bytes[30]]).toEqual([250, 2, 248]); // Opt Parm Len, type Capabilities, length
    expect((decodeMessage(bytes) as OpenMessage).capabilities).toEqual(many);
    expect(() => encodeOpen({ ...open, capabilities: [...many, ...many.slice(0, 1)] })).toThrow('OPEN capabilities take 258 octets, more than 255');
  });

  test('no capabilities: no optional parameter at all', () => {
    expect(encodeOpen({ ...open, capabilities: [] }).length).toBe(29);
  });
});

test('My AS: the AS itself up to 65535, AS_TRANS above (RFC 6793 §4.1)', () => {
  expect([myAsField(65535), myAsField(65536), myAsField(4200000001)]).toEqual([65535, AS_TRANS, AS_TRANS]);
});

test('checkPeerAs: the 4-octet capability wins over My AS; a mismatch is Bad Peer AS', () => {
  const open = decodeMessage(hex(CAPTURES.openFourOctetAs)) as OpenMessage;
  expect(() => checkPeerAs(open, 4200000001)).not.toThrow();
  const error = notificationFrom(() => checkPeerAs(open, AS_TRANS));
  expect([error.code, error.subcode]).toEqual([ERROR_CODE.OPEN_MESSAGE, OPEN_MESSAGE_ERROR.BAD_PEER_AS]);
  expect(error.message).toBe('2/2: peer AS 4200000001 is not the configured 23456 (RFC 4271 §6.2)');
});

/** An OPEN body after the header; the header's length is computed. */
function open(body: string): Uint8Array {
  const length = 19 + body.length / 2;
  return hex(MARKER + length.toString(16).padStart(4, '0') + '01' + body);
}

const { UNSPECIFIC, UNSUPPORTED_VERSION_NUMBER, BAD_PEER_AS, BAD_BGP_IDENTIFIER, UNSUPPORTED_OPTIONAL_PARAMETER, UNACCEPTABLE_HOLD_TIME } = OPEN_MESSAGE_ERROR;

test.each([
  ['version 3 (§6.2 Unsupported Version Number, data: version 4)', '03' + 'fde9005ac000020100', UNSUPPORTED_VERSION_NUMBER, '0004'],
  ['My AS 0 (§6.2 Bad Peer AS; RFC 7607 §2)', '04' + '0000005ac000020100', BAD_PEER_AS, ''],
  ['4-octet AS capability of AS 0 (RFC 7607 §2)', '04' + 'fde9005ac000020108' + '0206' + '410400000000', BAD_PEER_AS, ''],
  ['hold time 1 (§6.2 Unacceptable Hold Time)', '04' + 'fde90001c000020100', UNACCEPTABLE_HOLD_TIME, ''],
  ['hold time 2 (§6.2 Unacceptable Hold Time)', '04' + 'fde90002c000020100', UNACCEPTABLE_HOLD_TIME, ''],
  ['BGP identifier 0.0.0.0 (§6.2 Bad BGP Identifier; RFC 6286 §2.1)', '04' + 'fde9005a0000000000', BAD_BGP_IDENTIFIER, ''],
  ['optional parameter type 1, authentication (§6.2 Unsupported Optional Parameter)', '04' + 'fde9005ac000020103' + '0101ff', UNSUPPORTED_OPTIONAL_PARAMETER, ''],
  ['Opt Parm Len longer than the message (§6.2 Unspecific)', '04' + 'fde9005ac000020104' + '0202', UNSPECIFIC, ''],
  ['Opt Parm Len shorter than the message (§6.2 Unspecific)', '04' + 'fde9005ac000020100' + '0200', UNSPECIFIC, ''],
  ['parameter length overrunning the parameters (§6.2 Unspecific)', '04' + 'fde9005ac000020102' + '0205', UNSPECIFIC, ''],
  ['capability length overrunning its parameter (§6.2 Unspecific)', '04' + 'fde9005ac000020104' + '02020104', UNSPECIFIC, ''],
])('%s', (_, body, subcode, data) => {
  const error = notificationFrom(() => decodeMessage(open(body)));
  expect(error.notification).toEqual({ type: 'notification', code: ERROR_CODE.OPEN_MESSAGE, subcode, data: hex(data) });
});

test.each([
  ['multiprotocol of 3 octets', '020501030001' + '00'],
  ['4-octet AS of 2 octets', '0204' + '4102fde9'],
  ['route refresh with a value', '0203' + '020100'],
  ['graceful restart of 3 octets', '0205' + '4003007800'],
])('a known capability of the wrong length (%s) is kept raw, not refused', (_, parameters) => {
  const length = (parameters.length / 2).toString(16).padStart(2, '0');
  const decoded = decodeMessage(open('04' + 'fde9005ac0000201' + length + parameters)) as OpenMessage;
  expect(decoded.capabilities).toEqual([expect.objectContaining({ kind: 'raw' })]);
  expect(peerAs(decoded)).toBe(65001);
});
