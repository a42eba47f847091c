import type { LinkInfo } from '../layer2/decide/interfaces.js';
import type { DesiredAnnouncements } from '../source/types.js';
import { applyEvent, initialState, planFor, type SpeakerEvent, type SpeakerState } from './state.js';

const eth0: LinkInfo = {
  name: 'eth0', index: 2, mac: '02:00:00:00:00:0b', up: true, hasMaster: false, noArp: false,
  addresses: [{ address: '192.0.2.11', prefixLength: 24 }, { address: '2001:db8:1::11', prefixLength: 64 }],
};
const nodes = ['n1', 'n2', 'n3'];
const desired: DesiredAnnouncements = {
  nodes: nodes.map((name, i) => ({ name, address: `192.0.2.${11 + i}`, weight: 0 })),
  ips: [
    ...Array.from({ length: 20 }, (_, i) => ({ ip: `192.0.2.${100 + i}`, nodes })),
    { ip: '2001:db8:1::100', nodes },
    { ip: '192.0.2.200', nodes: ['n2', 'n3'] },
  ],
};

function fold(events: readonly SpeakerEvent[]): SpeakerState {
  return events.reduce(applyEvent, initialState());
}

const all: SpeakerEvent[] = [
  { kind: 'desired', desired },
  { kind: 'membership', alive: nodes, quorum: true },
  { kind: 'links', links: [eth0] },
];

describe('speaker state and plan', () => {
  it('announces nothing before the source delivered', () => {
    expect(planFor(fold(all.slice(1)), 'n1')).toEqual({ ips: [], announcements: [] });
  });

  it('gives every IP exactly one announcer among three speakers on the same input', () => {
    const state = fold(all);
    const announcers = new Map<string, string[]>();
    for (const self of nodes) {
      for (const a of planFor(state, self).announcements) announcers.set(a.ip, [...(announcers.get(a.ip) ?? []), self]);
    }
    expect([...announcers.keys()].sort()).toEqual(desired.ips.map((s) => s.ip).sort());
    for (const owners of announcers.values()) expect(owners).toHaveLength(1);
    expect(announcers.get('192.0.2.200')?.[0]).not.toBe('n1');
    // With 22 IPs over 3 nodes, a hash that sends everything to one node would be a broken election.
    expect(new Set([...announcers.values()].flat()).size).toBeGreaterThan(1);
  });

  it('gives the reason on every speaker that does not announce', () => {
    const state = fold(all);
    const reasons = new Set(nodes.flatMap((self) => planFor(state, self).ips.map((p) => p.decision)));
    expect([...reasons].sort()).toEqual(['announce', 'notEligible', 'notOwner']);
  });

  it('announces nothing without quorum, and says so', () => {
    const state = fold([...all, { kind: 'membership', alive: ['n1'], quorum: false }]);
    const plan = planFor(state, 'n1');
    expect(plan.announcements).toEqual([]);
    expect(plan.ips.filter((p) => p.decision !== 'notEligible').every((p) => p.decision === 'noQuorum')).toBe(true);
  });

  it('moves only the dead node\'s IPs to the survivors', () => {
    const before = fold(all);
    const after = applyEvent(before, { kind: 'membership', alive: ['n1', 'n3'], quorum: true });
    const owners = (s: SpeakerState): Map<string, string | null> => new Map(planFor(s, 'n1').ips.map((p) => [p.ip, p.owner]));
    const was = owners(before);
    const now = owners(after);
    for (const [ip, owner] of was) {
      if (owner === 'n2') expect(now.get(ip)).not.toBe('n2');
      else expect(now.get(ip)).toBe(owner);
    }
  });

  it('counts itself alive even before membership heard of it', () => {
    const state = fold([{ kind: 'desired', desired }, { kind: 'links', links: [eth0] }, { kind: 'membership', alive: [], quorum: true }]);
    expect(planFor(state, 'n1').ips.every((p) => p.owner === 'n1' || p.decision === 'notEligible')).toBe(true);
  });

  it('says noInterface when the only link is down', () => {
    const state = fold([...all, { kind: 'links', links: [{ ...eth0, up: false }] }]);
    const plan = planFor(state, 'n1');
    expect(plan.announcements).toEqual([]);
    expect(plan.ips.some((p) => p.decision === 'noInterface')).toBe(true);
  });

  it('uses the default interfaces for IPs without their own list', () => {
    const eth1: LinkInfo = { ...eth0, name: 'eth1', index: 3, addresses: [] };
    const state = fold([...all, { kind: 'links', links: [eth0, eth1] }]);
    const plan = planFor(state, 'n1', ['eth1']);
    expect(plan.announcements.length).toBeGreaterThan(0);
    expect(new Set(plan.announcements.map((a) => a.ifname))).toEqual(new Set(['eth1']));
  });

  it('reaches the same plan whatever order the events arrive in', () => {
    const permutations = (xs: SpeakerEvent[]): SpeakerEvent[][] =>
      xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
    const plans = permutations(all).map((events) => JSON.stringify(planFor(fold(events), 'n2')));
    expect(plans).toHaveLength(6);
    expect(new Set(plans).size).toBe(1);
    expect(JSON.parse(plans[0]!).announcements.length).toBeGreaterThan(0);
  });
});
