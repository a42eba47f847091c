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

  it('never announces while starting', () => {
    expect(quorumDecision({ known: set('a'), alive: set('a'), starting: true })).toMatchObject({ quorum: false, reason: 'starting' });
  });
});
