// Real UDP on 127.0.0.1 (and ::1 when the host has it): several speakers on their own ports.
import { createHmac } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { Logger } from '../../lib/log.js';
import { UdpMembership, type UdpMembershipOptions } from './udp-membership.js';
import { dgramSocketFactory, type DatagramSocket, type SocketFactory } from './socket.js';
import { sealHeartbeat } from './core/index.js';

const KEY = Buffer.from('test-cluster-key-0123456789abcdef');
const FAST = { intervalMs: 20, deadAfter: 3, slowIntervalMs: 100 } as const;

/** A socket factory whose sockets can be cut (a crash: nothing in, nothing out) and that records what it sends. */
function tappedFactory() {
  const sent: Uint8Array[] = [];
  const tap: { cut: boolean; sent: Uint8Array[]; raw?: DatagramSocket } = { cut: false, sent };
  const factory: SocketFactory = (family) => {
    const real = dgramSocketFactory(family);
    tap.raw = real;
    return {
      ...real,
      send: (bytes, port, address) => {
        if (tap.cut) return Promise.resolve();
        sent.push(Uint8Array.from(bytes));
        return real.send(bytes, port, address);
      },
      onMessage: (cb) => real.onMessage((bytes, from) => { if (!tap.cut) cb(bytes, from); }),
    };
  };
  return { tap, factory };
}

type Node = { m: UdpMembership; tap: ReturnType<typeof tappedFactory>['tap']; name: string };
const running: UdpMembership[] = [];

type Options = Partial<UdpMembershipOptions>;

/** `fastTargets`: each node's fast targets, told before it knows its peers (as the speaker loop tells it before start). */
async function cluster(names: string[], opts: Options | ((name: string) => Options) = {}, bindAddress = '127.0.0.1',
  fastTargets?: (name: string) => string[]): Promise<Node[]> {
  const nodes = names.map((name) => {
    const { tap, factory } = tappedFactory();
    const own = typeof opts === 'function' ? opts(name) : opts;
    const m = new UdpMembership({ nodeName: name, bindAddress, port: 0, peers: [], key: KEY, socketFactory: factory, ...FAST, ...own });
    running.push(m);
    return { m, tap, name };
  });
  for (const n of nodes) if (fastTargets) n.m.setFastTargets(fastTargets(n.name));
  await Promise.all(nodes.map((n) => n.m.start()));
  const peers = nodes.map((n) => ({ name: n.name, address: bindAddress, port: n.m.address()?.port ?? 0 }));
  for (const n of nodes) n.m.setPeers(peers);
  return nodes;
}

/** Resolves with the ms it took for `pred` to hold on `m`'s change events (or rejects after timeoutMs). */
function until(m: UdpMembership, pred: (alive: ReadonlySet<string>, quorum: boolean) => boolean, timeoutMs = 3000): Promise<number> {
  const t0 = performance.now();
  if (pred(m.alive(), m.hasQuorum())) return Promise.resolve(0);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`condition not met in ${timeoutMs} ms; alive ${[...m.alive()]}`)); }, timeoutMs);
    const off = m.onChange((alive, quorum) => {
      if (!pred(alive, quorum)) return;
      clearTimeout(timer);
      off();
      resolve(performance.now() - t0);
    });
  });
}

const sorted = (s: ReadonlySet<string>) => [...s].sort();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

describe('UdpMembership over real UDP', () => {
  it('three speakers hear each other and have quorum', async () => {
    const nodes = await cluster(['a', 'b', 'c']);
    await Promise.all(nodes.map((n) => until(n.m, (alive, q) => alive.size === 3 && q)));
    for (const n of nodes) expect(sorted(n.m.alive())).toEqual(['a', 'b', 'c']);
    expect(nodes[0]!.m.stats().dropped).toEqual({});
  });

  it('sees a crashed node dead within deadAfter intervals (+ scheduling slack), not before', async () => {
    const [a, b, c] = await cluster(['a', 'b', 'c']);
    await Promise.all([a!, b!, c!].map((n) => until(n.m, (alive) => alive.size === 3)));
    await sleep(Math.random() * FAST.intervalMs); // land the crash anywhere in the beat cycle
    const gone = [a!, b!].map((n) => until(n.m, (alive) => !alive.has('c')));
    c!.tap.cut = true;
    const times = await Promise.all(gone);
    for (const t of times) {
      expect(t).toBeGreaterThanOrEqual((FAST.deadAfter - 1) * FAST.intervalMs - 5);
      expect(t).toBeLessThan(FAST.deadAfter * FAST.intervalMs + 150);
    }
    expect(a!.m.hasQuorum()).toBe(true);
  });

  it('an isolated node loses quorum; the other two keep it', async () => {
    const [a, b, c] = await cluster(['a', 'b', 'c']);
    await Promise.all([a!, b!, c!].map((n) => until(n.m, (alive, q) => alive.size === 3 && q)));
    c!.tap.cut = true;
    await until(c!.m, (_alive, q) => !q);
    await until(a!.m, (alive) => !alive.has('c'));
    expect(c!.m.quorum()).toMatchObject({ quorum: false, reason: 'minority', heard: 1, known: 3 });
    expect(a!.m.quorum()).toMatchObject({ quorum: true, reason: 'majority' });
  });

  it('a goodbye hands over at once, long before the dead timer', async () => {
    const slow = { intervalMs: 50, deadAfter: 10, slowIntervalMs: 200 };
    const [a, b] = await cluster(['a', 'b'], slow);
    await until(a!.m, (alive) => alive.size === 2);
    const gone = until(a!.m, (alive) => !alive.has('b'));
    await b!.m.stop();
    expect(await gone).toBeLessThan(50);
    expect(a!.m.quorum()).toMatchObject({ quorum: true, known: 1 });
  });

  it('ignores a forged goodbye sealed with the wrong key, and garbage, from the peer\'s own address', async () => {
    const [a, b] = await cluster(['a', 'b']);
    await until(a!.m, (alive) => alive.size === 2);
    const wrongMac = (bytes: Uint8Array) => createHmac('sha256', 'not-the-cluster-key').update(bytes).digest();
    const forged = sealHeartbeat({ version: 2, uptimeMs: 0, timesDeclaredDead: 0, type: 'goodbye', from: 'b', to: 'a', incarnation: 1n, sequence: 1e9, sendTimeMs: Date.now(), nextWithinMs: 0 }, wrongMac);
    const port = a!.m.address()?.port ?? 0;
    // Sent from b's socket: the right address and port, so only the content can give them away.
    for (const bytes of [forged, Buffer.from('hello'), Buffer.alloc(80, 7)]) await b!.tap.raw?.send(bytes, port, '127.0.0.1');
    await sleep(4 * FAST.intervalMs);
    expect(sorted(a!.m.alive())).toEqual(['a', 'b']);
    expect(a!.m.stats().dropped).toMatchObject({ badMac: 1, short: 1, badMagic: 1 });
  });

  it('drops datagrams from an address and port no peer is listed at before any crypto', async () => {
    const [a] = await cluster(['a', 'b']);
    await until(a!.m, (alive) => alive.size === 2);
    const sealed = sealHeartbeat({ version: 2, uptimeMs: 0, timesDeclaredDead: 0, type: 'goodbye', from: 'b', to: 'a', incarnation: 1n, sequence: 1e9, sendTimeMs: Date.now(), nextWithinMs: 0 },
      (bytes) => createHmac('sha256', KEY).update(bytes).digest());
    const stranger = createSocket('udp4');
    const port = a!.m.address()?.port ?? 0;
    for (const bytes of [sealed, Buffer.from('hello'), Buffer.alloc(80, 7)]) await new Promise<void>((r) => stranger.send(bytes, port, '127.0.0.1', () => r()));
    await new Promise<void>((r) => stranger.close(() => r()));
    await sleep(4 * FAST.intervalMs);
    expect(sorted(a!.m.alive())).toEqual(['a', 'b']);
    expect(a!.m.stats().dropped).toEqual({ unknownSender: 3 });
    // Every MAC a computed is one it sealed or one that opened an accepted beat: none went to the strangers.
    const s = a!.m.stats();
    expect(s.macs).toBe(s.sent + s.accepted);
  });

  it('ignores a replayed goodbye from a previous boot, and replayed beats', async () => {
    const [a, b] = await cluster(['a', 'b']);
    await until(a!.m, (alive) => alive.size === 2);
    await sleep(3 * FAST.intervalMs);
    const port = a!.m.address()?.port ?? 0;
    const oldBeats = b!.tap.sent.slice(-3);
    expect(oldBeats.length).toBe(3);
    await b!.m.stop();
    const oldGoodbye = b!.tap.sent.at(-1)!;
    // b boots again on a new port with a new incarnation
    const { tap, factory } = tappedFactory();
    const b2 = new UdpMembership({ nodeName: 'b', bindAddress: '127.0.0.1', port: 0, peers: [{ name: 'a', address: '127.0.0.1', port }], key: KEY, socketFactory: factory, ...FAST });
    running.push(b2);
    await b2.start();
    a!.m.setPeers([{ name: 'b', address: '127.0.0.1', port: b2.address()?.port ?? 0 }]);
    await until(a!.m, (alive) => alive.has('b'));
    // Replayed from b's own (new) address and port, so only the replay rules can refuse them.
    for (const bytes of [oldGoodbye, ...oldBeats]) await tap.raw?.send(bytes, port, '127.0.0.1');
    await sleep(4 * FAST.intervalMs);
    expect(sorted(a!.m.alive())).toEqual(['a', 'b']);
    expect(a!.m.stats().dropped).toMatchObject({ replay: 4 });
    expect(a!.m.stats().dropped.badMac).toBeUndefined();
  });
});

describe('UdpMembership: a flap only the peers notice', () => {
  it('tells the node its peer had it dead, although it never lost that peer itself', async () => {
    // a beats b fast (b would take a's IPs); b beats a slowly, as a node that owns nothing does.
    const [a, b] = await cluster(['a', 'b'], {}, '127.0.0.1', (name) => (name === 'a' ? ['b'] : []));
    const nodeA = a!;
    const nodeB = b!;
    await Promise.all([nodeA, nodeB].map((n) => until(n.m, (alive) => alive.size === 2)));
    const rejoinedBy: string[] = [];
    nodeA.m.onRejoined((by) => rejoinedBy.push(by));
    const aLostB: string[][] = [];
    nodeA.m.onChange((alive) => { if (!alive.has('b')) aLostB.push([...alive]); });
    // b sees a dead 3 × 20 ms after a's last fast beat; a would need 3 × 100 ms of silence from b.
    nodeA.tap.cut = true;
    await until(nodeB.m, (alive) => !alive.has('a'), 1000);
    nodeA.tap.cut = false;
    await until(nodeB.m, (alive) => alive.has('a'), 1000);
    for (let i = 0; i < 50 && rejoinedBy.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(rejoinedBy).toEqual(['b']);
    expect(aLostB).toEqual([]); // a never noticed anything by itself: that is why it has to be told
    expect(nodeA.m.stats().rejoins).toBe(1);
  });
});

describe('UdpMembership over IPv6', () => {
  it('two speakers on ::1 hear each other', async () => {
    const probe = createSocket('udp6');
    const hasV6 = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.bind(0, '::1', () => resolve(true));
    });
    await new Promise<void>((r) => { try { probe.close(() => r()); } catch { r(); } });
    if (!hasV6) {
      console.warn('no IPv6 loopback on this host; IPv6 test skipped');
      return;
    }
    const nodes = await cluster(['a6', 'b6'], {}, '::1');
    await Promise.all(nodes.map((n) => until(n.m, (alive) => alive.size === 2)));
    expect(sorted(nodes[0]!.m.alive())).toEqual(['a6', 'b6']);
  });
});

describe('UdpMembership construction', () => {
  it('refuses a short key; leaves out, with an error, a peer whose address is not an IP', () => {
    expect(() => new UdpMembership({ nodeName: 'a', peers: [], key: Buffer.alloc(8) })).toThrow(/8 bytes; need at least 16/);
    const errors: unknown[] = [];
    const logger = { error: (o: unknown) => errors.push(o), info: () => undefined, debug: () => undefined, warn: () => undefined } as unknown as Logger;
    const m = new UdpMembership({ nodeName: 'a', peers: [{ name: 'b', address: 'node-b.local' }, { name: 'c', address: '192.0.2.3' }], key: KEY, logger });
    expect(m.quorum().known).toBe(2);
    expect(errors).toEqual([{ peer: '"b"', problem: 'address "node-b.local" is not an IP literal' }]);
  });

  it('starts nothing until start()', () => {
    let sockets = 0;
    const m = new UdpMembership({ nodeName: 'a', peers: [], key: KEY, socketFactory: (f) => { sockets++; return dgramSocketFactory(f); } });
    expect(sockets).toBe(0);
    expect(m.address()).toBeUndefined();
  });
});
