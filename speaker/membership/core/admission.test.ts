import fc from 'fast-check';
import { admission } from './admission.js';
import type { Heartbeat } from './message.js';
import { initialState, type MembershipState } from './state.js';
import { step, type MembershipAction } from './step.js';

const WALL = 1_700_000_000_000;

function beat(from: string, sequence: number, extra: Partial<Heartbeat> = {}): Heartbeat {
  return { version: 2, uptimeMs: 0, timesDeclaredDead: 0, type: 'beat', from, to: 'a', incarnation: 0xb1n, sequence, sendTimeMs: WALL, nextWithinMs: 50, ...extra };
}

/** a knows b (incarnation 0xb1, last sequence 5, 0xb0 retired) and c (never heard). */
function known(): MembershipState {
  let s = initialState({ self: 'a', incarnation: 0xaan }, ['b', 'c'], 0);
  for (const m of [beat('b', 1, { incarnation: 0xb0n }), beat('b', 5)]) s = step(s, { kind: 'received', message: m, wallMs: WALL }, 10).state;
  return s;
}

const dropOf = (actions: MembershipAction[]) => actions.find((a) => a.kind === 'dropped')?.reason;

describe('admission: what is worth a MAC', () => {
  it.each([
    ['the next beat of b\'s current incarnation', beat('b', 6), { verify: 'continuation' }],
    ['a beat claiming b restarted', beat('b', 1, { incarnation: 0xb2n }), { verify: 'newIncarnation' }],
    ['the first beat from c', beat('c', 1, { incarnation: 0xc1n }), { verify: 'newIncarnation' }],
    ['a replayed beat of b', beat('b', 5), { drop: 'replay' }],
    ['a beat of b\'s retired incarnation', beat('b', 99, { incarnation: 0xb0n }), { drop: 'replay' }],
    ['a claimed restart sent an hour ago', beat('b', 1, { incarnation: 0xb2n, sendTimeMs: WALL - 3_600_000 }), { drop: 'stale' }],
    ['a beat for another node', beat('b', 6, { to: 'c' }), { drop: 'notForUs' }],
    ['a beat in our own name', beat('a', 6), { drop: 'fromSelf' }],
    ['a beat from a node not configured', beat('mallory', 1), { drop: 'unknownPeer' }],
  ])('%s', (_story, message, verdict) => {
    expect(admission(known(), message, WALL)).toMatchObject(verdict);
  });

  it('refuses exactly what step() refuses, for the same reason: checking before the MAC changes no outcome (property)', () => {
    const message = fc.record({
      from: fc.constantFrom('a', 'b', 'c', 'mallory'),
      to: fc.constantFrom('a', 'b'),
      incarnation: fc.constantFrom(0xb0n, 0xb1n, 0xb2n, 0xc1n),
      sequence: fc.nat({ max: 10 }),
      sendTimeMs: fc.constantFrom(WALL, WALL - 20_000, WALL + 5_000),
      type: fc.constantFrom('beat' as const, 'goodbye' as const),
    });
    fc.assert(fc.property(message, (m) => {
      const s = known();
      const hb = beat(m.from, m.sequence, m);
      const verdict = admission(s, hb, WALL);
      const stepped = dropOf(step(s, { kind: 'received', message: hb, wallMs: WALL }, 20).actions);
      expect('drop' in verdict ? verdict.drop : undefined).toBe(stepped);
    }));
  });

  it('admits nothing once the node is leaving', () => {
    const leaving = step(known(), { kind: 'leave' }, 20).state;
    expect(admission(leaving, beat('b', 6), WALL)).toMatchObject({ drop: 'leaving' });
  });
});
