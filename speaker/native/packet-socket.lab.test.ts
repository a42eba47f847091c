// PacketSocket against the real kernel (root only, `npm run test:lab -- speaker/native`). One veth pair:
// hlt-pkt0 stays in the root namespace with no addresses (the socket's side), hlt-pkt1 lives in the
// namespace hlt-pkt-peer with documentation addresses. The peer's kernel, arping and ndisc6 are the judges;
// the kernel filters (codec/packet-filters.ts) are judged by what a stream of other traffic delivers: nothing.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../lib/log.js';
import type { LinkInfo } from '../layer2/decide/interfaces.js';
import { InterfaceWatcher } from '../layer2/interface-watcher.js';
import {
  ARP_OPERATION_REQUEST,
  arpReply,
  BROADCAST_MAC,
  decodeArpFrame,
  decodeNdpFrame,
  encodeArp,
  encodeEthernet,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV6,
  FrameError,
  gratuitousArp,
  type MacAddress,
  neighborAdvertisementReply,
  type NdpFrame,
  solicitedNodeMac,
  unsolicitedNeighborAdvertisement,
  type VlanTag,
  ZERO_MAC,
} from '../layer2/frames/index.js';
import { PacketSocket, type PacketSocketOptions, type PacketType } from './packet-socket.js';

const PEER_NS = 'hlt-pkt-peer';
const OURS = 'hlt-pkt0';
const PEERS = 'hlt-pkt1';
const OUR_MAC: MacAddress = '02:00:00:00:0d:01';
const PEER_MAC: MacAddress = '02:00:00:00:0d:02';
const STALE_MAC = '02:00:00:00:0d:99';
const VIP4 = '192.0.2.10';
const VIP6 = '2001:db8:d::10';
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function run(command: string, ...args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs a judge in the peer namespace without blocking the event loop: our socket must answer meanwhile. */
function inPeer(command: string, ...args: string[]): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', PEER_NS, command, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout }));
  });
}

async function until(what: string, check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function peerNeighbour(ip: string): string {
  return run('ip', '-n', PEER_NS, 'neigh', 'show', ip, 'dev', PEERS);
}

function ourMulticastGroups(): string {
  return run('ip', 'maddr', 'show', 'dev', OURS);
}

function tearDown(): void {
  spawnSync('ip', ['link', 'del', OURS]);
  spawnSync('ip', ['netns', 'del', PEER_NS]);
}

beforeAll(() => {
  tearDown(); // a previous run that died half-way
  run('ip', 'netns', 'add', PEER_NS);
  run('ip', 'netns', 'exec', PEER_NS, 'sysctl', '-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0');
  run('ip', 'link', 'add', OURS, 'address', OUR_MAC, 'type', 'veth', 'peer', 'name', PEERS, 'netns', PEER_NS, 'address', PEER_MAC);
  // Our end carries no IP stack traffic of its own: frames on it come from the test alone.
  run('sysctl', '-qw', `net.ipv6.conf.${OURS}.disable_ipv6=1`);
  run('ip', 'link', 'set', OURS, 'up');
  run('ip', '-n', PEER_NS, 'addr', 'add', '192.0.2.2/24', 'dev', PEERS);
  run('ip', '-n', PEER_NS, 'addr', 'add', '2001:db8:d::2/64', 'dev', PEERS, 'nodad');
  run('ip', '-n', PEER_NS, 'link', 'set', PEERS, 'up');
});

afterAll(tearDown);

describe('the interface watcher (rtnetlink)', () => {
  test('lists the veth end with its ifindex, MAC and state', async () => {
    const watcher = new InterfaceWatcher({ logger: silentLogger() });
    let links: LinkInfo[] = [];
    watcher.onChange((l) => (links = l));
    await watcher.start();
    await watcher.stop();
    expect(links.find((l) => l.name === OURS)).toMatchObject({
      name: OURS, mac: OUR_MAC, up: true, noArp: false, hasMaster: false, addresses: [],
      index: Number(run('cat', `/sys/class/net/${OURS}/ifindex`).trim()),
    });
  });
});

describe('opening', () => {
  test('an unknown interface is an Error with the errno and the name', () => {
    expect(() => PacketSocket.open('hlt-nope', ETHERTYPE_ARP, () => undefined)).toThrow(
      expect.objectContaining({ code: 'ENODEV', message: expect.stringContaining('"hlt-nope"') }),
    );
  });
});

describe('ARP', () => {
  let socket: PacketSocket;
  const received: Buffer[] = [];

  beforeAll(() => {
    socket = PacketSocket.open(OURS, ETHERTYPE_ARP, (frame) => {
      received.push(frame);
      answerArp(frame);
    });
  });
  afterAll(() => socket.close());

  function answerArp(frame: Buffer): void {
    try {
      const { arp } = decodeArpFrame(frame);
      if (arp.oper === 1 && arp.tpa === VIP4) socket.send(arpReply(arp, OUR_MAC));
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
    }
  }

  test('a gratuitous ARP moves the peer’s existing neighbour entry to our MAC', async () => {
    run('ip', '-n', PEER_NS, 'neigh', 'replace', VIP4, 'lladdr', STALE_MAC, 'dev', PEERS, 'nud', 'stale');
    expect(peerNeighbour(VIP4)).toContain(STALE_MAC);
    socket.send(gratuitousArp(OUR_MAC, VIP4));
    await until(`the peer to learn ${OUR_MAC} for ${VIP4}`, () => peerNeighbour(VIP4).includes(OUR_MAC));
  });

  test('an arping from the peer is received, and our reply is the answer arping prints', async () => {
    const before = received.length;
    const arping = await inPeer('arping', '-c', '1', '-w', '3', '-I', PEERS, VIP4);
    expect(arping.stdout).toContain(OUR_MAC.toUpperCase());
    expect(arping.status).toBe(0);
    const requests = received.slice(before).map((frame) => decodeArpFrame(frame));
    expect(requests).toContainEqual(
      expect.objectContaining({ arp: expect.objectContaining({ oper: 1, sha: PEER_MAC, spa: '192.0.2.2', tpa: VIP4 }) }),
    );
  });

  test('our own sends are not delivered back to us', async () => {
    const before = received.length;
    socket.send(gratuitousArp(OUR_MAC, '192.0.2.11'));
    // An arping round trip afterwards proves the loop has run past anything the send could have looped back.
    await inPeer('arping', '-c', '1', '-w', '3', '-I', PEERS, VIP4);
    const senders = received.slice(before).map((frame) => decodeArpFrame(frame).arp.sha);
    expect(senders.length).toBeGreaterThan(0);
    expect(senders).not.toContain(OUR_MAC);
  });
});

describe('NDP', () => {
  let socket: PacketSocket;
  const solicitations: NdpFrame[] = [];

  beforeAll(() => {
    socket = PacketSocket.open(OURS, ETHERTYPE_IPV6, (frame) => {
      try {
        const ndp = decodeNdpFrame(frame);
        if (ndp.message.kind !== 'neighborSolicitation') return;
        solicitations.push(ndp);
        if (ndp.message.targetAddress === VIP6) socket.send(neighborAdvertisementReply(ndp, OUR_MAC));
      } catch (error) {
        if (!(error instanceof FrameError)) throw error; // MLD reports and the like
      }
    });
  });
  afterAll(() => socket.close());

  test('an unsolicited NA moves the peer’s existing neighbour entry to our MAC', async () => {
    run('ip', '-n', PEER_NS, '-6', 'neigh', 'replace', VIP6, 'lladdr', STALE_MAC, 'dev', PEERS, 'nud', 'stale');
    expect(peerNeighbour(VIP6)).toContain(STALE_MAC);
    socket.send(unsolicitedNeighborAdvertisement(OUR_MAC, VIP6));
    await until(`the peer to learn ${OUR_MAC} for ${VIP6}`, () => peerNeighbour(VIP6).includes(OUR_MAC));
  });

  test('addMulticast joins the solicited-node MAC; an ndisc6 solicitation arrives and gets our answer', async () => {
    const group = solicitedNodeMac(VIP6);
    expect(ourMulticastGroups()).not.toContain(group);
    socket.addMulticast(group);
    expect(ourMulticastGroups()).toContain(group);
    run('ip', '-n', PEER_NS, '-6', 'neigh', 'flush', 'dev', PEERS);
    const ndisc6 = await inPeer('ndisc6', '-1', '-r', '2', '-w', '1000', VIP6, PEERS);
    expect(ndisc6.stdout).toContain(OUR_MAC.toUpperCase());
    expect(ndisc6.status).toBe(0);
    expect(solicitations.map((ndp) => ndp.message.targetAddress)).toContain(VIP6);
  });

  test('dropMulticast leaves the group', () => {
    const group = solicitedNodeMac('2001:db8:d::20');
    socket.addMulticast(group);
    expect(ourMulticastGroups()).toContain(group);
    socket.dropMulticast(group);
    expect(ourMulticastGroups()).not.toContain(group);
  });
});

/**
 * Sends frames from the peer's side with the addon itself (a short Node child in the peer namespace).
 * spawnSync blocks our event loop meanwhile, so every frame is queued on our socket before it can read:
 * the next wakeup reads them as one batch.
 */
function burstFromPeer(frames: readonly Uint8Array[]): void {
  const hexFrames = frames.map((frame) => Buffer.from(frame).toString('hex'));
  const script =
    `const { Socket } = require(${JSON.stringify(join(REPO_ROOT, 'build/Release/herald_packet.node'))});` +
    `const s = new Socket(${JSON.stringify(PEERS)}, ${ETHERTYPE_ARP}, () => {});` +
    `for (const h of ${JSON.stringify(hexFrames)}) s.send(Buffer.from(h, 'hex'));` +
    `s.close(() => {});`;
  const child = spawnSync('ip', ['netns', 'exec', PEER_NS, process.execPath, '-e', script], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`peer sender failed: ${child.stderr}`);
}

const PEER_BURST = [1, 2, 3, 4, 5].map((n) => gratuitousArp(PEER_MAC, `192.0.2.${20 + n}`));

describe('receiving and closing', () => {
  test('a burst queued while the loop was busy is delivered whole, in order', async () => {
    const spas: string[] = [];
    const socket = PacketSocket.open(OURS, ETHERTYPE_ARP, (frame, info) => {
      expect(info.packetType).toBe('broadcast');
      spas.push(decodeArpFrame(frame).arp.spa);
    });
    burstFromPeer(PEER_BURST);
    await until('five frames', () => spas.length >= 5);
    await socket.close();
    expect(spas).toEqual(['192.0.2.21', '192.0.2.22', '192.0.2.23', '192.0.2.24', '192.0.2.25']);
  });

  test('no callbacks after close(), memberships go with the socket, close twice is the same promise', async () => {
    let frames = 0;
    const socket = PacketSocket.open(OURS, ETHERTYPE_ARP, () => frames++);
    const group = solicitedNodeMac('2001:db8:d::30');
    socket.addMulticast(group);
    burstFromPeer(PEER_BURST.slice(0, 1));
    await until('the first frame', () => frames > 0);

    const closing = socket.close();
    expect(socket.close()).toBe(closing);
    burstFromPeer(PEER_BURST); // queued on the socket before its poll handle is closed
    await closing;
    burstFromPeer(PEER_BURST);
    await inPeer('arping', '-c', '1', '-w', '1', '-I', PEERS, '192.0.2.12');
    expect(frames).toBe(1);
    expect(ourMulticastGroups()).not.toContain(group);
    expect(() => socket.send(gratuitousArp(OUR_MAC, VIP4))).toThrow(`send on "${OURS}": socket is closed`);
  });

  test('close() called from inside the frame handler stops delivery of the rest of the batch', async () => {
    let frames = 0;
    const socket: PacketSocket = PacketSocket.open(OURS, ETHERTYPE_ARP, () => {
      frames++;
      void socket.close();
    });
    burstFromPeer(PEER_BURST);
    await until('the first frame', () => frames > 0);
    await socket.close();
    expect(frames).toBe(1);
  });

  test('the interface going down is reported to onError as ENETDOWN, and frames flow again once it is up', async () => {
    const errors: Error[] = [];
    let frames = 0;
    const socket = PacketSocket.open(OURS, ETHERTYPE_ARP, () => frames++, { onError: (error) => errors.push(error) });
    try {
      run('ip', 'link', 'set', OURS, 'down');
      await until('an error', () => errors.length > 0);
      expect(errors[0]).toMatchObject({ code: 'ENETDOWN', message: `recv on "${OURS}": Network is down` });
      run('ip', 'link', 'set', OURS, 'up');
      await until('the peer link to come back', () => run('ip', '-n', PEER_NS, 'link', 'show', PEERS).includes('LOWER_UP'));
      burstFromPeer(PEER_BURST.slice(0, 1));
      await until('a frame after the link came back', () => frames > 0);
    } finally {
      run('ip', 'link', 'set', OURS, 'up');
      await socket.close();
    }
  });

  test('a process that opens and closes a socket exits by itself, under Node 24 and the machine’s Node', async () => {
    const script =
      `const { Socket } = require(${JSON.stringify(join(REPO_ROOT, 'build/Release/herald_packet.node'))});` +
      `const s = new Socket(${JSON.stringify(OURS)}, ${ETHERTYPE_ARP}, () => {});` +
      `s.close(() => console.log('closed'));`;
    for (const node of [process.execPath, '/usr/bin/node']) {
      const child = spawn(node, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect({ node, code, output }).toEqual({ node, code: 0, output: 'closed\n' });
    }
  });
});

/** Sends `count` UDP datagrams from the peer to a made-up neighbour whose MAC is ours: traffic we do not care about. */
const SINK6 = '2001:db8:d::1';
function udpScript(count: number, spreadMs: number): string {
  return `const s = require('node:dgram').createSocket('udp6'); let sent = 0; const payload = Buffer.alloc(64);` +
    `const batch = Math.max(1, Math.ceil(${count} / Math.max(1, ${spreadMs} / 5)));` +
    `const tick = () => { for (let i = 0; i < batch && sent < ${count}; i++, sent++) s.send(payload, 9, ${JSON.stringify(SINK6)});` +
    ` if (sent < ${count}) setTimeout(tick, 5); else setTimeout(() => s.close(), 50); }; tick();`;
}

/** Asynchronously: our loop must keep reading meanwhile, or the control socket's queue overflows. */
async function udpFromPeer(count: number): Promise<void> {
  const child = spawn('ip', ['netns', 'exec', PEER_NS, process.execPath, '-e', udpScript(count, count / 5)], { stdio: 'ignore' });
  const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (status !== 0) throw new Error(`peer UDP sender exited with ${status}`);
}

function isSolicitation(frame: Buffer): boolean {
  try {
    return decodeNdpFrame(frame).message.kind === 'neighborSolicitation';
  } catch (error) {
    if (error instanceof FrameError) return false;
    throw error;
  }
}

describe('kernel filters (codec/packet-filters.ts)', () => {
  beforeAll(() => {
    // The peer sends to SINK6 straight at our MAC, without soliciting first.
    run('ip', '-n', PEER_NS, '-6', 'neigh', 'replace', SINK6, 'lladdr', OUR_MAC, 'dev', PEERS, 'nud', 'permanent');
  });

  test('an IPv6 socket receives none of a 2 000-datagram UDP stream, and still every Neighbor Solicitation', async () => {
    const filtered: Buffer[] = [];
    let unfiltered = 0;
    const socket = PacketSocket.open(OURS, ETHERTYPE_IPV6, (frame) => filtered.push(frame));
    // The control: the same stream reaches a socket without the filter, so the filter is what stops it.
    const control = PacketSocket.open(OURS, ETHERTYPE_IPV6, () => unfiltered++, { kernelFilter: false });
    try {
      socket.addMulticast(solicitedNodeMac(VIP6));
      await udpFromPeer(2000);
      await until('the control socket to see the stream', () => unfiltered >= 2000, 10_000);
      expect(filtered).toEqual([]);
      run('ip', '-n', PEER_NS, '-6', 'neigh', 'flush', 'to', VIP6, 'dev', PEERS);
      await inPeer('ndisc6', '-1', '-r', '1', '-w', '300', VIP6, PEERS);
      await until('the solicitation', () => filtered.length > 0);
      expect(filtered.every(isSolicitation)).toBe(true);
      expect(filtered.map((f) => decodeNdpFrame(f).message)).toContainEqual(expect.objectContaining({ targetAddress: VIP6 }));
    } finally {
      await Promise.all([socket.close(), control.close()]);
    }
  });

  test('an ARP socket receives requests, never replies', async () => {
    const received: string[] = [];
    const socket = PacketSocket.open(OURS, ETHERTYPE_ARP, (frame) => received.push(`${decodeArpFrame(frame).arp.oper}:${decodeArpFrame(frame).arp.spa}`));
    try {
      const replies = PEER_BURST.map((frame) => arpReply(decodeArpFrame(frame).arp, PEER_MAC));
      burstFromPeer([...replies, PEER_BURST[0]!]);
      await until('the request', () => received.length > 0);
      await inPeer('arping', '-c', '1', '-w', '1', '-I', PEERS, '192.0.2.12'); // a round trip: anything queued has been read
      expect(received).toEqual(['1:192.0.2.21', '1:192.0.2.2']);
    } finally {
      await socket.close();
    }
  });

  test('sockets opened in the middle of a stream never get a frame the filter drops (attached before bind)', async () => {
    let unfiltered = 0;
    const control = PacketSocket.open(OURS, ETHERTYPE_IPV6, () => unfiltered++, { kernelFilter: false });
    const leaked: Buffer[] = [];
    const stream = spawn('ip', ['netns', 'exec', PEER_NS, process.execPath, '-e', udpScript(20_000, 2000)], { stdio: 'ignore' });
    const ended = new Promise((resolve) => stream.on('exit', resolve));
    try {
      await until('the stream to flow', () => unfiltered > 100, 10_000);
      for (let i = 0; i < 30; i++) {
        const socket = PacketSocket.open(OURS, ETHERTYPE_IPV6, (frame) => leaked.push(frame));
        await new Promise((resolve) => setTimeout(resolve, 20));
        await socket.close();
      }
      expect(unfiltered).toBeGreaterThan(1000);
      expect(leaked.filter((f) => !isSolicitation(f))).toEqual([]);
    } finally {
      await ended;
      await control.close();
    }
  });
});

/*
 * How a frame arrived decides whether it is a question to this host (issue 12: a VLAN-tagged request was
 * answered untagged). This kernel has no 802.1Q module, so a tagged frame meets the case of a node without a
 * device for that VLAN: the kernel takes the tag off and marks the frame PACKET_OTHERHOST. A macvlan stands
 * for the case of a stacked device (a VLAN device works the same way): the kernel hands the parent's sockets
 * the frames it moved to the macvlan too.
 */
describe('which arrivals reach a socket (codec/packet-filters.ts, and the ifindex check in herald_packet.c)', () => {
  const MACVLAN = 'hlt-pkt0mv';
  const MACVLAN_MAC: MacAddress = '02:00:00:00:0d:05';
  const OTHER_HOST_MAC: MacAddress = '02:00:00:00:0d:77';
  const MARKER_SPA = '192.0.2.99';
  const request = (destination: MacAddress, vlan: VlanTag | null, spa = '192.0.2.2'): Uint8Array => encodeEthernet({
    destination, source: PEER_MAC, vlan, etherType: ETHERTYPE_ARP,
    payload: encodeArp({ oper: ARP_OPERATION_REQUEST, sha: PEER_MAC, spa, tha: ZERO_MAC, tpa: VIP4 }),
  });
  const tag = (vid: number): VlanTag => ({ tpid: 0x8100, pcp: 0, dei: false, vid });

  beforeAll(() => {
    run('ip', 'link', 'add', 'link', OURS, 'name', MACVLAN, 'address', MACVLAN_MAC, 'type', 'macvlan', 'mode', 'bridge');
    run('ip', 'link', 'set', MACVLAN, 'up');
  });
  afterAll(() => {
    spawnSync('ip', ['link', 'del', MACVLAN]);
  });

  /**
   * The packet types a socket on `ifname` reported for `frame`: sent from the peer with a broadcast marker
   * behind it, so once the marker is in, everything before it has been read.
   */
  async function arrivals(frame: Uint8Array, options: PacketSocketOptions = {}, ifname = OURS): Promise<PacketType[]> {
    const seen: PacketType[] = [];
    let marked = false;
    const socket = PacketSocket.open(ifname, ETHERTYPE_ARP, (bytes, info) => {
      if (decodeArpFrame(bytes).arp.spa === MARKER_SPA) marked = true;
      else seen.push(info.packetType);
    }, options);
    try {
      burstFromPeer([frame, request(ifname === OURS ? BROADCAST_MAC : MACVLAN_MAC, null, MARKER_SPA)]);
      await until('the marker', () => marked);
    } finally {
      await socket.close();
    }
    return seen;
  }

  test('a request tagged for VLAN 100 never reaches the socket; without the filter it arrives marked for another host', async () => {
    expect(await arrivals(request(BROADCAST_MAC, tag(100)))).toEqual([]);
    expect(await arrivals(request(BROADCAST_MAC, tag(100)), { kernelFilter: false })).toEqual(['otherhost']);
  });

  test('a priority-tagged request (VLAN 0) counts as untagged, as it does for the kernel\'s own ARP', async () => {
    expect(await arrivals(request(BROADCAST_MAC, tag(0)))).toEqual(['broadcast']);
  });

  test('a request to another host\'s MAC never reaches the socket', async () => {
    expect(await arrivals(request(OTHER_HOST_MAC, null))).toEqual([]);
    expect(await arrivals(request(OTHER_HOST_MAC, null), { kernelFilter: false })).toEqual(['otherhost']);
  });

  test('a request for a device stacked on ours (a macvlan) reaches neither our filtered nor our unfiltered socket, only the device\'s', async () => {
    expect(await arrivals(request(MACVLAN_MAC, null))).toEqual([]);
    expect(await arrivals(request(MACVLAN_MAC, null), { kernelFilter: false })).toEqual([]);
    expect(await arrivals(request(MACVLAN_MAC, null), {}, MACVLAN)).toEqual(['host']);
  });
});
