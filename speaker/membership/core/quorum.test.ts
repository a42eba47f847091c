import { quorumDecision, type QuorumReason } from './quorum.js';

const set = (...xs: string[]) => new Set(xs);

describe('quorumDecision (the split-brain rule)', () => {
  it.each<[string, string[], string[], string[], boolean, QuorumReason]>([
    ['1 node', ['a'], ['a'], [], true, 'alone'],
    ['2 nodes, both up', ['a', 'b'], ['a', 'b'], [], true, 'majority'],
    ['2 nodes, one dead: the survivor serves', ['a', 'b'], ['a'], [], true, 'half'],
    ['3 nodes, one dead', ['a', 'b', 'c'], ['a', 'b'], [], true, 'majority'],
    ['3 nodes, isolated node withdraws', ['a', 'b', 'c'], ['a'], [], false, 'minority'],
    ['3 nodes, two dead: the survivor cannot tell, withdraws', ['a', 'b', 'c'], ['a'], [], false, 'minority'],
    ['3 nodes, two dead and confirmed down by the API', ['a', 'b', 'c'], ['a'], ['b', 'c'], true, 'alone'],
    ['3 nodes, one confirmed down, one unheard', ['a', 'b', 'c'], ['a'], ['b'], true, 'half'],
    ['4 nodes split 2/2: both halves announce', ['a', 'b', 'c', 'd'], ['a', 'b'], [], true, 'half'],
    ['5 nodes, 2 heard', ['a', 'b', 'c', 'd', 'e'], ['a', 'b'], [], false, 'minority'],
  ])('%s', (_name, known, alive, down, quorum, reason) => {
    const d = quorumDecision({ known: set(...known), alive: set(...alive), confirmedDown: set(...down) });
    expect(d.quorum).toBe(quorum);
    expect(d.reason).toBe(reason);
  });

  it('ignores a "confirmed down" node that it actually hears (the mesh is the fresher evidence)', () => {
    const d = quorumDecision({ known: set('a', 'b', 'c'), alive: set('a', 'b'), confirmedDown: set('b') });
    expect(d).toEqual({ quorum: true, reason: 'majority', heard: 2, known: 3 });
  });

  it.each<[string, string[], string[], string[], string[], boolean, QuorumReason]>([
    ['2 nodes whose keys differ: hears 1 of 2 but the other is plainly up, withdraws', ['a', 'b'], ['a'], ['b'], [], false, 'keyMismatch'],
    ['3 nodes, this one\'s keys differ from both: withdraws, with the reason', ['a', 'b', 'c'], ['a'], ['b', 'c'], [], false, 'keyMismatch'],
    ['3 nodes, the odd one out is the other: the two that agree keep serving', ['a', 'b', 'c'], ['a', 'b'], ['c'], [], true, 'majority'],
    ['2 nodes, a mismatched peer that also authenticates is heard (a stale judgement)', ['a', 'b'], ['a', 'b'], ['b'], [], true, 'majority'],
    ['4 nodes split 2/2 by keys: each side hears one peer and is judged by the count', ['a', 'b', 'c', 'd'], ['a', 'b'], ['c', 'd'], [], true, 'half'],
    ['a survivor whose only mismatched peer is confirmed down by the API', ['a', 'b', 'c'], ['a'], ['c'], ['b', 'c'], true, 'alone'],
    ['a mismatched node that is not a known speaker does not count', ['a', 'b'], ['a'], ['z'], [], true, 'half'],
  ])('%s', (_name, known, alive, mismatched, down, quorum, reason) => {
    const d = quorumDecision({ known: set(...known), alive: set(...alive), keyMismatch: set(...mismatched), confirmedDown: set(...down) });
    expect(d.quorum).toBe(quorum);
    expect(d.reason).toBe(reason);
  });

  it('says keyMismatch rather than starting: the speaker knows why it hears nobody', () => {
    expect(quorumDecision({ known: set('a', 'b'), alive: set('a'), keyMismatch: set('b'), starting: true }))
      .toEqual({ quorum: false, reason: 'keyMismatch', heard: 1, known: 2 });
  });

  it('never announces while starting', () => {
    expect(quorumDecision({ known: set('a'), alive: set('a'), starting: true })).toMatchObject({ quorum: false, reason: 'starting' });
  });
});
