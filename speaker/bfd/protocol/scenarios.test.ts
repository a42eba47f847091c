// Two sessions wired to each other through the codec in a simulated clock (simulation.fixture.ts): the
// handshake, failure detection with its exact bound, Poll/Final, the Passive role and AdminDown.
import { jitterBoundsMs, type SessionConfig } from './index.js';
import { TwoSessions, type SideName } from './simulation.fixture.js';

/** 50 ms × 3 once Up, as the failover bench runs against BIRD. */
function config(localDiscriminator: number, overrides: Partial<SessionConfig> = {}): SessionConfig {
  return { localDiscriminator, desiredMinTxInterval: 50_000, requiredMinRxInterval: 50_000, detectMult: 3, passive: false, ...overrides };
}

function pair(seed: number, a: Partial<SessionConfig> = {}, b: Partial<SessionConfig> = {}): TwoSessions {
  return new TwoSessions().open('a', config(0xa, a), seed).open('b', config(0xb, b), seed * 7 + 1);
}

/** Gaps between a side's consecutive sends of periodic packets (F answers are extra) within [fromMs, toMs]. */
function periodicGaps(sim: TwoSessions, side: SideName, fromMs: number, toMs: number): number[] {
  const times = sim.sends(side).filter((s) => !s.packet.final && s.atMs >= fromMs && s.atMs <= toMs).map((s) => s.atMs);
  return times.slice(1).map((t, i) => t - times[i]!);
}

function expectGapsWithin(gaps: number[], interval: number, detectMult: number): void {
  const { shortest, longest } = jitterBoundsMs(interval, detectMult);
  expect(gaps.length).toBeGreaterThan(0);
  for (const gap of gaps) {
    expect(gap).toBeGreaterThanOrEqual(shortest - 1e-9);
    expect(gap).toBeLessThanOrEqual(longest + 1e-9);
  }
}

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

describe('the three-way handshake (RFC 5880 §6.2, §6.8.6)', () => {
  test.each(SEEDS)('two active sessions reach Up both ways and stay there (seed %i)', (seed) => {
    const sim = pair(seed).runUntil(10_000);
    for (const side of ['a', 'b'] as const) {
      expect(sim.session(side).sessionState).toBe('Up');
      expect(sim.actionsOf(side, 'sessionUp')).toHaveLength(1);
      expect(sim.actionsOf(side, 'sessionDown')).toHaveLength(0);
      // Down packets cross at once; each side's next periodic packet (at most 1 s later, §6.8.3) is Init.
      expect(sim.actionsOf(side, 'sessionUp')[0]!.atMs).toBeLessThan(2 * 1000 + 2 * 0.5);
      const path = sim.actionsOf(side, 'stateChanged').map((e) => e.action.to);
      expect([['Init', 'Up'], ['Up']]).toContainEqual(path);
    }
  });

  test('a session sends 1 s packets while not Up, and the 50 ms ones only once Up (§6.8.3)', () => {
    const sim = pair(3).runUntil(10_000);
    const upAt = sim.actionsOf('a', 'sessionUp')[0]!.atMs;
    for (const sent of sim.sends('a')) {
      const expected = sent.atMs < upAt ? 1_000_000 : 50_000;
      expect([sent.atMs, sent.packet.desiredMinTxInterval]).toEqual([sent.atMs, expected]);
    }
    expectGapsWithin(periodicGaps(sim, 'a', 5000, 10_000), 50, 3);
  });

  test('going Up lowers Desired Min TX through a Poll Sequence: P on periodic packets until F, never P and F together (§6.5)', () => {
    const sim = pair(4).runUntil(5000);
    for (const side of ['a', 'b'] as const) {
      const upAt = sim.actionsOf(side, 'sessionUp')[0]!.atMs;
      const polls = sim.sends(side).filter((s) => s.packet.poll);
      expect(polls.length).toBeGreaterThan(0);
      expect(polls.every((s) => s.atMs >= upAt && !s.packet.final)).toBe(true);
      expect(sim.session(side).pollSequence).toBe(false);
    }
  });

  test('one side started 2.5 s later still comes up both ways', () => {
    const sim = new TwoSessions().open('a', config(0xa), 1).runUntil(2500).open('b', config(0xb), 2).runUntil(8000);
    expect(sim.session('a').sessionState).toBe('Up');
    expect(sim.session('b').sessionState).toBe('Up');
  });
});

describe('failure detection (RFC 5880 §6.8.4)', () => {
  test.each(SEEDS.flatMap((seed) => [[seed, 3], [seed, 1]]))('a peer gone silent is declared Down a Detection Time after its last packet (seed %i, detect mult %i)', (seed, detectMult) => {
    const sim = pair(seed, {}, { detectMult }).runUntil(5000);
    const silentAt = 5000 + (seed * 37) % 50; // anywhere in B's transmit interval
    sim.runUntil(silentAt).silence('b').runUntil(8000);
    const down = sim.actionsOf('a', 'sessionDown');
    expect(down).toHaveLength(1);
    expect(down[0]!.action.diagnostic).toBe(1); // Control Detection Time Expired
    // Detection Time = B's Detect Mult × max(A's Required Min RX, B's Desired Min TX) = detectMult × 50 ms.
    const detectionTime = detectMult * 50;
    const lastHeard = sim.deliveries.filter((d) => d.to === 'a').at(-1)!.atMs;
    expect(down[0]!.atMs).toBe(lastHeard + detectionTime);
    // So the silence is noticed at most a Detection Time (plus the wire's delay) after it starts, and at
    // least that less B's longest jittered gap (its last packet left at most one gap before the silence).
    const { longest } = jitterBoundsMs(50, detectMult);
    expect(down[0]!.atMs - silentAt).toBeLessThanOrEqual(detectionTime + 0.5);
    expect(down[0]!.atMs - silentAt).toBeGreaterThan(detectionTime + 0.5 - longest);
  });

  test('after detecting, the session forgets the peer\'s discriminator, sends Down at 1 s, and comes back up when the peer restarts', () => {
    const sim = pair(5).runUntil(3000).silence('b').runUntil(6000);
    const downAt = sim.actionsOf('a', 'sessionDown')[0]!.atMs;
    const after = sim.sends('a').filter((s) => s.atMs > downAt);
    expect(after.every((s) => s.packet.state === 'Down' && s.packet.yourDiscriminator === 0 && s.packet.diagnostic === 1)).toBe(true);
    expectGapsWithin(periodicGaps(sim, 'a', downAt + 1000, 6000), 1000, 3);
    sim.open('b', config(0xbb), 9).runUntil(10_000);
    expect(sim.session('a').sessionState).toBe('Up');
    expect(sim.session('a').remoteDiscr).toBe(0xbb);
    expect(sim.session('a').localDiag).toBe(0);
  });

  test('a lost packet or two do not bring the session down, three in a row do', () => {
    let lost = 0;
    const sim = pair(6).runUntil(3000);
    sim.lose = (from) => from === 'b' && lost++ < 2;
    sim.runUntil(4000);
    expect(sim.actionsOf('a', 'sessionDown')).toHaveLength(0);
    lost = 0;
    sim.lose = (from) => from === 'b' && lost++ < 4;
    sim.runUntil(5000);
    expect(sim.actionsOf('a', 'sessionDown').map((e) => e.action.diagnostic)).toEqual([1]);
  });
});

describe('timer changes through Poll/Final (RFC 5880 §6.5, §6.8.3)', () => {
  function finalsTo(sim: TwoSessions, side: SideName, fromMs: number) {
    return sim.deliveries.filter((d) => d.to === side && d.packet.final && d.atMs > fromMs);
  }

  test('a raised Desired Min TX is announced with P at once but used only after F arrives', () => {
    const sim = pair(7).runUntil(3000);
    sim.inject('a', { kind: 'configure', timers: { desiredMinTxInterval: 200_000, requiredMinRxInterval: 50_000, detectMult: 3 } });
    // The first F is lost: the Poll goes on, and the old interval with it.
    let finalsLost = 0;
    sim.lose = (from, packet) => from === 'b' && packet.final && finalsLost++ < 1;
    sim.runUntil(5000);
    const finalAt = finalsTo(sim, 'a', 3000)[0]!.atMs;
    const polls = sim.sends('a').filter((s) => s.atMs >= 3000 && s.packet.poll);
    expect(polls.length).toBeGreaterThanOrEqual(2); // the one whose F was lost, and the next
    expect(polls.every((s) => s.packet.desiredMinTxInterval === 200_000 && s.atMs < finalAt)).toBe(true);
    // B answered each P at once, without waiting for its transmit timer (§6.8.7).
    const pollArrivals = sim.deliveries.filter((d) => d.to === 'b' && d.packet.poll && d.atMs > 3000).map((d) => d.atMs);
    const finalsSent = sim.sends('b').filter((s) => s.packet.final && s.atMs > 3000).map((s) => s.atMs);
    expect(finalsSent).toEqual(pollArrivals);
    expectGapsWithin(periodicGaps(sim, 'a', 3000, finalAt), 50, 3);
    expectGapsWithin(periodicGaps(sim, 'a', finalAt + 200, 5000), 200, 3);
    expect(sim.actionsOf('b', 'sessionDown')).toHaveLength(0);
    expect(sim.session('a').pollSequence).toBe(false);
  });

  test('a lowered Required Min RX keeps the longer Detection Time until F (§6.8.3)', () => {
    const sim = pair(8, { requiredMinRxInterval: 300_000 }).runUntil(3000);
    expect(sim.deliveries.filter((d) => d.to === 'a').at(-1)!.detectionTimeMsAfter).toBe(3 * 300);
    sim.inject('a', { kind: 'configure', timers: { desiredMinTxInterval: 50_000, requiredMinRxInterval: 50_000, detectMult: 3 } });
    sim.runUntil(5000);
    const toA = sim.deliveries.filter((d) => d.to === 'a' && d.atMs > 3000);
    const finalIndex = toA.findIndex((d) => d.packet.final);
    expect(finalIndex).toBeGreaterThanOrEqual(0);
    expect(toA.slice(0, finalIndex).every((d) => d.detectionTimeMsAfter === 900)).toBe(true);
    expect(toA.slice(finalIndex).every((d) => d.detectionTimeMsAfter === 150)).toBe(true);
    expect(sim.actionsOf('a', 'sessionDown')).toHaveLength(0);
  });

  test('a raised Required Min RX applies at once: the peer slows as soon as it reads P, and nobody times out', () => {
    const sim = pair(9).runUntil(3000);
    sim.inject('a', { kind: 'configure', timers: { desiredMinTxInterval: 50_000, requiredMinRxInterval: 500_000, detectMult: 3 } });
    sim.runUntil(8000);
    expect(sim.actionsOf('a', 'sessionDown')).toHaveLength(0);
    expect(sim.actionsOf('b', 'sessionDown')).toHaveLength(0);
    expectGapsWithin(periodicGaps(sim, 'b', 4000, 8000), 500, 3);
  });
});

describe('the Passive role (RFC 5880 §6.1)', () => {
  test.each(SEEDS.slice(0, 5))('a passive side sends nothing until it hears the peer, then comes up (seed %i)', (seed) => {
    const sim = new TwoSessions().open('b', config(0xb, { passive: true }), seed).runUntil(3000).open('a', config(0xa), seed + 1).runUntil(8000);
    const firstHeard = sim.deliveries.find((d) => d.to === 'b')!.atMs;
    expect(firstHeard).toBeGreaterThanOrEqual(3000);
    expect(sim.sends('b')[0]!.atMs).toBeGreaterThanOrEqual(firstHeard);
    expect(sim.session('a').sessionState).toBe('Up');
    expect(sim.session('b').sessionState).toBe('Up');
  });

  test('two passive sides never speak', () => {
    const sim = pair(1, { passive: true }, { passive: true }).runUntil(10_000);
    expect(sim.actionsOf('a', 'send')).toHaveLength(0);
    expect(sim.actionsOf('b', 'send')).toHaveLength(0);
    expect(sim.session('a').sessionState).toBe('Down');
  });

  test('a passive side falls silent again once the peer has been silent a Detection Time (its discriminator is forgotten)', () => {
    const sim = pair(2, {}, { passive: true }).runUntil(3000).silence('a').runUntil(6000);
    const downAt = sim.actionsOf('b', 'sessionDown')[0]!.atMs;
    expect(sim.sends('b').filter((s) => s.atMs > downAt)).toHaveLength(0);
    expect(sim.actionsOf('b', 'cancelTransmitTimer').at(-1)!.atMs).toBe(downAt);
  });
});

describe('AdminDown (RFC 5880 §6.8.16, §6.8.6)', () => {
  test('taking one side down brings the other Down with diagnostic 3; it tells the peer for a Detection Time, then comes back when enabled', () => {
    const sim = pair(11).runUntil(3000);
    sim.inject('a', { kind: 'adminDown' });
    expect(sim.actionsOf('a', 'sessionDown').map((e) => [e.atMs, e.action.diagnostic])).toEqual([[3000, 7]]);
    sim.runUntil(10_000);
    const bDown = sim.actionsOf('b', 'sessionDown');
    expect(bDown.map((e) => e.action.diagnostic)).toEqual([3]); // Neighbor Signaled Session Down
    expect(bDown[0]!.atMs).toBeLessThanOrEqual(3000 + 50 + 0.5); // A's next periodic packet said so
    expect(sim.session('b').sessionState).toBe('Down'); // never Init: AdminDown is not Down
    // A sent AdminDown packets for its Detect Mult × 1 s, and nothing after.
    const adminSends = sim.sends('a').filter((s) => s.atMs >= 3000);
    expect(adminSends.every((s) => s.packet.state === 'AdminDown' && s.packet.diagnostic === 7)).toBe(true);
    expect(adminSends.at(-1)!.atMs).toBeLessThan(3000 + 3 * 1000);
    expect(adminSends.length).toBeGreaterThanOrEqual(3);
    // B's Down packets reach A and are discarded.
    expect(sim.actionsOf('a', 'dropped').every((e) => e.action.reason === 'sessionAdminDown')).toBe(true);
    expect(sim.actionsOf('a', 'dropped').length).toBeGreaterThan(0);
    sim.inject('a', { kind: 'adminUp' }).runUntil(14_000);
    expect(sim.session('a').sessionState).toBe('Up');
    expect(sim.session('b').sessionState).toBe('Up');
  });
});
