import fc from 'fast-check';
import { step, type MembershipAction, type MembershipEvent } from './step.js';
import type { Heartbeat } from './message.js';
import { initialState, aliveSet, quorumOf, nextWakeMs, settlingOf, type MembershipState } from './state.js';
import { COLD_START_WINDOW_MS, DEFAULT_SETTLE_MS } from './defaults.js';
import { WALL, beat, changes, drops, received, run, sends, settled, start } from './step.fixture.js';

describe('membership step: start', () => {
  it('beats every peer at once and has no quorum until it has heard them', () => {
    const s = start();
    expect(quorumOf(s, 0)).toMatchObject({ quorum: false, reason: 'starting' });
    const r = step(s, { kind: 'tick' }, 0);
    expect(sends(r.actions).map((m) => [m.to, m.type, m.nextWithinMs])).toEqual([['b', 'beat', 50], ['c', 'beat', 50]]);
    expect(sends(r.actions).map((m) => m.sequence)).toEqual([1, 2]);
  });

  it('reports quorum once every peer is heard', () => {
    const { actions, state } = run(start(), [[received(beat('b', 1)), 10], [received(beat('c', 1)), 12]]);
    expect(changes(actions)).toEqual([['a', 'b'], ['a', 'b', 'c']]);
    expect(quorumOf(state, 12)).toMatchObject({ quorum: true, reason: 'majority' });
  });

  it('ends the start grace after deadAfter slow intervals; silent peers are then dead', () => {
    const { state } = run(start(), [[received(beat('b', 1, { nextWithinMs: 1000 })), 10], [{ kind: 'tick' }, 3999]]);
    expect(quorumOf(state, 3999).reason).toBe('starting');
    const after = step(state, { kind: 'tick' }, 4000);
    expect(state.peers.get('c')?.status).toBe('pending');
    expect(after.state.peers.get('c')?.status).toBe('dead');
    expect(after.actions.find((a) => a.kind === 'aliveChanged')).toMatchObject({ quorum: { quorum: true, reason: 'majority' } });
  });
});

describe('membership step: failure detection', () => {
  it('declares a peer dead deadAfter promised intervals after its last beat, not before', () => {
    const s = settled();
    expect(step(s, { kind: 'tick' }, 10 + 4 * 50 - 1).state.peers.get('b')?.status).toBe('alive');
    const r = step(s, { kind: 'tick' }, 10 + 4 * 50);
    expect(changes(r.actions)).toEqual([['a']]); // b and c were heard at the same moment: both go
    expect(aliveSet(r.state)).toEqual(new Set(['a']));
  });

  it('keeps a peer alive for as long as its own promise says (a slow beat)', () => {
    const s = run(settled(), [[received(beat('b', 2, { nextWithinMs: 1000 })), 100], [received(beat('c', 2)), 100]]).state;
    const r = step(s, { kind: 'tick' }, 100 + 4 * 50);
    expect(aliveSet(r.state)).toEqual(new Set(['a', 'b']));
    expect(step(r.state, { kind: 'tick' }, 100 + 4 * 1000).state.peers.get('b')?.status).toBe('dead');
  });

  it('wakes the driver at the next deadline or due beat', () => {
    const s = step(settled(), { kind: 'tick' }, 10).state;
    // b and c came alive at 10 and were answered at once (due again at 60); their deadlines are at 210.
    expect(nextWakeMs(s)).toBe(60);
    const quiet = step(s, { kind: 'targetsChanged', fast: new Set() }, 10).state;
    expect(nextWakeMs(step(quiet, { kind: 'tick' }, 60).state)).toBe(210);
  });

  it('brings a dead peer back on its next beat and answers it at once', () => {
    const dead = step(settled(), { kind: 'tick' }, 500).state;
    const r = step(dead, received(beat('b', 2)), 600);
    expect(aliveSet(r.state).has('b')).toBe(true);
    expect(r.state.peers.get('b')?.nextSendAtMs).toBe(600);
  });
});

describe('membership step: silence counts only while listening (a flood, issue 12)', () => {
  // settled(): b and c heard at 10, so their deadlines are at 10 + 4 × 50 = 210.
  const behind = (sinceMs: number): MembershipEvent => ({ kind: 'behind', sinceMs });

  it('judges nobody while the driver is behind, however late it gets, and still sends the beats due', () => {
    const r = run(settled(), [[behind(100), 150], [behind(100), 400], [behind(100), 5000]]);
    expect(aliveSet(r.state)).toEqual(new Set(['a', 'b', 'c']));
    expect(changes(r.actions)).toEqual([]);
    expect(sends(r.actions).map((m) => m.to)).toEqual(expect.arrayContaining(['b', 'c']));
  });

  it('on catching up, gives each peer back the deaf time after its last beat, so one heard meanwhile keeps living', () => {
    // Deaf from 100 to 400; b's beat got through at 300 (deadline 500), c's did not.
    const s = run(settled(), [[behind(100), 150], [received(beat('b', 2)), 300], [behind(100), 400]]).state;
    const caughtUp = step(s, { kind: 'tick' }, 400);
    expect(aliveSet(caughtUp.state)).toEqual(new Set(['a', 'b', 'c']));
    // c: 210 + (400 − 100) = 510; b: 500 + (400 − 300) = 600.
    expect(caughtUp.state.peers.get('c')?.deadlineMs).toBe(510);
    expect(caughtUp.state.peers.get('b')?.deadlineMs).toBe(600);
    expect(caughtUp.state.deafSinceMs).toBeUndefined();
  });

  it('still declares a really dead peer dead, one dead time of listening after its last beat', () => {
    const s = run(settled(), [[behind(100), 150], [{ kind: 'tick' }, 400]]).state; // c deadline 510
    expect(step(s, { kind: 'tick' }, 509).state.peers.get('c')?.status).toBe('alive');
    expect(changes(step(s, { kind: 'tick' }, 510).actions)).toEqual([['a']]);
  });

  it('counts the deafness from the earliest time any report gave', () => {
    const s = run(settled(), [[behind(180), 190], [behind(120), 200], [behind(150), 300]]).state;
    expect(s.deafSinceMs).toBe(120);
  });

  it('without it, a tick after the same gap would have declared both peers dead (the old flapping)', () => {
    expect(changes(step(settled(), { kind: 'tick' }, 400).actions)).toEqual([['a']]);
  });

  it('extends the start grace by the deaf time too', () => {
    const s = run(start(), [[behind(1000), 1000], [{ kind: 'tick' }, 3000]]).state;
    expect(s.startingUntilMs).toBe(4000 + 2000);
    expect(quorumOf(s, 5000).reason).toBe('starting');
  });

  it('gives peers never heard yet (pending) their deaf time too: deafness at start declares nobody dead', () => {
    const s = run(start(), [[behind(1000), 1000], [{ kind: 'tick' }, 3000]]).state;
    expect([s.peers.get('b')?.deadlineMs, s.peers.get('c')?.deadlineMs]).toEqual([6000, 6000]);
    expect(step(s, { kind: 'tick' }, 5999).state.peers.get('b')?.status).toBe('pending');
  });

  it('leaves a start grace that had ended before the deafness began as it was', () => {
    const ended = run(start(), [[{ kind: 'tick' }, 4000], [behind(4000), 4000], [{ kind: 'tick' }, 6000]]).state;
    expect(ended.startingUntilMs).toBe(4000);
  });
});

describe('membership step: goodbye', () => {
  it('marks the sender gone at once and stops counting it for quorum', () => {
    const r = step(settled(), received({ ...beat('b', 2), type: 'goodbye', nextWithinMs: 0 }), 20);
    expect(changes(r.actions)).toEqual([['a', 'c']]);
    expect(quorumOf(r.state, 20)).toMatchObject({ quorum: true, known: 2, heard: 2 });
  });

  it('lets a node that said goodbye and a node that crashed leave the survivor serving', () => {
    const s = run(settled(), [[received({ ...beat('b', 2), type: 'goodbye' }), 20], [{ kind: 'tick' }, 1000]]).state;
    expect(quorumOf(s, 1000)).toMatchObject({ quorum: true, reason: 'half', heard: 1, known: 2 });
  });

  it('says goodbye to every peer on leave, then goes quiet and gives up quorum', () => {
    const r = step(settled(), { kind: 'leave' }, 30);
    expect(sends(r.actions).map((m) => [m.to, m.type])).toEqual([['b', 'goodbye'], ['c', 'goodbye']]);
    expect(r.actions.at(-1)).toMatchObject({ kind: 'aliveChanged', quorum: { quorum: false } });
    expect(step(r.state, { kind: 'tick' }, 1000).actions).toEqual([]);
    expect(nextWakeMs(r.state)).toBeUndefined();
  });
});

describe('membership step: replay and forgery', () => {
  it('refuses a replayed beat and a replayed goodbye (same incarnation, old sequence)', () => {
    const s = run(settled(), [[received(beat('b', 5)), 20]]).state;
    for (const m of [beat('b', 5), beat('b', 3), { ...beat('b', 4), type: 'goodbye' as const }]) {
      const r = step(s, received(m), 30);
      expect(drops(r.actions)).toEqual(['replay']);
      expect(r.state.peers.get('b')).toEqual(s.peers.get('b'));
      expect(r.state.counters.dropped.replay).toBe(1);
    }
  });

  it('accepts a restart (new incarnation, fresh send time) and then refuses the old incarnation', () => {
    const s = run(settled(), [[received(beat('b', 900)), 20], [received(beat('b', 1, { incarnation: 0xb2n })), 30]]).state;
    expect(s.peers.get('b')).toMatchObject({ incarnation: 0xb2n, lastSequence: 1, status: 'alive' });
    const r = step(s, received({ ...beat('b', 901), type: 'goodbye' }), 40);
    expect(drops(r.actions)).toEqual(['replay']);
    expect(aliveSet(r.state).has('b')).toBe(true);
  });

  it('refuses a message from an unknown incarnation sent long ago (an old boot replayed)', () => {
    const old = { ...beat('b', 1, { incarnation: 0x01dn, sendTimeMs: WALL - 60_000 }), type: 'goodbye' as const };
    const r = step(settled(), received(old), 40);
    expect(drops(r.actions)).toEqual(['stale']);
    expect(aliveSet(r.state).has('b')).toBe(true);
  });

  it.each([
    ['addressed to another node', { to: 'c' }, 'notForUs'],
    ['in our own name', { from: 'a' }, 'fromSelf'],
    ['from a node not configured', { from: 'mallory' }, 'unknownPeer'],
  ])('refuses a message %s', (_name, patch, reason) => {
    const r = step(settled(), received({ ...beat('b', 9), ...patch }), 40);
    expect(drops(r.actions)).toEqual([reason]);
    expect(aliveSet(r.state)).toEqual(aliveSet(settled()));
  });

  it('refuses every message a second time, whatever the order they came in', () => {
    const message = fc.record({
      incarnation: fc.constantFrom(0xb1n, 0xb2n, 0xb3n),
      sequence: fc.nat({ max: 20 }),
      type: fc.constantFrom('beat' as const, 'goodbye' as const),
    });
    fc.assert(fc.property(fc.array(message, { maxLength: 25 }), (ms) => {
      let s = settled();
      const accepted: Heartbeat[] = [];
      ms.forEach((m, i) => {
        const hb = beat('b', m.sequence, m);
        const r = step(s, received(hb), 20 + i);
        if (drops(r.actions).length === 0) accepted.push(hb);
        s = r.state;
      });
      for (const hb of accepted) {
        const r = step(s, received(hb), 100);
        expect(drops(r.actions)).toEqual(['replay']);
        expect(r.state.peers).toEqual(s.peers);
      }
    }));
  });
});

describe('membership step: cheap mesh', () => {
  it('beats fast targets every interval and the others every slow interval, promising each its own rate', () => {
    let s = step(settled(), { kind: 'targetsChanged', fast: new Set(['b']) }, 10).state;
    const sent: [number, string, number][] = [];
    for (let t = 10; t <= 2100; t += 10) {
      const r = step(s, { kind: 'tick' }, t);
      s = r.state;
      for (const m of sends(r.actions)) sent.push([t, m.to, m.nextWithinMs]);
    }
    const toB = sent.filter(([, to]) => to === 'b');
    const toC = sent.filter(([, to]) => to === 'c');
    expect(toB.length).toBeGreaterThanOrEqual(40);
    expect(toC.length).toBeLessThanOrEqual(3);
    expect(new Set(toC.slice(1).map(([, , p]) => p))).toEqual(new Set([1000]));
    // every gap keeps the promise made in the previous beat
    for (const list of [toB, toC]) {
      for (let i = 1; i < list.length; i++) expect(list[i]![0] - list[i - 1]![0]).toBeLessThanOrEqual(list[i - 1]![2]);
    }
  });

  it('beats a newly promoted peer at once', () => {
    const s = run(settled(), [[{ kind: 'targetsChanged', fast: new Set(['b']) }, 10], [{ kind: 'tick' }, 60]]).state;
    const r = step(s, { kind: 'targetsChanged', fast: new Set(['b', 'c']) }, 100);
    expect(sends(r.actions).map((m) => [m.to, m.nextWithinMs])).toContainEqual(['c', 50]);
  });
});

describe('membership step: peers change', () => {
  it('adds new peers as pending and beats them at once; forgets removed ones', () => {
    const r = step(settled(), { kind: 'peersChanged', peers: ['a', 'b', 'd'] }, 50);
    expect([...r.state.peers.keys()].sort()).toEqual(['b', 'd']);
    expect(r.state.peers.get('d')?.status).toBe('pending');
    expect(sends(r.actions).map((m) => m.to)).toContain('d');
    expect(changes(r.actions)).toEqual([['a', 'b']]);
  });

  it('a peer added within the start grace of a node that has heard everyone leaves it serving (a rolling update: the next node\'s Lease back)', () => {
    const s = settled(); // every peer heard at 10, well inside the 4 s start grace
    expect(quorumOf(s, 10)).toMatchObject({ quorum: true, reason: 'majority' });
    const r = step(s, { kind: 'peersChanged', peers: ['a', 'b', 'c', 'd'] }, 50);
    expect(r.state.peers.get('d')?.status).toBe('pending');
    expect(quorumOf(r.state, 50)).toMatchObject({ quorum: true, reason: 'majority', heard: 3, known: 4 });
  });

  it('a node still starting stays starting when a peer is added, also one that started without peers', () => {
    const s = run(start(), [[received(beat('b', 1)), 10]]).state; // c not heard yet
    expect(quorumOf(step(s, { kind: 'peersChanged', peers: ['a', 'b', 'c', 'd'] }, 50).state, 50)).toMatchObject({ quorum: false, reason: 'starting' });
    const alone = start([]);
    expect(quorumOf(step(alone, { kind: 'peersChanged', peers: ['a', 'b'] }, 50).state, 50)).toMatchObject({ quorum: false, reason: 'starting' });
  });
});

describe('membership step: telling a peer it had been declared dead (a link flap)', () => {
  const rejoins = (actions: MembershipAction[]) => actions.flatMap((a) => (a.kind === 'rejoined' ? [[a.by, a.timesDeclaredDead]] : []));

  it('counts a death after a life in the beats it sends the peer, and not a pending peer that never showed up', () => {
    const dead = step(settled(), { kind: 'tick' }, 500).state;
    expect(dead.peers.get('b')?.timesDeclaredDead).toBe(1);
    const back = step(dead, received(beat('b', 2)), 600);
    const [toB] = sends(step(back.state, { kind: 'tick' }, 600).actions).filter((m) => m.to === 'b');
    expect(toB).toMatchObject({ version: 2, timesDeclaredDead: 1 });
    const neverHeard = step(start(), { kind: 'tick' }, 10_000).state;
    expect(neverHeard.peers.get('b')).toMatchObject({ status: 'dead', timesDeclaredDead: 0 });
  });

  it('says rejoined once when a peer\'s count goes up, and not again for the same count', () => {
    const r = run(settled(), [[received(beat('b', 2, { timesDeclaredDead: 1 })), 20], [received(beat('b', 3, { timesDeclaredDead: 1 })), 30]]);
    expect(rejoins(r.actions)).toEqual([['b', 1]]);
    expect(rejoins(step(r.state, received(beat('b', 4, { timesDeclaredDead: 2 })), 40).actions)).toEqual([['b', 2]]);
  });

  it('still says it when the first beat carrying the count was lost (the next one carries it too)', () => {
    const r = run(settled(), [[received(beat('b', 2)), 20], [received(beat('b', 9, { timesDeclaredDead: 1 })), 1000]]);
    expect(rejoins(r.actions)).toEqual([['b', 1]]);
  });

  it('takes a new incarnation\'s count as it stands: a restarted peer is no flap to repair', () => {
    const r = step(settled(), received(beat('b', 1, { incarnation: 0xb2n, timesDeclaredDead: 4 })), 20);
    expect(rejoins(r.actions)).toEqual([]);
    expect(r.state.peers.get('b')).toMatchObject({ timesItDeclaredUsDead: 4, timesDeclaredDead: 0 });
  });

  it('cannot be made to say it by a replayed beat', () => {
    const s = run(settled(), [[received(beat('b', 5)), 20]]).state;
    const r = step(s, received(beat('b', 5, { timesDeclaredDead: 7 })), 30);
    expect(drops(r.actions)).toEqual(['replay']);
    expect(rejoins(r.actions)).toEqual([]);
  });

  it('writes to each peer the version it last spoke (1: no count, 2: no uptime, 3: no ping), and version 4 to a peer not heard yet', () => {
    const s = run(start(), [[received(beat('b', 1, { version: 1 })), 10], [received(beat('c', 1)), 10], [{ kind: 'tick' }, 500]]).state;
    expect(s.peers.get('b')).toMatchObject({ status: 'dead', timesDeclaredDead: 1 });
    const r = run(s, [[received(beat('b', 2, { version: 1 })), 600], [received(beat('c', 2)), 600], [{ kind: 'tick' }, 600]]);
    expect(sends(r.actions).map((m) => [m.to, m.version, m.timesDeclaredDead])).toEqual([['b', 1, 0], ['c', 2, 1]]);
    expect(sends(step(start(), { kind: 'tick' }, 0).actions).map((m) => m.version)).toEqual([4, 4]);
    const heardV3 = run(start(), [[received(beat('b', 1, { version: 3 })), 10], [{ kind: 'tick' }, 20]]);
    expect(sends(heardV3.actions).map((m) => [m.to, m.version])).toEqual([['b', 3], ['c', 4]]);
  });

  it('gives every peer the same answer whatever order a flap\'s beats arrive in (property)', () => {
    fc.assert(fc.property(fc.array(fc.nat({ max: 5 }), { minLength: 1, maxLength: 12 }), (counts) => {
      const events = counts.map((c, i): [MembershipEvent, number] => [received(beat('b', i + 2, { timesDeclaredDead: c })), 20 + i]);
      const r = run(settled(), events);
      // One rejoined per new high of the count, in arrival order.
      let high = 0;
      const expected: [string, number][] = [];
      for (const c of counts) if (c > high) { high = c; expected.push(['b', c]); }
      expect(rejoins(r.actions)).toEqual(expected);
    }));
  });
});

describe('membership step: heartbeat keys that differ (key-mismatch.ts)', () => {
  // Default rule: 3 failures over 1.5 s (1.5 slow intervals), forgotten 4 s after the last one.
  const unreadable = (from: string): MembershipEvent => ({ kind: 'unauthenticated', from });
  const keyReports = (actions: MembershipAction[]) => actions.flatMap((a) => (a.kind === 'keyMismatchChanged' ? [a.mismatched.map((m) => m.peer)] : []));
  /** Two nodes, a and b, with different keys: b's slow beats fail the MAC at 0, 1000, 2000 ms. */
  const mismatched = (): { state: MembershipState; actions: MembershipAction[] } =>
    run(start(['b']), [[{ kind: 'tick' }, 0], [unreadable('b'), 0], [unreadable('b'), 1000], [unreadable('b'), 2000]]);

  it('reports the peer once the rule holds, and withholds quorum although 1 of 2 would be "half"', () => {
    const { state, actions } = mismatched();
    expect(keyReports(actions)).toEqual([['b']]);
    expect(quorumOf(state, 2000)).toEqual({ quorum: false, reason: 'keyMismatch', heard: 1, known: 2 });
    // After the start grace, without the failures, the same silence would be a dead peer and quorum by "half".
    const silent = step(start(['b']), { kind: 'tick' }, 4000).state;
    expect(quorumOf(silent, 4000)).toMatchObject({ quorum: true, reason: 'half' });
    expect(quorumOf(step(state, { kind: 'tick' }, 4000).state, 4000)).toMatchObject({ quorum: false, reason: 'keyMismatch' });
  });

  it('reports a change only: more failures from the same peer say nothing new', () => {
    const { state } = mismatched();
    const r = run(state, [[unreadable('b'), 3000], [{ kind: 'tick' }, 3500], [unreadable('b'), 4000]]);
    expect(keyReports(r.actions)).toEqual([]);
  });

  it('clears on the first authenticated beat from that peer, and quorum follows', () => {
    const { state } = mismatched();
    const r = step(state, received(beat('b', 1)), 2500);
    expect(keyReports(r.actions)).toEqual([[]]);
    expect(r.state.keyEvidence.size).toBe(0);
    expect(quorumOf(r.state, 2500)).toMatchObject({ quorum: true, reason: 'majority' });
    // The report comes before the quorum change it explains.
    expect(r.actions.filter((a) => a.kind !== 'send').map((a) => a.kind)).toEqual(['keyMismatchChanged', 'aliveChanged']);
  });

  it('forgets a peer that stopped sending once the quiet time passed (on a tick)', () => {
    const { state } = mismatched();
    expect(keyReports(step(state, { kind: 'tick' }, 6000).actions)).toEqual([]);
    const r = step(state, { kind: 'tick' }, 6001);
    expect(keyReports(r.actions)).toEqual([[]]);
    expect(quorumOf(r.state, 6001)).toMatchObject({ quorum: true, reason: 'half' });
  });

  it('forgets a peer removed from the configuration', () => {
    const { state } = mismatched();
    const r = step(state, { kind: 'peersChanged', peers: ['c'] }, 2100);
    expect(keyReports(r.actions)).toEqual([[]]);
    expect(r.state.keyEvidence.size).toBe(0);
  });

  it('ignores failures in the name of a peer that is alive (forgeries from its address); counts them once it is dead', () => {
    // b and c heard at 10 with a 50 ms promise: alive until 210.
    const forged = run(settled(), [[unreadable('b'), 20], [unreadable('b'), 100], [unreadable('b'), 200]]);
    expect(forged.state.keyEvidence.size).toBe(0);
    const changedKey = run(settled(), [[{ kind: 'tick' }, 210], [unreadable('b'), 300], [unreadable('b'), 1000], [unreadable('b'), 1800]]);
    expect(keyReports(changedKey.actions)).toEqual([['b']]);
  });

  it('ignores failures in the name of a node that is not a peer, and everything once leaving', () => {
    expect(run(start(['b']), [[unreadable('z'), 0], [unreadable('z'), 1000], [unreadable('z'), 2000]]).state.keyEvidence.size).toBe(0);
    const leaving = step(start(['b']), { kind: 'leave' }, 0).state;
    expect(step(leaving, unreadable('b'), 10).state.keyEvidence.size).toBe(0);
    // A speaker that is stopping reports no change either (here the quiet time would have cleared b).
    expect(keyReports(step(mismatched().state, { kind: 'leave' }, 6001).actions)).toEqual([]);
  });

  it('with three nodes, the odd one out reports both others and withdraws; the two that agree keep quorum', () => {
    const failing = (from: string[]): [MembershipEvent, number][] => [0, 1000, 2000].flatMap((t) => from.map((f): [MembershipEvent, number] => [unreadable(f), t]));
    const odd = run(start(['b', 'c']), failing(['b', 'c']));
    expect(keyReports(odd.actions)).toEqual([['b'], ['b', 'c']]);
    expect(quorumOf(odd.state, 2000)).toMatchObject({ quorum: false, reason: 'keyMismatch' });
    // a hears b (slow beats); c changed its key: dead at 210, and its beats fail from then on.
    const slowB = (seq: number) => received(beat('b', seq, { nextWithinMs: 1000 }));
    const agreeing = run(settled(), [[slowB(2), 100], [{ kind: 'tick' }, 300], [unreadable('c'), 320], [slowB(3), 1100], [unreadable('c'), 1320],
      [slowB(4), 2100], [unreadable('c'), 2320]]);
    expect(keyReports(agreeing.actions)).toEqual([['c']]);
    expect(quorumOf(agreeing.state, 2320)).toMatchObject({ quorum: true, reason: 'majority' });
  });
});

describe('membership step: settling (a speaker that joins a running mesh is not elected owner at once)', () => {
  /** A version 3 beat from a peer that has run `uptimeMs` (a minute: it ran long before a started at 0). */
  const v3 = (from: string, sequence: number, uptimeMs = 60_000): Heartbeat => beat(from, sequence, { version: 3, uptimeMs });
  const settlingReports = (actions: MembershipAction[]) => actions.flatMap((a) => (a.kind === 'aliveChanged' ? [[...a.settling].sort()] : []));

  it('a restart into a running mesh: this node settles for settleMs from its start, then the loop is told', () => {
    const joined = run(start(), [[{ kind: 'tick' }, 0], [received(v3('b', 1)), 10], [received(v3('c', 1)), 12]]);
    expect(settlingOf(joined.state, 12)).toEqual(new Set(['a']));
    expect(nextWakeMs(joined.state)).toBeLessThanOrEqual(DEFAULT_SETTLE_MS);
    expect(settlingOf(joined.state, DEFAULT_SETTLE_MS - 1)).toEqual(new Set(['a']));
    const after = step(joined.state, { kind: 'tick' }, DEFAULT_SETTLE_MS);
    expect(settlingOf(after.state, DEFAULT_SETTLE_MS)).toEqual(new Set());
    expect(settlingReports(after.actions)).toEqual([[]]);
  });

  it('sees a peer that restarted into its mesh as settling, from the uptime it says, the same way', () => {
    // a started at 0; b has run too (a minute), then restarts at 60 000: a new incarnation, 5 ms old when heard.
    const running = run(start(['b']), [[received(v3('b', 1, 60_000)), 60_000]]).state;
    expect(settlingOf(running, 60_000)).toEqual(new Set());
    const restarted = step(running, received(beat('b', 1, { version: 3, uptimeMs: 5, incarnation: 0xb2n })), 60_005).state;
    expect(settlingOf(restarted, 60_005)).toEqual(new Set(['b']));
    expect(nextWakeMs(restarted)).toBeLessThanOrEqual(60_000 + DEFAULT_SETTLE_MS);
    const settled = step(restarted, { kind: 'tick' }, 60_000 + DEFAULT_SETTLE_MS);
    expect(settlingOf(settled.state, 60_000 + DEFAULT_SETTLE_MS)).toEqual(new Set());
    expect(settlingReports(settled.actions)).toEqual([[]]);
  });

  it('a cold start (every speaker began within COLD_START_WINDOW_MS of the earliest) settles nobody', () => {
    const cold = run(start(), [[{ kind: 'tick' }, 0], [received(v3('b', 1, 300)), 10], [received(v3('c', 1, 200)), 12]]);
    expect(settlingOf(cold.state, 12)).toEqual(new Set());
    // Staggered by a few seconds: still one start.
    const staggered = run(start(), [[received(v3('b', 1, COLD_START_WINDOW_MS - 100)), 10], [received(v3('c', 1, 200)), 12]]);
    expect(settlingOf(staggered.state, 12)).toEqual(new Set());
    const restart = run(start(), [[received(v3('b', 1, COLD_START_WINDOW_MS + 100)), 10], [received(v3('c', 1, 200)), 12]]);
    expect(settlingOf(restart.state, 12)).toEqual(new Set(['a']));
  });

  it('tells each peer its uptime, from this node\'s start', () => {
    const s = step(start(), { kind: 'tick' }, 0).state;
    expect(sends(step(s, { kind: 'tick' }, 1234).actions).map((m) => [m.to, m.version, m.uptimeMs])).toEqual([['b', 4, 1234], ['c', 4, 1234]]);
  });

  it('uses no settling while any alive peer speaks an older version (it would elect the newcomer at once)', () => {
    const s = run(start(), [[received(v3('b', 1)), 10], [received(beat('c', 1)), 12]]).state;
    expect(settlingOf(s, 12)).toEqual(new Set());
    expect(sends(step(s, { kind: 'tick' }, 100).actions).map((m) => [m.to, m.version, m.uptimeMs])).toEqual([['b', 3, 100], ['c', 2, 0]]);
  });

  it('settleMs 0 never settles', () => {
    const s = run(initialState({ self: 'a', incarnation: 0xaan, settleMs: 0 }, ['b'], 0), [[received(v3('b', 1)), 10]]).state;
    expect(settlingOf(s, 10)).toEqual(new Set());
  });
});
