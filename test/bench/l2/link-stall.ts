// The event loop's longest stall while the node has 300 links, watched as the speaker watches them
// (rtnetlink events) and as it did before issue 8 (sysfs + getifaddrs read synchronously every second):
// the same probe process (test/lab/watcher-probe.ts, with a 50 ms timer standing in for the heartbeats)
// in a namespace of 150 veth pairs, with one link flapped every 2 s so both see changes.
import { sleep } from '../../lab/exec.js';
import { addVethPairs, createLinksNamespace, linksBatch, removeLinksNamespace, WatcherProbe, type ProbeMode, type ProbeStats } from '../../lab/links.js';

export const LINKS = 300;
export const WINDOW_MS = 10_000;

export async function stallWithLinks(mode: ProbeMode): Promise<ProbeStats> {
  await createLinksNamespace();
  try {
    await linksBatch(addVethPairs(0, LINKS / 2));
    const probe = await WatcherProbe.start(mode);
    try {
      await probe.waitFor(LINKS + 1); // and lo
      await sleep(1500); // start-up done (the sysfs poll's JIT warm-up included)
      await probe.takeStats();
      for (let at = 0; at < WINDOW_MS; at += 2000) {
        await linksBatch([`link set hl-v0 ${at % 4000 === 0 ? 'down' : 'up'}`]);
        await sleep(2000);
      }
      return await probe.takeStats();
    } finally {
      await probe.stop();
    }
  } finally {
    await removeLinksNamespace();
  }
}
