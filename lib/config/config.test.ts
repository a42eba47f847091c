import type { IPAddressPoolSpec } from '../../crds/v1beta1/index.js';
import { pool } from './fixtures.js';
import { formatInterval } from '../ip/index.js';
import { configFromResources } from './pools.js';
import { compileSelector } from './selector.js';

describe('configFromResources', () => {
  it('parses a valid pool into sorted, merged intervals with defaults', () => {
    const { pools, problems } = configFromResources({ pools: [pool('lan', ['2001:db8::/126', '192.0.2.8/30', '192.0.2.0-192.0.2.9'])] });
    expect(problems).toEqual([]);
    expect(pools).toHaveLength(1);
    expect(pools[0]?.intervals.map((i) => [i.family, i.first, i.last])).toEqual([
      [4, 0xc0000200n, 0xc000020bn], [6, 0x20010db8n << 96n, (0x20010db8n << 96n) + 3n],
    ]);
    expect(pools[0]?.autoAssign).toBe(true);
    expect(pools[0]?.avoidBuggyIPs).toBe(false);
  });

  it.each([
    ['a reversed range', ['192.0.2.20-192.0.2.10'], 'ReversedRange', '192.0.2.20-192.0.2.10'],
    ['a bad CIDR among good ones', ['192.0.2.0/24', '198.51.100.0/40'], 'InvalidCIDR', '198.51.100.0/40'],
    ['a mixed-family range', ['192.0.2.1-2001:db8::1'], 'MixedFamilyRange', '192.0.2.1-2001:db8::1'],
    ['a garbage entry', ['lan'], 'InvalidAddress', 'lan'],
    ['no addresses (an old CRD let it through)', [], 'EmptyAddresses', '[]'],
  ])('a pool with %s is left out, the problem naming the value; the other pool works on', (_story, addresses, reason, value) => {
    const { pools, problems } = configFromResources({ pools: [pool('bad', addresses), pool('good', ['203.0.113.0/24'])] });
    expect(pools.map((p) => p.name)).toEqual(['good']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ pool: 'bad', reason, value });
    expect(problems[0]?.message).toContain('"bad"');
  });

  it('a bad selector is a pool problem, not an exception; the pool stays, the selector kept in place as unusable', () => {
    const selectors = [{ matchLabels: { tier: 'web' } }, { matchExpressions: [{ key: 'tier', operator: 'In' as const }] }];
    const bad = pool('sel', ['192.0.2.0/24'], { serviceAllocation: { serviceSelectors: selectors } });
    const { pools, problems } = configFromResources({ pools: [bad] });
    expect(pools.map((p) => [p.name, p.allocation?.serviceSelectors.map((s) => s.ok)])).toEqual([['sel', [true, false]]]);
    expect(problems).toEqual([expect.objectContaining({ pool: 'sel', reason: 'InvalidSelector', value: '{"matchExpressions":[{"key":"tier","operator":"In"}]}' })]);
    expect(problems[0]?.message).toBe('pool "sel": serviceSelectors[1] {"matchExpressions":[{"key":"tier","operator":"In"}]}: '
      + 'operator In on key "tier" needs at least one value; until it is fixed the pool gives no new address to a Service '
      + 'that only this selector could admit, and Services holding its addresses keep them');
  });

  it('several bad selectors: the first is quoted, the others counted', () => {
    const bad = { matchExpressions: [{ key: 'x', operator: 'Exists' as const, values: ['v'] }] };
    const { problems } = configFromResources({ pools: [pool('sel', ['192.0.2.0/24'], { serviceAllocation: { namespaceSelectors: [bad, bad], serviceSelectors: [bad] } })] });
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(
      /^pool "sel": namespaceSelectors\[0\] \{.*\}: operator Exists on key "x" takes no values \(and 2 more selectors it cannot use\); until/)]);
  });

  it('two overlapping pools both stay usable and both report the other pool and the shared ranges, whatever their ages', () => {
    const older = pool('zeta', ['192.0.2.0/24', '198.51.100.0/30'], {}, '2024-01-01T00:00:00Z');
    const newer = pool('alpha', ['192.0.2.128-192.0.3.10', '198.51.100.2'], {}, '2024-02-01T00:00:00Z');
    for (const list of [[older, newer], [newer, older]]) {
      const { pools, problems } = configFromResources({ pools: list });
      expect(pools.map((p) => [p.name, p.overlaps.map((o) => [o.pool, o.intervals.map(formatInterval)])])).toEqual([
        ['alpha', [['zeta', ['192.0.2.128-192.0.2.255', '198.51.100.2']]]],
        ['zeta', [['alpha', ['192.0.2.128-192.0.2.255', '198.51.100.2']]]],
      ]);
      expect(problems).toEqual([
        expect.objectContaining({ pool: 'alpha', reason: 'OverlapsPool', otherPools: ['zeta'], value: '192.0.2.128-192.0.2.255, 198.51.100.2' }),
        expect.objectContaining({ pool: 'zeta', reason: 'OverlapsPool', otherPools: ['alpha'], value: '192.0.2.128-192.0.2.255, 198.51.100.2' }),
      ]);
      expect(problems[1]?.message).toBe('pool "zeta" overlaps pool "alpha" on 192.0.2.128-192.0.2.255, 198.51.100.2; '
        + 'those addresses go to no new Service until one of the pools drops them, and Services holding them keep them');
    }
  });

  it('a pool overlapping two others names both; a pool overlapping none is not touched', () => {
    const { pools, problems } = configFromResources({
      pools: [pool('b', ['192.0.2.0/25']), pool('a', ['192.0.2.0/24']), pool('c', ['192.0.2.100-192.0.2.200']), pool('d', ['192.0.3.0/24'])],
    });
    expect(pools.map((p) => [p.name, p.overlaps.map((o) => o.pool)])).toEqual([['a', ['b', 'c']], ['b', ['a', 'c']], ['c', ['a', 'b']], ['d', []]]);
    expect(problems.map((p) => [p.pool, p.otherPools])).toEqual([['a', ['b', 'c']], ['b', ['a', 'c']], ['c', ['a', 'b']]]);
    expect(problems[0]?.message).toContain('overlaps pool "b" on 192.0.2.0-192.0.2.127 and pool "c" on 192.0.2.100-192.0.2.200;');
  });

  it('a left-out pool overlaps nothing', () => {
    const bad = pool('bad', ['192.0.2.0/24', '192.0.2.20-192.0.2.10']);
    const { pools, problems } = configFromResources({ pools: [bad, pool('good', ['192.0.2.0/24'])] });
    expect(pools.map((p) => [p.name, p.overlaps])).toEqual([['good', []]]);
    expect(problems.map((p) => p.reason)).toEqual(['ReversedRange']);
  });

  it('a pool with a bad selector still overlaps: it is in use, and reports both problems', () => {
    const sel = pool('sel', ['192.0.2.0/24'], { serviceAllocation: { serviceSelectors: [{ matchExpressions: [{ key: 'x', operator: 'In' }] }] } });
    const { pools, problems } = configFromResources({ pools: [sel, pool('good', ['192.0.2.0/25'])] });
    expect(pools.map((p) => [p.name, p.overlaps.map((o) => o.pool)])).toEqual([['good', ['sel']], ['sel', ['good']]]);
    expect(problems.map((p) => [p.pool, p.reason])).toEqual([['sel', 'InvalidSelector'], ['good', 'OverlapsPool'], ['sel', 'OverlapsPool']]);
  });

  it('an overlap of many ranges says how many and shows the first three; of many pools, the first three pools', () => {
    const ranges = Array.from({ length: 1000 }, (_, i) => `2001:db8::${(i * 16).toString(16)}-2001:db8::${(i * 16 + 8).toString(16)}`);
    const { problems } = configFromResources({ pools: [pool('a', ranges), pool('b', ['2001:db8::/64'])] });
    expect(problems.find((p) => p.pool === 'b')?.message).toBe('pool "b" overlaps pool "a" on 1000 ranges '
      + '(2001:db8::-2001:db8::8, 2001:db8::10-2001:db8::18, 2001:db8::20-2001:db8::28 and 997 more); '
      + 'those addresses go to no new Service until one of the pools drops them, and Services holding them keep them');
    expect(problems.find((p) => p.pool === 'b')?.value).toBe('2001:db8::-2001:db8::8, 2001:db8::10-2001:db8::18, 2001:db8::20-2001:db8::28 and 997 more');
    const many = configFromResources({ pools: ['a', 'b', 'c', 'd', 'e'].map((n) => pool(n, ['192.0.2.0/24'])) });
    expect(many.problems[0]?.message).toMatch(/^pool "a" overlaps pool "b" on 192.0.2.0-192.0.2.255, pool "c" on 192.0.2.0-192.0.2.255, pool "d" on 192.0.2.0-192.0.2.255 and 1 more pool; those/);
  });
});

describe('label selectors', () => {
  it.each([
    [{ matchLabels: { team: 'a' } }, { team: 'a', x: 'y' }, true],
    [{ matchLabels: { team: 'a' } }, { team: 'b' }, false],
    [{ matchExpressions: [{ key: 'team', operator: 'In' as const, values: ['a', 'b'] }] }, { team: 'b' }, true],
    [{ matchExpressions: [{ key: 'team', operator: 'NotIn' as const, values: ['a'] }] }, {}, true],
    [{ matchExpressions: [{ key: 'team', operator: 'Exists' as const }] }, {}, false],
    [{ matchExpressions: [{ key: 'team', operator: 'DoesNotExist' as const }] }, {}, true],
    [{}, { anything: 'at all' }, true],
  ])('%j against %j → %s', (selector, labels, expected) => {
    const compiled = compileSelector(selector);
    if (!compiled.ok) throw new Error(compiled.message);
    expect(compiled.matches(labels)).toBe(expected);
  });
});

describe('what a pool problem quotes', () => {
  const exists = (key: string) => ({ matchExpressions: [{ key, operator: 'Exists' as const, values: ['v'] }] });
  const valueOf = (serviceAllocation: IPAddressPoolSpec['serviceAllocation']) =>
    configFromResources({ pools: [pool('sel', ['192.0.2.0/24'], { serviceAllocation })] }).problems[0]?.value;
  it.each<[string, IPAddressPoolSpec['serviceAllocation'], string]>([
    ['two bad service selectors: the first', { serviceSelectors: [exists('first'), exists('second')] }, JSON.stringify(exists('first'))],
    ['a bad namespace selector and a bad service selector: the namespace one, listed first', { namespaceSelectors: [{}, exists('ns')], serviceSelectors: [exists('svc')] }, JSON.stringify(exists('ns'))],
    ['only a bad service selector: that one', { namespaceSelectors: [{}], serviceSelectors: [{}, exists('svc')] }, JSON.stringify(exists('svc'))],
  ])('%s', (_story, serviceAllocation, expected) => {
    expect(valueOf(serviceAllocation)).toBe(expected);
  });

  it('exactly three overlapping ranges are all listed; a fourth turns the list into a count', () => {
    const three = ['192.0.2.0/30', '192.0.2.8/30', '192.0.2.16/30'];
    const message = (entries: string[]) => configFromResources({ pools: [pool('a', entries), pool('b', ['192.0.2.0/24'])] }).problems[1]?.message;
    expect(message(three)).toMatch(/^pool "b" overlaps pool "a" on 192\.0\.2\.0-192\.0\.2\.3, 192\.0\.2\.8-192\.0\.2\.11, 192\.0\.2\.16-192\.0\.2\.19; /);
    expect(message([...three, '192.0.2.24/30'])).toMatch(/^pool "b" overlaps pool "a" on 4 ranges \(192\.0\.2\.0-192\.0\.2\.3, 192\.0\.2\.8-192\.0\.2\.11, 192\.0\.2\.16-192\.0\.2\.19 and 1 more\); /);
  });

  it('a pool overlapping exactly three others names all three, the last after "and"', () => {
    const { problems } = configFromResources({ pools: ['a', 'b', 'c', 'd'].map((n) => pool(n, ['192.0.2.0/30'])) });
    expect(problems[0]?.message).toMatch(/^pool "a" overlaps pool "b" on 192\.0\.2\.0-192\.0\.2\.3, pool "c" on 192\.0\.2\.0-192\.0\.2\.3 and pool "d" on 192\.0\.2\.0-192\.0\.2\.3; /);
  });
});

describe('label selectors: each operator on a label that is there, absent, or another value', () => {
  const expr = (operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist', values?: string[]) => ({ matchExpressions: [{ key: 'team', operator, ...(values ? { values } : {}) }] });
  it.each<[string, Parameters<typeof compileSelector>[0], Record<string, string>, boolean]>([
    ['In, the label absent', expr('In', ['a']), {}, false],
    ['In, another value', expr('In', ['a']), { team: 'c' }, false],
    ['NotIn, a listed value', expr('NotIn', ['a']), { team: 'a' }, false],
    ['NotIn, another value', expr('NotIn', ['a']), { team: 'c' }, true],
    ['Exists, the label there', expr('Exists'), { team: '' }, true],
    ['DoesNotExist, the label there', expr('DoesNotExist'), { team: '' }, false],
    ['matchLabels with two keys, one of them matching', { matchLabels: { team: 'a', tier: 'web' } }, { team: 'a', tier: 'db' }, false],
    ['matchLabels and an expression: both must hold', { matchLabels: { tier: 'web' }, ...expr('NotIn', ['a']) }, { team: 'a', tier: 'web' }, false],
  ])('%s', (_story, selector, labels, expected) => {
    const compiled = compileSelector(selector);
    if (!compiled.ok) throw new Error(compiled.message);
    expect(compiled.matches(labels)).toBe(expected);
  });
});
