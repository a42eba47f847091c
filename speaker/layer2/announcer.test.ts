import { silentLogger } from '../../lib/log.js';
import { Announcer, type OpenSocket } from './announcer.js';
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

  it('counts an IP as gained when it starts being held, not when it moves between interfaces or is held on a second one', async () => {
    const ip = '192.0.2.100';
    await announcer.apply({ announce: [{ ip, ifname: 'eth0' }, { ip: '192.0.2.101', ifname: 'eth0' }], withdraw: [] }, [eth0, eth1]);
    expect(announcer.stats.ipsGained).toBe(2);
    await announcer.apply({ announce: [{ ip, ifname: 'eth1' }], withdraw: [{ ip, ifname: 'eth0' }] }, [eth0, eth1]);
    expect(announcer.stats.ipsGained).toBe(2);
    await announcer.apply({ announce: [], withdraw: [{ ip, ifname: 'eth1' }] }, [eth0, eth1]);
    await announcer.apply({ announce: [{ ip, ifname: 'eth0' }, { ip, ifname: 'eth1' }], withdraw: [] }, [eth0, eth1]);
    expect(announcer.stats.ipsGained).toBe(3);
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

  it('does not answer a request the kernel marked for another host (a tag for a VLAN the node lacks), and counts it', async () => {
    const client = segment.client(ETHERTYPE_ARP);
    await announcer.apply({ announce: [{ ip: '192.0.2.100', ifname: 'eth0' }], withdraw: [] }, [eth0]);
    client.received.length = 0;
    segment.deliver(client, arpRequest('192.0.2.100'), 'otherhost');
    expect(client.received).toEqual([]);
    expect(announcer.stats.drops.otherHost).toBe(1);
    segment.deliver(client, arpRequest('192.0.2.100'), 'broadcast');
    expect(announcer.stats.requestsAnswered).toBe(1);
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

  // The socket stays open for the other IP, so only forgetting the withdrawn one stops the answers: an announcer
  // that kept it would answer for an IP another node now owns, and clients would flap between two MACs.
  it('answers no more for a withdrawn IP while another IP keeps the socket open (ARP and NDP)', async () => {
    const arp = segment.client(ETHERTYPE_ARP);
    const ndp = segment.client(ETHERTYPE_IPV6);
    const both = [{ ip: '192.0.2.100', ifname: 'eth0' }, { ip: '192.0.2.101', ifname: 'eth0' }, { ip: '2001:db8:1::100', ifname: 'eth0' }, { ip: '2001:db8:1::101', ifname: 'eth0' }];
    await announcer.apply({ announce: both, withdraw: [] }, [eth0]);
    await announcer.apply({ announce: [], withdraw: [both[0]!, both[2]!] }, [eth0]);
    await tick(70);
    arp.received.length = 0;
    ndp.received.length = 0;
    arp.send(arpRequest('192.0.2.100'));
    ndp.send(solicitation('2001:db8:1::100'));
    expect([arp.received, ndp.received]).toEqual([[], []]);
    arp.send(arpRequest('192.0.2.101'));
    ndp.send(solicitation('2001:db8:1::101'));
    expect([arp.received.length, ndp.received.length]).toEqual([1, 1]);
    expect(announcer.current().map((a) => a.ip).sort()).toEqual(['192.0.2.101', '2001:db8:1::101']);
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

  it('returns an interface it does not know as a failure', async () => {
    const failures = await announcer.apply({ announce: [{ ip: '192.0.2.100', ifname: 'eth9' }], withdraw: [] }, [eth0]);
    expect(failures.map((f) => [f.ip, f.ifname, f.error.message])).toEqual([['192.0.2.100', 'eth9', 'announce 192.0.2.100 on "eth9": no such interface']]);
  });
});

describe('Announcer when sockets fail or links change', () => {
  const v4 = (ip: string, ifname = 'eth0') => ({ ip, ifname });
  let segment: MemorySegment;
  const announcers: Announcer[] = [];
  const make = (open: OpenSocket): Announcer => {
    const a = new Announcer({ openSocket: open, logger: silentLogger(), schedule: [0] });
    announcers.push(a);
    return a;
  };
  beforeEach(() => {
    segment = new MemorySegment();
  });
  afterEach(async () => {
    for (const a of announcers.splice(0)) await a.apply({ announce: [], withdraw: a.current() }, [eth0, eth1]);
  });

  it('returns the announcement whose socket would not open, and still makes the others', async () => {
    const announcer = make((ifname, ...rest) => {
      if (ifname === 'eth1') throw new Error('socket on "eth1": ENODEV');
      return segment.open(ifname, ...rest);
    });
    const failures = await announcer.apply({ announce: [v4('192.0.2.100', 'eth1'), v4('192.0.2.101')], withdraw: [] }, [eth0, eth1]);
    expect(failures.map((f) => `${f.ip}%${f.ifname}: ${f.error.message}`)).toEqual(['192.0.2.100%eth1: announce 192.0.2.100 on "eth1": socket on "eth1": ENODEV']);
    expect(failures[0]?.error.cause).toBeInstanceOf(Error);
    expect(announcer.current()).toEqual([v4('192.0.2.101')]);
  });

  it('closes a socket it opened for an IPv6 whose solicited-node join failed', async () => {
    const announcer = make((...args) => {
      const socket = segment.open(...args);
      socket.addMulticast = () => { throw new Error('PACKET_ADD_MEMBERSHIP: ENOBUFS'); };
      return socket;
    });
    const failures = await announcer.apply({ announce: [v4('2001:db8:1::100')], withdraw: [] }, [eth0]);
    expect(failures).toHaveLength(1);
    expect(announcer.current()).toEqual([]);
    expect(segment.sockets.map((s) => s.closed)).toEqual([true]);
  });

  it('withdraws an IPv6 even when leaving its group fails, and keeps the other IP answered', async () => {
    const announcer = make((...args) => {
      const socket = segment.open(...args);
      socket.dropMulticast = () => { throw new Error('PACKET_DROP_MEMBERSHIP: ENODEV'); };
      return socket;
    });
    await announcer.apply({ announce: [v4('2001:db8:1::100'), v4('2001:db8:1::101')], withdraw: [] }, [eth0]);
    await expect(announcer.apply({ announce: [], withdraw: [v4('2001:db8:1::100')] }, [eth0])).resolves.toEqual([]);
    expect(announcer.current()).toEqual([v4('2001:db8:1::101')]);
  });

  it('makes its announcements again on a fresh socket when the link is re-created under the same name', async () => {
    const announcer = make(segment.open);
    const client = segment.client(ETHERTYPE_ARP);
    await announcer.apply({ announce: [v4('192.0.2.100')], withdraw: [] }, [eth0]);
    const recreated = { ...eth0, index: 9 };
    await announcer.apply({ announce: [], withdraw: [] }, [recreated]);
    const mine = segment.sockets.filter((s) => s.ifname === 'eth0');
    expect(mine.map((s) => s.closed)).toEqual([true, false]);
    expect(client.received.map((f) => decodeArpFrame(f).arp.spa)).toEqual(['192.0.2.100', '192.0.2.100']);
    // Once redone, an unchanged link is left alone.
    await announcer.apply({ announce: [], withdraw: [] }, [recreated]);
    expect(segment.sockets.filter((s) => s.ifname === 'eth0')).toHaveLength(2);
  });

  it('tells clients and answers with the new MAC when the link\'s MAC changes', async () => {
    const announcer = make(segment.open);
    const client = segment.client(ETHERTYPE_ARP);
    await announcer.apply({ announce: [v4('192.0.2.100')], withdraw: [] }, [eth0]);
    const newMac = '02:00:00:00:00:0c';
    await announcer.apply({ announce: [], withdraw: [] }, [{ ...eth0, mac: newMac }]);
    expect(decodeArpFrame(client.received.at(-1)!).arp.sha).toBe(newMac);
    client.received.length = 0;
    client.send(arpRequest('192.0.2.100'));
    expect(client.received.map((f) => decodeArpFrame(f).arp.sha)).toEqual([newMac]);
  });
});
