// Pool statuses stay writable whatever a pool lists: the Ready message and every pool event fit MESSAGE_MAX_BYTES
// (the hard cap), and addressesSummary (the ADDRESSES column) shows the first entries and "+N more". The user
// trial: a valid pool of 1 000 long IPv6 ranges got a Ready message over the API's 32 KiB limit, and the server
// refused every status write of that pool.
import fc from 'fast-check';
import { parse } from 'yaml';
import { renderCrds } from '../../crds/generate.js';
import type { IPAddressPool } from '../../crds/v1beta1/index.js';
import { MESSAGE_MAX_BYTES, utf8Length } from '../../lib/config/index.js';
import { validateCustomResource } from '../../lib/crd-schema/index.js';
import { createControllerCore } from './core.js';
import { NOW, pool } from './fixtures.js';
import { addressesSummary } from './status.js';

const crd = parse(renderCrds().get('herald.dev_ipaddresspools.yaml') ?? '');
const schema = crd.spec.versions[0].schema.openAPIV3Schema as Record<string, unknown>;

/** The i-th of 1 000 IPv6 ranges, each as long as the CRD lets an entry be (128 bytes): full-form ends, padded. */
function maximalEntry(i: number, base = '2001:0db8:0000:0000:0000:0000'): string {
  const end = (n: number) => `${base}:${(i >> 8).toString(16).padStart(4, '0')}:${((i & 255) * 256 + n).toString(16).padStart(4, '0')}`;
  const [first, last] = [end(0), end(9)];
  return `${first}${' '.repeat(128 - first.length - last.length - 1)}-${last}`;
}
const THOUSAND = Array.from({ length: 1000 }, (_, i) => maximalEntry(i));
/** The longest name Kubernetes allows (a DNS subdomain). */
const longName = (c: string) => `${c}${'-x'.repeat(126)}`;

function statuses(pools: IPAddressPool[]) {
  const core = createControllerCore({});
  core.setPools(pools, NOW);
  core.restore([]);
  return core.poolStatuses(NOW);
}

/** Every message a status or its events carry fits, and the status is one the CRD accepts (as the server checks it). */
function expectWritable(outcomes: ReturnType<typeof statuses>): void {
  for (const outcome of outcomes) {
    const messages = [...(outcome.status.conditions ?? []).map((c) => c.message), ...outcome.events.map((e) => e.message)];
    for (const message of messages) expect(utf8Length(message)).toBeLessThanOrEqual(MESSAGE_MAX_BYTES);
    const object = { ...pool(outcome.name, ['192.0.2.0/24']), status: outcome.status };
    expect(validateCustomResource(schema, object).errors).toEqual([]);
  }
}

describe('worst cases: 1 000 maximal-length entries', () => {
  it('a valid pool: Ready says how many and shows the first three; the summary is one short cell', () => {
    expect(THOUSAND.every((e) => e.length === 128)).toBe(true);
    const [outcome] = statuses([pool('long', THOUSAND)]);
    const ready = outcome?.status.conditions?.[0];
    expect(ready).toMatchObject({ status: 'True', reason: 'Valid' });
    expect(ready?.message).toMatch(/^addresses "2001:0db8:[^"]+", "[^"]+", "[^"]+" and 997 more are in use$/);
    expect(outcome?.status.addressesSummary).toMatch(/^2001:0db8:0000:0000:0000:0000:0000:0000-2001:0db8:0000:0000:0000:0000:0000:0009 \+999 more$/);
    expectWritable(statuses([pool('long', THOUSAND)]));
  });

  it('two such pools with the longest names overlapping on all 1 000 ranges, and a third and fourth overlapping too', () => {
    const names = ['a', 'b', 'c', 'd'].map(longName);
    const outcomes = statuses(names.map((n) => pool(n, THOUSAND)));
    expect(outcomes.map((o) => o.status.conditions?.[0]?.reason)).toEqual(['OverlapsPool', 'OverlapsPool', 'OverlapsPool', 'OverlapsPool']);
    expect(outcomes[0]?.events.map((e) => e.reason)).toEqual(['PoolInvalid']);
    expectWritable(outcomes);
  });

  it('an entry far longer than any valid one (a CRD without the schema let it through)', () => {
    const outcomes = statuses([pool(longName('e'), [`192.0.2.1-${'9'.repeat(100_000)}`, ...THOUSAND.slice(1)])]);
    expect(outcomes[0]?.status.conditions?.[0]).toMatchObject({ status: 'False', reason: 'InvalidAddress' });
    expect(outcomes[0]?.status.addressesSummary).toBe(`192.0.2.1-${'9'.repeat(89)}… +999 more`);
    expectWritable(outcomes);
  });

  it('a selector with 1 000 long values and a bad one, on a pool that also overlaps', () => {
    const values = Array.from({ length: 1000 }, (_, i) => `${'v'.repeat(60)}${i}`);
    const serviceAllocation = { serviceSelectors: [{ matchExpressions: [{ key: 'k'.repeat(316), operator: 'Exists' as const, values }] }] };
    const outcomes = statuses([pool(longName('s'), THOUSAND, { serviceAllocation }), pool(longName('t'), THOUSAND)]);
    expect(outcomes.map((o) => o.status.conditions?.[0]?.reason)).toEqual(['InvalidSelector', 'OverlapsPool']);
    expectWritable(outcomes);
  });
});

it('no pools, whatever their names and entries, get a message or summary past the bound', () => {
  const name = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,251}[a-z0-9])?$/);
  const entry = fc.oneof(fc.constantFrom(...THOUSAND.slice(0, 20)), fc.constant('192.0.2.0/24'), fc.string({ maxLength: 300 }));
  const pools = fc.uniqueArray(fc.record({ name, entries: fc.array(entry, { minLength: 1, maxLength: 60 }) }), { selector: (p) => p.name, minLength: 1, maxLength: 6 });
  fc.assert(fc.property(pools, (list) => expectWritable(statuses(list.map((p) => pool(p.name, p.entries))))), { numRuns: 40 });
});

describe('addressesSummary (the ADDRESSES column)', () => {
  it.each<[string[], string]>([
    [['192.0.2.0/24'], '192.0.2.0/24'],
    [['198.51.100.10 - 198.51.100.200', '2001:db8:d5::/120'], '198.51.100.10-198.51.100.200, 2001:db8:d5::/120'],
    [['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5', '192.0.2.6'], '192.0.2.1, 192.0.2.2, 192.0.2.3, 192.0.2.4, 192.0.2.5, 192.0.2.6'],
    [['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5', '192.0.2.6', '192.0.2.7'], '192.0.2.1, 192.0.2.2, 192.0.2.3, 192.0.2.4, 192.0.2.5 +2 more'],
    [['2001:db8::1-2001:db8::9', '2001:db8::b-2001:db8::13', '2001:db8::15-2001:db8::1d'], '2001:db8::1-2001:db8::9, 2001:db8::b-2001:db8::13 +1 more'],
    [[], ''],
  ])('%j → %j', (addresses, expected) => {
    expect(addressesSummary(addresses)).toBe(expected);
  });
});

describe('what a pool\'s status says besides its size', () => {
  it('a pool that cannot be read counts nothing assigned and nothing available (the kubectl columns show 0)', () => {
    const [outcome] = statuses([pool('bad', ['192.0.2.9-192.0.2.8'])]);
    expect(outcome?.status).toMatchObject({ assignedIPv4: 0, assignedIPv6: 0, availableIPv4: 0, availableIPv6: '0' });
  });

  it('a pool with two problems names both in its Ready message, the first one\'s reason as the reason', () => {
    const unusable = { serviceSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'In' as const }] }] };
    const [outcome] = statuses([pool('a', ['192.0.2.0/29'], { serviceAllocation: unusable }), pool('b', ['192.0.2.4/30'])]);
    expect(outcome?.status.conditions?.[0]).toMatchObject({ status: 'False', reason: 'InvalidSelector' });
    expect(outcome?.status.conditions?.[0]?.message).toMatch(/^pool "a": serviceSelectors\[0\] .* keep them; also pool "a" overlaps pool "b" on 192\.0\.2\.4-192\.0\.2\.7; /);
  });

  it('a valid pool that changes its addresses stays Ready: the message follows, logged once, with no PoolReady event and no new time', () => {
    const core = createControllerCore({});
    core.setPools([pool('p', ['192.0.2.0/29'])], NOW);
    core.poolStatuses(NOW);
    core.setPools([pool('p', ['192.0.2.0/28'])], NOW + 60_000);
    const [grown] = core.poolStatuses(NOW + 60_000);
    expect(grown?.status.conditions?.[0]).toMatchObject({ status: 'True', message: 'addresses "192.0.2.0/28" are in use', lastTransitionTime: '2024-06-01T00:00:00Z' });
    expect(grown?.events).toEqual([]);
    // Its new message is news for the log, once.
    expect(grown?.readiness).toEqual({ ready: true, reason: 'Valid', message: 'addresses "192.0.2.0/28" are in use' });
    expect(core.poolStatuses(NOW + 120_000)[0]?.readiness).toBeUndefined();
  });
});
