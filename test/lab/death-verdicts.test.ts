import { deathVerdicts, judgeVerdicts, type Beat } from './death-verdicts.js';

/** A beat from `peer` every `everyMs` from `fromMs` to `toMs`. */
function beats(peer: string, fromMs: number, toMs: number, everyMs = 50): Beat[] {
  const out: Beat[] = [];
  for (let t = fromMs; t <= toMs; t += everyMs) out.push({ peer, atMs: t });
  return out;
}

describe('the flood test\'s judge of death verdicts', () => {
  test('reads verdicts from the alive sets a speaker logged, never about itself', () => {
    const lines = [
      { msg: 'membership changed', time: 100, alive: ['n1', 'n3'] },
      { msg: 'announcing', time: 101 },
      { msg: 'membership changed', time: 200, alive: ['n1'] },
      { msg: 'membership changed', time: 300, alive: ['n1', 'n2', 'n3'] },
      { msg: 'membership changed', time: 400, alive: ['n2'] },
    ];
    expect(deathVerdicts('n1', ['n1', 'n2', 'n3'], lines)).toEqual([
      { peer: 'n2', atMs: 100 }, { peer: 'n3', atMs: 200 }, { peer: 'n3', atMs: 400 },
    ]);
  });

  test('a verdict while the peer\'s beats kept arriving is undeserved: the bug the flood test exists to catch', () => {
    const [j] = judgeVerdicts([{ peer: 'n2', atMs: 3020 }], beats('n2', 0, 5000), 2000);
    expect(j).toMatchObject({ usualMs: 50, quietMs: 20, deserved: false });
  });

  test('a verdict after the peer fell silent for three of its intervals is deserved (a starved peer)', () => {
    const wire = [...beats('n2', 0, 3000), ...beats('n2', 3210, 5000)];
    const [j] = judgeVerdicts([{ peer: 'n2', atMs: 3200 }], wire, 2000);
    expect(j).toMatchObject({ usualMs: 50, quietMs: 200, deserved: true });
  });

  test('the threshold is DEAD_AFTER − 1 usual intervals: 149 ms of silence at 50 ms is not enough', () => {
    const wire = beats('n2', 0, 3000);
    expect(judgeVerdicts([{ peer: 'n2', atMs: 3149 }], wire, 2000)[0]?.deserved).toBe(false);
    expect(judgeVerdicts([{ peer: 'n2', atMs: 3150 }], wire, 2000)[0]?.deserved).toBe(true);
  });

  test('a slow peer (a beat a second) is judged by its own interval', () => {
    const wire = beats('n3', 0, 10_000, 1000);
    expect(judgeVerdicts([{ peer: 'n3', atMs: 10_500 }], wire, 8000)[0]?.deserved).toBe(false);
    expect(judgeVerdicts([{ peer: 'n3', atMs: 13_000 }], wire, 8000)[0]?.deserved).toBe(true);
  });

  test('beats from other peers do not count for this one', () => {
    const wire = [...beats('n2', 0, 3000), ...beats('n3', 0, 5000)];
    expect(judgeVerdicts([{ peer: 'n2', atMs: 4000 }], wire, 2000)[0]?.deserved).toBe(true);
  });
});
