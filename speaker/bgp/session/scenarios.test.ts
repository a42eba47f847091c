// Two pure sessions wired to each other through the real codec on a simulated clock (test-helpers.ts):
// encode → octets → MessageSplitter → decode → step, as a driver does it.
import { CEASE_SUBCODE, ERROR_CODE, OPEN_MESSAGE_ERROR, endOfRibFamily, type Prefix, type UpdateMessage } from '../messages/index.js';
import type { Advertisement } from './adj-rib-out.js';
import { advertisedPrefixes } from './state.js';
import { A_CONFIG, B_CONFIG, Simulation, actionsOf, receivedOf, startedPair, type Endpoint } from './test-helpers.js';

function accepted(endpoint: Endpoint): UpdateMessage[] {
  return receivedOf(endpoint, 'update').map((u) => {
    if (u.action !== 'accept') throw new Error('an UPDATE was treated as withdraw');
    return u.update;
  });
}

const isEndOfRib = (u: UpdateMessage): boolean => endOfRibFamily(u) !== null;

/** Prefixes an UPDATE reaches, IPv4 NLRI and MP_REACH together. */
function reached(u: UpdateMessage): Prefix[] {
  return [...u.nlri, ...u.pathAttributes.flatMap((a) => (a.kind === 'mpReachNlri' ? a.nlri : []))];
}

function withdrawnBy(u: UpdateMessage): Prefix[] {
  return [...u.withdrawnRoutes, ...u.pathAttributes.flatMap((a) => (a.kind === 'mpUnreachNlri' ? a.withdrawn : []))];
}

describe('RFC 4271 §8: two sessions reach Established', () => {
  test('active A connects to passive B; both Established with the negotiated hold time', () => {
    const { sim, a, b } = startedPair({ holdTimeSeconds: 9, keepaliveTimeSeconds: 30 }, { holdTimeSeconds: 30 });
    sim.run(100);
    expect(a.state.fsm).toBe('Established');
    expect(b.state.fsm).toBe('Established');
    // RFC 4271 §4.2: the smaller hold time; keepalives at a third of it (smaller than the configured 30 s).
    expect(a.state.negotiated).toMatchObject({ holdTimeMs: 9000, keepaliveMs: 3000, fourOctetAs: true, families: [4, 6], internal: false, peerAsn: 64513 });
    expect(b.state.negotiated).toMatchObject({ holdTimeMs: 9000, keepaliveMs: 3000, peerAsn: 64512 });
    expect(actionsOf(a, 'established')).toHaveLength(1);
    // End-of-RIB per negotiated family even with nothing to advertise (RFC 4724 §2).
    expect(accepted(b).map(endOfRibFamily)).toEqual([{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }]);
  });

  test('the configured keepalive time is used when smaller than a third of the hold time', () => {
    const { sim, a } = startedPair({ holdTimeSeconds: 90, keepaliveTimeSeconds: 10 });
    sim.run(100);
    expect(a.state.negotiated).toMatchObject({ holdTimeMs: 90_000, keepaliveMs: 10_000 });
  });

  test('keepalives keep both sessions up for an hour', () => {
    const { sim, a, b } = startedPair({ holdTimeSeconds: 3 });
    sim.run(3_600_000);
    expect([a.state.fsm, b.state.fsm]).toEqual(['Established', 'Established']);
    expect(actionsOf(a, 'down')).toEqual([]);
    // A third of 3 s: a KEEPALIVE a second from each side.
    expect(receivedOf(b, 'keepalive').length).toBeGreaterThanOrEqual(3600);
  });

  test('hold time 0: no keepalives, no hold timer, and the session stays up', () => {
    const { sim, a, b } = startedPair({ holdTimeSeconds: 0 });
    sim.run(100);
    const keepalivesAtStart = receivedOf(b, 'keepalive').length;
    sim.run(3_600_000);
    expect(b.state.fsm).toBe('Established');
    expect(receivedOf(b, 'keepalive')).toHaveLength(keepalivesAtStart);
    expect(a.state.timers).toEqual({ connectRetry: null, hold: null, keepalive: null, idleHold: null });
  });
});

describe('RFC 4271 §6.5 Hold Timer', () => {
  test('B goes silent: A\'s hold timer fires, A sends Hold Timer Expired and goes Idle', () => {
    const { sim, a, b } = startedPair({ holdTimeSeconds: 6 });
    sim.run(100);
    b.silent = true;
    const silentFrom = sim.nowMs;
    sim.run(7000);
    const [down] = actionsOf(a, 'down');
    expect(down).toMatchObject({ reason: 'holdTimerExpired', wasEstablished: true, notification: { direction: 'sent', message: { code: ERROR_CODE.HOLD_TIMER_EXPIRED, subcode: 0 } } });
    const downAt = a.actions.find((x) => x.action.kind === 'down')?.atMs ?? 0;
    expect(downAt - silentFrom).toBeLessThanOrEqual(6000);
    expect(downAt - silentFrom).toBeGreaterThan(6000 - 2000 - 10); // heard last at most one keepalive interval before
    expect(receivedOf(b, 'notification')).toEqual([expect.objectContaining({ code: ERROR_CODE.HOLD_TIMER_EXPIRED })]);
    expect(actionsOf(b, 'down')[0]).toMatchObject({ reason: 'notificationReceived', notification: { direction: 'received' } });
  });

  test('after the hold timer fired, A restarts after the backoff and both come back once B speaks again', () => {
    const { sim, a, b } = startedPair({ holdTimeSeconds: 6, connectRetryMs: 1000 });
    sim.run(100);
    b.silent = true;
    sim.run(7000);
    b.silent = false;
    sim.run(10_000);
    expect([a.state.fsm, b.state.fsm]).toEqual(['Established', 'Established']);
    expect(actionsOf(a, 'established')).toHaveLength(2);
  });
});

describe('RFC 4271 §6.2 OPEN errors', () => {
  test('B expects another AS: A gets Bad Peer AS, nobody reaches Established', () => {
    const { sim, a, b } = startedPair({}, { peerAsn: { kind: 'fixed', asn: 65000 } });
    sim.run(100);
    expect(actionsOf(b, 'down')[0]).toMatchObject({ reason: 'openRejected', notification: { direction: 'sent', message: { code: ERROR_CODE.OPEN_MESSAGE, subcode: OPEN_MESSAGE_ERROR.BAD_PEER_AS } } });
    expect(receivedOf(a, 'notification')).toEqual([expect.objectContaining({ code: ERROR_CODE.OPEN_MESSAGE, subcode: OPEN_MESSAGE_ERROR.BAD_PEER_AS })]);
    expect(actionsOf(a, 'down')[0]).toMatchObject({ reason: 'notificationReceived' });
    expect(actionsOf(a, 'established')).toEqual([]);
  });

  test('dynamicASN external accepts a different AS; internal refuses it', () => {
    const ok = startedPair({}, { peerAsn: { kind: 'dynamic', dynamic: 'external' } });
    ok.sim.run(100);
    expect(ok.b.state.fsm).toBe('Established');
    const refused = startedPair({}, { peerAsn: { kind: 'dynamic', dynamic: 'internal' } });
    refused.sim.run(100);
    expect(receivedOf(refused.a, 'notification')[0]).toMatchObject({ subcode: OPEN_MESSAGE_ERROR.BAD_PEER_AS });
  });
});

describe('RFC 4271 §6.8 connection collision', () => {
  function collide(aId: string, bId: string) {
    const sim = new Simulation();
    const aOut = sim.endpoint('A→B', { ...A_CONFIG, routerId: aId });
    const aIn = sim.endpoint('A←B', { ...A_CONFIG, routerId: aId, passive: true });
    const bOut = sim.endpoint('B→A', { ...B_CONFIG, routerId: bId, passive: false });
    const bIn = sim.endpoint('B←A', { ...B_CONFIG, routerId: bId, passive: true });
    sim.link(aOut, bIn);
    sim.link(bOut, aIn);
    aOut.sibling = { role: 'outgoing', other: aIn };
    aIn.sibling = { role: 'incoming', other: aOut };
    bOut.sibling = { role: 'outgoing', other: bIn };
    bIn.sibling = { role: 'incoming', other: bOut };
    sim.track(aOut, aIn, bOut, bIn);
    for (const e of [aIn, bIn, aOut, bOut]) sim.feed(e, { kind: 'ManualStart' });
    sim.run(100);
    return { aOut, aIn, bOut, bIn };
  }

  test.each([
    ['A has the larger identifier: the connection A opened survives', '10.0.0.9', '10.0.0.2', 'aOut'],
    ['B has the larger identifier: the connection B opened survives', '10.0.0.1', '10.0.0.2', 'bOut'],
    ['identifiers compare as numbers, not text (9.x < 10.x)', '9.255.255.255', '10.0.0.0', 'bOut'],
  ])('%s', (_name, aId, bId, winner) => {
    const { aOut, aIn, bOut, bIn } = collide(aId, bId);
    const established = { aOut, aIn, bOut, bIn };
    const up = Object.entries(established).filter(([, e]) => e.state.fsm === 'Established').map(([k]) => k).sort();
    expect(up).toEqual(winner === 'aOut' ? ['aOut', 'bIn'] : ['aIn', 'bOut']);
    const losers = winner === 'aOut' ? [aIn, bOut] : [aOut, bIn];
    const cease = losers.flatMap((e) => actionsOf(e, 'down')).find((d) => d.reason === 'collision');
    expect(cease?.notification?.message).toMatchObject({ code: ERROR_CODE.CEASE, subcode: CEASE_SUBCODE.CONNECTION_COLLISION_RESOLUTION });
  });
});

const adv = (prefix: string, extra: Partial<Advertisement> = {}): Advertisement => ({
  prefix: prefix as Prefix,
  nextHop: prefix.includes(':') ? '2001:db8::a' : '192.0.2.1',
  ...extra,
});

describe('RFC 4724 graceful restart (Herald restarting)', () => {
  test('a planned stop closes without NOTIFICATION; the next session sets R and F, sends routes, then End-of-RIB', () => {
    const gr = { gracefulRestart: { restartTimeSeconds: 120, forwardingPreserved: true } };
    const { sim, a, b } = startedPair(gr, gr);
    sim.feed(a, { kind: 'SetAdvertisements', advertisements: [adv('198.51.100.7/32'), adv('2001:db8:1::7/128')] });
    sim.run(100);
    const firstOpen = receivedOf(b, 'open')[0];
    // R clear on a first start; F set all the same: the node's kernel forwards whatever the speaker does.
    expect(firstOpen?.capabilities).toContainEqual({
      kind: 'gracefulRestart', restartState: false, notification: false, restartTimeSeconds: 120,
      families: [{ afi: 1, safi: 1, forwardingState: true }, { afi: 2, safi: 1, forwardingState: true }],
    });

    sim.feed(a, { kind: 'ManualStop', graceful: true });
    sim.run(100);
    expect(actionsOf(a, 'down')[0]).toMatchObject({ reason: 'gracefulStop', notification: null, restartAtMs: null });
    expect(receivedOf(b, 'notification')).toEqual([]);
    expect(actionsOf(b, 'down')[0]).toMatchObject({ reason: 'tcpClosed' });

    b.received.length = 0;
    sim.feed(a, { kind: 'ManualStart' });
    sim.run(100);
    expect(a.state.fsm).toBe('Established');
    const open = receivedOf(b, 'open')[0];
    expect(open?.capabilities).toContainEqual({
      kind: 'gracefulRestart', restartState: true, notification: false, restartTimeSeconds: 120,
      families: [{ afi: 1, safi: 1, forwardingState: true }, { afi: 2, safi: 1, forwardingState: true }],
    });
    const updates = accepted(b);
    const lastRoute = updates.findLastIndex((u) => !isEndOfRib(u));
    const firstEor = updates.findIndex(isEndOfRib);
    expect(updates.flatMap(reached).sort()).toEqual(['198.51.100.7/32', '2001:db8:1::7/128']);
    expect(lastRoute).toBeLessThan(firstEor);
    expect(updates.filter(isEndOfRib).map(endOfRibFamily)).toEqual([{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }]);
    // Once Established again, the R bit is cleared for later sessions.
    expect(a.state.restarting).toBe(false);
  });

  test('a session configured as restarted sets R in its first OPEN only; F is clear where forwarding is not preserved', () => {
    const gr = { gracefulRestart: { restartTimeSeconds: 30, forwardingPreserved: false }, restarted: true };
    const { sim, a, b } = startedPair(gr, { gracefulRestart: { restartTimeSeconds: 120, forwardingPreserved: true } });
    sim.run(100);
    expect(a.state.fsm).toBe('Established');
    expect(receivedOf(b, 'open')[0]?.capabilities).toContainEqual({
      kind: 'gracefulRestart', restartState: true, notification: false, restartTimeSeconds: 30,
      families: [{ afi: 1, safi: 1, forwardingState: false }, { afi: 2, safi: 1, forwardingState: false }],
    });
    expect(a.state.restarting).toBe(false);
  });

  test('without the peer\'s capability a planned stop sends Cease like any stop', () => {
    const { sim, a, b } = startedPair({ gracefulRestart: { restartTimeSeconds: 120, forwardingPreserved: true } });
    sim.run(100);
    sim.feed(a, { kind: 'ManualStop', graceful: true });
    sim.run(100);
    expect(receivedOf(b, 'notification')[0]).toMatchObject({ code: ERROR_CODE.CEASE, subcode: CEASE_SUBCODE.ADMINISTRATIVE_SHUTDOWN });
    expect(a.state.restarting).toBe(false);
  });
});

describe('declarative advertisements over a live session', () => {
  test('set before Established: sent once Established, then End-of-RIB', () => {
    const { sim, a, b } = startedPair();
    sim.feed(a, { kind: 'SetAdvertisements', advertisements: [adv('198.51.100.1/32', { communities: [0xfde80001] }), adv('2001:db8::1/128')] });
    expect(actionsOf(a, 'sendUpdates')).toEqual([]); // not Established: only remembered
    sim.run(100);
    const updates = accepted(b);
    expect(updates).toHaveLength(4);
    const v4 = updates[0];
    expect(v4?.nlri).toEqual(['198.51.100.1/32']);
    expect(v4?.pathAttributes).toEqual([
      { kind: 'origin', origin: 0 },
      { kind: 'asPath', segments: [{ type: 2, asns: [64512] }] }, // eBGP: our AS prepended
      { kind: 'communities', communities: [0xfde80001] },
      { kind: 'nextHop', nextHop: '192.0.2.1' },
    ]);
    expect(reached(updates[1] as UpdateMessage)).toEqual(['2001:db8::1/128']);
    expect(updates.slice(2).every(isEndOfRib)).toBe(true);
  });

  test('changes after Established send exactly the withdrawals and the changed announcements', () => {
    const { sim, a, b } = startedPair();
    sim.feed(a, { kind: 'SetAdvertisements', advertisements: [adv('198.51.100.1/32'), adv('198.51.100.2/32'), adv('198.51.100.3/32')] });
    sim.run(100);
    b.received.length = 0;
    sim.feed(a, { kind: 'SetAdvertisements', advertisements: [adv('198.51.100.1/32'), adv('198.51.100.3/32', { communities: [7] }), adv('198.51.100.4/32')] });
    sim.run(100);
    const updates = accepted(b);
    expect(updates.flatMap(withdrawnBy)).toEqual(['198.51.100.2/32']);
    expect(updates.flatMap(reached).sort()).toEqual(['198.51.100.3/32', '198.51.100.4/32']);
    const changed = updates.find((u) => u.nlri.includes('198.51.100.3/32'));
    expect(changed?.pathAttributes).toContainEqual({ kind: 'communities', communities: [7] });
    // The same set again sends nothing.
    b.received.length = 0;
    sim.feed(a, { kind: 'SetAdvertisements', advertisements: [adv('198.51.100.4/32'), adv('198.51.100.3/32', { communities: [7] }), adv('198.51.100.1/32')] });
    sim.run(100);
    expect(receivedOf(b, 'update')).toEqual([]);
  });

  test('iBGP: LOCAL_PREF sent, no AS prepended', () => {
    const { sim, a, b } = startedPair({ peerAsn: { kind: 'fixed', asn: 64512 } }, { localAsn: 64512 });
    sim.feed(a, { kind: 'SetAdvertisements', advertisements: [adv('198.51.100.1/32', { localPref: 200 })] });
    sim.run(100);
    expect(accepted(b)[0]?.pathAttributes).toEqual([
      { kind: 'origin', origin: 0 },
      { kind: 'asPath', segments: [] },
      { kind: 'localPref', localPref: 200 },
      { kind: 'nextHop', nextHop: '192.0.2.1' },
    ]);
  });

  test('a peer that offers IPv4 alone is sent the IPv4 advertisements alone, and they alone count as advertised', () => {
    const { sim, a, b } = startedPair({}, { families: [4] });
    sim.feed(a, { kind: 'SetAdvertisements', advertisements: [adv('198.51.100.1/32'), adv('2001:db8::1/128')] });
    sim.run(100);
    expect(a.state.negotiated?.families).toEqual([4]);
    expect(accepted(b).flatMap(reached)).toEqual(['198.51.100.1/32']);
    expect(advertisedPrefixes(a.state)).toEqual(['198.51.100.1/32']);
  });

  test('a ROUTE-REFRESH from the peer resends that family', () => {
    const { sim, a, b } = startedPair();
    sim.feed(a, { kind: 'SetAdvertisements', advertisements: [adv('198.51.100.1/32'), adv('2001:db8::1/128')] });
    sim.run(100);
    b.received.length = 0;
    sim.feed(a, { kind: 'RouteRefreshMsg', refresh: { type: 'routeRefresh', afi: 2, subtype: 0, safi: 1 } });
    sim.run(100);
    expect(accepted(b).flatMap(reached)).toEqual(['2001:db8::1/128']);
  });

  test('10 000 prefixes sharing attributes go out in the fewest UPDATEs that hold them', () => {
    const { sim, a, b } = startedPair();
    sim.run(100);
    b.received.length = 0;
    const prefixes = Array.from({ length: 10_000 }, (_, i) => `10.${i >> 8}.${i & 0xff}.0/32`);
    sim.feed(a, { kind: 'SetAdvertisements', advertisements: prefixes.map((p) => adv(p, { communities: [1, 2], largeCommunities: [{ globalAdministrator: 64512, localData1: 1, localData2: 2 }] })) });
    sim.run(100);
    const updates = accepted(b);
    expect(updates.flatMap(reached).sort()).toEqual([...prefixes].sort());
    // Header 19 + lengths 4 + attributes: ORIGIN 4, AS_PATH 9, COMMUNITIES 11, LARGE 15, NEXT_HOP 7 = 46; 5 octets per /32.
    const perUpdate = Math.floor((4096 - 19 - 4 - 46) / 5);
    expect(updates).toHaveLength(Math.ceil(10_000 / perUpdate));
    expect(actionsOf(a, 'sendUpdates')[0]).toMatchObject({ announced: 10_000, withdrawn: 0 });
  });
});
