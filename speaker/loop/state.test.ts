import fc from 'fast-check';
import type { LinkInfo } from '../layer2/decide/interfaces.js';
import { snapshot } from '../source/fixtures.js';
import type { DesiredAnnouncements } from '../source/types.js';
import { applyEvent, initialState, planFor, type SpeakerEvent, type SpeakerSettings, type SpeakerState } from './state.js';

const eth0: LinkInfo = {
  name: 'eth0', index: 2, mac: '02:00:00:00:00:0b', up: true, hasMaster: false, noArp: false,
  addresses: [{ address: '192.0.2.11', prefixLength: 24 }, { address: '2001:db8:1::11', prefixLength: 64 }],
};
const nodes = ['n1', 'n2', 'n3'];
const desired: DesiredAnnouncements = snapshot(nodes, [
  ...Array.from({ length: 20 }, (_, i) => ({ ip: `192.0.2.${100 + i}` })),
  { ip: '2001:db8:1::100' },
  { ip: '192.0.2.200', nodes: ['n2', 'n3'] },
]);

function fold(events: readonly SpeakerEvent[], settings: Omit<SpeakerSettings, 'self'> = {}): SpeakerState {
  return events.reduce((state, event) => applyEvent(state, event, { self: 'unused', ...settings }), initialState());
}

/** The layer 2 part of `self`'s plan. */
function layer2(state: SpeakerState, self: string, defaultInterfaces?: readonly string[]) {
  return planFor(state, { self, defaultInterfaces }).modes.layer2;
}

const all: SpeakerEvent[] = [
  { kind: 'desired', desired },
  { kind: 'membership', alive: nodes, quorum: true },
  { kind: 'links', links: [eth0] },
];

describe('speaker state and plan', () => {
  it('announces nothing before the source delivered', () => {
    expect(planFor(fold(all.slice(1)), { self: 'n1' })).toEqual({ modes: { layer2: { ips: [], announcements: [] }, bgp: { peers: [], unusable: [] } }, membership: null });
  });

  it('gives every IP exactly one announcer among three speakers on the same input', () => {
    const state = fold(all);
    const announcers = new Map<string, string[]>();
    for (const self of nodes) {
      for (const a of layer2(state, self).announcements) announcers.set(a.ip, [...(announcers.get(a.ip) ?? []), self]);
    }
    expect([...announcers.keys()].sort()).toEqual(desired.ips.map((s) => s.ip).sort());
    for (const owners of announcers.values()) expect(owners).toHaveLength(1);
    expect(announcers.get('192.0.2.200')?.[0]).not.toBe('n1');
    // With 22 IPs over 3 nodes, a hash that sends everything to one node would be a broken election.
    expect(new Set([...announcers.values()].flat()).size).toBeGreaterThan(1);
  });

  it('gives the reason on every speaker that does not announce', () => {
    const state = fold(all);
    const reasons = new Set(nodes.flatMap((self) => layer2(state, self).ips.map((p) => p.decision)));
    expect([...reasons].sort()).toEqual(['announce', 'notEligible', 'notOwner']);
  });

  it('elects no settling speaker while a settled one may announce: its IPs go to the next, and come back once it settles', () => {
    const owners = (state: SpeakerState) => new Map(nodes.flatMap((self) => layer2(state, self).announcements.map((a) => [a.ip, self] as const)));
    const before = owners(fold(all));
    const n1Ips = [...before].filter(([, owner]) => owner === 'n1').map(([ip]) => ip);
    expect(n1Ips.length).toBeGreaterThan(0);
    const settling = owners(fold([...all, { kind: 'membership', alive: nodes, quorum: true, settling: ['n1'] }]));
    expect([...settling.values()]).not.toContain('n1');
    // Only n1's IPs moved, every one to a node that is alive and settled; the rest stayed.
    for (const [ip, owner] of before) expect(settling.get(ip)).toEqual(owner === 'n1' ? expect.stringMatching(/^n[23]$/) : owner);
    expect(owners(fold([...all, { kind: 'membership', alive: nodes, quorum: true, settling: ['n1'] }, { kind: 'membership', alive: nodes, quorum: true, settling: [] }])))
      .toEqual(before);
    // Everyone settling (a cold start): the election as if nobody were.
    expect(owners(fold([...all, { kind: 'membership', alive: nodes, quorum: true, settling: nodes }]))).toEqual(before);
  });

  it('announces nothing without quorum, and says so', () => {
    const state = fold([...all, { kind: 'membership', alive: ['n1'], quorum: false }]);
    const plan = layer2(state, 'n1');
    expect(plan.announcements).toEqual([]);
    expect(plan.ips.filter((p) => p.decision !== 'notEligible').every((p) => p.decision === 'noQuorum')).toBe(true);
  });

  it('moves only the dead node\'s IPs to the survivors', () => {
    const before = fold(all);
    const after = applyEvent(before, { kind: 'membership', alive: ['n1', 'n3'], quorum: true }, { self: 'n1' });
    const owners = (s: SpeakerState): Map<string, string | null> => new Map(layer2(s, 'n1').ips.map((p) => [p.ip, p.owner]));
    const was = owners(before);
    const now = owners(after);
    for (const [ip, owner] of was) {
      if (owner === 'n2') expect(now.get(ip)).not.toBe('n2');
      else expect(now.get(ip)).toBe(owner);
    }
  });

  it('counts itself alive even before membership heard of it', () => {
    const state = fold([{ kind: 'desired', desired }, { kind: 'links', links: [eth0] }, { kind: 'membership', alive: [], quorum: true }]);
    expect(layer2(state, 'n1').ips.every((p) => p.owner === 'n1' || p.decision === 'notEligible')).toBe(true);
  });

  it('says noInterface when the only link is down', () => {
    const state = fold([...all, { kind: 'links', links: [{ ...eth0, up: false }] }]);
    const plan = layer2(state, 'n1');
    expect(plan.announcements).toEqual([]);
    expect(plan.ips.some((p) => p.decision === 'noInterface')).toBe(true);
  });

  it('uses the default interfaces for IPs without their own list', () => {
    const eth1: LinkInfo = { ...eth0, name: 'eth1', index: 3, addresses: [] };
    const state = fold([...all, { kind: 'links', links: [eth0, eth1] }], { defaultInterfaces: ['eth1'] });
    const plan = layer2(state, 'n1', ['eth1']);
    expect(plan.announcements.length).toBeGreaterThan(0);
    expect(new Set(plan.announcements.map((a) => a.ifname))).toEqual(new Set(['eth1']));
  });

  it('reaches the same plan whatever order the events arrive in', () => {
    const permutations = (xs: SpeakerEvent[]): SpeakerEvent[][] =>
      xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
    const plans = permutations(all).map((events) => JSON.stringify(layer2(fold(events), 'n2')));
    expect(plans).toHaveLength(6);
    expect(new Set(plans).size).toBe(1);
    expect(JSON.parse(plans[0]!).announcements.length).toBeGreaterThan(0);
  });

  it('tells membership the speakers and, as fast targets, the next candidates of the IPs this node owns', () => {
    const state = fold(all);
    const plan = planFor(state, { self: 'n1' });
    expect(plan.membership?.peers).toBe(desired.nodes);
    const owned = plan.modes.layer2.ips.filter((p) => p.owner === 'n1').map((p) => p.ip);
    const successors = new Set(owned.map((ip) => state.cache?.orders.get(ip)?.find((n) => n !== 'n1')));
    expect(plan.membership?.fastTargets).toEqual(successors);
    // A node that owns nothing beats everyone slowly.
    const lonely = fold([...all, { kind: 'desired', desired: snapshot(nodes, [{ ip: '192.0.2.200', nodes: ['n2', 'n3'] }]) }]);
    expect(planFor(lonely, { self: 'n1' }).membership?.fastTargets).toEqual(new Set());
  });
});

// Cilium's permutation idea, as a property: the state is a function of the latest event of each kind, so any
// interleaving of the same updates (several nodes' views, IP sets, membership changes, link flaps, retries and
// re-announces) ends in the plan that only those latest events give, on every node.
describe('the plan after any sequence of events', () => {
  const eth1: LinkInfo = { ...eth0, name: 'eth1', index: 3, addresses: [{ address: '198.51.100.11', prefixLength: 24 }] };
  const ipsOf = (n: number) => Array.from({ length: n }, (_, i) => ({ ip: i % 3 === 2 ? `2001:db8:1::${i + 1}` : `192.0.2.${100 + i}` }));
  const snapshots = [snapshot(nodes, ipsOf(6)), snapshot(nodes, ipsOf(12), { n3: 1 }), snapshot(['n1', 'n2'], ipsOf(4)), snapshot(nodes, [])];
  const event: fc.Arbitrary<SpeakerEvent> = fc.oneof(
    fc.constantFrom(...snapshots).map((d): SpeakerEvent => ({ kind: 'desired', desired: d })),
    fc.record({ alive: fc.subarray(nodes), quorum: fc.boolean() }).map((m): SpeakerEvent => ({ kind: 'membership', ...m })),
    fc.subarray([eth0, { ...eth0, up: false }, eth1]).map((links): SpeakerEvent => ({ kind: 'links', links })),
    fc.constant<SpeakerEvent>({ kind: 'retry' }),
    fc.constant<SpeakerEvent>({ kind: 'reannounce', cause: { kind: 'peerHadUsDead', peer: 'n2' } }),
  );
  const latestOfEachKind = (events: readonly SpeakerEvent[]): SpeakerEvent[] => {
    const latest = new Map<string, SpeakerEvent>();
    for (const e of events) if (e.kind === 'desired' || e.kind === 'membership' || e.kind === 'links') latest.set(e.kind, e);
    return [...latest.values()];
  };

  it('is the plan of the latest event of each kind, in whatever order those are applied', () => {
    fc.assert(fc.property(fc.array(event, { maxLength: 25 }), fc.constantFrom(...nodes), fc.boolean(), (events, self, reverse) => {
      const latest = latestOfEachKind(events);
      const expected = planFor(fold(reverse ? latest.reverse() : latest), { self });
      expect(planFor(fold(events), { self })).toEqual(expected);
    }), { numRuns: 300 });
  });

  it('never has two nodes announce one IP when they agree on who is alive and have quorum', () => {
    fc.assert(fc.property(fc.constantFrom(...snapshots), fc.subarray(nodes, { minLength: 1 }), (d, alive) => {
      const state = fold([{ kind: 'desired', desired: d }, { kind: 'links', links: [eth0] }, { kind: 'membership', alive, quorum: true }]);
      const announced = alive.flatMap((self) => layer2(state, self).announcements.map((a) => a.ip));
      expect(new Set(announced).size).toBe(announced.length);
      // Every IP with an alive eligible node is announced by one of them.
      const served = d.ips.filter((s) => s.nodes.some((n) => alive.includes(n.name))).map((s) => s.ip);
      expect(new Set(announced)).toEqual(new Set(served));
    }), { numRuns: 200 });
  });
});
