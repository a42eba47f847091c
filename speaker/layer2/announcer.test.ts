import { silentLogger } from '../../lib/log.js';
import { Announcer } from './announcer.js';
import type { LinkInfo } from './decide/interfaces.js';
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
  type MacAddress,
  solicitedNodeMac,
  solicitedNodeMulticast,
  ZERO_MAC,
} from './frames/index.js';
import { MemorySegment } from './testing/memory-segment.js';

const nodeMac: MacAddress = '02:00:00:00:00:0b';
const clientMac: MacAddress = '02:00:00:00:00:63';
const eth0: LinkInfo = { name: 'eth0', index: 2, mac: nodeMac, up: true, hasMaster: false, noArp: false, addresses: [] };
const eth1: LinkInfo = { ...eth0, name: 'eth1', index: 3, mac: '02:00:00:00:01:0b' };

const arpRequest = (tpa: string): Uint8Array => encodeEthernet({
  destination: BROADCAST_MAC, source: clientMac, vlan: null, etherType: ETHERTYPE_ARP,
  payload: encodeArp({ oper: ARP_OPERATION_REQUEST, sha: clientMac, spa: '192.0.2.99', tha: ZERO_MAC, tpa }),
});
const solicitation = (target: string): Uint8Array => encodeNdpFrame(
  { ethernetSource: clientMac, ethernetDestination: solicitedNodeMac(target), ipSource: '2001:db8:1::99', ipDestination: solicitedNodeMulticast(target) },
  { kind: 'neighborSolicitation', targetAddress: target, options: [{ kind: 'sourceLinkLayerAddress', address: clientMac }] },
);
const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('Announcer', () => {
  let segment: MemorySegment;
  let announcer: Announcer;
  beforeEach(() => {
    segment = new MemorySegment();
    announcer = new Announcer({ openSocket: segment.open, logger: silentLogger(), schedule: [0, 20, 40] });
  });
  afterEach(async () => {
    await announcer.apply({ announce: [], withdraw: announcer.current() }, []);
  });

  it('sends the first gratuitous ARP (request form) at once and the rest on schedule', async () => {
    const client = segment.client(ETHERTYPE_ARP);
    await announcer.apply({ announce: [{ ip: '192.0.2.100', ifname: 'eth0' }], withdraw: [] }, [eth0]);
    expect(client.received).toHaveLength(1);
    const { ethernet, arp } = decodeArpFrame(client.received[0]!);
    expect(ethernet.destination).toBe(BROADCAST_MAC);
    expect(arp).toEqual({ oper: ARP_OPERATION_REQUEST, sha: nodeMac, spa: '192.0.2.100', tha: ZERO_MAC, tpa: '192.0.2.100' });
    await tick(70);
    expect(client.received).toHaveLength(3);
    expect(announcer.stats.framesSent).toBe(3);
  });

  it('answers ARP requests for a held IP and counts the rest as drops', async () => {
    const client = segment.client(ETHERTYPE_ARP);
    await announcer.apply({ announce: [{ ip: '192.0.2.100', ifname: 'eth0' }], withdraw: [] }, [eth0]);
    client.received.length = 0;
    client.send(arpRequest('192.0.2.100'));
    client.send(arpRequest('192.0.2.200'));
    const replies = client.received.map((f) => decodeArpFrame(f).arp).filter((a) => a.oper === ARP_OPERATION_REPLY);
    expect(replies).toEqual([{ oper: ARP_OPERATION_REPLY, sha: nodeMac, spa: '192.0.2.100', tha: clientMac, tpa: '192.0.2.99' }]);
    expect(announcer.stats.requestsAnswered).toBe(1);
    expect(announcer.stats.drops.notOwned).toBe(1);
  });

  it('stops answering and cancels the burst at once when the IP is withdrawn', async () => {
    const client = segment.client(ETHERTYPE_ARP);
    await announcer.apply({ announce: [{ ip: '192.0.2.100', ifname: 'eth0' }], withdraw: [] }, [eth0]);
    await announcer.apply({ announce: [], withdraw: [{ ip: '192.0.2.100', ifname: 'eth0' }] }, [eth0]);
    client.received.length = 0;
    client.send(arpRequest('192.0.2.100'));
    await tick(70);
    expect(client.received).toEqual([]);
    expect(announcer.current()).toEqual([]);
    expect(segment.sockets.filter((s) => s.ifname === 'eth0').every((s) => s.closed)).toBe(true);
  });

  it('keeps the socket while another IP still uses it', async () => {
    const client = segment.client(ETHERTYPE_ARP);
    await announcer.apply({ announce: [{ ip: '192.0.2.100', ifname: 'eth0' }, { ip: '192.0.2.101', ifname: 'eth0' }], withdraw: [] }, [eth0]);
    await announcer.apply({ announce: [], withdraw: [{ ip: '192.0.2.100', ifname: 'eth0' }] }, [eth0]);
    client.received.length = 0;
    client.send(arpRequest('192.0.2.101'));
    expect(client.received.map((f) => decodeArpFrame(f).arp.spa)).toEqual(['192.0.2.101']);
    expect(announcer.stats.drops.notOwned).toBe(0);
  });

  it('joins the solicited-node group, sends an unsolicited NA and answers NS for an IPv6', async () => {
    const client = segment.client(ETHERTYPE_IPV6);
    await announcer.apply({ announce: [{ ip: '2001:db8:1::100', ifname: 'eth0' }], withdraw: [] }, [eth0]);
    const node = segment.sockets.find((s) => s.ifname === 'eth0' && s.ethertype === ETHERTYPE_IPV6)!;
    expect(node.multicast).toEqual([solicitedNodeMac('2001:db8:1::100')]);
    const unsolicited = decodeNdpFrame(client.received[0]!).message;
    expect(unsolicited).toMatchObject({ kind: 'neighborAdvertisement', override: true, solicited: false, targetAddress: '2001:db8:1::100' });
    client.received.length = 0;
    client.send(solicitation('2001:db8:1::100'));
    expect(client.received.map((f) => decodeNdpFrame(f).message)).toMatchObject([
      { kind: 'neighborAdvertisement', solicited: true, override: true, options: [{ kind: 'targetLinkLayerAddress', address: nodeMac }] },
    ]);
  });

  it('leaves the solicited-node group of a withdrawn IPv6 while the socket stays', async () => {
    await announcer.apply({ announce: [{ ip: '2001:db8:1::100', ifname: 'eth0' }, { ip: '2001:db8:1::101', ifname: 'eth0' }], withdraw: [] }, [eth0]);
    await announcer.apply({ announce: [], withdraw: [{ ip: '2001:db8:1::100', ifname: 'eth0' }] }, [eth0]);
    const node = segment.sockets.find((s) => s.ifname === 'eth0' && s.ethertype === ETHERTYPE_IPV6)!;
    expect(node.multicast).toEqual([solicitedNodeMac('2001:db8:1::101')]);
  });

  it('answers on each interface with that interface\'s MAC', async () => {
    const client = segment.client(ETHERTYPE_ARP);
    await announcer.apply({ announce: [{ ip: '192.0.2.100', ifname: 'eth0' }, { ip: '192.0.2.100', ifname: 'eth1' }], withdraw: [] }, [eth0, eth1]);
    client.received.length = 0;
    client.send(arpRequest('192.0.2.100'));
    // The memory segment joins both interfaces, so the one request reaches both: each answers with its own MAC.
    expect(client.received.map((f) => decodeArpFrame(f).arp.sha).sort()).toEqual([nodeMac, eth1.mac].sort());
  });

  it('refuses an interface it does not know', async () => {
    await expect(announcer.apply({ announce: [{ ip: '192.0.2.100', ifname: 'eth9' }], withdraw: [] }, [eth0])).rejects.toThrow('"eth9"');
  });
});
