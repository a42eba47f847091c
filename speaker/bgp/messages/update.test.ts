// UPDATE (RFC 4271 §4.3) under RFC 7606: hand-written UPDATEs decode attribute by attribute, round-trip, and
// each malformation gets the handling RFC 7606 names for it, with the subcode RFC 4271 §6.3 would have sent.
import { CAPTURES, hex, toHex } from './captures.fixture.js';
import {
  decodeMessage,
  encodeMessage,
  endOfRib,
  endOfRibFamily,
  ERROR_CODE,
  UPDATE_MESSAGE_ERROR as E,
  type ReceivedMessage,
  type UpdateDecoding,
  type UpdateMessage,
} from './index.js';
import { notificationFrom, withinLargerBuffer } from './test-helpers.js';

const MARKER = 'ff'.repeat(16);
const hex16 = (octets: number): string => octets.toString(16).padStart(4, '0');

/** An UPDATE from hex fields; the three lengths are computed. */
function update({ withdrawn = '', attributes = '', nlri = '' }: { withdrawn?: string; attributes?: string; nlri?: string }): Uint8Array {
  const body = hex16(withdrawn.length / 2) + withdrawn + hex16(attributes.length / 2) + attributes + nlri;
  return hex(MARKER + hex16(19 + body.length / 2) + '02' + body);
}

function decodedUpdate(bytes: Uint8Array, fourOctetAs = true): UpdateDecoding {
  const message: ReceivedMessage = decodeMessage(bytes, { fourOctetAs });
  if (message.type !== 'update') throw new Error(`decoded a ${message.type}`);
  return message;
}

function accepted(bytes: Uint8Array, fourOctetAs = true): UpdateMessage {
  const decoding = decodedUpdate(bytes, fourOctetAs);
  if (decoding.action !== 'accept') throw new Error(`treat-as-withdraw: ${decoding.problems.map((p) => p.reason).join('; ')}`);
  return decoding.update;
}

const ORIGIN = '40010100';
const AS_PATH = '400206' + '0201' + '0000fde9';
const NEXT_HOP = '400304' + 'c0000201';
const MANDATORY = ORIGIN + AS_PATH + NEXT_HOP;
const NLRI = '20c6336407'; // 198.51.100.7/32
const MP_REACH = '800e26' + '0002' + '01' + '10' + '20010db8000000000000000000000001' + '00' + '80' + '20010db8000500000000000000000007';

describe('hand-written UPDATEs', () => {
  test('IPv4: every attribute decodes, and the message re-encodes octet for octet', () => {
    const message = accepted(hex(CAPTURES.updateIPv4));
    expect(message).toEqual({
      type: 'update', withdrawnRoutes: [], nlri: ['198.51.100.7/32', '203.0.113.0/24'],
      pathAttributes: [
        { kind: 'origin', origin: 0 },
        { kind: 'asPath', segments: [{ type: 2, asns: [65001] }] },
        { kind: 'nextHop', nextHop: '192.0.2.1' },
        { kind: 'multiExitDisc', med: 0 },
        { kind: 'communities', communities: [65001 * 0x10000 + 100] },
        { kind: 'largeCommunities', communities: [{ globalAdministrator: 65001, localData1: 1, localData2: 2 }] },
      ],
    });
    expect(toHex(encodeMessage(message))).toBe(CAPTURES.updateIPv4);
  });

  test('IPv6: MP_REACH_NLRI with a global and a link-local next hop', () => {
    const message = accepted(hex(CAPTURES.updateIPv6));
    expect(message.pathAttributes[0]).toEqual({
      kind: 'mpReachNlri', afi: 2, safi: 1, nextHop: { global: '2001:db8::1', linkLocal: 'fe80::1' }, nlri: ['2001:db8:5::7/128'],
    });
    expect(toHex(encodeMessage(message))).toBe(CAPTURES.updateIPv6);
  });

  test('IPv6 withdrawal in MP_UNREACH_NLRI, with no ORIGIN or AS_PATH needed', () => {
    const message = accepted(hex(CAPTURES.withdrawIPv6));
    expect(message.pathAttributes).toEqual([{ kind: 'mpUnreachNlri', afi: 2, safi: 1, withdrawn: ['2001:db8:5::7/128'] }]);
    expect(toHex(encodeMessage(message))).toBe(CAPTURES.withdrawIPv6);
  });

  test.each([0, 1, 9])('round trip at offset %i', (offset) => {
    const bytes = hex(CAPTURES.updateIPv4);
    expect(encodeMessage(accepted(withinLargerBuffer(bytes, offset)))).toEqual(bytes);
  });
});

describe('End-of-RIB (RFC 4724 §2)', () => {
  test.each([
    ['IPv4 unicast: an empty UPDATE', 1, CAPTURES.endOfRibIPv4],
    ['IPv6 unicast: only an empty MP_UNREACH_NLRI', 2, CAPTURES.endOfRibIPv6],
  ])('%s', (_, afi, capture) => {
    expect(toHex(encodeMessage(endOfRib(afi, 1)))).toBe(capture);
    expect(endOfRibFamily(accepted(hex(capture)))).toEqual({ afi, safi: 1 });
  });

  test('an UPDATE with anything else in it is not End-of-RIB', () => {
    expect(endOfRibFamily(accepted(hex(CAPTURES.withdrawIPv6)))).toBeNull();
    expect(endOfRibFamily(accepted(hex(CAPTURES.updateIPv6)))).toBeNull();
    expect(endOfRibFamily(accepted(update({ withdrawn: NLRI })))).toBeNull();
  });
});

describe('decoding options', () => {
  test('a session without the 4-octet AS capability reads 2-octet AS_PATH and AGGREGATOR', () => {
    const attributes = ORIGIN + '400204' + '0201' + 'fde9' + NEXT_HOP + 'c00706' + 'fde9' + 'c0000201';
    const message = accepted(update({ attributes, nlri: NLRI }), false);
    expect(message.pathAttributes[1]).toEqual({ kind: 'asPath', segments: [{ type: 2, asns: [65001] }] });
    expect(message.pathAttributes[3]).toEqual({ kind: 'aggregator', asn: 65001, address: '192.0.2.1' });
    expect(encodeMessage(message, { fourOctetAs: false })).toEqual(update({ attributes, nlri: NLRI }));
  });

  test('unknown optional attributes are kept raw with their flags, Extended Length included', () => {
    const extended = '9063' + '0003' + 'aabbcc'; // optional, extended length, type 99, 3 octets
    const transitive = 'e064' + '01' + 'dd'; //     optional transitive partial, type 100
    const bytes = update({ attributes: MANDATORY + extended + transitive, nlri: NLRI });
    const message = accepted(bytes);
    expect(message.pathAttributes.slice(3)).toEqual([
      { kind: 'raw', flags: 0x90, typeCode: 99, value: hex('aabbcc') },
      { kind: 'raw', flags: 0xe0, typeCode: 100, value: hex('dd') },
    ]);
    expect(encodeMessage(message)).toEqual(bytes);
  });

  test('an MP attribute of a family Herald does not speak is kept raw (AFI 1, SAFI 128)', () => {
    const vpn = '800e05' + '0001' + '80' + '0000';
    expect(accepted(update({ attributes: vpn })).pathAttributes).toEqual([{ kind: 'raw', flags: 0x80, typeCode: 14, value: hex('00018000' + '00') }]);
  });

  test('trailing prefix bits are irrelevant (RFC 4271 §4.3) and read as zero', () => {
    expect(accepted(update({ withdrawn: '17' + 'c63365' })).withdrawnRoutes).toEqual(['198.51.100.0/23']);
  });
});

type Handling = ['treatAsWithdraw' | 'attributeDiscard', number];

describe('RFC 7606: treat-as-withdraw and attribute discard', () => {
  test.each<[string, string, Handling]>([
    ['ORIGIN of 2 octets (§7.1)', '4001020000' + AS_PATH + NEXT_HOP, ['treatAsWithdraw', E.ATTRIBUTE_LENGTH_ERROR]],
    ['ORIGIN 3, undefined (§7.1; RFC 4271 §6.3 Invalid ORIGIN)', '40010103' + AS_PATH + NEXT_HOP, ['treatAsWithdraw', E.INVALID_ORIGIN_ATTRIBUTE]],
    ['ORIGIN flagged optional (§3 c; Attribute Flags Error)', 'c0010100' + AS_PATH + NEXT_HOP, ['treatAsWithdraw', E.ATTRIBUTE_FLAGS_ERROR]],
    ['ORIGIN flagged non-transitive (§3 c)', '00010100' + AS_PATH + NEXT_HOP, ['treatAsWithdraw', E.ATTRIBUTE_FLAGS_ERROR]],
    ['AS_PATH segment type 5 (§7.2)', ORIGIN + '400206' + '0501' + '0000fde9' + NEXT_HOP, ['treatAsWithdraw', E.MALFORMED_AS_PATH]],
    ['AS_PATH segment of zero ASes (§7.2)', ORIGIN + '400202' + '0200' + NEXT_HOP, ['treatAsWithdraw', E.MALFORMED_AS_PATH]],
    ['AS_PATH segment overrunning the attribute (§7.2)', ORIGIN + '400206' + '0202' + '0000fde9' + NEXT_HOP, ['treatAsWithdraw', E.MALFORMED_AS_PATH]],
    ['NEXT_HOP of 5 octets (§7.3)', ORIGIN + AS_PATH + '400305' + 'c000020100', ['treatAsWithdraw', E.ATTRIBUTE_LENGTH_ERROR]],
    ['NEXT_HOP 224.0.0.1, multicast (§7.3; RFC 4271 §6.3 Invalid NEXT_HOP)', ORIGIN + AS_PATH + '400304' + 'e0000001', ['treatAsWithdraw', E.INVALID_NEXT_HOP_ATTRIBUTE]],
    ['NEXT_HOP 0.0.0.0 (RFC 4271 §6.3 Invalid NEXT_HOP)', ORIGIN + AS_PATH + '400304' + '00000000', ['treatAsWithdraw', E.INVALID_NEXT_HOP_ATTRIBUTE]],
    ['MULTI_EXIT_DISC of 3 octets (§7.4)', MANDATORY + '800403' + '000000', ['treatAsWithdraw', E.ATTRIBUTE_LENGTH_ERROR]],
    ['LOCAL_PREF of 2 octets (§7.5)', MANDATORY + '400502' + '0064', ['treatAsWithdraw', E.ATTRIBUTE_LENGTH_ERROR]],
    ['COMMUNITIES of 3 octets (§7.8)', MANDATORY + 'c00803' + 'fde900', ['treatAsWithdraw', E.ATTRIBUTE_LENGTH_ERROR]],
    ['COMMUNITIES of 0 octets (§7.8)', MANDATORY + 'c00800', ['treatAsWithdraw', E.ATTRIBUTE_LENGTH_ERROR]],
    ['LARGE_COMMUNITY of 8 octets (RFC 8092 §6)', MANDATORY + 'c02008' + '0000fde900000001', ['treatAsWithdraw', E.ATTRIBUTE_LENGTH_ERROR]],
    ['ORIGINATOR_ID of 3 octets (§7.9)', MANDATORY + '800903' + '0a0000', ['treatAsWithdraw', E.ATTRIBUTE_LENGTH_ERROR]],
    ['CLUSTER_LIST of 6 octets (§7.10)', MANDATORY + '800a06' + '0a0000010a00', ['treatAsWithdraw', E.ATTRIBUTE_LENGTH_ERROR]],
    ['EXTENDED_COMMUNITIES of 4 octets (§7.14)', MANDATORY + 'c01004' + '00020001', ['treatAsWithdraw', E.ATTRIBUTE_LENGTH_ERROR]],
    ['ORIGIN missing (§3 d; RFC 4271 §6.3 Missing Well-known Attribute)', AS_PATH + NEXT_HOP, ['treatAsWithdraw', E.MISSING_WELL_KNOWN_ATTRIBUTE]],
    ['NEXT_HOP missing with IPv4 NLRI (§3 d)', ORIGIN + AS_PATH, ['treatAsWithdraw', E.MISSING_WELL_KNOWN_ATTRIBUTE]],
    ['the last attribute overrunning the attribute field (§4)', MANDATORY + '800409' + '00000000', ['treatAsWithdraw', E.MALFORMED_ATTRIBUTE_LIST]],
    ['one octet left where an attribute header should start (§4)', MANDATORY + '80', ['treatAsWithdraw', E.MALFORMED_ATTRIBUTE_LIST]],
    ['Extended Length with one length octet left (§4)', MANDATORY + '900400', ['treatAsWithdraw', E.MALFORMED_ATTRIBUTE_LIST]],
    ['ATOMIC_AGGREGATE of 1 octet (§7.6)', MANDATORY + '400601' + '00', ['attributeDiscard', E.ATTRIBUTE_LENGTH_ERROR]],
    ['AGGREGATOR of 6 octets on a 4-octet session (§7.7)', MANDATORY + 'c00706' + 'fde9c0000201', ['attributeDiscard', E.ATTRIBUTE_LENGTH_ERROR]],
    ['AGGREGATOR flagged well-known (§3 c, §7.7)', MANDATORY + '400708' + '0000fde9c0000201', ['attributeDiscard', E.ATTRIBUTE_FLAGS_ERROR]],
    ['AS4_PATH with an empty segment (RFC 6793 §6)', MANDATORY + 'c01102' + '0200', ['attributeDiscard', E.MALFORMED_AS_PATH]],
    ['AS4_AGGREGATOR of 6 octets (RFC 6793 §6)', MANDATORY + 'c01206' + 'fde9c0000201', ['attributeDiscard', E.ATTRIBUTE_LENGTH_ERROR]],
    ['MULTI_EXIT_DISC twice: the second copy is discarded (§3 g)', MANDATORY + '80040400000001' + '80040400000002', ['attributeDiscard', E.MALFORMED_ATTRIBUTE_LIST]],
  ])('%s', (_, attributes, [handling, subcode]) => {
    const decoding = decodedUpdate(update({ withdrawn: '18cb0071', attributes, nlri: NLRI }));
    if (handling === 'treatAsWithdraw') {
      expect(decoding).toMatchObject({ action: 'treatAsWithdraw', withdrawn: ['203.0.113.0/24', '198.51.100.7/32'] });
    } else {
      expect(decoding).toMatchObject({ action: 'accept', update: { withdrawnRoutes: ['203.0.113.0/24'], nlri: ['198.51.100.7/32'] } });
    }
    const problems = decoding.action === 'accept' ? decoding.discarded : decoding.problems;
    expect(problems).toEqual([expect.objectContaining({ handling, subcode })]);
  });

  test('treat-as-withdraw withdraws the MP_REACH_NLRI and MP_UNREACH_NLRI prefixes too', () => {
    const unreach = '800f14' + '000201' + '80' + '20010db8000600000000000000000001';
    const decoding = decodedUpdate(update({ attributes: MP_REACH + unreach + '40010103' + AS_PATH }));
    expect(decoding).toMatchObject({ action: 'treatAsWithdraw', withdrawn: ['2001:db8:5::7/128', '2001:db8:6::1/128'] });
  });

  test('a discarded attribute leaves the rest of the UPDATE as sent, first copy kept', () => {
    const message = accepted(update({ attributes: MANDATORY + '80040400000001' + '80040400000002' + '400601ff', nlri: NLRI }));
    expect(message.pathAttributes.map((a) => a.kind)).toEqual(['origin', 'asPath', 'nextHop', 'multiExitDisc']);
    expect(message.pathAttributes[3]).toEqual({ kind: 'multiExitDisc', med: 1 });
  });

  test('treat-as-withdraw outranks attribute discard when both occur (§3 f)', () => {
    const decoding = decodedUpdate(update({ attributes: MANDATORY + '400601ff' + '800403000000', nlri: NLRI }));
    expect(decoding.action).toBe('treatAsWithdraw');
  });

  test('without NLRI, no attribute is mandatory: a bare withdrawal is accepted', () => {
    expect(accepted(update({ withdrawn: NLRI })).withdrawnRoutes).toEqual(['198.51.100.7/32']);
  });

  test('MP_REACH_NLRI carries IPv6 routes without a NEXT_HOP attribute (RFC 4760 §3)', () => {
    expect(accepted(update({ attributes: MP_REACH + ORIGIN + AS_PATH })).pathAttributes).toHaveLength(3);
  });
});

describe('RFC 7606: errors that still reset the session', () => {
  test.each([
    ['well-known flags on an unknown type 99 (RFC 4271 §6.3 Unrecognized Well-known)', { attributes: MANDATORY + '406301ff', nlri: NLRI }, E.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE, '406301ff'],
    ['MP_REACH_NLRI twice (§3 g)', { attributes: MP_REACH + MP_REACH + ORIGIN + AS_PATH }, E.MALFORMED_ATTRIBUTE_LIST, ''],
    ['MP_UNREACH_NLRI twice (§3 g)', { attributes: '800f03000201' + '800f03000201' }, E.MALFORMED_ATTRIBUTE_LIST, ''],
    ['MP_REACH_NLRI next hop of 5 octets for IPv6 (§7.11)', { attributes: '800e0b' + '000201' + '05' + 'c000020100' + '00' + '00' }, E.OPTIONAL_ATTRIBUTE_ERROR, '800e0b000201' + '05c00002010000' + '00'],
    ['MP_REACH_NLRI with a /129 (§7.11)', { attributes: '800e17' + '000201' + '10' + '20010db8000000000000000000000001' + '00' + '81' + '00' }, E.OPTIONAL_ATTRIBUTE_ERROR, null],
    ['MP_REACH_NLRI prefix cut short (§7.11)', { attributes: '800e16' + '000201' + '10' + '20010db8000000000000000000000001' + '00' + '40' }, E.OPTIONAL_ATTRIBUTE_ERROR, null],
    ['MP_UNREACH_NLRI of 2 octets (§7.12)', { attributes: '800f02' + '0002' }, E.OPTIONAL_ATTRIBUTE_ERROR, '800f020002'],
    ['MP_REACH_NLRI flagged transitive (§3 c with §7.11)', { attributes: 'c00e03' + '000201' }, E.ATTRIBUTE_FLAGS_ERROR, 'c00e03000201'],
    ['NLRI prefix length 33 (§5.3; RFC 4271 §6.3 Invalid Network Field)', { attributes: MANDATORY, nlri: '21c633640700' }, E.INVALID_NETWORK_FIELD, ''],
    ['NLRI prefix cut short (§5.3)', { attributes: MANDATORY, nlri: '18c633' }, E.INVALID_NETWORK_FIELD, ''],
    ['withdrawn prefix length 40 (§5.3)', { withdrawn: '28c633640700' }, E.INVALID_NETWORK_FIELD, ''],
  ])('%s', (_, fields, subcode, data) => {
    const error = notificationFrom(() => decodeMessage(update(fields)));
    expect([error.code, error.subcode]).toEqual([ERROR_CODE.UPDATE_MESSAGE, subcode]);
    if (data !== null) expect(toHex(error.data)).toBe(data);
  });

  test.each([
    ['Withdrawn Routes Length past the message (RFC 4271 §6.3 Malformed Attribute List)', '0009' + '00'],
    ['Total Path Attribute Length past the message (RFC 4271 §6.3)', '0000' + '0005' + '400101'],
    ['no Total Path Attribute Length at all', '0000'],
  ])('%s', (_, body) => {
    const bytes = hex(MARKER + hex16(19 + body.length / 2) + '02' + body);
    const error = notificationFrom(() => decodeMessage(bytes.length < 23 ? hex(MARKER + '0017' + '02' + body.padEnd(8, 'f')) : bytes));
    expect([error.code, error.subcode]).toEqual([ERROR_CODE.UPDATE_MESSAGE, E.MALFORMED_ATTRIBUTE_LIST]);
  });
});
