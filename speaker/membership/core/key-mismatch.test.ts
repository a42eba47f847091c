import { DEFAULT_DEAD_AFTER, DEFAULT_SLOW_INTERVAL_MS } from './defaults.js';
import { keyMismatches, keyMismatchText, keyRuleFor, noteKeyEvent, type KeyEvent, type KeyEvidenceMap, type KeyRule } from './key-mismatch.js';

/** The default rule: 3 failures, lasting 1.5 s, the last at most 4 s ago. */
const RULE = keyRuleFor({ slowIntervalMs: DEFAULT_SLOW_INTERVAL_MS, deadAfter: DEFAULT_DEAD_AFTER });

const bad = (peer: string): KeyEvent => ({ kind: 'unauthenticated', peer });
const good = (peer: string): KeyEvent => ({ kind: 'authenticated', peer });

/** Feeds [atMs, event] in order; returns the evidence. */
function feed(events: [number, KeyEvent][], rule: KeyRule = RULE, from: KeyEvidenceMap = new Map()): KeyEvidenceMap {
  return events.reduce((evidence, [at, e]) => noteKeyEvent(evidence, e, at, rule), from);
}

/** The verdict as [peer, failed] pairs. */
const verdict = (events: [number, KeyEvent][], nowMs: number, rule: KeyRule = RULE) =>
  keyMismatches(feed(events, rule), nowMs, rule).map((m) => [m.peer, m.failed]);

describe('the key mismatch rule for the default intervals and budget', () => {
  it('is 3 failures over 1.5 slow intervals, forgotten after deadAfter slow intervals of quiet', () => {
    expect(RULE).toEqual({ minFailures: 3, windowMs: 1500, quietMs: 4000 });
  });

  it('stretches the quiet time when the budget lets fewer checks through than a slow beat a second', () => {
    expect(keyRuleFor({ slowIntervalMs: 100, deadAfter: 3 }, { capacity: 8, perSecond: 2 })).toEqual({ minFailures: 3, windowMs: 150, quietMs: 1500 });
    expect(keyRuleFor({ slowIntervalMs: 100, deadAfter: 3 }, { capacity: 8, perSecond: 100 })).toEqual({ minFailures: 3, windowMs: 150, quietMs: 300 });
  });
});

describe('keyMismatches (whose heartbeat keys differ)', () => {
  it.each<[string, [number, KeyEvent][], number, [string, number][]]>([
    ['nothing heard', [], 5000, []],
    ['a peer on the slow beat, every beat failing: reported at its third beat, 2 s after the first',
      [[0, bad('b')], [1000, bad('b')], [2000, bad('b')]], 2000, [['b', 3]]],
    ['the same with beats early by jitter', [[0, bad('b')], [900, bad('b')], [1800, bad('b')]], 1800, [['b', 3]]],
    ['three failures, one moment before the window is full', [[0, bad('b')], [700, bad('b')], [1499, bad('b')]], 1499, []],
    ['a burst of failures in a moment is not enough: the window is not full',
      [[0, bad('b')], [10, bad('b')], [20, bad('b')], [30, bad('b')]], 1499, []],
    ['two failures over a long time are not enough', [[0, bad('b')], [3000, bad('b')]], 3000, []],
    ['the window counts from the first failure, so a later look reports the same run',
      [[0, bad('b')], [10, bad('b')], [20, bad('b')]], 1500, [['b', 3]]],
    ['an authenticated beat clears the peer', [[0, bad('b')], [1000, bad('b')], [2000, bad('b')], [2100, good('b')]], 2100, []],
    ['an authenticated beat between failures starts the run over (forgeries beside a live peer)',
      [[0, bad('b')], [900, bad('b')], [1000, good('b')], [1100, bad('b')], [1900, bad('b')], [2500, bad('b')]], 2500, []],
    ['the run that started over is reported once it lasted the window itself',
      [[0, bad('b')], [900, bad('b')], [1000, good('b')], [1100, bad('b')], [1900, bad('b')], [2600, bad('b')]], 2600, [['b', 3]]],
    ['a peer that stopped sending is no longer reported after the quiet time',
      [[0, bad('b')], [1000, bad('b')], [2000, bad('b')]], 6000, [['b', 3]]],
    ['... and not one moment later', [[0, bad('b')], [1000, bad('b')], [2000, bad('b')]], 6001, []],
    ['a failure after the quiet time starts a new run, old failures do not count',
      [[0, bad('b')], [1000, bad('b')], [2000, bad('b')], [7000, bad('b')]], 7000, []],
    ['each peer on its own; sorted by name',
      [[0, bad('c')], [0, bad('b')], [500, bad('d')], [1000, bad('c')], [1000, bad('b')], [2000, bad('c')], [2000, bad('b')], [2000, good('d')]],
      2000, [['b', 3], ['c', 3]]],
    ['authentication from one peer does not clear another', [[0, bad('b')], [1000, bad('b')], [1500, good('c')], [2000, bad('b')]], 2000, [['b', 3]]],
  ])('%s', (_name, events, nowMs, expected) => {
    expect(verdict(events, nowMs)).toEqual(expected);
  });

  it('counts the failures and how long they lasted', () => {
    const evidence = feed([[100, bad('b')], [600, bad('b')], [1100, bad('b')], [1600, bad('b')], [2100, bad('b')]]);
    expect(keyMismatches(evidence, 2500, RULE)).toEqual([{ peer: 'b', failed: 5, forMs: 2400 }]);
  });

  it('forgets a peer no longer configured, and keeps the same map when nothing is forgotten', () => {
    const evidence = feed([[0, bad('b')], [1000, bad('b')], [2000, bad('b')], [2000, bad('c')]]);
    const same = noteKeyEvent(evidence, { kind: 'peersChanged', peers: new Set(['b', 'c', 'd']) }, 2000, RULE);
    expect(same).toBe(evidence);
    const without = noteKeyEvent(evidence, { kind: 'peersChanged', peers: new Set(['c']) }, 2000, RULE);
    expect([...without.keys()]).toEqual(['c']);
    expect(keyMismatches(without, 2000, RULE)).toEqual([]);
  });

  it('never changes the evidence it is given', () => {
    const evidence = feed([[0, bad('b')]]);
    const before = JSON.stringify([...evidence]);
    noteKeyEvent(evidence, bad('b'), 10, RULE);
    noteKeyEvent(evidence, good('b'), 10, RULE);
    noteKeyEvent(evidence, { kind: 'peersChanged', peers: new Set() }, 10, RULE);
    expect(JSON.stringify([...evidence])).toBe(before);
  });
});

describe('keyMismatchText (the log line, /readyz and the event)', () => {
  it('names the peers and where the keys come from', () => {
    expect(keyMismatchText([{ peer: 'node-b', failed: 3, forMs: 2000 }], 'the Secret herald-system/herald-memberlist')).toBe(
      'heartbeat keys differ: every heartbeat from node "node-b" fails authentication with every key this speaker holds; '
      + 'check the Secret herald-system/herald-memberlist (every speaker must hold the same keys)');
    expect(keyMismatchText([{ peer: 'b', failed: 3, forMs: 2000 }, { peer: 'c', failed: 9, forMs: 2500 }], 'the key file /k'))
      .toContain('from nodes "b", "c" fails');
  });
});
