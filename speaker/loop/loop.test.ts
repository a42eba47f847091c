import fc from 'fast-check';
import { silentLogger } from '../../lib/log.js';
import { Announcer } from '../layer2/announcer.js';
import type { LinkInfo } from '../layer2/decide/interfaces.js';
import { Layer2Driver } from '../layer2/driver.js';
import { decodeArpFrame, ETHERTYPE_ARP } from '../layer2/frames/index.js';
import { MemorySegment } from '../layer2/testing/memory-segment.js';
import { snapshot } from '../source/fixtures.js';
import { SpeakerLoop, type MembershipPort } from './loop.js';
import { applyEvent, initialState, planFor, type MembershipPlan, type SpeakerEvent } from './state.js';

const nodes = ['n1', 'n2', 'n3'];
const desired = snapshot(nodes, Array.from({ length: 6 }, (_, i) => ({ ip: `192.0.2.${100 + i}` })));

/** Membership as the loop sees it: a port that records what it was told. */
class RecordingMembership implements MembershipPort {
  readonly told: MembershipPlan[] = [];
  apply(plan: MembershipPlan): void {
    this.told.push(plan);
  }
}

function loopFor(self: string, announcer: Announcer, membership: MembershipPort = new RecordingMembership()): SpeakerLoop {
  return new SpeakerLoop({ self, layer2: new Layer2Driver(announcer, silentLogger()), membership, logger: silentLogger() });
}
const linkOf = (i: number): LinkInfo => ({
  name: 'eth0', index: 2, mac: `02:00:00:00:00:0${i + 1}`, up: true, hasMaster: false, noArp: false,
  addresses: [{ address: `192.0.2.${11 + i}`, prefixLength: 24 }],
});

/** Three speakers, each with its real loop and announcer, on one in-memory segment. */
function cluster(segment: MemorySegment): { loops: SpeakerLoop[]; announcers: Announcer[] } {
  const announcers = nodes.map(() => new Announcer({ openSocket: segment.open, logger: silentLogger(), schedule: [0] }));
  const loops = nodes.map((self, i) => {
    const loop = loopFor(self, announcers[i]!);
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
      const loop = loopFor('n1', announcer);
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

describe('SpeakerLoop telling membership', () => {
  it('names the speakers and the fast targets once the source delivered, and again only when they change', async () => {
    const membership = new RecordingMembership();
    const loop = loopFor('n1', new Announcer({ openSocket: new MemorySegment().open, logger: silentLogger(), schedule: [0] }), membership);
    loop.enqueue({ kind: 'links', links: [linkOf(0)] });
    loop.enqueue({ kind: 'membership', alive: nodes, quorum: true });
    await loop.settled();
    expect(membership.told).toEqual([]); // no configuration: nothing to tell
    loop.enqueue({ kind: 'desired', desired });
    await loop.settled();
    expect(membership.told).toHaveLength(1);
    expect(membership.told[0]?.peers).toBe(desired.nodes);
    const targets = membership.told[0]!.fastTargets;
    expect(targets.size).toBeGreaterThan(0);
    loop.enqueue({ kind: 'retry' });
    loop.enqueue({ kind: 'links', links: [linkOf(0)] });
    await loop.settled();
    expect(membership.told).toHaveLength(1); // nothing membership needs changed
    // n2 and n3 die: n1 owns everything and nobody is left to beat fast.
    loop.enqueue({ kind: 'membership', alive: ['n1'], quorum: true });
    await loop.settled();
    expect(membership.told.map((t) => [...t.fastTargets])).toEqual([[...targets], []]);
    await loop.stop();
  });
});

describe('SpeakerLoop with a membership that answers inside apply()', () => {
  // UdpMembership.setPeers() reports the quorum its new peers give at once, so MembershipLink enqueues from inside
  // the loop's own planning. The two dead peers' Leases lapse together: the source drops both, the survivor is
  // alone and may announce. Before the loop took care, that nested enqueue started a second drain beside the
  // first, and the first (planned without quorum) withdrew what the second had just announced, for good.
  it('a speaker that gains quorum when the source drops its dead peers keeps announcing', async () => {
    const announcer = new Announcer({ openSocket: new MemorySegment().open, logger: silentLogger(), schedule: [0] });
    const enqueue: { to?: SpeakerLoop } = {};
    const answering: MembershipPort = {
      apply: (plan) => enqueue.to?.enqueue({ kind: 'membership', alive: ['n1'], quorum: plan.peers.length === 1 }),
    };
    const loop = loopFor('n1', announcer, answering);
    enqueue.to = loop;
    loop.enqueue({ kind: 'links', links: [linkOf(0)] });
    loop.enqueue({ kind: 'desired', desired });
    await loop.settled();
    expect(announcer.current()).toEqual([]); // one of three: no quorum
    loop.enqueue({ kind: 'desired', desired: snapshot(['n1'], desired.ips.map((s) => ({ ip: s.ip }))) });
    await loop.settled();
    expect(announcer.current().map((a) => a.ip).sort()).toEqual(desired.ips.map((s) => s.ip).sort());
    await loop.stop();
  });
});

// The loop's end state is the plan of the latest event of each kind (state.test.ts proves that of the pure fold),
// however the events are batched and interleaved with the announcer's awaits, on every node.
describe('SpeakerLoop end state', () => {
  const snapshots = [desired, snapshot(nodes, Array.from({ length: 9 }, (_, i) => ({ ip: `192.0.2.${120 + i}` })), { n2: 1 }), snapshot(['n1', 'n3'], [{ ip: '192.0.2.150' }])];
  const event = (self: number): fc.Arbitrary<SpeakerEvent> => fc.oneof(
    fc.constantFrom(...snapshots).map((d): SpeakerEvent => ({ kind: 'desired', desired: d })),
    fc.record({ alive: fc.subarray(nodes), quorum: fc.boolean() }).map((m): SpeakerEvent => ({ kind: 'membership', ...m })),
    fc.boolean().map((up): SpeakerEvent => ({ kind: 'links', links: [{ ...linkOf(self), up }] })),
    fc.constant<SpeakerEvent>({ kind: 'retry' }),
    fc.constant<SpeakerEvent>({ kind: 'reannounce', cause: { kind: 'peerHadUsDead', peer: 'n3' } }),
  );

  it('is what the pure plan of the same events says, whatever the batching', async () => {
    await fc.assert(fc.asyncProperty(fc.nat(2), fc.array(fc.tuple(event(0), fc.boolean()), { maxLength: 15 }), async (i, steps) => {
      const self = nodes[i]!;
      const announcer = new Announcer({ openSocket: new MemorySegment().open, logger: silentLogger(), schedule: [0] });
      const loop = loopFor(self, announcer);
      for (const [e, settle] of steps) {
        loop.enqueue(e);
        if (settle) await loop.settled();
      }
      await loop.settled();
      const expected = planFor(steps.reduce((s, [e]) => applyEvent(s, e, { self }), initialState()), { self }).modes.layer2.announcements;
      const key = (a: { ip: string; ifname: string }) => `${a.ip}%${a.ifname}`;
      expect(announcer.current().map(key).sort()).toEqual(expected.map(key).sort());
      await loop.stop();
    }), { numRuns: 60 });
  });
});
