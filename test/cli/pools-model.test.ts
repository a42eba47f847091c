// `kubectl herald pools`' figures (cli/status/pools.ts) and the kubectl-style printing they go through
// (cli/output.ts): exact counts from the pool's status, a bar computed in integers so a /64 is neither rounded nor
// shown as used, and kubectl's table layout and ages.
import type { IPAddressPool } from '../../crds/v1beta1/index.js';
import { poolUses, poolsTable, usageBar } from '../../cli/status/pools.js';
import { formatAge, formatTable, parseOutputFormat } from '../../cli/output.js';
import { kubectlTable } from '../support/kubectl.js';

const pool = (name: string, status: IPAddressPool['status']): IPAddressPool =>
  ({ apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name, namespace: 'herald-system' }, spec: { addresses: ['x'] }, status });

describe('the bar and the percentage', () => {
  test.each([
    [0n, 256n, '░░░░░░░░░░░░░░░░░░░░ 0%'],
    [1n, 256n, '░░░░░░░░░░░░░░░░░░░░ 0.3%'],
    [128n, 256n, '██████████░░░░░░░░░░ 50%'],
    [255n, 256n, '███████████████████░ 99.6%'], // rounded down: full only when nothing is left
    [256n, 256n, '████████████████████ 100%'],
    [3n, 1n << 64n, '░░░░░░░░░░░░░░░░░░░░ <0.1%'], // a /64 with 3 Services: used, but too little to draw
    [1n << 127n, 1n << 128n, '██████████░░░░░░░░░░ 50%'], // beyond any double's exact integers
  ])('%s of %s', (assigned, total, bar) => {
    expect(usageBar(assigned, total)).toBe(bar);
  });
});

describe('pools', () => {
  const uses = poolUses([
    pool('v6', { assignedIPv4: 0, availableIPv4: 0, assignedIPv6: 3, availableIPv6: '18446744073709551613', conditions: [{ type: 'Ready', status: 'True', reason: 'Valid', message: '', lastTransitionTime: 'T' }] }),
    pool('dual', { assignedIPv4: 2, availableIPv4: 254, assignedIPv6: 0, availableIPv6: '65536' }),
    pool('broken', { assignedIPv4: 0, availableIPv4: 0, assignedIPv6: 0, availableIPv6: '0', conditions: [{ type: 'Ready', status: 'False', reason: 'InvalidCIDR', message: 'm', lastTransitionTime: 'T' }] }),
  ]);
  test('exact counts per family, as decimal strings; a family without addresses left out', () => {
    expect(uses.map((u) => [u.name, u.families])).toEqual([
      ['broken', []],
      ['dual', [{ family: 'IPv4', assigned: '2', available: '254', total: '256' }, { family: 'IPv6', assigned: '0', available: '65536', total: '65536' }]],
      ['v6', [{ family: 'IPv6', assigned: '3', available: '18446744073709551613', total: '18446744073709551616' }]],
    ]);
  });
  test('the table: a row per family, a pool with none still listed with why', () => {
    const rows = kubectlTable(poolsTable(uses, false));
    expect(rows.map((r) => [r.POOL, r.FAMILY, r.USE, r.ASSIGNED, r.AVAILABLE, r.READY])).toEqual([
      ['broken', '<none>', '<none>', '0', '0', 'False'],
      ['dual', 'IPv4', '░░░░░░░░░░░░░░░░░░░░ 0.7%', '2', '254', '<unknown>'],
      ['dual', 'IPv6', '░░░░░░░░░░░░░░░░░░░░ 0%', '0', '65536', '<unknown>'],
      ['v6', 'IPv6', '░░░░░░░░░░░░░░░░░░░░ <0.1%', '3', '18446744073709551613', 'True'],
    ]);
  });
});

describe('kubectl\'s printing', () => {
  test('columns padded by 3 to at least 6, headers upper-cased, no trailing blanks', () => {
    expect(formatTable(['name', 'ip'], [['a', '192.0.2.1'], ['long-name', '']])).toBe('NAME        IP\na           192.0.2.1\nlong-name\n');
  });
  test.each([[5_000, '5s'], [125_000, '2m5s'], [600_000, '10m'], [3 * 3600_000 + 60_000, '3h1m'], [30 * 3600_000, '30h'], [3 * 86400_000 + 3600_000, '3d1h'], [40 * 86400_000, '40d'], [-5_000, '<invalid>']])(
    'age %d ms is %s', (ms, text) => expect(formatAge(ms)).toBe(text));
  test('-o: wide, json and yaml; anything else is refused by name', () => {
    expect([undefined, 'wide', 'json', 'yaml'].map(parseOutputFormat)).toEqual(['table', 'wide', 'json', 'yaml']);
    expect(() => parseOutputFormat('xml')).toThrow('unable to match a printer suitable for the output format "xml", allowed formats are: json,wide,yaml');
  });
});
