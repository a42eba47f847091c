import fc from 'fast-check';
import {
  ARP_OPERATION_REPLY,
  ARP_OPERATION_REQUEST,
  arpReply,
  decodeArp,
  decodeArpFrame,
  encodeArp,
  gratuitousArp,
} from './index.js';
import { hex } from './kernel-captures.fixture.js';
import { arbitraryArp, arbitraryIPv4, arbitraryMac, assertDecodesOrThrowsFrameError, expectFrameError, withinLargerBuffer } from './test-helpers.js';

// "who-has 192.0.2.2 tell 192.0.2.1" as the kernel sends it, laid out by hand from RFC 826's field order.
const REQUEST_FRAME =
  'ffffffffffff' + '020000000c01' + '0806' + // Ethernet: broadcast <- 02:00:00:00:0c:01, ARP
  '0001' + '0800' + '06' + '04' + '0001' + // htype Ethernet, ptype IPv4, hlen, plen, oper request
  '020000000c01' + 'c0000201' + '000000000000' + 'c0000202' + // sha, spa, tha, tpa
  '00'.repeat(18); // padding to 60 bytes

describe('ARP decoding', () => {
  test('a request decodes field by field', () => {
    const { ethernet, arp } = decodeArpFrame(hex(REQUEST_FRAME));
    expect(ethernet).toMatchObject({ destination: 'ff:ff:ff:ff:ff:ff', source: '02:00:00:00:0c:01', etherType: 0x0806, vlan: null });
    expect(arp).toEqual({ oper: ARP_OPERATION_REQUEST, sha: '02:00:00:00:0c:01', spa: '192.0.2.1', tha: '00:00:00:00:00:00', tpa: '192.0.2.2' });
  });

  test('an 802.1Q tag is decoded and the ARP behind it read', () => {
    const tagged = hex(REQUEST_FRAME.slice(0, 24) + '8100' + 'a00a' + REQUEST_FRAME.slice(24));
    const { ethernet, arp } = decodeArpFrame(tagged);
    expect(ethernet.vlan).toEqual({ tpid: 0x8100, pcp: 5, dei: false, vid: 10 });
    expect(arp.tpa).toBe('192.0.2.2');
  });

  test.each([
    ['htype 6 (IEEE 802)', 14, '0006', 'unsupportedHardware'],
    ['hlen 8', 18, '08', 'unsupportedHardware'],
    ['ptype IPv6', 16, '86dd', 'unsupportedProtocol'],
    ['plen 16', 19, '10', 'unsupportedProtocol'],
    ['ethertype IPv6', 12, '86dd', 'wrongEtherType'],
  ] as const)('%s -> %s', (_, offset, replacement, reason) => {
    const bytes = hex(REQUEST_FRAME);
    bytes.set(hex(replacement), offset);
    expectFrameError(() => decodeArpFrame(bytes), reason);
  });

  test.each([0, 13, 14, 21, 41])('cut to %i bytes -> truncated', (length) => {
    expectFrameError(() => decodeArpFrame(hex(REQUEST_FRAME).subarray(0, length)), 'truncated');
  });

  test('a truncated packet names the field, its offset in the packet and what was left', () => {
    expect(() => decodeArp(hex(REQUEST_FRAME).subarray(14, 14 + 20))).toThrow('truncated: arp tha needs 6 bytes at offset 18, 2 left');
  });
});

describe('ARP builders', () => {
  test('gratuitous ARP is a broadcast request with sender IP = target IP and a zero target MAC', () => {
    const { ethernet, arp } = decodeArpFrame(gratuitousArp('02:00:00:00:00:0a', '198.51.100.7'));
    expect(ethernet).toMatchObject({ destination: 'ff:ff:ff:ff:ff:ff', source: '02:00:00:00:00:0a', etherType: 0x0806 });
    expect(arp).toEqual({ oper: ARP_OPERATION_REQUEST, sha: '02:00:00:00:00:0a', spa: '198.51.100.7', tha: '00:00:00:00:00:00', tpa: '198.51.100.7' });
  });

  test('frames are padded to the Ethernet minimum of 60 bytes', () => {
    expect(gratuitousArp('02:00:00:00:00:0a', '198.51.100.7')).toHaveLength(60);
  });

  test('a reply swaps the roles and goes unicast to the requester', () => {
    const request = decodeArpFrame(hex(REQUEST_FRAME)).arp;
    const { ethernet, arp } = decodeArpFrame(arpReply(request, '02:00:00:00:00:0b'));
    expect(ethernet).toMatchObject({ destination: '02:00:00:00:0c:01', source: '02:00:00:00:00:0b' });
    expect(arp).toEqual({ oper: ARP_OPERATION_REPLY, sha: '02:00:00:00:00:0b', spa: '192.0.2.2', tha: '02:00:00:00:0c:01', tpa: '192.0.2.1' });
  });

  test('builders reject text that is not an address, quoting it', () => {
    expect(() => gratuitousArp('02:00:00:00:00:zz', '198.51.100.7')).toThrow('"02:00:00:00:00:zz" is not a MAC address');
    expect(() => gratuitousArp('02:00:00:00:00:0a', '198.51.100.256')).toThrow('"198.51.100.256" is not an IPv4 address');
  });
});

describe('ARP round trips', () => {
  test('decode(encode(packet)) deep-equals packet and re-encodes to the same bytes, also at an offset', () => {
    fc.assert(
      fc.property(arbitraryArp, fc.nat(64), (packet, offset) => {
        const bytes = encodeArp(packet);
        const decoded = decodeArp(withinLargerBuffer(bytes, offset));
        expect(decoded).toEqual(packet);
        expect(encodeArp(decoded)).toEqual(bytes);
      }),
      { numRuns: 200 },
    );
  });

  test('every gratuitous ARP decodes back to its MAC and IP', () => {
    fc.assert(
      fc.property(arbitraryMac, arbitraryIPv4, (mac, ip) => {
        expect(decodeArpFrame(gratuitousArp(mac, ip)).arp).toMatchObject({ sha: mac, spa: ip, tpa: ip });
      }),
      { numRuns: 100 },
    );
  });

  test('decoding random bytes throws nothing but FrameError', () => {
    assertDecodesOrThrowsFrameError(decodeArpFrame, 80, 500);
  });
});
