// The membership core's guards: configuration it refuses, values the heartbeat cannot carry, and the bookkeeping
// of a step that peers and metrics rely on (sequence numbers, counters, who is alive once this node leaves).
import { decodeHeartbeat, encodeHeartbeat, type Heartbeat } from './message.js';
import { initialState, aliveSet, knownSet, type MembershipConfigInput } from './state.js';
import type { MembershipAction } from './step.js';
import { run } from './step.fixture.js';

const WALL = 1_700_000_000_000;

describe('configuration', () => {
  const base: MembershipConfigInput = { self: 'a', incarnation: 1n };
  it.each([
    ['intervalMs 0', { intervalMs: 0 }, 'membership intervalMs must be > 0, got 0'],
    ['intervalMs infinite', { intervalMs: Infinity }, 'membership intervalMs must be > 0, got Infinity'],
    ['slowIntervalMs negative', { slowIntervalMs: -5 }, 'membership slowIntervalMs must be > 0, got -5'],
    ['maxClockSkewMs 0', { maxClockSkewMs: 0 }, 'membership maxClockSkewMs must be > 0, got 0'],
    ['deadAfter 0', { deadAfter: 0 }, 'membership deadAfter must be an integer >= 1, got 0'],
    ['deadAfter 1.5', { deadAfter: 1.5 }, 'membership deadAfter must be an integer >= 1, got 1.5'],
    ['slow beats faster than fast ones', { intervalMs: 100, slowIntervalMs: 99 }, 'membership slowIntervalMs 99 < intervalMs 100'],
    ['an empty own name', { self: '' }, 'membership self name is empty'],
  ])('refuses %s', (_story, change, message) => {
    expect(() => initialState({ ...base, ...change }, ['b'], 0)).toThrow(new RangeError(message));
  });

  it('accepts the smallest values that make sense: deadAfter 1, slow interval equal to the fast one', () => {
    expect(() => initialState({ ...base, deadAfter: 1, intervalMs: 100, slowIntervalMs: 100, maxClockSkewMs: 1 }, ['b'], 0)).not.toThrow();
  });

  it('never counts itself among its peers, even when the peer list names it', () => {
    expect([...knownSet(initialState(base, ['a', 'b'], 0))].sort()).toEqual(['a', 'b']);
    expect([...initialState(base, ['a', 'b'], 0).peers.keys()]).toEqual(['b']);
  });
});

describe('what a heartbeat can carry', () => {
  const sample: Heartbeat = {
    version: 2, uptimeMs: 0, type: 'beat', from: 'node-a', to: 'node-b', incarnation: 7n, sequence: 1, sendTimeMs: WALL, nextWithinMs: 50, timesDeclaredDead: 0,
  };

  it.each([
    ['a negative sequence', { sequence: -1 }, /heartbeat sequence -1 is not a safe integer/],
    ['a sequence past 2^53', { sequence: 2 ** 53 }, /heartbeat sequence 9007199254740992 is not a safe integer/],
    ['a negative send time', { sendTimeMs: -1 }, /heartbeat sendTimeMs -1 is not a safe integer/],
    ['a fractional send time', { sendTimeMs: 1.5 }, /heartbeat sendTimeMs 1.5 is not a safe integer/],
    ['a 256-byte name', { to: 'x'.repeat(256) }, /heartbeat to "x+" is 256 bytes; must be 1\.\.255/],
  ])('refuses to write %s', (_story, change, message) => {
    expect(() => encodeHeartbeat({ ...sample, ...change })).toThrow(message);
  });

  it('carries the largest values it allows: sequence and send time 2^53 - 1, a 255-byte name', () => {
    const largest = { ...sample, sequence: Number.MAX_SAFE_INTEGER, sendTimeMs: Number.MAX_SAFE_INTEGER, from: 'y'.repeat(255) };
    expect(decodeHeartbeat(encodeHeartbeat(largest))).toEqual(largest);
  });

  it('refuses to read a sequence of 2^53, one past the largest it writes', () => {
    const bytes = encodeHeartbeat({ ...sample, sequence: Number.MAX_SAFE_INTEGER });
    bytes.set([0, 0x20, 0, 0, 0, 0, 0, 0], 12); // sequence, bytes 12..19: 2^53
    expect(() => decodeHeartbeat(bytes)).toThrow('heartbeat sequence 9007199254740992 exceeds 2^53');
  });
});

describe('step bookkeeping', () => {
  const config: MembershipConfigInput = { self: 'a', incarnation: 0xaan, maxClockSkewMs: 1000 };
  const beatFrom = (from: string, sequence: number, sendTimeMs = WALL): Heartbeat => ({
    version: 2, uptimeMs: 0, timesDeclaredDead: 0, type: 'beat', from, to: 'a', incarnation: 0xbbn, sequence, sendTimeMs, nextWithinMs: 50,
  });

  const sent = (actions: MembershipAction[]) => actions.flatMap((a) => (a.kind === 'send' ? [[a.message.to, a.message.type, a.message.sequence] as const] : []));

  it('numbers every message it sends, goodbyes after beats, and counts them', () => {
    const { state, actions } = run(initialState(config, ['b', 'c'], 0), [[{ kind: 'tick' }, 0], [{ kind: 'tick' }, 50], [{ kind: 'leave' }, 60]]);
    expect(sent(actions)).toEqual([
      ['b', 'beat', 1], ['c', 'beat', 2], ['b', 'beat', 3], ['c', 'beat', 4], ['b', 'goodbye', 5], ['c', 'goodbye', 6],
    ]);
    expect(state.counters.sent).toBe(6);
  });

  it('says goodbye once: a second leave and later ticks send nothing', () => {
    const { actions } = run(initialState(config, ['b'], 0), [[{ kind: 'leave' }, 0], [{ kind: 'leave' }, 1], [{ kind: 'tick' }, 100]]);
    expect(sent(actions)).toEqual([['b', 'goodbye', 1]]);
  });

  it('counts accepted messages', () => {
    const { state } = run(initialState(config, ['b'], 0), [
      [{ kind: 'received', message: beatFrom('b', 1), wallMs: WALL }, 10],
      [{ kind: 'received', message: beatFrom('b', 2), wallMs: WALL }, 20],
    ]);
    expect(state.counters.accepted).toBe(2);
  });

  it('accepts a first message sent exactly maxClockSkewMs ago, and drops one a millisecond older as stale', () => {
    const at = (sendTimeMs: number) => run(initialState(config, ['b'], 0), [[{ kind: 'received', message: beatFrom('b', 1, sendTimeMs), wallMs: WALL }, 10]]);
    expect(at(WALL - 1000).state.counters.accepted).toBe(1);
    expect(at(WALL - 1001).actions).toContainEqual(expect.objectContaining({ kind: 'dropped', reason: 'stale' }));
  });

  it('a peer promoted to fast beats gets one at once; a peer that stays fast, or stays slow, waits for its turn', () => {
    const { actions } = run(initialState(config, ['b', 'c'], 0), [
      [{ kind: 'tick' }, 0], // both beaten fast ('all'): next beats due at 50
      [{ kind: 'targetsChanged', fast: new Set(['b']) }, 10], // c demoted: nothing now
      [{ kind: 'targetsChanged', fast: new Set(['b']) }, 15], // no change: nothing now
      [{ kind: 'targetsChanged', fast: 'all' }, 20], // c promoted: beaten at once; b already fast
    ]);
    expect(sent(actions).map(([to]) => to)).toEqual(['b', 'c', 'c']);
  });

  it('once it leaves, it no longer counts itself alive: only the peers it still hears are', () => {
    const { state, actions } = run(initialState(config, ['b'], 0), [
      [{ kind: 'received', message: beatFrom('b', 1), wallMs: WALL }, 10],
      [{ kind: 'leave' }, 20],
    ]);
    expect([...aliveSet(state)]).toEqual(['b']);
    const last = actions.filter((a) => a.kind === 'aliveChanged').at(-1);
    expect(last?.kind === 'aliveChanged' && [...last.alive]).toEqual(['b']);
  });
});
