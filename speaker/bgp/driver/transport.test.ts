// TCP MD5 and GTSM through the driver, judged by the Linux kernel on loopback: two Herald peers (one connects
// through connectTcp, one listens) with the transport of ../transport.ts. The kernel drops a SYN signed with
// another key, and a segment below the minimum TTL, so a mismatch shows as a session that never gets past
// Connect / OpenSent, and the right settings as Established. Needs root (TCP_MD5SIG is not, but the lab
// machines run the suite as root anyway) and the addon.
import { silentLogger } from '../../../lib/log.js';
import { sessionConfig, type SessionConfig } from '../session/index.js';
import type { PeerTransport } from '../transport.js';
import { BgpListener, BgpPeer } from './index.js';

const logger = silentLogger();
const A = { localAsn: 64512, routerId: '10.0.0.1' };
const B = { localAsn: 64513, routerId: '10.0.0.2' };
const PLAIN: PeerTransport = { ttl: 64, minTtl: 0, ttlRule: 'ebgpDirect' };

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function config(me: typeof A, peer: typeof A, overrides: Partial<SessionConfig>): SessionConfig {
  return sessionConfig({
    localAsn: me.localAsn, routerId: me.routerId, peerAsn: { kind: 'fixed', asn: peer.localAsn }, peerAddress: '127.0.0.1',
    holdTimeSeconds: 9, keepaliveTimeSeconds: 3, connectRetryMs: 200, connectRetryMaxMs: 400, ...overrides,
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** B listens with `b`'s transport, A connects with `a`'s. */
async function pair(a: PeerTransport, b: PeerTransport): Promise<{ a: BgpPeer; b: BgpPeer }> {
  const listener = new BgpListener({ port: 0, host: '127.0.0.1', logger });
  await listener.start();
  const passive = new BgpPeer({ config: config(B, A, { passive: true, seed: 2 }), logger, transport: b });
  listener.register(passive);
  const active = new BgpPeer({ config: config(A, B, { peerPort: listener.port, seed: 1 }), logger, localAddress: '127.0.0.1', transport: a });
  // abort, not stop: a session the kernel blocks has no peer to say Cease to, and stop would wait out the close grace.
  cleanups.push(() => listener.stop(), () => passive.abort(), () => active.abort());
  passive.start();
  active.start();
  return { a: active, b: passive };
}

const established = (...peers: BgpPeer[]): boolean => peers.every((p) => p.status().fsm === 'Established');

/** Long enough for several connect retries (200-400 ms) and, were the kernel not dropping, an OPEN exchange. */
const NEVER_MS = 1500;

describe('TCP MD5 (RFC 2385) through connectTcp and the listener', () => {
  test('the same key on both sides: Established', async () => {
    const { a, b } = await pair({ ...PLAIN, md5Key: 'lab-key-é' }, { ...PLAIN, md5Key: 'lab-key-é' });
    await until('both Established', () => established(a, b));
  });

  test.each([
    ['another key', { ...PLAIN, md5Key: 'right' }, { ...PLAIN, md5Key: 'wrong' }],
    ['no key on the connecting side', PLAIN, { ...PLAIN, md5Key: 'right' }],
    ['no key on the listening side', { ...PLAIN, md5Key: 'right' }, PLAIN],
  ])('%s: the kernel drops the SYN, the session never opens', async (_name, aTransport, bTransport) => {
    const { a, b } = await pair(aTransport, bTransport);
    await sleep(NEVER_MS);
    expect(a.status().fsm).toMatch(/^(Connect|Idle)$/);
    expect(a.status().establishedCount).toBe(0);
    expect(b.status().fsm).toBe('Active'); // nothing reached the passive side
  });

  test('a key removed with the peer: a new peer at the address without one is reached unsigned', async () => {
    const listener = new BgpListener({ port: 0, host: '127.0.0.1', logger });
    await listener.start();
    cleanups.push(() => listener.stop());
    const keyed = new BgpPeer({ config: config(B, A, { passive: true }), logger, transport: { ...PLAIN, md5Key: 'old' } });
    listener.register(keyed);
    listener.unregister(keyed);
    const plain = new BgpPeer({ config: config(B, A, { passive: true, seed: 2 }), logger, transport: PLAIN });
    listener.register(plain);
    const active = new BgpPeer({ config: config(A, B, { peerPort: listener.port, seed: 1 }), logger, localAddress: '127.0.0.1', transport: PLAIN });
    cleanups.push(() => plain.abort(), () => active.abort());
    plain.start();
    active.start();
    await until('both Established', () => established(active, plain));
  });
});

describe('GTSM (RFC 5082) and the session TTL', () => {
  const GTSM: PeerTransport = { ttl: 255, minTtl: 255, ttlRule: 'gtsm' };

  test('both sides sending 255 and insisting on 255: Established (loopback keeps the TTL as sent)', async () => {
    const { a, b } = await pair(GTSM, GTSM);
    await until('both Established', () => established(a, b));
  });

  test('a peer sending with TTL 1 (direct eBGP) to a GTSM listener: its OPEN is dropped, no session', async () => {
    const { a, b } = await pair({ ttl: 1, minTtl: 0, ttlRule: 'ebgpDirect' }, GTSM);
    await sleep(NEVER_MS);
    expect(b.status().establishedCount).toBe(0);
    expect(b.status().fsm).not.toBe('Established');
    expect(a.status().establishedCount).toBe(0);
  });

  test('a GTSM connecting side and a listener sending the kernel default (64): the reply is dropped, no session', async () => {
    const { a, b } = await pair(GTSM, PLAIN);
    await sleep(NEVER_MS);
    expect(a.status().establishedCount).toBe(0);
    expect(b.status().establishedCount).toBe(0);
  });
});
