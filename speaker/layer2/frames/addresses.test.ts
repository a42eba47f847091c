import fc from 'fast-check';
import { canonicalMac, formatMac, ipv6MulticastMac, parseMac, solicitedNodeMac, solicitedNodeMulticast } from './index.js';

describe('MAC text', () => {
  test.each([
    ['02:00:00:00:0C:01', '02:00:00:00:0c:01'],
    ['2-0-0-0-c-1', '02:00:00:00:0c:01'],
    ['ff:ff:ff:ff:ff:ff', 'ff:ff:ff:ff:ff:ff'],
  ])('%s -> %s', (text, canonical) => expect(canonicalMac(text)).toBe(canonical));

  test.each(['', '02:00:00:00:0c', '02:00:00:00:0c:01:02', '02:00-00:00:0c:01', '02:00:00:00:0c:1g', '002:00:00:00:0c:01'])(
    'rejects %j',
    (text) => expect(() => parseMac(text)).toThrow(`"${text}" is not a MAC address`),
  );

  test('format and parse are inverse', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (bytes) => {
      expect(parseMac(formatMac(bytes))).toEqual(bytes);
    }));
  });
});

describe('solicited-node multicast (RFC 4291 §2.7.1, RFC 2464 §7)', () => {
  test.each([
    // RFC 4291's own example.
    ['4037::01:800:200e:8c6c', 'ff02::1:ff0e:8c6c', '33:33:ff:0e:8c:6c'],
    ['2001:db8::10', 'ff02::1:ff00:10', '33:33:ff:00:00:10'],
    ['fe80::ff:fe00:c01', 'ff02::1:ff00:c01', '33:33:ff:00:0c:01'],
  ])('%s -> %s at %s', (address, group, mac) => {
    expect(solicitedNodeMulticast(address)).toBe(group);
    expect(solicitedNodeMac(address)).toBe(mac);
  });

  test('all-nodes maps to 33:33:00:00:00:01; unicast has no multicast MAC', () => {
    expect(ipv6MulticastMac('ff02::1')).toBe('33:33:00:00:00:01');
    expect(() => ipv6MulticastMac('2001:db8::1')).toThrow('"2001:db8::1" is not an IPv6 multicast address');
  });
});

test('a MAC address from one byte too few or too many is refused, naming both lengths (IP addresses: lib/ip/octets.test.ts)', () => {
  for (const wrong of [5, 7]) expect(() => formatMac(new Uint8Array(wrong))).toThrow(`a MAC address is 6 bytes, got ${wrong}`);
});
