// An L2Advertisement's Ready condition, rule by rule (advertisement-status.ts): one row per rule, then the memory
// that keeps transition times and decides events and log lines.
import type { IPAddressPool, L2Advertisement, L2AdvertisementSpec } from '../../crds/v1beta1/index.js';
import { MESSAGE_MAX_BYTES, utf8Length } from '../../lib/config/index.js';
import { advertisementOutcomes, advertisementReady, type SpeakerInterfaces } from './advertisement-status.js';
import { kubeTime, type ReadyMemory } from './status.js';

function ad(name: string, spec?: L2AdvertisementSpec, generation = 1): L2Advertisement {
  return { apiVersion: 'herald.dev/v1beta1', kind: 'L2Advertisement', metadata: { name, generation }, ...(spec ? { spec } : {}) };
}
function pool(name: string, labels?: Record<string, string>): IPAddressPool {
  return { apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name, labels }, spec: { addresses: ['192.0.2.0/24'] } };
}
const lists = (node: string, ...names: string[]): SpeakerInterfaces => ({ node, interfaces: { names, complete: true } });
const silent = (node: string): SpeakerInterfaces => ({ node, interfaces: undefined });
const partial = (node: string, ...names: string[]): SpeakerInterfaces => ({ node, interfaces: { names, complete: false } });

const POOLS = [pool('lan', { tier: 'lan' }), pool('dmz', { tier: 'dmz' })];
const TWO_NODES = [lists('n1', 'eth0', 'eth1'), lists('n2', 'eth0', 'bond0')];

interface Row {
  rule: string;
  spec?: L2AdvertisementSpec;
  pools?: IPAddressPool[];
  speakers?: SpeakerInterfaces[];
  status: 'True' | 'False';
  reason: string;
  message: string | RegExp;
}

const ROWS: Row[] = [
  { rule: 'an empty spec announces every pool', status: 'True', reason: 'Valid', message: 'announces every pool: 2 pools "dmz", "lan"' },
  { rule: 'an empty spec with no pool at all selects none', pools: [], status: 'False', reason: 'NoPoolSelected',
    message: 'L2Advertisement "ad" announces every IPAddressPool, but there is none' },
  { rule: 'a named pool that exists is selected', spec: { ipAddressPools: ['lan'] }, status: 'True', reason: 'Valid', message: 'announces 1 pool "lan"' },
  { rule: 'a named pool that does not exist, and nothing else: NoPoolSelected naming it', spec: { ipAddressPools: ['gone', 'lost'] },
    status: 'False', reason: 'NoPoolSelected',
    message: 'L2Advertisement "ad" selects no IPAddressPool: no pool is named "gone", "lost"; it announces nothing' },
  { rule: 'a missing name beside one that exists is only mentioned', spec: { ipAddressPools: ['lan', 'gone'] },
    status: 'True', reason: 'Valid', message: 'announces 1 pool "lan"; no pool is named "gone"' },
  { rule: 'a selector matching a pool selects it', spec: { ipAddressPoolSelectors: [{ matchLabels: { tier: 'dmz' } }] },
    status: 'True', reason: 'Valid', message: 'announces 1 pool "dmz"' },
  { rule: 'a selector matching nothing: NoPoolSelected quoting it', spec: { ipAddressPoolSelectors: [{ matchLabels: { tier: 'wan' } }] },
    status: 'False', reason: 'NoPoolSelected',
    message: 'L2Advertisement "ad" selects no IPAddressPool: no pool matches ipAddressPoolSelectors[0] {"matchLabels":{"tier":"wan"}}; it announces nothing' },
  { rule: 'names and selectors that all match nothing are all named', spec: { ipAddressPools: ['gone'], ipAddressPoolSelectors: [{ matchLabels: { tier: 'wan' } }] },
    status: 'False', reason: 'NoPoolSelected',
    message: 'L2Advertisement "ad" selects no IPAddressPool: no pool is named "gone"; no pool matches ipAddressPoolSelectors[0] {"matchLabels":{"tier":"wan"}}; it announces nothing' },
  { rule: 'a selector that does not compile: InvalidSelector, and it selects nothing', spec: { ipAddressPoolSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'In' }] }] },
    status: 'False', reason: 'InvalidSelector',
    message: /^L2Advertisement "ad": ipAddressPoolSelectors\[0\] .*needs at least one value.*; also L2Advertisement "ad" selects no IPAddressPool: no pool matches ipAddressPoolSelectors\[0\]/ },
  { rule: 'an invalid nodeSelector beside a good pool: InvalidSelector alone', spec: { ipAddressPools: ['lan'], nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }] },
    status: 'False', reason: 'InvalidSelector', message: /^L2Advertisement "ad": nodeSelectors\[0\] .*takes no values.*admits no node/ },
  { rule: 'an interface some speaker lists is known', spec: { interfaces: ['bond0'] }, speakers: TWO_NODES,
    status: 'True', reason: 'Valid', message: 'announces every pool: 2 pools "dmz", "lan"; on "bond0"' },
  { rule: 'an interface no speaker lists: UnknownInterface naming it', spec: { interfaces: ['eth0', 'eth9'] }, speakers: TWO_NODES,
    status: 'False', reason: 'UnknownInterface', message: /^L2Advertisement "ad": interface "eth9" is usable on no node with a speaker \(/ },
  { rule: 'several unknown interfaces are named together', spec: { interfaces: ['eth8', 'eth9'] }, speakers: TWO_NODES,
    status: 'False', reason: 'UnknownInterface', message: /^L2Advertisement "ad": interfaces "eth8", "eth9" are usable on no node/ },
  { rule: 'no speaker yet: interfaces are not checked, and the message says so', spec: { interfaces: ['eth9'] }, speakers: [],
    status: 'True', reason: 'Valid', message: 'announces every pool: 2 pools "dmz", "lan"; on "eth9" (not checked: no speaker has a presence Lease yet)' },
  { rule: 'a speaker that lists no interfaces (older) proves nothing', spec: { interfaces: ['eth9'] }, speakers: [...TWO_NODES, silent('n3')],
    status: 'True', reason: 'Valid', message: /\(not checked: the presence Lease of "n3" does not list all of its interfaces\)$/ },
  { rule: 'a speaker whose list was cut short proves nothing', spec: { interfaces: ['eth9'] }, speakers: [lists('n1', 'eth0'), partial('n2', 'eth0')],
    status: 'True', reason: 'Valid', message: /not checked: the presence Lease of "n2"/ },
  { rule: 'every problem is named, the first one giving the reason', spec: { ipAddressPools: ['gone'], interfaces: ['eth9'] }, speakers: TWO_NODES,
    status: 'False', reason: 'NoPoolSelected', message: /no pool is named "gone"; it announces nothing; also L2Advertisement "ad": interface "eth9"/ },
];

describe('advertisementReady', () => {
  test.each(ROWS)('$rule', (row) => {
    const condition = advertisementReady(ad('ad', row.spec, 3), row.pools ?? POOLS, row.speakers ?? []);
    expect(condition).toMatchObject({ type: 'Ready', status: row.status, reason: row.reason, observedGeneration: 3 });
    if (typeof row.message === 'string') expect(condition.message).toBe(row.message);
    else expect(condition.message).toMatch(row.message);
  });

  test('messages stay within the cap whatever the names (long names are clipped, long lists counted)', () => {
    const names = Array.from({ length: 256 }, (_, i) => `${'p'.repeat(250)}${i}`);
    const interfaces = Array.from({ length: 64 }, (_, i) => `eth${i}`);
    const condition = advertisementReady(ad('a'.repeat(253), { ipAddressPools: names, interfaces }), POOLS, TWO_NODES);
    expect(condition.reason).toBe('NoPoolSelected');
    expect(utf8Length(condition.message)).toBeLessThanOrEqual(MESSAGE_MAX_BYTES);
    expect(condition.message).toMatch(/and 253 more; it announces nothing; also .*"eth10", "eth11", "eth12" and 59 more are usable on no node/);
  });
});

describe('advertisementOutcomes', () => {
  const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
  const later = t0 + 60_000;
  const inputs = (ipAddressPools: string[], pools = POOLS) => ({ advertisements: [ad('web', { ipAddressPools })], pools, speakers: [] });

  test('the first condition of a valid advertisement is logged but fires no event; a turn to not Ready fires a Warning', () => {
    const memory: ReadyMemory = new Map();
    const [first] = advertisementOutcomes(inputs(['lan']), memory, t0);
    expect(first).toMatchObject({ events: [], readiness: { ready: true, reason: 'Valid' } });
    expect(first?.status.conditions?.[0]?.lastTransitionTime).toBe(kubeTime(t0));
    const [broken] = advertisementOutcomes(inputs(['gone']), memory, later);
    expect(broken?.events).toEqual([{ type: 'Warning', reason: 'AdvertisementInvalid', message: broken?.status.conditions?.[0]?.message }]);
    expect(broken).toMatchObject({ readiness: { ready: false, reason: 'NoPoolSelected' } });
    expect(broken?.status.conditions?.[0]?.lastTransitionTime).toBe(kubeTime(later));
  });

  test('an unchanged condition keeps its transition time, fires no event and logs nothing', () => {
    const memory: ReadyMemory = new Map();
    advertisementOutcomes(inputs(['gone']), memory, t0);
    const [again] = advertisementOutcomes(inputs(['gone']), memory, later);
    expect(again?.events).toEqual([]);
    expect(again?.readiness).toBeUndefined();
    expect(again?.status.conditions?.[0]?.lastTransitionTime).toBe(kubeTime(t0));
  });

  test('recovery (the missing pool is created) fires AdvertisementReady and moves the transition time', () => {
    const memory: ReadyMemory = new Map();
    advertisementOutcomes(inputs(['new']), memory, t0);
    const [recovered] = advertisementOutcomes(inputs(['new'], [...POOLS, pool('new')]), memory, later);
    expect(recovered?.events).toEqual([{ type: 'Normal', reason: 'AdvertisementReady', message: 'announces 1 pool "new"' }]);
    expect(recovered?.status.conditions?.[0]).toMatchObject({ status: 'True', reason: 'Valid', lastTransitionTime: kubeTime(later) });
  });

  test('a condition remembered from the object (a new leader) is neither logged nor announced again', () => {
    const memory: ReadyMemory = new Map([['web', { type: 'Ready', status: 'False', reason: 'NoPoolSelected', lastTransitionTime: kubeTime(t0),
      message: 'L2Advertisement "web" selects no IPAddressPool: no pool is named "gone"; it announces nothing', observedGeneration: 1 }]]);
    const [same] = advertisementOutcomes(inputs(['gone']), memory, later);
    expect(same?.events).toEqual([]);
    expect(same?.readiness).toBeUndefined();
    expect(same?.status.conditions?.[0]?.lastTransitionTime).toBe(kubeTime(t0));
  });

  test('an advertisement that is gone is forgotten, so one re-created under its name starts afresh', () => {
    const memory: ReadyMemory = new Map();
    advertisementOutcomes(inputs(['gone']), memory, t0);
    advertisementOutcomes({ advertisements: [], pools: POOLS, speakers: [] }, memory, later);
    expect(memory.size).toBe(0);
  });
});
