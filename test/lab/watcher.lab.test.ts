// The interface watcher against the real kernel's rtnetlink, in a scratch namespace (hl-links), through the
// same probe process the footprint bench uses: changes arrive as events, within milliseconds, with no
// polling; a burst the socket cannot hold (ENOBUFS) is recovered by reading everything again.
import { monotonicMs } from './probe.js';
import { addVethPairs, createLinksNamespace, linksBatch, removeLinksNamespace, WatcherProbe } from './links.js';

describe('the interface watcher on rtnetlink', () => {
  let probe: WatcherProbe;

  beforeAll(async () => {
    await createLinksNamespace();
    probe = await WatcherProbe.start('netlink');
  });

  afterAll(async () => {
    await probe?.stop();
    await removeLinksNamespace();
  });

  it('starts with what is there (lo), then reports a veth pair created, up and deleted as each happens', async () => {
    await probe.waitFor(1, 1);
    let done = monotonicMs();
    await linksBatch(['link add hl-v0 type veth peer name hl-v0p']);
    const created = await probe.waitFor(3, 1);
    expect(created.at - done).toBeLessThan(200);
    done = monotonicMs();
    await linksBatch(['link set hl-v0 up', 'link set hl-v0p up']);
    const up = await probe.waitFor(3, 3);
    expect(up.at - done).toBeLessThan(200);
    await linksBatch(['link del hl-v0']);
    await probe.waitFor(1, 1);
  });

  it('loses nothing to an overrun: paused while 400 veth pairs appear, it reads everything again and reports all 801 links', async () => {
    await probe.takeStats();
    probe.pause();
    try {
      await linksBatch(addVethPairs(1, 400));
    } finally {
      probe.resume();
    }
    await probe.waitFor(801, 801, 30_000);
    const stats = await probe.takeStats();
    expect(stats.overruns).toBeGreaterThanOrEqual(1);
    expect(probe.snapshots.at(-1)).toMatchObject({ count: 801, up: 801 });
  });
});
