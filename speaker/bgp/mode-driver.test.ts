// BgpModeDriver against a Herald peer standing in for the router, over loopback TCP: the plan's peers become
// sessions, the plan's advertisements become UPDATEs, and changes to the plan change exactly what they should.
import { silentLogger } from '../../lib/log.js';
import type { BgpPeerSpec } from '../source/types.js';
import { BgpListener, BgpPeer } from './driver/index.js';
import { BgpModeDriver } from './mode-driver.js';
import type { BgpPeerPlan, BgpPlan } from './plan.js';
import { sessionConfig, type Advertisement, type SessionConfig, type SessionEvent } from './session/index.js';
import type { Capability } from './messages/index.js';

const logger = silentLogger();
const ASN = 4_200_000_000;

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Prefixes the router holds, from the UPDATEs it stepped (what it would have in its Adj-RIB-In). */
function ribOf(events: readonly SessionEvent[]): string[] {
  const rib = new Set<string>();
  for (const e of events) {
    if (e.kind !== 'UpdateMsg' || e.decoding.action !== 'accept') continue;
    const u = e.decoding.update;
    for (const p of u.withdrawnRoutes) rib.delete(p);
    for (const p of u.nlri) rib.add(p);
    for (const a of u.pathAttributes) {
      if (a.kind === 'mpUnreachNlri') for (const p of a.withdrawn) rib.delete(p);
      if (a.kind === 'mpReachNlri') for (const p of a.nlri) rib.add(p);
    }
  }
  return [...rib].sort();
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A passive "router" listening on an ephemeral loopback port, recording every event it steps. */
async function router(extra: Partial<SessionConfig> = {}): Promise<{ peer: BgpPeer; port: number; events: SessionEvent[] }> {
  const listener = new BgpListener({ port: 0, host: '127.0.0.1', logger });
  await listener.start();
  const peer = new BgpPeer({ config: sessionConfig({ localAsn: ASN, routerId: '10.0.0.254', peerAsn: { kind: 'fixed', asn: ASN }, peerAddress: '127.0.0.1', passive: true, ...extra }), logger });
  const events: SessionEvent[] = [];
  peer.onEvent((e) => events.push(e));
  listener.register(peer);
  peer.start();
  cleanups.push(() => listener.stop(), () => peer.stop());
  return { peer, port: listener.port, events };
}

function peerPlan(port: number, advertisements: Advertisement[], spec: Partial<BgpPeerSpec> = {}): BgpPeerPlan {
  return {
    peer: {
      name: 'router', myAsn: ASN, peerAsn: { kind: 'fixed', asn: ASN }, peerAddress: '127.0.0.1', peerPort: port,
      holdTimeSeconds: 9, keepaliveTimeSeconds: 3, connectTimeSeconds: 1, nodes: ['n1'], passive: false, ...spec,
    },
    routerId: '192.0.2.11', advertisements, ips: [], skipped: [],
  };
}

const plan = (...peers: BgpPeerPlan[]): BgpPlan => ({ peers, unusable: [] });
const V4: Advertisement = { prefix: '203.0.113.10/32', nextHop: '192.0.2.11', localPref: 150 };
const V6: Advertisement = { prefix: '2001:db8:3::10/128', nextHop: '2001:db8:1::11' };

function driver(): BgpModeDriver {
  const d = new BgpModeDriver({ logger, listenPort: 0 });
  cleanups.push(() => d.stop());
  return d;
}

describe('BgpModeDriver', () => {
  test('opens a session per planned peer and keeps the peer in step with the plan', async () => {
    const r = await router();
    const d = driver();
    await d.apply(plan(peerPlan(r.port, [V4, V6])));
    await until('the router holds both prefixes', () => ribOf(r.events).length === 2);
    expect(ribOf(r.events)).toEqual(['2001:db8:3::10/128', '203.0.113.10/32']);
    expect(d.statuses()).toMatchObject([{ peer: '127.0.0.1', fsm: 'Established', advertised: 2 }]);

    await d.apply(plan(peerPlan(r.port, [V6])));
    await until('the IPv4 prefix withdrawn', () => ribOf(r.events).length === 1);
    expect(ribOf(r.events)).toEqual(['2001:db8:3::10/128']);

    const updates = r.events.filter((e) => e.kind === 'UpdateMsg').length;
    await d.apply(plan(peerPlan(r.port, [V6])));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.events.filter((e) => e.kind === 'UpdateMsg')).toHaveLength(updates);
    expect(r.peer.status().establishedCount).toBe(1);
  });

  test('announcedIps: the plan\'s IPs once the session with the peer is Established, none after it went', async () => {
    const r = await router();
    const d = driver();
    const withIps = (ips: string[]): BgpPeerPlan => ({ ...peerPlan(r.port, [V4]), ips });
    await d.apply(plan(withIps(['203.0.113.10'])));
    expect(d.announcedIps()).toEqual(new Set()); // not Established yet: the router has nothing
    await until('Established', () => d.statuses()[0]?.fsm === 'Established');
    expect(d.announcedIps()).toEqual(new Set(['203.0.113.10']));
    await d.apply(plan(withIps(['203.0.113.10', '203.0.113.11'])));
    expect(d.announcedIps()).toEqual(new Set(['203.0.113.10', '203.0.113.11']));
    await d.apply(plan());
    expect(d.announcedIps()).toEqual(new Set());
  });

  test('a change of session settings replaces the session; a peer left out of the plan gets a Cease', async () => {
    const r = await router();
    const d = driver();
    await d.apply(plan(peerPlan(r.port, [V4])));
    await until('Established', () => r.peer.status().fsm === 'Established');
    await d.apply(plan(peerPlan(r.port, [V4], { holdTimeSeconds: 30 })));
    await until('Established again', () => r.peer.status().establishedCount === 2 && r.peer.status().fsm === 'Established');
    expect(r.peer.status().negotiated?.holdTimeMs).toBe(30_000);
    // The new session announces again what the plan holds (the router dropped the old session's routes with it).
    const sinceOpen = (): string[] => ribOf(r.events.slice(r.events.findLastIndex((e) => e.kind === 'BGPOpen')));
    await until('the prefix announced on the new session', () => sinceOpen().length === 1);
    expect(sinceOpen()).toEqual(['203.0.113.10/32']);

    await d.apply(plan());
    await until('the router saw the Cease', () => r.peer.status().lastDown?.reason === 'notificationReceived');
    expect(r.peer.status().lastDown?.notification).toMatch(/^received 6\/2/);
    expect(d.statuses()).toEqual([]);
  });

  test('counts the UPDATEs each peer was sent, as the router received them, and keeps counting across a replaced session', async () => {
    const r = await router();
    const d = driver();
    const received = (): number => r.events.filter((e) => e.kind === 'UpdateMsg').length;
    await d.apply(plan(peerPlan(r.port, [V4, V6])));
    await until('the router holds both prefixes', () => ribOf(r.events).length === 2);
    await until('every UPDATE counted', () => d.statuses()[0]?.updatesSent === received());
    const first = received();
    expect(first).toBeGreaterThanOrEqual(2); // one per family at least (the packer puts a family's routes in one)
    await d.apply(plan(peerPlan(r.port, [V4, V6], { holdTimeSeconds: 30 })));
    await until('Established again', () => r.peer.status().establishedCount === 2 && r.peer.status().fsm === 'Established');
    await until('the new session\'s UPDATEs counted on top', () => received() > first && d.statuses()[0]?.updatesSent === received());
  });

  test('a peer that turns unusable (its passwordSecret went) loses its session and is reported Idle with why; back, it peers again', async () => {
    const r = await router();
    const d = driver();
    await d.apply(plan(peerPlan(r.port, [V4])));
    await until('Established', () => r.peer.status().fsm === 'Established');
    const why = 'BGPPeer "router": passwordSecret "tor-md5" names no Secret in "herald-system"';
    await d.apply({ peers: [], unusable: [{ peer: 'router', address: '127.0.0.1', why }] });
    await until('the router saw the Cease', () => r.peer.status().lastDown?.reason === 'notificationReceived');
    expect(d.statuses()).toEqual([{
      name: 'router', peer: '127.0.0.1', fsm: 'Idle', advertised: 0, negotiated: null, establishedCount: 0, bfd: null,
      // What its stopped session sent (an UPDATE and an End-of-RIB per family) stays counted.
      updatesSent: r.events.filter((e) => e.kind === 'UpdateMsg').length,
      lastDown: { reason: 'unusable', detail: why, notification: null },
    }]);
    await d.apply(plan(peerPlan(r.port, [V4])));
    await until('Established again', () => r.peer.status().establishedCount === 2 && r.peer.status().fsm === 'Established');
    expect(d.statuses()).toMatchObject([{ name: 'router', fsm: 'Established' }]);
  });

  test('a passive peer is listened for, and the router connecting to us gets the advertisements', async () => {
    const d = driver();
    await d.apply(plan({ ...peerPlan(0, [V4], { passive: true }), routerId: '192.0.2.11' }));
    const port = d.listeningPort;
    if (port === null) throw new Error('no listener for a passive peer');
    const active = new BgpPeer({ config: sessionConfig({ localAsn: ASN, routerId: '10.0.0.254', peerAsn: { kind: 'fixed', asn: ASN }, peerAddress: '127.0.0.1', peerPort: port }), logger });
    const events: SessionEvent[] = [];
    active.onEvent((e) => events.push(e));
    cleanups.push(() => active.stop());
    active.start();
    await until('the router holds the prefix', () => ribOf(events).length === 1);
  });
});

/** The Graceful Restart capability of every OPEN the router received, in order. */
function grCapabilities(events: readonly SessionEvent[]): Capability[] {
  return events.flatMap((e) => (e.kind === 'BGPOpen' ? e.open.capabilities.filter((c) => c.kind === 'gracefulRestart') : []));
}

describe('BgpModeDriver: graceful restart (RFC 4724)', () => {
  // The router as a graceful restart helper: it advertises the capability.
  const HELPER = { gracefulRestart: { restartTimeSeconds: 120, forwardingPreserved: false } };
  const GR_ON = { gracefulRestart: true };

  test('a stopping speaker closes without NOTIFICATION; the next process opens with R and F, then routes and End-of-RIB', async () => {
    const r = await router(HELPER);
    const first = new BgpModeDriver({ logger, listenPort: 0 });
    await first.apply(plan(peerPlan(r.port, [V4], GR_ON)));
    await until('the router holds the prefix', () => ribOf(r.events).length === 1);
    await first.stop();
    await until('the router saw the connection close', () => r.peer.status().lastDown !== null);
    expect(r.peer.status().lastDown).toMatchObject({ reason: 'tcpClosed', notification: null });
    expect(r.events.some((e) => e.kind === 'NotifMsg')).toBe(false);

    const second = driver();
    await second.apply(plan(peerPlan(r.port, [V4], GR_ON)));
    await until('Established again', () => r.peer.status().establishedCount === 2 && r.peer.status().fsm === 'Established');
    await until('End-of-RIB', () => r.events.filter((e) => e.kind === 'UpdateMsg').length >= 4);
    const families = [{ afi: 1, safi: 1, forwardingState: true }, { afi: 2, safi: 1, forwardingState: true }];
    // Both processes opened with R set (neither can know whether it is a first start) and F set: the kernel forwards.
    expect(grCapabilities(r.events)).toEqual([0, 1].map(() => ({ kind: 'gracefulRestart', restartState: true, notification: false, restartTimeSeconds: 120, families })));
    const sinceOpen = r.events.slice(r.events.findLastIndex((e) => e.kind === 'BGPOpen'));
    const updates = sinceOpen.flatMap((e) => (e.kind === 'UpdateMsg' && e.decoding.action === 'accept' ? [e.decoding.update] : []));
    expect(updates[0]?.nlri).toEqual(['203.0.113.10/32']);
    expect(updates.slice(1).every((u) => u.nlri.length === 0 && u.withdrawnRoutes.length === 0)).toBe(true);
  });

  test('a peer first planned after an empty plan still opens with R (the loop may plan before it knows the peers)', async () => {
    const r = await router(HELPER);
    const d = driver();
    await d.apply(plan());
    await d.apply(plan(peerPlan(r.port, [V4], GR_ON)));
    await until('Established', () => r.peer.status().fsm === 'Established');
    expect(grCapabilities(r.events)).toMatchObject([{ restartState: true }]);
  });

  test('a peer removed from the plan gets a Cease even with graceful restart, and opens without R when it comes back', async () => {
    const r = await router(HELPER);
    const d = driver();
    await d.apply(plan(peerPlan(r.port, [V4], GR_ON)));
    await until('Established', () => r.peer.status().fsm === 'Established');
    await d.apply(plan());
    await until('the router saw the Cease', () => r.peer.status().lastDown?.reason === 'notificationReceived');
    expect(r.peer.status().lastDown?.notification).toMatch(/^received 6\/2/);
    await d.apply(plan(peerPlan(r.port, [V4], GR_ON)));
    await until('Established again', () => r.peer.status().establishedCount === 2 && r.peer.status().fsm === 'Established');
    expect(grCapabilities(r.events)).toMatchObject([{ restartState: true }, { restartState: false }]);
  });

  test('later plans do not replace a session opened with R (the R bit is not a setting)', async () => {
    const r = await router(HELPER);
    const d = driver();
    await d.apply(plan(peerPlan(r.port, [V4], GR_ON)));
    await until('Established', () => r.peer.status().fsm === 'Established');
    await d.apply(plan(peerPlan(r.port, [V4, V6], GR_ON)));
    await until('the router holds both prefixes', () => ribOf(r.events).length === 2);
    expect(r.peer.status().establishedCount).toBe(1);
  });

  test('without the router\'s capability, or with enableGracefulRestart off, a stopping speaker sends a Cease', async () => {
    for (const [routerConfig, spec] of [[{}, GR_ON], [HELPER, {}]] as const) {
      const r = await router(routerConfig);
      const d = new BgpModeDriver({ logger, listenPort: 0 });
      await d.apply(plan(peerPlan(r.port, [V4], spec)));
      await until('Established', () => r.peer.status().fsm === 'Established');
      await d.stop();
      await until('the router saw the Cease', () => r.peer.status().lastDown?.reason === 'notificationReceived');
      expect(r.peer.status().lastDown?.notification).toMatch(/^received 6\/2/);
    }
  });
});
