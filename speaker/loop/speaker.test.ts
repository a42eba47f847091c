// The speaker's real wiring: FileSource on a temporary file, InterfaceWatcher, Announcer, UdpMembership
// on 127.0.0.1 and the loop, two speakers side by side. Fakes stand only at the true I/O edges: the
// in-memory segment for the packet sockets and a fixed link list for sysfs.
import { createHmac } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../lib/log.js';
import { Announcer } from '../layer2/announcer.js';
import type { LinkInfo } from '../layer2/decide/interfaces.js';
import { decodeArpFrame, ETHERTYPE_ARP } from '../layer2/frames/index.js';
import { InterfaceWatcher } from '../layer2/interface-watcher.js';
import { MemorySegment } from '../layer2/testing/memory-segment.js';
import { openHeartbeat } from '../membership/core/index.js';
import { dgramSocketFactory, UdpMembership, type SocketFactory } from '../membership/index.js';
import { FileSource } from '../source/file-source.js';
import { HANDOVER_QUIET_MS, Speaker } from './speaker.js';

const KEY = Buffer.from('wiring-test-key-0123456789abcdef');
const VIPS = ['192.0.2.100', '192.0.2.101', '192.0.2.102', '192.0.2.103'];
const linkOf = (i: number): LinkInfo => ({
  name: 'eth0', index: 2, mac: `02:00:00:00:00:0${i + 1}`, up: true, hasMaster: false, noArp: false,
  addresses: [{ address: `192.0.2.${11 + i}`, prefixLength: 24 }],
});
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Two free UDP ports on 127.0.0.1 (bound, read, released). */
async function freePorts(n: number): Promise<number[]> {
  const sockets = await Promise.all(Array.from({ length: n }, () => new Promise<ReturnType<typeof createSocket>>((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = sockets.map((s) => s.address().port);
  await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

/** How many handles of each kind (Timeout, UDPWrap, FSEventWrap, ...) keep the event loop alive. */
function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** The kinds of which more handles are open now than in `baseline`: what a stopped speaker left behind. */
async function leftOpen(baseline: Map<string, number>): Promise<string[]> {
  const extra = (): string[] => [...activeResources()].filter(([kind, n]) => n > (baseline.get(kind) ?? 0)).map(([kind, n]) => `${kind} ×${n}`);
  // Closed sockets and watchers release their handles on the next turns of the event loop.
  for (let i = 0; i < 50 && extra().length > 0; i++) await sleep(10);
  return extra();
}

interface Node {
  name: string;
  speaker: Speaker;
  announcer: Announcer;
  /** Milestones of this node, in the order they happened. */
  trail: string[];
  /** When each milestone of `trail` happened (performance.now()). */
  trailAt: number[];
  membershipBuilt: number;
}

describe('Speaker wiring (real parts, in-memory packet sockets, UDP on 127.0.0.1)', () => {
  let dir: string;
  let path: string;
  let segment: MemorySegment;
  let ports: number[];
  let nodes: Node[];
  const mac = (bytes: Uint8Array): Uint8Array => createHmac('sha256', KEY).update(bytes).digest();

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-wiring-'));
    path = join(dir, 'announce.yaml');
    await writeFile(path, JSON.stringify({
      nodes: [{ name: 'n1', address: '127.0.0.1' }, { name: 'n2', address: '127.0.0.1' }],
      ips: VIPS.map((ip) => ({ ip })),
    }));
    segment = new MemorySegment();
    ports = await freePorts(2);
    nodes = [];
  });
  afterEach(async () => {
    for (const n of nodes) await n.speaker.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** One speaker built as main.ts builds it, with its milestones traced at the I/O edges and part boundaries. */
  function build(i: number, over: { bindAddress?: string; handoverQuietMs?: number; onStep?: (step: string) => void } = {}): Node {
    const name = `n${i + 1}`;
    const trail: string[] = [];
    const trailAt: number[] = [];
    const record = (step: string): void => {
      trail.push(step);
      trailAt.push(performance.now());
      over.onStep?.(step);
    };
    const logger = silentLogger();
    const announcer = new Announcer({ logger, schedule: [0], openSocket: (ifname, ethertype, ...rest) => {
      const socket = segment.open(ifname, ethertype, ...rest);
      const close = socket.close.bind(socket);
      socket.close = async () => { record(`close packet socket ${ethertype === ETHERTYPE_ARP ? 'arp' : 'ipv6'}`); await close(); };
      return socket;
    } });
    const source = new FileSource({ path, logger, debounceMs: 10 });
    const watcher = new InterfaceWatcher({ logger, intervalMs: 20, read: () => [linkOf(i)] });
    const traced: SocketFactory = (family) => {
      const real = dgramSocketFactory(family);
      return { ...real, send: (bytes, port, address) => {
        const opened = openHeartbeat(bytes, mac);
        if (opened.ok && opened.message.type === 'goodbye') record(`goodbye to ${opened.message.to}`);
        return real.send(bytes, port, address);
      } };
    };
    const node: Node = { name, announcer, trail, trailAt, membershipBuilt: 0, speaker: new Speaker({
      self: name, logger, announcer, source, watcher, bindAddress: over.bindAddress ?? '127.0.0.1', handoverQuietMs: over.handoverQuietMs,
      membership: (peers) => {
        node.membershipBuilt++;
        record('membership built');
        const withPorts = peers.map((p) => ({ ...p, port: ports[Number(p.name.slice(1)) - 1] }));
        // Dead after 2 s: a takeover faster than that can only come from the goodbye.
        return new UdpMembership({ nodeName: name, peers: withPorts, key: KEY, logger, bindAddress: '127.0.0.1',
          port: ports[i], intervalMs: 20, deadAfter: 100, socketFactory: traced });
      },
    }) };
    for (const [part, obj] of [['watcher', watcher], ['source', source]] as const) {
      for (const method of ['start', 'stop'] as const) {
        const real = obj[method].bind(obj);
        obj[method] = async () => { record(`${part}.${method}`); await real(); };
      }
    }
    const realApply = announcer.apply.bind(announcer);
    announcer.apply = async (diff, links) => {
      if (diff.announce.length > 0) record('announce');
      if (diff.withdraw.length > 0) record('withdraw');
      return realApply(diff, links);
    };
    nodes.push(node);
    return node;
  }

  const holders = (): Map<string, string[]> => {
    const map = new Map<string, string[]>();
    for (const n of nodes) for (const { ip } of n.announcer.current()) map.set(ip, [...(map.get(ip) ?? []), n.name]);
    return map;
  };

  it('starts interfaces, source, then membership; announces each IP once; a stop hands over by goodbye and leaves nothing open', async () => {
    const baseline = activeResources();
    // n2 stops last, with nobody left to take over: it must not wait, and a wait of a minute would time the test out.
    const [n1, n2] = [build(0), build(1, { handoverQuietMs: 60_000 })];
    await Promise.all([n1!.speaker.start(), n2!.speaker.start()]);
    await until('every IP announced by exactly one node', () => holders().size === VIPS.length && [...holders().values()].every((w) => w.length === 1));
    for (const n of [n1!, n2!]) {
      // Nothing is announced before membership runs: a new speaker must not claim IPs a peer holds.
      expect(n.trail.slice(0, 3)).toEqual(['watcher.start', 'source.start', 'membership built']);
      expect(n.trail.filter((step) => step !== 'announce')).toEqual(['watcher.start', 'source.start', 'membership built']);
      expect(n.membershipBuilt).toBe(1);
    }
    const client = segment.client(ETHERTYPE_ARP);
    const n1Ips = n1!.announcer.current().map((a) => a.ip);
    expect(n1Ips.length).toBeGreaterThan(0); // with 4 IPs over 2 nodes, one node owning all would be a broken election

    n1!.trail.length = 0;
    n1!.trailAt.length = 0;
    const stoppedAt = performance.now();
    await n1!.speaker.stop();
    expect(n1!.trail).toEqual(['goodbye to n2', 'withdraw', 'close packet socket arp', 'source.stop', 'watcher.stop']);
    expect(n1!.announcer.current()).toEqual([]);
    // n1 had a peer to take over: its API work (the source's watches, here the file's) waits out the handover.
    const at = (step: string): number => n1!.trailAt[n1!.trail.indexOf(step)] ?? NaN;
    expect(at('source.stop') - at('withdraw')).toBeGreaterThanOrEqual(HANDOVER_QUIET_MS - 1);
    await until('n2 to take over n1\'s IPs', () => n2!.announcer.current().length === VIPS.length, 1500);
    expect(performance.now() - stoppedAt).toBeLessThan(1500);
    const gratuitous = client.received.map((f) => decodeArpFrame(f).arp).filter((a) => a.spa === a.tpa).map((a) => a.spa);
    expect(gratuitous.sort()).toEqual([...n1Ips].sort());

    await n2!.speaker.stop();
    expect(n2!.trail.at(-1)).toBe('watcher.stop');
    expect(await leftOpen(baseline)).toEqual([]);
  });

  it('stopped during start (SIGTERM while the file is read) starts nothing more and leaves nothing open', async () => {
    const baseline = activeResources();
    let stopped: Promise<void> | null = null;
    const n1 = build(0, { onStep: (step) => { if (step === 'source.start') stopped = n1.speaker.stop(); } });
    await n1.speaker.start();
    await stopped;
    expect(stopped).not.toBeNull();
    expect(n1.membershipBuilt).toBe(0);
    expect(n1.announcer.current()).toEqual([]);
    expect(n1.trail).toEqual(['watcher.start', 'source.start', 'source.stop', 'watcher.stop']);
    expect(await leftOpen(baseline)).toEqual([]);
  });

  it('refuses to start when the heartbeat socket would bind to another address than the one listed for the node', async () => {
    const n1 = build(0, { bindAddress: '127.0.0.2' });
    await expect(n1.speaker.start()).rejects.toThrow('node "n1" is listed at 127.0.0.1, where peers send heartbeats, but the heartbeat socket binds to 127.0.0.2');
    expect(n1.membershipBuilt).toBe(0);
  });
});
