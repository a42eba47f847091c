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

  it('a bad selector is a pool problem, not an exception', () => {
    const bad = pool('sel', ['192.0.2.0/24'], { serviceAllocation: { serviceSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'In' }] }] } });
    const { pools, problems } = configFromResources({ pools: [bad] });
    expect(pools).toEqual([]);
    expect(problems[0]).toMatchObject({ pool: 'sel', reason: 'InvalidSelector' });
    expect(problems[0]?.message).toContain('"tier"');
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
    const bad = pool('bad', ['192.0.2.0/24'], { serviceAllocation: { serviceSelectors: [{ matchExpressions: [{ key: 'x', operator: 'In' }] }] } });
    const { pools, problems } = configFromResources({ pools: [bad, pool('good', ['192.0.2.0/24'])] });
    expect(pools.map((p) => [p.name, p.overlaps])).toEqual([['good', []]]);
    expect(problems.map((p) => p.reason)).toEqual(['InvalidSelector']);
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
