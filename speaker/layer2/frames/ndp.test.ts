import fc from 'fast-check';
import { parseIPv6 } from '../../../lib/ip/index.js';
import {
  decodeIcmpv6,
  decodeNdpFrame,
  encodeNdp,
  encodeNdpFrame,
  icmpv6Checksum,
  type NdpFrame,
  type NdpMessage,
  neighborAdvertisementReply,
  parseMac,
  solicitedNodeMac,
  solicitedNodeMulticast,
  unsolicitedNeighborAdvertisement,
} from './index.js';
import { decodeNdp } from './ndp.js';
import { hex, KERNEL_CAPTURES } from './kernel-captures.fixture.js';
import { arbitraryIPv6, arbitraryMac, arbitraryNdpMessage, assertDecodesOrThrowsFrameError, expectFrameError, withinLargerBuffer } from './test-helpers.js';

function addressingOf(frame: NdpFrame) {
  return {
    ethernetSource: frame.ethernet.source,
    ethernetDestination: frame.ethernet.destination,
    ipSource: frame.ipv6.source,
    ipDestination: frame.ipv6.destination,
  };
}

describe('frames the kernel sent', () => {
  test.each(Object.entries(KERNEL_CAPTURES))('%s: checksum verifies and the encoder reproduces every byte', (_, text) => {
    const bytes = hex(text);
    const frame = decodeNdpFrame(bytes);
    expect(encodeNdpFrame(addressingOf(frame), frame.message)).toEqual(bytes);
  });

  test('the solicitation decodes to what tcpdump printed', () => {
    const frame = decodeNdpFrame(hex(KERNEL_CAPTURES.solicitation));
    expect(frame.ipv6).toMatchObject({ source: '2001:db8:c::1', destination: 'ff02::1:ff00:2', hopLimit: 255 });
    expect(frame.message).toEqual({
      kind: 'neighborSolicitation',
      targetAddress: '2001:db8:c::2',
      options: [{ kind: 'sourceLinkLayerAddress', address: '02:00:00:00:0c:01' }],
    });
  });

  test('the advertisement carries S and O but not R', () => {
    const { message } = decodeNdpFrame(hex(KERNEL_CAPTURES.advertisement));
    expect(message).toMatchObject({ kind: 'neighborAdvertisement', router: false, solicited: true, override: true });
  });

  test('an option Herald does not know (the DAD nonce, type 14) is kept raw', () => {
    const { message } = decodeNdpFrame(hex(KERNEL_CAPTURES.dadSolicitation));
    expect(message.options).toEqual([{ kind: 'raw', type: 14, data: hex('637fab75b952') }]);
  });

  test('our reply to the kernel solicitation equals the kernel reply', () => {
    const solicitation = decodeNdpFrame(hex(KERNEL_CAPTURES.solicitation));
    expect(neighborAdvertisementReply(solicitation, '02:00:00:00:0c:02')).toEqual(hex(KERNEL_CAPTURES.advertisement));
  });

  test('a checksum over other addresses does not verify', () => {
    const frame = decodeNdpFrame(hex(KERNEL_CAPTURES.advertisement));
    const icmp = frame.ipv6.payload;
    expect(icmpv6Checksum(frame.ipv6.source, frame.ipv6.destination, icmp)).toBe(0);
    expectFrameError(() => decodeIcmpv6(icmp, frame.ipv6.source, '2001:db8:c::3'), 'badChecksum');
  });
});

describe('malformed NDP frames', () => {
  const advertisement = () => hex(KERNEL_CAPTURES.advertisement);
  test.each([
    ['a flipped body bit', (b: Uint8Array) => { b[70] = (b[70] ?? 0) ^ 0x01; }, 'badChecksum'],
    ['hop limit 64', (b: Uint8Array) => { b[21] = 64; }, 'badHopLimit'],
    ['next header UDP', (b: Uint8Array) => { b[20] = 17; }, 'wrongNextHeader'],
    ['IP version 4 in an IPv6 ethertype', (b: Uint8Array) => { b[14] = 0x40; }, 'badVersion'],
    ['ethertype ARP', (b: Uint8Array) => { b[12] = 0x08; b[13] = 0x06; }, 'wrongEtherType'],
  ] as const)('%s -> %s', (_, corrupt, reason) => {
    const bytes = advertisement();
    corrupt(bytes);
    expectFrameError(() => decodeNdpFrame(bytes), reason);
  });

  test.each([14, 40, 54, 77])('cut to %i bytes -> truncated', (length) => {
    expectFrameError(() => decodeNdpFrame(advertisement().subarray(0, length)), 'truncated');
  });

  test('an option of length 0 is rejected (RFC 4861 §4.6)', () => {
    const body = encodeNdp({ kind: 'neighborSolicitation', targetAddress: '2001:db8::1', options: [] }).body;
    expectFrameError(() => decodeNdp({ type: 135, code: 0, body: Uint8Array.of(...body, 1, 0, 0, 0, 0, 0, 0, 0) }), 'badOptionLength');
  });

  test.each([
    [128, 0, 'wrongMessageType'],
    [135, 1, 'badCode'],
  ] as const)('icmpv6 type %i code %i -> %s', (type, code, reason) => {
    expectFrameError(() => decodeNdp({ type, code, body: new Uint8Array(20) }), reason);
  });
});

describe('NDP builders', () => {
  const mac = '02:00:00:00:00:0b';

  test('unsolicited NA: override, not solicited, to ff02::1 at 33:33:00:00:00:01, hop limit 255', () => {
    const frame = decodeNdpFrame(unsolicitedNeighborAdvertisement(mac, '2001:DB8::0:10'));
    expect(frame.ethernet).toMatchObject({ source: mac, destination: '33:33:00:00:00:01' });
    expect(frame.ipv6).toMatchObject({ source: '2001:db8::10', destination: 'ff02::1', hopLimit: 255 });
    expect(frame.message).toEqual({
      kind: 'neighborAdvertisement',
      router: false,
      solicited: false,
      override: true,
      targetAddress: '2001:db8::10',
      options: [{ kind: 'targetLinkLayerAddress', address: mac }],
    });
  });

  test('a DAD probe is answered to all-nodes with S clear', () => {
    const probe = decodeNdpFrame(hex(KERNEL_CAPTURES.dadSolicitation));
    const reply = decodeNdpFrame(neighborAdvertisementReply(probe, mac));
    expect(reply.ipv6.destination).toBe('ff02::1');
    expect(reply.ethernet.destination).toBe('33:33:00:00:00:01');
    expect(reply.message).toMatchObject({ solicited: false, override: true, targetAddress: 'fe80::ff:fe00:c01' });
  });

  test('without a source link-layer option the reply goes to the Ethernet source', () => {
    const solicitation = decodeNdpFrame(hex(KERNEL_CAPTURES.solicitation));
    const bare: NdpFrame = { ...solicitation, ethernet: { ...solicitation.ethernet, source: '02:00:00:00:00:99' },
      message: { ...solicitation.message, options: [] } };
    expect(decodeNdpFrame(neighborAdvertisementReply(bare, mac)).ethernet.destination).toBe('02:00:00:00:00:99');
  });

  test('the solicitation for an address reaches the group and MAC derived from it', () => {
    fc.assert(
      fc.property(arbitraryIPv6, arbitraryMac, arbitraryIPv6, (target, sender, source) => {
        const frame = decodeNdpFrame(
          encodeNdpFrame(
            { ethernetSource: sender, ethernetDestination: solicitedNodeMac(target), ipSource: source,
              ipDestination: solicitedNodeMulticast(target) },
            { kind: 'neighborSolicitation', targetAddress: target, options: [] },
          ),
        );
        const low24 = Array.from(parseIPv6(target).subarray(13));
        expect(Array.from(parseIPv6(frame.ipv6.destination))).toEqual([0xff, 0x02, ...Array(9).fill(0), 0x01, 0xff, ...low24]);
        expect(Array.from(parseMac(frame.ethernet.destination))).toEqual([0x33, 0x33, 0xff, ...low24]);
        expect(frame.message.targetAddress).toBe(target);
      }),
      { numRuns: 50 },
    );
  });
});

describe('NDP round trips', () => {
  test('decode(encode(message)) deep-equals message, and re-encodes to the same bytes, also at an offset', () => {
    fc.assert(
      fc.property(arbitraryNdpMessage, arbitraryMac, arbitraryMac, arbitraryIPv6, arbitraryIPv6, fc.nat(64),
        (message: NdpMessage, ethernetSource, ethernetDestination, ipSource, ipDestination, offset) => {
          const addressing = { ethernetSource, ethernetDestination, ipSource, ipDestination };
          const bytes = encodeNdpFrame(addressing, message);
          const frame = decodeNdpFrame(withinLargerBuffer(bytes, offset));
          expect(frame.message).toEqual(message);
          expect(addressingOf(frame)).toEqual(addressing);
          expect(encodeNdpFrame(addressingOf(frame), frame.message)).toEqual(bytes);
        }),
      { numRuns: 200 },
    );
  });

  test('decoding random bytes throws nothing but FrameError', () => {
    assertDecodesOrThrowsFrameError(decodeNdpFrame, 120, 500);
  });
});
