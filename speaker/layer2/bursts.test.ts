import { BurstScheduler } from './bursts.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('BurstScheduler', () => {
  it('sends every member at each offset, stops sending a cancelled one, and lets the burst go when it ends', async () => {
    const sent: string[] = [];
    const bursts = new BurstScheduler<string>([0, 20, 40], (m) => sent.push(m));
    bursts.start(['a', 'b', 'c']);
    expect(sent).toEqual(['a', 'b', 'c']);
    bursts.cancel('b');
    await sleep(80);
    expect(sent).toEqual(['a', 'b', 'c', 'a', 'c', 'a', 'c']);
    expect(bursts.pending).toBe(0);
  });

  it('restarts a member from the first offset when it joins a new burst', async () => {
    const sent: string[] = [];
    const bursts = new BurstScheduler<string>([0, 30], (m) => sent.push(m));
    bursts.start(['a', 'b']);
    await sleep(10);
    bursts.start(['a']);
    await sleep(60);
    // b's burst goes on (0, 30); a's first burst is dropped after its first frame and a runs its own.
    expect(sent.filter((m) => m === 'a')).toHaveLength(3);
    expect(sent.filter((m) => m === 'b')).toHaveLength(2);
    expect(bursts.pending).toBe(0);
  });

  it('leaves no timer behind when every member is cancelled', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const bursts = new BurstScheduler<string>([0, 1000], () => undefined);
    bursts.start(['a']);
    expect(timers()).toBe(before + 1);
    bursts.cancel('a');
    expect(bursts.pending).toBe(0);
    expect(timers()).toBe(before);
  });

  it('tells when each member leaves: its burst finished, it was cancelled, or it restarted', async () => {
    const left: string[] = [];
    const bursts = new BurstScheduler<string>([0, 20], () => undefined, (m) => left.push(m));
    bursts.start(['a', 'b', 'c']);
    bursts.cancel('b');
    bursts.start(['c']);
    expect(left).toEqual(['b', 'c']);
    await sleep(50);
    expect(left.sort()).toEqual(['a', 'b', 'c', 'c']);
  });
});
