// A death is judged in two steps (step.ts, the doubt): a silent peer is a suspect until enough other peers answer a
// ping, so a node cut off from the mesh, declaring its peers dead one by one, never takes the first one's IPs.
// The peers here speak version 4 (they answer pings) unless a test says otherwise.
import { step } from './step.js';
import { nextWakeMs, quorumOf, type MembershipState } from './state.js';
import { beat, changes, received, run, sends, start } from './step.fixture.js';

const v4 = { version: 4, uptimeMs: 60_000 } as const;
const pings = (r: { actions: Parameters<typeof sends>[0] }) => sends(r.actions).filter((m) => m.type === 'ping').map((m) => m.to);

/** b heard last at 10, c at `cHeardAt`, both promising fast beats (50 ms: dead at their last beat + 200). */
function heard(cHeardAt: number, cPromise = 50, version: 3 | 4 = 4): MembershipState {
  return run(start(), [
    [{ kind: 'tick' }, 0],
    [received(beat('b', 1, { ...v4, version })), 10],
    [received(beat('c', 1, { ...v4, version, nextWithinMs: cPromise })), cHeardAt],
  ]).state;
}

describe('membership doubt: a node cut off takes nobody\'s IPs', () => {
  it('keeps the first silent peer alive (a suspect) and pings the other; when that one falls silent too, both are dead and it has no quorum', () => {
    const first = step(heard(30), { kind: 'tick' }, 210);
    expect(first.state.peers.get('b')?.status).toBe('suspect');
    expect(changes(first.actions)).toEqual([]); // without the doubt: ['a', 'c'] with quorum, and b's IPs taken
    expect(pings(first)).toEqual(['c']);
    const second = step(first.state, { kind: 'tick' }, 230);
    expect(changes(second.actions)).toEqual([['a']]);
    expect(quorumOf(second.state, 230)).toMatchObject({ quorum: false, reason: 'minority' });
  });

  it('with a slow peer it cannot hear either, gives up after two fast intervals: the silent peer is dead and it has no quorum', () => {
    const s = heard(100, 1000); // c beats a slowly: its own deadline is 4 s away
    const suspect = step(s, { kind: 'tick' }, 210);
    expect(pings(suspect)).toEqual(['c']);
    expect(nextWakeMs(suspect.state)).toBeLessThanOrEqual(310);
    const again = step(suspect.state, { kind: 'tick' }, 260);
    expect(pings(again)).toEqual(['c']); // one ping lost is not the end
    const over = step(again.state, { kind: 'tick' }, 310);
    expect(changes(over.actions)).toEqual([['a', 'c']]);
    expect(quorumOf(over.state, 310)).toMatchObject({ quorum: false, reason: 'uncorroborated', heard: 2, known: 3 });
    const back = step(over.state, received(beat('c', 2, { ...v4, nextWithinMs: 1000 })), 400);
    expect(quorumOf(back.state, 400)).toMatchObject({ quorum: true, reason: 'majority' });
  });
});

describe('membership doubt: a real death costs one round trip', () => {
  it('an answer to the ping ends the doubt: the silent peer is dead, the others keep quorum', () => {
    const suspect = step(heard(150), { kind: 'tick' }, 210);
    const answered = step(suspect.state, received(beat('c', 2, v4)), 211);
    expect(changes(answered.actions)).toEqual([['a', 'c']]);
    expect(quorumOf(answered.state, 211)).toMatchObject({ quorum: true, reason: 'majority' });
    expect(answered.state.peers.get('b')).toMatchObject({ status: 'dead', timesDeclaredDead: 1 });
  });

  it('a beat that left before the silence began is no answer', () => {
    const suspect = step(heard(150), { kind: 'tick' }, 210);
    expect(changes(step(suspect.state, { kind: 'tick' }, 211).actions)).toEqual([]);
  });

  it('a suspect heard again was never dead: nothing moves and it is not told it died', () => {
    const suspect = step(heard(150), { kind: 'tick' }, 210);
    const back = run(suspect.state, [[received(beat('b', 2, v4)), 212], [received(beat('c', 2, v4)), 213]]);
    expect(changes(back.actions)).toEqual([]);
    expect(back.state.peers.get('b')).toMatchObject({ status: 'alive', timesDeclaredDead: 0 });
    expect(back.state.doubtSinceMs).toBeUndefined();
  });

  it('peers of an older build cannot be pinged: they count by their deadlines, as before', () => {
    const r = step(heard(150, 50, 3), { kind: 'tick' }, 210);
    expect(pings(r)).toEqual([]);
    expect(changes(r.actions)).toEqual([['a', 'c']]);
  });

  it('two nodes: the survivor alone holds half, so the other is dead at once', () => {
    const s = run(start(['b']), [[{ kind: 'tick' }, 0], [received(beat('b', 1, v4)), 10]]).state;
    const r = step(s, { kind: 'tick' }, 210);
    expect(changes(r.actions)).toEqual([['a']]);
    expect(quorumOf(r.state, 210)).toMatchObject({ quorum: true, reason: 'half' });
  });
});

describe('membership doubt: answering a ping', () => {
  it('a ping is a beat that gets one back at once', () => {
    const s = step(heard(30), { kind: 'tick' }, 90).state; // every beat owed so far sent
    expect(nextWakeMs(s)).toBeGreaterThan(100);
    const pinged = step(s, received(beat('b', 2, { ...v4, type: 'ping' })), 100);
    expect(pinged.state.peers.get('b')?.deadlineMs).toBe(300);
    expect(nextWakeMs(pinged.state)).toBe(100);
    expect(sends(step(pinged.state, { kind: 'tick' }, 100).actions).map((m) => [m.to, m.type])).toEqual([['b', 'beat']]);
  });
});
