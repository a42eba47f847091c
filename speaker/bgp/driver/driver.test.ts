// The driver over real TCP on loopback: two Herald peers talk to each other (one connects, one listens), and
// hand-written peers misbehave (silent after OPEN, garbage instead of a header). Real sockets and the system
// clock: what is tested here is the I/O the pure session (../session) leaves to the driver.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { silentLogger } from '../../../lib/log.js';
import { ERROR_CODE, MESSAGE_HEADER_ERROR, MessageSplitter, decodeMessage, encodeMessage, type ReceivedMessage } from '../messages/index.js';
import { buildOpen, sessionConfig, type Advertisement, type SessionConfig, type SessionEvent } from '../session/index.js';
import { BgpListener, BgpPeer, type PeerStatus } from './index.js';

const logger = silentLogger();

const A = { localAsn: 4_200_000_001, routerId: '10.0.0.1' };
const B = { localAsn: 64513, routerId: '10.0.0.2' };

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function config(me: typeof A, peer: typeof A, overrides: Partial<SessionConfig>): SessionConfig {
  return sessionConfig({
    localAsn: me.localAsn, routerId: me.routerId, peerAsn: { kind: 'fixed', asn: peer.localAsn }, peerAddress: '127.0.0.1',
    holdTimeSeconds: 9, keepaliveTimeSeconds: 3, connectRetryMs: 200, connectRetryMaxMs: 1000, ...overrides,
  });
}

/** Everything a peer stepped, for the assertions. */
function recorder(peer: BgpPeer): { events: SessionEvent[]; statuses: PeerStatus[] } {
  const seen = { events: [] as SessionEvent[], statuses: [] as PeerStatus[] };
  peer.onEvent((e) => seen.events.push(e));
  peer.onChange((s) => seen.statuses.push(s));
  return seen;
}

/** Prefixes reached and withdrawn by the UPDATEs a peer received. */
function receivedRoutes(events: readonly SessionEvent[]): { reached: string[]; withdrawn: string[] } {
  const reached: string[] = [];
  const withdrawn: string[] = [];
  for (const e of events) {
    if (e.kind !== 'UpdateMsg' || e.decoding.action !== 'accept') continue;
    const u = e.decoding.update;
    reached.push(...u.nlri);
    withdrawn.push(...u.withdrawnRoutes);
    for (const a of u.pathAttributes) {
      if (a.kind === 'mpReachNlri') reached.push(...a.nlri);
      if (a.kind === 'mpUnreachNlri') withdrawn.push(...a.withdrawn);
    }
  }
  return { reached, withdrawn };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A listening Herald peer B (passive) and an active Herald peer A connecting to it. */
async function pair(aOverrides: Partial<SessionConfig> = {}, bOverrides: Partial<SessionConfig> = {}): Promise<{ a: BgpPeer; b: BgpPeer; listener: BgpListener }> {
  const listener = new BgpListener({ port: 0, host: '127.0.0.1', logger });
  await listener.start();
  const b = new BgpPeer({ config: config(B, A, { passive: true, seed: 2, ...bOverrides }), logger });
  listener.register(b);
  const a = new BgpPeer({ config: config(A, B, { peerPort: listener.port, seed: 1, ...aOverrides }), logger, localAddress: '127.0.0.1' });
  cleanups.push(() => listener.stop(), () => b.stop(), () => a.stop());
  b.start();
  a.start();
  return { a, b, listener };
}

describe('two Herald peers over loopback TCP', () => {
  test('reach Established, with a 4-octet AS, and exchange advertisements', async () => {
    const { a, b } = await pair();
    const seenByB = recorder(b);
    await until('both Established', () => a.status().fsm === 'Established' && b.status().fsm === 'Established');
    expect(a.status().negotiated).toMatchObject({ peerAsn: B.localAsn, fourOctetAs: true, families: [4, 6], holdTimeMs: 9000, keepaliveMs: 3000 });
    expect(b.status().negotiated).toMatchObject({ peerAsn: A.localAsn, peerIdentifier: A.routerId });

    const ads: Advertisement[] = [
      { prefix: '198.51.100.7/32', nextHop: '127.0.0.1', communities: [64512 * 65536 + 7] },
      { prefix: '2001:db8:2::7/128', nextHop: '2001:db8:1::11', largeCommunities: [{ globalAdministrator: 1, localData1: 2, localData2: 3 }] },
    ];
    a.setAdvertisements(ads);
    await until('B receives both prefixes', () => receivedRoutes(seenByB.events).reached.length === 2);
    expect(receivedRoutes(seenByB.events).reached.sort()).toEqual(['198.51.100.7/32', '2001:db8:2::7/128']);
    expect(a.status().advertised).toBe(2);

    a.setAdvertisements([ads[1] as Advertisement]);
    await until('B receives the withdrawal', () => receivedRoutes(seenByB.events).withdrawn.length === 1);
    expect(receivedRoutes(seenByB.events).withdrawn).toEqual(['198.51.100.7/32']);
  });

  test('advertisements set before the session comes up are sent once it is Established', async () => {
    const listener = new BgpListener({ port: 0, host: '127.0.0.1', logger });
    await listener.start();
    const b = new BgpPeer({ config: config(B, A, { passive: true }), logger });
    const seenByB = recorder(b);
    listener.register(b);
    const a = new BgpPeer({ config: config(A, B, { peerPort: listener.port }), logger });
    cleanups.push(() => listener.stop(), () => b.stop(), () => a.stop());
    a.setAdvertisements([{ prefix: '198.51.100.9/32', nextHop: '127.0.0.1' }]);
    b.start();
    a.start();
    await until('B receives the prefix', () => receivedRoutes(seenByB.events).reached.includes('198.51.100.9/32'));
  });

  test('a peer that stops (Cease) and starts again: the other reconnects on its own', async () => {
    const { a, b } = await pair();
    await until('Established', () => a.status().fsm === 'Established' && b.status().fsm === 'Established');
    await b.stop();
    await until('A sees the Cease', () => a.status().lastDown?.reason === 'notificationReceived');
    expect(a.status().lastDown?.notification).toMatch(/^received 6\/2/); // Cease, Administrative Shutdown (RFC 4486)
    b.start();
    await until('Established again on both sides', () => a.status().establishedCount === 2 && b.status().establishedCount === 2, 5000);
    expect([a.status().fsm, b.status().fsm]).toEqual(['Established', 'Established']);
  });

  test('a TCP connection cut without a NOTIFICATION: both sides reconnect', async () => {
    const { a, b, listener } = await pair();
    await until('Established', () => a.status().fsm === 'Established' && b.status().fsm === 'Established');
    // A new listener-side peer object stands for a restarted process: the old one is destroyed without a word.
    const c = new BgpPeer({ config: config(B, A, { passive: true }), logger });
    b.abort();
    listener.register(c);
    cleanups.push(() => c.stop());
    c.start();
    await until('A Established with the new process', () => c.status().fsm === 'Established' && a.status().establishedCount === 2);
    expect(a.status().lastDown).toMatchObject({ reason: 'tcpClosed', notification: null });
  });

  test('both sides active and listening (a collision): exactly one session survives on each side', async () => {
    const la = new BgpListener({ port: 0, host: '127.0.0.2', logger });
    const lb = new BgpListener({ port: 0, host: '127.0.0.1', logger });
    await Promise.all([la.start(), lb.start()]);
    const a = new BgpPeer({ config: config(A, B, { peerAddress: '127.0.0.1', peerPort: lb.port }), logger, localAddress: '127.0.0.2' });
    const b = new BgpPeer({ config: config(B, A, { peerAddress: '127.0.0.2', peerPort: la.port }), logger, localAddress: '127.0.0.1' });
    la.register(a);
    lb.register(b);
    cleanups.push(() => la.stop(), () => lb.stop(), () => a.stop(), () => b.stop());
    a.start();
    b.start();
    await until('both Established', () => a.status().fsm === 'Established' && b.status().fsm === 'Established');
    // The side whose own connection lost (A: B's identifier is higher, so B's connection stays, RFC 4271 §6.8) must
    // not reconnect while the session it accepted is up: each attempt would collide again.
    const connectsAfter: string[] = [];
    for (const [name, peer] of [['A', a], ['B', b]] as const) peer.onChange((_s, action) => { if (action.kind === 'connect') connectsAfter.push(name); });
    await new Promise((r) => setTimeout(r, 1000)); // five retry intervals
    expect([a.status().fsm, b.status().fsm]).toEqual(['Established', 'Established']);
    expect(connectsAfter).toEqual([]);
    expect([a.status().establishedCount, b.status().establishedCount]).toEqual([1, 1]);
  });
});

/** A hand-written peer: a TCP server that answers with the messages a test gives it and records what it gets. */
async function scriptedPeer(onConnection: (socket: Socket, received: ReceivedMessage[]) => void): Promise<{ server: Server; port: number; received: ReceivedMessage[] }> {
  const received: ReceivedMessage[] = [];
  const server = createServer((socket) => {
    const splitter = new MessageSplitter();
    socket.on('data', (chunk) => {
      for (const m of splitter.push(chunk).messages) received.push(decodeMessage(m));
    });
    socket.on('error', () => undefined);
    onConnection(socket, received);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => { server.close(() => r()); }));
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0, received };
}

describe('misbehaving peers', () => {
  test('a peer that goes silent after OPEN: the hold timer expires, Hold Timer Expired is sent', async () => {
    const peerOpen = buildOpen(config(B, A, {}), false);
    const { port, received } = await scriptedPeer((socket) => {
      socket.write(encodeMessage({ ...peerOpen, holdTime: 3 }));
      socket.write(encodeMessage({ type: 'keepalive' }));
    });
    const a = new BgpPeer({ config: config(A, B, { peerPort: port, holdTimeSeconds: 3, connectRetryMs: 60_000 }), logger });
    cleanups.push(() => a.stop());
    const started = Date.now();
    a.start();
    await until('Established', () => a.status().fsm === 'Established');
    await until('the hold timer expired', () => a.status().lastDown !== null, 6000);
    const elapsed = Date.now() - started;
    expect(a.status().lastDown).toMatchObject({ reason: 'holdTimerExpired', notification: 'sent 4/0 hold timer expired' });
    expect(elapsed).toBeGreaterThanOrEqual(2900);
    expect(elapsed).toBeLessThan(4500);
    await until('the peer got the NOTIFICATION', () => received.some((m) => m.type === 'notification'));
    expect(received.find((m) => m.type === 'notification')).toMatchObject({ code: ERROR_CODE.HOLD_TIMER_EXPIRED, subcode: 0 });
  });

  test('garbage instead of a header gets Connection Not Synchronized; the other peer is unharmed; strangers are refused', async () => {
    const { a, b, listener } = await pair();
    const garbagePeer = new BgpPeer({ config: config(B, A, { passive: true, peerAddress: '127.0.0.2' }), logger });
    listener.register(garbagePeer);
    cleanups.push(() => garbagePeer.stop());
    garbagePeer.start();
    await until('Established', () => a.status().fsm === 'Established' && b.status().fsm === 'Established');

    const replies: ReceivedMessage[] = [];
    const closed = new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: listener.port, localAddress: '127.0.0.2' }, () => socket.write(Buffer.alloc(40, 0x5a)));
      const splitter = new MessageSplitter();
      socket.on('data', (chunk) => { for (const m of splitter.push(chunk).messages) replies.push(decodeMessage(m)); });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
    });
    await closed;
    expect(replies.map((m) => m.type)).toEqual(['open', 'notification']);
    expect(replies[1]).toMatchObject({ code: ERROR_CODE.MESSAGE_HEADER, subcode: MESSAGE_HEADER_ERROR.CONNECTION_NOT_SYNCHRONIZED });
    expect(garbagePeer.status().lastDown).toMatchObject({ reason: 'messageError', notification: 'sent 1/1 message header error, connection not synchronized' });

    const stranger = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: listener.port, localAddress: '127.0.0.3' });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(true));
    });
    expect(stranger).toBe(true);
    await until('the stranger counted', () => listener.refusedConnections === 1);

    expect([a.status().fsm, b.status().fsm]).toEqual(['Established', 'Established']);
    expect([a.status().establishedCount, b.status().establishedCount]).toEqual([1, 1]);
  });
});
