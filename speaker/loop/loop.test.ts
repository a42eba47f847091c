import { silentLogger } from '../../lib/log.js';
import { Announcer } from '../layer2/announcer.js';
import type { LinkInfo } from '../layer2/decide/interfaces.js';
import { decodeArpFrame, ETHERTYPE_ARP } from '../layer2/frames/index.js';
import { MemorySegment } from '../layer2/testing/memory-segment.js';
import type { DesiredAnnouncements } from '../source/types.js';
import { SpeakerLoop } from './loop.js';
import type { SpeakerEvent } from './state.js';

const nodes = ['n1', 'n2', 'n3'];
const desired: DesiredAnnouncements = {
  nodes: nodes.map((name, i) => ({ name, address: `192.0.2.${11 + i}`, weight: 0 })),
  ips: Array.from({ length: 6 }, (_, i) => ({ ip: `192.0.2.${100 + i}`, nodes })),
};
const linkOf = (i: number): LinkInfo => ({
  name: 'eth0', index: 2, mac: `02:00:00:00:00:0${i + 1}`, up: true, hasMaster: false, noArp: false,
  addresses: [{ address: `192.0.2.${11 + i}`, prefixLength: 24 }],
});

/** Three speakers, each with its real loop and announcer, on one in-memory segment. */
function cluster(segment: MemorySegment): { loops: SpeakerLoop[]; announcers: Announcer[] } {
  const announcers = nodes.map(() => new Announcer({ openSocket: segment.open, logger: silentLogger(), schedule: [0] }));
  const loops = nodes.map((self, i) => {
    const loop = new SpeakerLoop({ self, announcer: announcers[i]!, logger: silentLogger() });
    loop.enqueue({ kind: 'links', links: [linkOf(i)] });
    return loop;
  });
  return { loops, announcers };
}

const everyone = (loops: SpeakerLoop[], event: SpeakerEvent): void => loops.forEach((l) => l.enqueue(event));
const settle = async (loops: SpeakerLoop[]): Promise<void> => { await Promise.all(loops.map((l) => l.settled())); };
const holders = (announcers: Announcer[]): Map<string, string[]> => {
  const map = new Map<string, string[]>();
  announcers.forEach((a, i) => a.current().forEach(({ ip }) => map.set(ip, [...(map.get(ip) ?? []), nodes[i]!])));
  return map;
};

describe('SpeakerLoop with real announcers', () => {
  let segment: MemorySegment;
  let loops: SpeakerLoop[];
  let announcers: Announcer[];
  beforeEach(() => {
    segment = new MemorySegment();
    ({ loops, announcers } = cluster(segment));
  });
  afterEach(async () => {
    await Promise.all(loops.map((l) => l.stop()));
  });

  it('announces nothing until membership grants quorum, then each IP from exactly one node', async () => {
    everyone(loops, { kind: 'desired', desired });
    await settle(loops);
    expect(holders(announcers).size).toBe(0);
    everyone(loops, { kind: 'membership', alive: nodes, quorum: true });
    await settle(loops);
    const held = holders(announcers);
    expect([...held.keys()].sort()).toEqual(desired.ips.map((s) => s.ip).sort());
    for (const who of held.values()) expect(who).toHaveLength(1);
  });

  it('moves a dead node\'s IPs to survivors, who send a gratuitous ARP for each', async () => {
    everyone(loops, { kind: 'desired', desired });
    everyone(loops, { kind: 'membership', alive: nodes, quorum: true });
    await settle(loops);
    const before = holders(announcers);
    const lost = [...before].filter(([, who]) => who[0] === 'n2').map(([ip]) => ip);
    const client = segment.client(ETHERTYPE_ARP);
    await loops[1]!.stop(); // n2 dies: its announcer withdraws (as a crash would, from the survivors' view)
    loops.filter((_, i) => i !== 1).forEach((l) => l.enqueue({ kind: 'membership', alive: ['n1', 'n3'], quorum: true }));
    await settle(loops);
    const after = holders(announcers);
    for (const [ip, who] of before) {
      if (who[0] === 'n2') expect(['n1', 'n3']).toContain(after.get(ip)?.[0]);
      else expect(after.get(ip)).toEqual(who);
    }
    const gratuitous = client.received.map((f) => decodeArpFrame(f).arp).filter((a) => a.spa === a.tpa).map((a) => a.spa);
    expect(gratuitous.sort()).toEqual(lost.sort());
  });

  it('withdraws everything on stop and ignores events after it', async () => {
    everyone(loops, { kind: 'desired', desired });
    everyone(loops, { kind: 'membership', alive: nodes, quorum: true });
    await settle(loops);
    await Promise.all(loops.map((l) => l.stop()));
    everyone(loops, { kind: 'links', links: [linkOf(0)] });
    await settle(loops);
    expect(holders(announcers).size).toBe(0);
  });

  it('ends in the same announcements whatever order the events come in', async () => {
    const events: SpeakerEvent[] = [
      { kind: 'desired', desired },
      { kind: 'membership', alive: nodes, quorum: true },
      { kind: 'links', links: [linkOf(0)] },
    ];
    const results = new Set<string>();
    for (const order of [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]) {
      const announcer = new Announcer({ openSocket: new MemorySegment().open, logger: silentLogger(), schedule: [0] });
      const loop = new SpeakerLoop({ self: 'n1', announcer, logger: silentLogger() });
      // One at a time, each applied before the next: a different plan is applied after every step.
      for (const i of order) {
        loop.enqueue(events[i]!);
        await loop.settled();
      }
      results.add(JSON.stringify(announcer.current().sort((a, b) => a.ip.localeCompare(b.ip))));
      await loop.stop();
    }
    expect(results.size).toBe(1);
    expect(JSON.parse([...results][0]!).length).toBeGreaterThan(0);
  });
});

describe('SpeakerLoop re-announcing what it holds', () => {
  let segment: MemorySegment;
  let loops: SpeakerLoop[];
  let announcers: Announcer[];
  beforeEach(async () => {
    segment = new MemorySegment();
    ({ loops, announcers } = cluster(segment));
    loops[0]!.enqueue({ kind: 'links', links: [{ ...linkOf(0), carrierUps: 1 }] });
    everyone(loops, { kind: 'desired', desired });
    everyone(loops, { kind: 'membership', alive: nodes, quorum: true });
    await settle(loops);
  });
  afterEach(async () => {
    await Promise.all(loops.map((l) => l.stop()));
  });
  const gratuitousFrom = (client: { received: Uint8Array[] }): string[] =>
    client.received.map((f) => decodeArpFrame(f).arp).filter((a) => a.spa === a.tpa).map((a) => a.spa).sort();
  const heldV4 = (i: number): string[] => announcers[i]!.current().map((a) => a.ip).filter((ip) => !ip.includes(':')).sort();

  it('sends the gratuitous burst again for every IP it holds when a peer had it dead, and changes nothing else', async () => {
    const before = holders(announcers);
    expect(heldV4(0).length).toBeGreaterThan(0);
    const client = segment.client(ETHERTYPE_ARP);
    loops[0]!.enqueue({ kind: 'reannounce', cause: { kind: 'peerHadUsDead', peer: 'n2' } });
    await settle(loops);
    expect(gratuitousFrom(client)).toEqual(heldV4(0));
    expect(holders(announcers)).toEqual(before);
    expect(loops[0]!.stats.reannounced).toBe(announcers[0]!.current().length);
  });

  it('sends it again on an interface whose carrier came back between two looks of the watcher', async () => {
    const client = segment.client(ETHERTYPE_ARP);
    loops[0]!.enqueue({ kind: 'links', links: [{ ...linkOf(0), carrierUps: 1 }] });
    await settle(loops);
    expect(gratuitousFrom(client)).toEqual([]); // same count: no flap, nothing sent
    loops[0]!.enqueue({ kind: 'links', links: [{ ...linkOf(0), carrierUps: 2 }] });
    await settle(loops);
    expect(gratuitousFrom(client)).toEqual(heldV4(0));
  });
});
