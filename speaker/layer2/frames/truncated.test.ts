// A truncated frame is dropped with a message that names the field it ran out in, where that field starts and how
// many bytes were left: what an operator reads in the drop log. Each layout below is the RFC's field order.
import {
  decodeArp,
  decodeEthernet,
  decodeIcmpv6,
  decodeIpv6,
  decodeNdp,
  encodeArp,
  encodeEthernet,
  encodeIcmpv6,
  encodeIpv6,
  encodeNdp,
  FrameError,
  IP_PROTOCOL_ICMPV6,
} from './index.js';

type Layout = readonly (readonly [field: string, size: number])[];

/** Cuts `bytes` short at every length inside `layout` and checks the error names the field the cut falls in. */
function expectEveryCutNamed(layout: Layout, bytes: Uint8Array, decode: (bytes: Uint8Array) => unknown): void {
  let start = 0;
  for (const [field, size] of layout) {
    for (let cut = start; cut < start + size; cut++) {
      let thrown: unknown;
      try {
        decode(bytes.subarray(0, cut));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(FrameError);
      expect(String(thrown)).toBe(`FrameError: truncated: ${field} needs ${size} bytes at offset ${start}, ${cut - start} left`);
    }
    start += size;
  }
}

const SOURCE = 'fe80::1';
const DESTINATION = 'ff02::1:ff00:2';

test('ARP (RFC 826): every field, in order', () => {
  const arp = encodeArp({ oper: 1, sha: '02:00:00:00:0c:01', spa: '192.0.2.1', tha: '00:00:00:00:00:00', tpa: '192.0.2.2' });
  expectEveryCutNamed([
    ['arp htype', 2], ['arp ptype', 2], ['arp hlen', 1], ['arp plen', 1], ['arp oper', 2],
    ['arp sha', 6], ['arp spa', 4], ['arp tha', 6], ['arp tpa', 4],
  ], arp, decodeArp);
});

test('Ethernet II, with an 802.1Q tag', () => {
  const frame = encodeEthernet({
    destination: 'ff:ff:ff:ff:ff:ff', source: '02:00:00:00:0c:01', vlan: { tpid: 0x8100, pcp: 0, dei: false, vid: 10 },
    etherType: 0x0806, payload: new Uint8Array(42),
  });
  expectEveryCutNamed([
    ['ethernet destination', 6], ['ethernet source', 6], ['ethertype', 2], ['802.1Q tag control', 2], ['ethertype after 802.1Q tag', 2],
  ], frame, decodeEthernet);
});

test('IPv6 fixed header (RFC 8200 §3) and the payload its length promises', () => {
  const packet = encodeIpv6({ trafficClass: 0, flowLabel: 0, nextHeader: IP_PROTOCOL_ICMPV6, hopLimit: 255, source: SOURCE, destination: DESTINATION, payload: new Uint8Array(8) });
  expectEveryCutNamed([
    ['ipv6 version/class/flow', 4], ['ipv6 payload length', 2], ['ipv6 next header', 1], ['ipv6 hop limit', 1],
    ['ipv6 source', 16], ['ipv6 destination', 16], ['ipv6 payload', 8],
  ], packet, decodeIpv6);
});

test('ICMPv6 header (RFC 4443 §2.1)', () => {
  const message = encodeIcmpv6({ type: 135, code: 0, body: new Uint8Array(20) }, SOURCE, DESTINATION);
  expectEveryCutNamed([['icmpv6 type', 1], ['icmpv6 code', 1], ['icmpv6 checksum', 2]], message, (bytes) => decodeIcmpv6(bytes, SOURCE, DESTINATION));
});

test('NDP body (RFC 4861 §4.3) and a link-layer address option (§4.6)', () => {
  const { type, code, body } = encodeNdp({ kind: 'neighborSolicitation', targetAddress: 'fe80::2', options: [{ kind: 'sourceLinkLayerAddress', address: '02:00:00:00:0c:01' }] });
  const decode = (bytes: Uint8Array) => decodeNdp({ type, code, body: bytes });
  expectEveryCutNamed([['ndp flags/reserved', 4], ['ndp target address', 16]], body, decode);
  // Options follow until the body ends (a body that ends after the target has none); one cut short is named.
  expect(decode(body.subarray(0, 20)).options).toEqual([]);
  expect(() => decode(body.subarray(0, 21))).toThrow('truncated: ndp option length needs 1 bytes at offset 21, 0 left');
  for (let cut = 22; cut < body.length; cut++) {
    expect(() => decode(body.subarray(0, cut))).toThrow(`truncated: ndp option type 1 data needs 6 bytes at offset 22, ${cut - 22} left`);
  }
});
