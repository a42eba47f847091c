import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { PassRunner } from './pass-runner.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A runner whose passes record when they start, relative to the test's start. */
function recorded(settleMs?: number): { runner: PassRunner; passes: number[] } {
  const t0 = performance.now();
  const passes: number[] = [];
  const runner = new PassRunner(async () => { passes.push(performance.now() - t0); }, { clock: systemClock, logger: silentLogger(), failure: 'failed', settleMs });
  return { runner, passes };
}

describe('PassRunner', () => {
  it('without settleMs, runs a kick\'s pass at once', async () => {
    const { runner, passes } = recorded();
    runner.kick();
    await runner.settled();
    expect(passes).toHaveLength(1);
    expect(passes[0]).toBeLessThan(20);
  });

  it('with settleMs, waits that long after the first kick and folds the kicks meanwhile into one pass', async () => {
    const { runner, passes } = recorded(60);
    runner.kick();
    await sleep(20);
    runner.kick();
    runner.kick();
    expect(passes).toEqual([]);
    await sleep(80);
    await runner.settled();
    expect(passes).toHaveLength(1);
    expect(passes[0]).toBeGreaterThanOrEqual(55);
  });

  it('a stop while a pass settles makes it at once: the last wish is written before the speaker exits', async () => {
    const { runner, passes } = recorded(10_000);
    runner.kick();
    await runner.stop();
    expect(passes).toHaveLength(1);
    expect(passes[0]).toBeLessThan(1000);
  });
});
