import { networkInterfaces } from 'node:os';
import { silentLogger } from '../../lib/log.js';
import { capturedDatagram, type RtnetlinkCapture } from '../native/codec/rtnetlink-captures.fixture.js';
import { decodeMessage, encodeDatagram, NLM_F, type RtnetlinkMessage } from '../native/codec/rtnetlink.js';
import type { OpenRouteSocket, RouteSocket } from '../native/netlink-socket.js';
import type { LinkInfo } from './decide/interfaces.js';
import { InterfaceWatcher } from './interface-watcher.js';

/** A route socket the test plays the kernel for: it records requests and delivers what the test says. */
class FakeKernel {
  readonly requests: RtnetlinkMessage[] = [];
  groups = -1;
  closed = false;
  private deliver: ((datagrams: Buffer[]) => void) | null = null;
  private fail: ((error: Error) => void) | null = null;

  readonly open: OpenRouteSocket = (groups, onDatagram, onError): RouteSocket => {
    this.groups = groups;
    this.deliver = onDatagram;
    this.fail = onError;
    return { send: (message) => this.requests.push(decodeMessage(message)), close: async () => void (this.closed = true) };
  };

  /** The seq of the n-th request, which the kernel's answers must carry. */
  seq(n: number): number {
    return this.requests[n]?.header.seq ?? -1;
  }

  /** A captured datagram, its messages re-stamped with the seq of request `n` when given. */
  send(name: RtnetlinkCapture, n?: number): void {
    const bytes = capturedDatagram(name);
    if (n === undefined) this.deliver?.([Buffer.from(bytes)]);
    else {
      const seq = this.seq(n);
      this.deliverMessages(decodeAll(bytes).map((m) => ({ ...m, header: { ...m.header, seq, flags: m.header.flags | NLM_F.MULTI } })));
    }
  }

  deliverMessages(messages: RtnetlinkMessage[]): void {
    this.deliver?.([Buffer.from(encodeDatagram(messages))]);
  }

  overrun(): void {
    this.fail?.(Object.assign(new Error('recv on "rtnetlink": No buffer space available'), { code: 'ENOBUFS' }));
  }

  /** Answers request n (links) and n + 1 (addresses) with the captured lab-node dump. */
  answerDump(n: number): void {
    this.send('linkDump', n);
    this.send('linkDumpDone', n);
    this.send('addressDump', n + 1);
    this.send('addressDumpDone', n + 1);
  }
}

function decodeAll(bytes: Uint8Array): RtnetlinkMessage[] {
  const out: RtnetlinkMessage[] = [];
  for (let at = 0; at < bytes.length;) {
    const length = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true);
    out.push(decodeMessage(bytes.subarray(at, at + length)));
    at += (length + 3) & ~3;
  }
  return out;
}

const summary = (links: LinkInfo[]): string => links.map((l) => `${l.name}${l.up ? '' : '(down)'}:${l.addresses.length}`).join(',');

describe('InterfaceWatcher on rtnetlink', () => {
  it('subscribes to link and address events, dumps both, and start() resolves once the first snapshot is heard', async () => {
    const kernel = new FakeKernel();
    const watcher = new InterfaceWatcher({ logger: silentLogger(), openRouteSocket: kernel.open });
    const seen: string[] = [];
    watcher.onChange((links) => seen.push(summary(links)));
    let started = false;
    const starting = watcher.start().then(() => (started = true));
    expect(kernel.groups).toBe(0x1 | 0x10 | 0x100); // RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR
    expect(kernel.requests.map((r) => r.header.type)).toEqual([18]); // RTM_GETLINK first
    kernel.send('linkDump', 0);
    kernel.send('linkDumpDone', 0);
    expect(kernel.requests.map((r) => r.header.type)).toEqual([18, 22]); // then RTM_GETADDR
    await Promise.resolve();
    expect(started).toBe(false);
    kernel.send('addressDump', 1);
    kernel.send('addressDumpDone', 1);
    await starting;
    expect(seen).toEqual(['eth0:3,lo:22']);
    await watcher.stop();
    expect(kernel.closed).toBe(true);
  });

  it('reports kernel events as they come, only when the link set changes', async () => {
    const kernel = new FakeKernel();
    const watcher = new InterfaceWatcher({ logger: silentLogger(), openRouteSocket: kernel.open });
    const seen: string[] = [];
    watcher.onChange((links) => seen.push(summary(links)));
    const starting = watcher.start();
    kernel.answerDump(0);
    await starting;
    for (const event of ['newVeth', 'vethUp', 'newAddress4', 'bridgePort', 'deletedLink'] as const) kernel.send(event);
    await watcher.stop();
    expect(seen).toEqual(['eth0:3,lo:22', 'eth0:3,hl-dum0(down):0,lo:22', 'eth0:3,hl-dum0(down):1,lo:22', 'eth0:3,lo:22']);
  });

  it('reads everything again after an overrun (ENOBUFS), counts it, and reports what changed meanwhile', async () => {
    const kernel = new FakeKernel();
    const watcher = new InterfaceWatcher({ logger: silentLogger(), openRouteSocket: kernel.open });
    const seen: string[] = [];
    watcher.onChange((links) => seen.push(summary(links)));
    const starting = watcher.start();
    kernel.answerDump(0);
    await starting;
    kernel.overrun();
    expect(kernel.requests.map((r) => r.header.type)).toEqual([18, 22, 18]);
    kernel.send('linkDump', 2);
    kernel.send('newVeth'); // an event that made it, in the middle of the re-read
    kernel.send('linkDumpDone', 2);
    kernel.send('addressDump', 3);
    kernel.send('addressDumpDone', 3);
    await watcher.stop();
    expect(watcher.stats.overruns).toBe(1);
    expect(seen).toEqual(['eth0:3,lo:22', 'eth0:3,hl-dum0(down):0,lo:22']);
  });

  it('refresh() reads everything again and reports only a change', async () => {
    const kernel = new FakeKernel();
    const watcher = new InterfaceWatcher({ logger: silentLogger(), openRouteSocket: kernel.open });
    const seen: string[] = [];
    watcher.onChange((links) => seen.push(summary(links)));
    const starting = watcher.start();
    kernel.answerDump(0);
    await starting;
    watcher.refresh();
    kernel.answerDump(2);
    await watcher.stop();
    watcher.refresh(); // stopped: nothing
    expect(kernel.requests).toHaveLength(4);
    expect(seen).toEqual(['eth0:3,lo:22']);
  });

  it('start() fails when the kernel refuses the first dump', async () => {
    const kernel = new FakeKernel();
    const watcher = new InterfaceWatcher({ logger: silentLogger(), openRouteSocket: kernel.open });
    const starting = watcher.start();
    const [error] = decodeAll(capturedDatagram('dumpError')); // an NLMSG_ERROR (EOPNOTSUPP) for seq 3
    if (error?.kind !== 'error') throw new Error('fixture is not an error');
    kernel.deliverMessages([{ ...error, request: { ...error.request, seq: kernel.seq(0) } }]);
    await expect(starting).rejects.toThrow('listing every link failed: errno 95');
    await watcher.stop();
  });
});

describe('InterfaceWatcher on this machine\'s kernel', () => {
  it('lists loopback with its address and no MAC (so it is never chosen), and agrees with os.networkInterfaces()', async () => {
    const watcher = new InterfaceWatcher({ logger: silentLogger() });
    let links: LinkInfo[] = [];
    watcher.onChange((l) => (links = l));
    await watcher.start();
    await watcher.stop();
    const lo = links.find((l) => l.name === 'lo');
    expect(lo).toMatchObject({ mac: '', up: true, hasMaster: false });
    expect(lo?.addresses).toContainEqual({ address: '127.0.0.1', prefixLength: 8 });
    const ours = new Map(links.map((l) => [l.name, l.addresses.map((a) => `${a.address}/${a.prefixLength}`).sort()]));
    for (const [name, addresses] of Object.entries(networkInterfaces())) {
      expect({ name, addresses: ours.get(name) }).toEqual({ name, addresses: (addresses ?? []).map((a) => a.cidr).sort() });
    }
  });
});

describe('InterfaceWatcher with links fed by a test (read)', () => {
  const link = (name: string, up = true): LinkInfo => ({ name, index: 2, mac: '02:00:00:00:00:01', up, hasMaster: false, noArp: false, addresses: [] });

  it('reports the first snapshot on start and then only changes', async () => {
    const snapshots = [[link('eth0')], [link('eth0')], [link('eth0', false)], [link('eth0', false)], [link('eth0', false), link('eth1')]];
    let i = 0;
    const watcher = new InterfaceWatcher({ logger: silentLogger(), intervalMs: 5, read: () => snapshots[Math.min(i++, snapshots.length - 1)]! });
    const seen: string[] = [];
    watcher.onChange((links) => seen.push(links.map((l) => `${l.name}:${l.up ? 'up' : 'down'}`).join(',')));
    await watcher.start();
    expect(seen).toEqual(['eth0:up']);
    while (i < snapshots.length + 1) await new Promise((r) => setTimeout(r, 5));
    await watcher.stop();
    expect(seen).toEqual(['eth0:up', 'eth0:down', 'eth0:down,eth1:up']);
  });

  it('keeps running when a read fails', async () => {
    let calls = 0;
    const watcher = new InterfaceWatcher({ logger: silentLogger(), intervalMs: 5, read: () => {
      calls++;
      if (calls === 1) throw new Error('EMFILE');
      return [link('eth0')];
    } });
    const seen: number[] = [];
    watcher.onChange((links) => seen.push(links.length));
    await watcher.start();
    while (calls < 3) await new Promise((r) => setTimeout(r, 5));
    await watcher.stop();
    expect(seen).toEqual([1]);
  });

  it('refresh() reads at once, reports only a change, and does nothing once stopped', async () => {
    let up = true;
    const watcher = new InterfaceWatcher({ logger: silentLogger(), read: () => [link('eth0', up)] });
    const seen: boolean[] = [];
    watcher.onChange((links) => seen.push(links[0]?.up ?? false));
    await watcher.start();
    watcher.refresh();
    up = false;
    watcher.refresh();
    await watcher.stop();
    up = true;
    watcher.refresh();
    expect(seen).toEqual([true, false]);
  });
});
