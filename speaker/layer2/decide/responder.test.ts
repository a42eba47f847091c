import {
  ARP_OPERATION_REPLY,
  ARP_OPERATION_REQUEST,
  BROADCAST_MAC,
  decodeArpFrame,
  decodeNdpFrame,
  encodeArp,
  encodeEthernet,
  encodeNdpFrame,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV6,
  gratuitousArp,
  type MacAddress,
  solicitedNodeMac,
  solicitedNodeMulticast,
  unsolicitedNeighborAdvertisement,
  ZERO_MAC,
} from '../frames/index.js';
import type { PacketType } from '../../native/packet-socket.js';
import { respondToArp, respondToNdp, type ResponderContext } from './responder.js';

const ourMac: MacAddress = '02:00:00:00:00:0b';
const clientMac: MacAddress = '02:00:00:00:00:63';
const ctx: ResponderContext = {
  ifname: 'eth0',
  mac: ourMac,
  owned: new Map([
    ['192.0.2.100', new Set(['eth0'])],
    ['192.0.2.101', new Set(['eth1'])],
    ['2001:db8:1::100', new Set(['eth0'])],
    ['2001:db8:1::101', new Set(['eth1'])],
  ]),
};

function arpRequest(tpa: string, over: { spa?: string; sha?: MacAddress; oper?: number } = {}): Uint8Array {
  const sha = over.sha ?? clientMac;
  const arp = { oper: over.oper ?? ARP_OPERATION_REQUEST, sha, spa: over.spa ?? '192.0.2.99', tha: ZERO_MAC, tpa };
  return encodeEthernet({ destination: BROADCAST_MAC, source: sha, vlan: null, etherType: ETHERTYPE_ARP, payload: encodeArp(arp) });
}

function solicitation(target: string, source = '2001:db8:1::99', from: MacAddress = clientMac): Uint8Array {
  return encodeNdpFrame(
    { ethernetSource: from, ethernetDestination: solicitedNodeMac(target), ipSource: source, ipDestination: solicitedNodeMulticast(target) },
    { kind: 'neighborSolicitation', targetAddress: target, options: source === '::' ? [] : [{ kind: 'sourceLinkLayerAddress', address: from }] },
  );
}

describe('respondToArp', () => {
  it('answers a request for an owned IP with our MAC, to the asker', () => {
    const result = respondToArp(arpRequest('192.0.2.100'), ctx, 'broadcast');
    expect(result.kind).toBe('reply');
    if (result.kind !== 'reply') return;
    const { ethernet, arp } = decodeArpFrame(result.frame);
    expect(ethernet).toMatchObject({ source: ourMac, destination: clientMac });
    expect(arp).toEqual({ oper: ARP_OPERATION_REPLY, sha: ourMac, spa: '192.0.2.100', tha: clientMac, tpa: '192.0.2.99' });
    expect(result.ip).toBe('192.0.2.100');
  });

  it('answers an RFC 5227 probe (sender 0.0.0.0)', () => {
    expect(respondToArp(arpRequest('192.0.2.100', { spa: '0.0.0.0' }), ctx, 'broadcast').kind).toBe('reply');
  });

  it.each<[string, string, Uint8Array]>([
    ['an IP we do not own', 'notOwned', arpRequest('192.0.2.200')],
    ['an IP we own on another interface', 'wrongInterface', arpRequest('192.0.2.101')],
    ['a reply', 'notRequest', arpRequest('192.0.2.100', { oper: ARP_OPERATION_REPLY })],
    ['another node\'s gratuitous ARP', 'gratuitous', gratuitousArp(clientMac, '192.0.2.100')],
    ['our own gratuitous ARP', 'fromSelf', gratuitousArp(ourMac, '192.0.2.100')],
    ['our own request', 'fromSelf', arpRequest('192.0.2.100', { sha: ourMac })],
    ['a truncated frame', 'malformed', arpRequest('192.0.2.100').subarray(0, 20)],
    ['an IPv6 frame on the ARP socket', 'notRequest', solicitation('2001:db8:1::100')],
  ])('drops %s: %s', (_name, reason, bytes) => {
    expect(respondToArp(bytes, ctx, 'broadcast')).toEqual({ kind: 'drop', reason });
  });
});

describe('respondToNdp', () => {
  it('answers a solicitation for an owned IP with a solicited, override NA carrying our MAC', () => {
    const result = respondToNdp(solicitation('2001:db8:1::100'), ctx, 'multicast');
    expect(result.kind).toBe('reply');
    if (result.kind !== 'reply') return;
    const { ethernet, ipv6, message } = decodeNdpFrame(result.frame);
    expect(ethernet).toMatchObject({ source: ourMac, destination: clientMac });
    expect(ipv6).toMatchObject({ source: '2001:db8:1::100', destination: '2001:db8:1::99' });
    expect(message).toEqual({
      kind: 'neighborAdvertisement', router: false, solicited: true, override: true,
      targetAddress: '2001:db8:1::100', options: [{ kind: 'targetLinkLayerAddress', address: ourMac }],
    });
  });

  it('answers duplicate address detection (source ::) to all-nodes', () => {
    const result = respondToNdp(solicitation('2001:db8:1::100', '::'), ctx, 'multicast');
    expect(result.kind).toBe('reply');
    if (result.kind === 'reply') expect(decodeNdpFrame(result.frame).ipv6.destination).toBe('ff02::1');
  });

  const tcp = encodeEthernet({ destination: ourMac, source: clientMac, vlan: null, etherType: ETHERTYPE_IPV6, payload: new Uint8Array(60).fill(6, 6, 7) });
  const badHopLimit = solicitation('2001:db8:1::100');
  badHopLimit[21] = 64;

  it.each<[string, string, Uint8Array]>([
    ['an IP we do not own', 'notOwned', solicitation('2001:db8:1::200')],
    ['an IP we own on another interface', 'wrongInterface', solicitation('2001:db8:1::101')],
    ['an advertisement', 'notRequest', unsolicitedNeighborAdvertisement(clientMac, '2001:db8:1::100')],
    ['our own advertisement', 'fromSelf', unsolicitedNeighborAdvertisement(ourMac, '2001:db8:1::100')],
    ['our own solicitation', 'fromSelf', solicitation('2001:db8:1::100', '2001:db8:1::11', ourMac)],
    ['other IPv6 traffic (TCP)', 'notRequest', tcp],
    ['a solicitation with hop limit 64', 'malformed', badHopLimit],
    ['a truncated frame', 'malformed', solicitation('2001:db8:1::100').subarray(0, 50)],
    ['an ARP frame on the IPv6 socket', 'notRequest', arpRequest('192.0.2.100')],
  ])('drops %s: %s', (_name, reason, bytes) => {
    expect(respondToNdp(bytes, ctx, 'multicast')).toEqual({ kind: 'drop', reason });
  });
});

describe('how the frame arrived (issue 12: a VLAN-tagged request was answered untagged)', () => {
  // The kernel marks a frame for another host's MAC, and a tagged frame for a VLAN the node has no device
  // for, PACKET_OTHERHOST; answered, the reply would leave untagged on the parent interface.
  it.each<[PacketType, 'reply' | 'drop']>([['host', 'reply'], ['broadcast', 'reply'], ['multicast', 'reply'], ['otherhost', 'drop']])(
    'a request for an owned IP that arrived as %s: %s', (packetType, kind) => {
      const arp = respondToArp(arpRequest('192.0.2.100'), ctx, packetType);
      const ndp = respondToNdp(solicitation('2001:db8:1::100'), ctx, packetType);
      expect([arp.kind, ndp.kind]).toEqual([kind, kind]);
      if (kind === 'drop') expect([arp, ndp]).toEqual([{ kind: 'drop', reason: 'otherHost' }, { kind: 'drop', reason: 'otherHost' }]);
    });
});

describe('solicitations RFC 4861 §7.1.1 says to discard', () => {
  const vip = '2001:db8:1::100';
  /** A solicitation for `target` with every field chosen by the test. */
  function crafted(ipSource: string, ipDestination: string, options: Parameters<typeof encodeNdpFrame>[1]['options'], target = vip): Uint8Array {
    return encodeNdpFrame(
      { ethernetSource: clientMac, ethernetDestination: solicitedNodeMac(target.startsWith('ff') ? vip : target), ipSource, ipDestination },
      { kind: 'neighborSolicitation', targetAddress: target, options },
    );
  }
  const sllao = [{ kind: 'sourceLinkLayerAddress' as const, address: clientMac }];

  it.each<[string, Uint8Array]>([
    ['duplicate address detection (source ::) carrying a source link-layer address option', crafted('::', solicitedNodeMulticast(vip), sllao)],
    ['duplicate address detection carrying it as an option of another length', crafted('::', solicitedNodeMulticast(vip), [{ kind: 'raw', type: 1, data: new Uint8Array(14) }])],
    ['duplicate address detection sent to all-nodes instead of the solicited-node group', crafted('::', 'ff02::1', [])],
    ['duplicate address detection sent unicast', crafted('::', '2001:db8:1::11', [])],
    ['a solicitation from a multicast source', crafted('ff02::1', solicitedNodeMulticast(vip), sllao)],
    ['a solicitation from a multicast source without options', crafted('ff05::2', solicitedNodeMulticast(vip), [])],
    ['a solicitation for a multicast target', crafted('2001:db8:1::99', 'ff02::1', sllao, 'ff02::1:ff00:100')],
  ])('drops %s as invalid', (_name, frame) => {
    expect(respondToNdp(frame, ctx, 'multicast')).toEqual({ kind: 'drop', reason: 'invalid' });
  });

  it.each<[string, Uint8Array]>([
    ['duplicate address detection to the solicited-node group, without options', crafted('::', solicitedNodeMulticast(vip), [])],
    ['a solicitation from a link-local source with a source link-layer option', crafted('fe80::99', solicitedNodeMulticast(vip), sllao)],
    ['a unicast solicitation (a NUD probe) without options', crafted('2001:db8:1::99', vip, [])],
  ])('still answers %s', (_name, frame) => {
    expect(respondToNdp(frame, ctx, 'multicast').kind).toBe('reply');
  });
});
