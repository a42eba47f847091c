// Issue 12 ("Hardening"), the membership findings, each as a story over real UDP on loopback. Every speaker
// has its own address (127.0.0.1, .2, .3: all of 127/8 is loopback on Linux) and they share one port, as
// nodes do in a cluster; peers are listed without a port, as the configuration lists them. Each test failed
// before its fix (the report with the change says how).
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { capturedLog } from '../../test/support/captured-log.js';
import { sealHeartbeat, type Heartbeat } from './core/index.js';
import { dgramSocketFactory } from './socket.js';
import { UdpMembership, type UdpMembershipOptions } from './udp-membership.js';

const KEY = Buffer.from('test-cluster-key-0123456789abcdef');
const mac = (bytes: Uint8Array): Uint8Array => createHmac('sha256', KEY).update(bytes).digest();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sorted = (s: ReadonlySet<string>) => [...s].sort();

const running: UdpMembership[] = [];
const sockets: Socket[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => new Promise<void>((r) => {
    if (c.exitCode !== null) return r();
    c.once('exit', () => r());
    c.kill('SIGTERM');
  })));
  await Promise.all(running.splice(0).map((m) => m.stop()));
  await Promise.all(sockets.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

interface Mesh {
  port: number;
  nodes: UdpMembership[];
  /** Every alive-set change any node reported since the mesh settled: "a: a,c". */
  changes: string[];
}

const addressOf = (i: number) => `127.0.0.${i + 1}`;

/** Speakers named `names` at 127.0.0.1, .2, ... on one free port; resolves once all hear each other. */
async function mesh(names: string[], extra: (name: string) => Partial<UdpMembershipOptions> = () => ({})): Promise<Mesh> {
  const peers = names.map((name, i) => ({ name, address: addressOf(i) }));
  for (let attempt = 0; ; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    const nodes = names.map((name, i) => new UdpMembership({ nodeName: name, bindAddress: addressOf(i), port, peers, key: KEY, ...extra(name) }));
    try {
      for (const m of nodes) {
        await m.start();
        running.push(m);
      }
    } catch (err) {
      await Promise.all(running.splice(0).map((m) => m.stop()));
      if (attempt < 5) continue;
      throw err;
    }
    await waitFor(() => nodes.every((m) => m.alive().size === names.length && m.hasQuorum()), 5000, 'the mesh to settle');
    const changes: string[] = [];
    nodes.forEach((m, i) => m.onChange((alive) => changes.push(`${names[i]}: ${sorted(alive).join(',')}`)));
    return { port, nodes, changes };
  }
}

async function waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = performance.now();
  while (!pred()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** A socket at `address` (any port, or `port`): a stranger, or a node holding the key that is not running membership. */
async function socketAt(address: string, port = 0): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(port, address, () => resolve());
  });
  sockets.push(s);
  return s;
}

function send(s: Socket, bytes: Uint8Array, port: number, address: string): Promise<void> {
  return new Promise((resolve) => s.send(bytes, port, address, () => resolve()));
}

/** The junk flooder (test/support/junk-flood.ts) in its own process; resolves with what it sent. */
function flood(to: string, from: string, seconds: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(process.cwd(), 'test', 'support', 'junk-flood.ts'),
    '--to', to, '--from', from, '--seconds', String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  return new Promise((resolve, reject) => child.on('exit', (code) => {
    if (code === 0) resolve((JSON.parse(out) as { sent: number }).sent);
    else reject(new Error(`junk-flood exited with ${code}`));
  }));
}

/** Speakers in a process of their own (test/support/membership-peers.ts); resolves once they run. */
async function peersProcess(port: number, names: string[], run: string[], intervalMs: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(process.cwd(), 'test', 'support', 'membership-peers.ts'),
    '--port', String(port), '--key-hex', KEY.toString('hex'), '--interval-ms', String(intervalMs),
    ...names.flatMap((name, i) => ['--node', `${name}@${addressOf(i)}`]), ...run.flatMap((name) => ['--run', name])],
  { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => { if (d.toString().includes('"ready":true')) resolve(); });
    child.once('exit', (code) => reject(new Error(`membership-peers exited with ${code}`)));
  });
}

describe('a UDP flood without the key', () => {
  // The flooded speaker, a, runs here and is judged: the finding was that it declared its healthy peers dead.
  // b and c run in a process of their own, so that a stall of this one does not also stop the beats a is
  // judged on, as it would between speakers sharing one event loop. What b and c hear of a is not judged
  // here: on this 2-core machine the flood's receive work starves every process at times (b and c then lose
  // each other too, and did before the fix as well); the lab test (test/lab/flood.lab.test.ts) judges every
  // speaker of a real mesh.
  it('changes no membership at the flooded speaker: 4 s of 64-byte junk, from a stranger and from a peer\'s address', async () => {
    const names = ['a', 'b', 'c'];
    const intervalMs = 50;
    let port = 0;
    let a: UdpMembership | undefined;
    for (let attempt = 0; a === undefined; attempt++) {
      port = 20_000 + Math.floor(Math.random() * 40_000);
      const m = new UdpMembership({ nodeName: 'a', bindAddress: addressOf(0), port, key: KEY, intervalMs,
        peers: names.map((name, i) => ({ name, address: addressOf(i) })) });
      try {
        await m.start();
        running.push(m);
        a = m;
      } catch (err) {
        if (attempt >= 5) throw err;
      }
    }
    await peersProcess(port, names, ['b', 'c'], intervalMs);
    const flooded = a;
    await waitFor(() => flooded.alive().size === 3 && flooded.hasQuorum(), 5000, 'a to hear b and c');
    await sleep(500);
    const changes: string[] = [];
    let last = `a: ${sorted(flooded.alive()).join(',')}`;
    flooded.onChange((alive) => {
      const now = `a: ${sorted(alive).join(',')}`;
      if (now !== last) changes.push(now); // a report of the settling speakers alone changes no membership
      last = now;
    });
    // Two flooders, each as fast as it can: together more than a speaker can read on this kind of machine,
    // so the kernel drops some of it, beats included, and the speaker's socket holds a backlog.
    const sent = await Promise.all([flood(`127.0.0.1:${port}`, '127.0.0.9', 4), flood(`127.0.0.1:${port}`, addressOf(1), 4)]);
    await sleep(300);
    expect(changes).toEqual([]);
    const stats = flooded.stats();
    // The flood really outran the speaker (measured here: ~250 000 sent, ~170 000 read).
    expect(stats.datagrams).toBeLessThan(sent[0]! + sent[1]!);
    expect(stats.behind).toBeGreaterThan(0);
  }, 30_000);
});

describe('a node holding the shared key', () => {
  const forged = (patch: Partial<Heartbeat>): Uint8Array => sealHeartbeat({
    version: 2, uptimeMs: 0, type: 'beat', from: 'b', to: 'a', incarnation: 0xbbn, sequence: Number.MAX_SAFE_INTEGER, sendTimeMs: Date.now(),
    nextWithinMs: 50, timesDeclaredDead: 0, ...patch,
  }, mac);

  it('cannot stop a peer\'s genuine beats by a forged beat with its incarnation and sequence 2^53−1', async () => {
    // c holds the key but runs no membership: it only forges, from its own address.
    const { port, nodes, changes } = await mesh(['a', 'b'], (name) => (name === 'b' ? { incarnation: 0xbbn } : {}));
    const [a] = nodes;
    a?.setPeers([{ name: 'b', address: addressOf(1) }, { name: 'c', address: addressOf(2) }]);
    changes.length = 0;
    const c = await socketAt(addressOf(2));
    await send(c, forged({}), port, addressOf(0));
    await sleep(1000); // five dead times of b's fast beats
    expect(a?.alive().has('b')).toBe(true);
    expect(changes.filter((line) => line.startsWith('a:') && !line.includes('b'))).toEqual([]);
  });

  it('cannot say goodbye in another node\'s name', async () => {
    const { port, nodes, changes } = await mesh(['a', 'b']);
    const [a] = nodes;
    a?.setPeers([{ name: 'b', address: addressOf(1) }, { name: 'c', address: addressOf(2) }]);
    changes.length = 0;
    const c = await socketAt(addressOf(2));
    await send(c, forged({ type: 'goodbye', incarnation: 0x0badn, sequence: 1, nextWithinMs: 0 }), port, addressOf(0));
    await sleep(300);
    expect(a?.alive().has('b')).toBe(true);
    expect(a?.quorum().known).toBe(3);
  });
});

describe('a node name longer than 255 bytes in the configuration', () => {
  it('is left out with an error; the speaker starts and hears its other peers', async () => {
    const long = 'n'.repeat(300);
    const { logger, lines } = capturedLog('info');
    const { nodes } = await mesh(['a', 'b'], (name) => (name === 'a' ? { logger } : {}));
    const [a] = nodes;
    a?.setPeers([{ name: 'b', address: addressOf(1) }, { name: long, address: '127.0.0.7' }]);
    await sleep(200);
    expect(sorted(a?.alive() ?? new Set())).toEqual(['a', 'b']);
    const error = lines.find((l) => l.msg === 'membership: peer left out');
    expect(JSON.stringify(error)).toContain('300 bytes');
    expect(JSON.stringify(error).length).toBeLessThan(400); // the name is quoted cut short, not in full
  });

  it('does not stop a speaker that is given one from the start', async () => {
    const long = 'ü'.repeat(200); // 400 bytes of UTF-8
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    const m = new UdpMembership({ nodeName: 'a', bindAddress: '127.0.0.1', port, key: KEY,
      peers: [{ name: long, address: '127.0.0.7' }, { name: 'b', address: '127.0.0.2' }] });
    running.push(m);
    await expect(m.start()).resolves.toBeUndefined();
    await sleep(100);
    expect(m.quorum().known).toBe(2);
  });
});

describe('debug logging of dropped datagrams', () => {
  it('is rate-limited: 300 junk datagrams make one line per reason, the counters stay exact', async () => {
    const { logger, lines } = capturedLog('debug');
    // Unfiltered, so that the stranger's junk reaches the receive path too (else the kernel drops it, below).
    const { port, nodes } = await mesh(['a', 'b'], (name) => (name === 'a' ? { logger, socketFactory: dgramSocketFactory } : {}));
    const stranger = await socketAt('127.0.0.9');
    const peerAddress = await socketAt(addressOf(1));
    for (let i = 0; i < 150; i++) {
      await send(stranger, Buffer.alloc(64, i), port, addressOf(0));
      await send(peerAddress, Buffer.alloc(64, i), port, addressOf(0));
      if (i % 25 === 24) await sleep(20); // within the socket's buffer, so every one is read and counted
    }
    await sleep(200);
    const drops = lines.filter((l) => l.msg === 'heartbeat dropped');
    expect(drops.length).toBeLessThanOrEqual(2);
    const dropped = nodes[0]?.stats().dropped ?? {};
    expect(Object.values(dropped).reduce((sum, n) => sum + n, 0)).toBe(300);
  });
});

describe('the kernel filter on the heartbeat socket (the default socket)', () => {
  it('drops a stranger\'s datagrams before the speaker reads them, counts them, and lets a listed address through', async () => {
    const { port, nodes } = await mesh(['a', 'b']);
    const [a] = nodes;
    if (a === undefined) throw new Error('no node a');
    const stranger = await socketAt('127.0.0.9');
    const peerAddress = await socketAt(addressOf(1));
    const before = a.stats();
    for (let i = 0; i < 200; i++) {
      await send(stranger, Buffer.alloc(64, i), port, addressOf(0));
      if (i % 25 === 24) await sleep(20);
    }
    for (let i = 0; i < 20; i++) await send(peerAddress, Buffer.alloc(64, i), port, addressOf(0));
    await sleep(200);
    const after = a.stats();
    // Without the filter all 200 reach the receive path as unknownSender (the test above, unfiltered).
    expect(after.dropped.unknownSender ?? 0).toBe(before.dropped.unknownSender ?? 0);
    expect(after.kernelDropped - before.kernelDropped).toBe(200);
    expect((after.dropped.badMagic ?? 0) - (before.dropped.badMagic ?? 0)).toBe(20);
    expect(after.filteredAddresses).toBe(1);
    expect(a.alive().has('b')).toBe(true);
  });

  it('follows the peer list: an address added is heard from then on, one removed is dropped in the kernel', async () => {
    const { port, nodes } = await mesh(['a', 'b']);
    const [a] = nodes;
    if (a === undefined) throw new Error('no node a');
    const c = await socketAt(addressOf(2));
    const junkFromC = async (): Promise<{ read: number; kernel: number }> => {
      const before = a.stats();
      for (let i = 0; i < 10; i++) await send(c, Buffer.alloc(64, i), port, addressOf(0));
      await sleep(100);
      const after = a.stats();
      return { read: (after.dropped.badMagic ?? 0) - (before.dropped.badMagic ?? 0), kernel: after.kernelDropped - before.kernelDropped };
    };
    expect(await junkFromC()).toEqual({ read: 0, kernel: 10 });
    a.setPeers([{ name: 'b', address: addressOf(1) }, { name: 'c', address: addressOf(2) }]);
    expect(await junkFromC()).toEqual({ read: 10, kernel: 0 });
    a.setPeers([{ name: 'b', address: addressOf(1) }]);
    expect(await junkFromC()).toEqual({ read: 0, kernel: 10 });
    expect(a.alive().has('b')).toBe(true);
  });
});
