import { GRATUITOUS_SCHEDULE_MS, remainingBurst } from './burst.js';

describe('gratuitous burst schedule', () => {
  it('sends the first frame at once and the rest in increasing order', () => {
    expect(GRATUITOUS_SCHEDULE_MS[0]).toBe(0);
    for (let i = 1; i < GRATUITOUS_SCHEDULE_MS.length; i++) {
      expect(GRATUITOUS_SCHEDULE_MS[i]).toBeGreaterThan(GRATUITOUS_SCHEDULE_MS[i - 1]!);
    }
  });

  it('has a frame after Linux neighbour lock time (1 s) and ends within a few seconds', () => {
    expect(GRATUITOUS_SCHEDULE_MS.some((t) => t > 1000)).toBe(true);
    expect(Math.max(...GRATUITOUS_SCHEDULE_MS)).toBeLessThanOrEqual(5000);
  });

  it.each<[number, number[], number[]]>([
    [0, [0, 50, 250], [0, 50, 250]],
    [40, [0, 50, 250], [10, 210]],
    [50, [0, 50, 250], [0, 200]],
    [300, [0, 50, 250], []],
  ])('after %i ms of %j the rest is %j', (elapsed, schedule, expected) => {
    expect(remainingBurst(elapsed, schedule)).toEqual(expected);
  });
});
