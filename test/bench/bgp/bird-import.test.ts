import { parseRouteChange } from '../../lab/bgp-lab.js';
import { establishedAtMs, parseRouteCount, routeTimesMs } from './bird-import.js';
import { benchPrefixes } from './prefixes.js';

// What BIRD 2.0.12 prints with `timeformat protocol iso long ms` and `timeformat route iso long ms`.
const SHOW_PROTOCOLS = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since                    Info
n1         BGP        ---        up     2026-12-04 15:40:01.123  Established   
`;
const SHOW_ROUTE = `BIRD 2.0.12 ready.
Table master4:
198.18.0.0/32        unicast [n1 2026-12-04 15:40:01.130] * (100) [i]
\tvia 192.0.2.11 on eth0
198.18.0.1/32        unicast [n1 2026-12-04 15:40:01.151] * (100) [i]
\tvia 192.0.2.11 on eth0
`;

describe("reading an import's timeline from BIRD", () => {
  it('takes the time the protocol went up, and each route time, to the ms', () => {
    const up = establishedAtMs(SHOW_PROTOCOLS, 'n1');
    expect(routeTimesMs(SHOW_ROUTE, 'n1').map((t) => t - up)).toEqual([7, 28]);
    expect(routeTimesMs(SHOW_ROUTE, 'n2')).toEqual([]);
  });

  it('counts the routes of each table once, not the total line too', () => {
    const out = '10000 of 10000 routes for 10000 networks in table master4\n0 of 0 routes for 0 networks in table master6\nTotal: 10000 of 10000 routes for 10000 networks in 2 tables\n';
    expect(parseRouteCount(out)).toBe(10_000);
  });

  it('refuses a protocol that is not Established', () => {
    expect(() => establishedAtMs(SHOW_PROTOCOLS.replace('up     2026', 'start  2026'), 'n1')).toThrow(/not up and Established/);
    expect(() => establishedAtMs(SHOW_PROTOCOLS, 'n2')).toThrow(/n2/);
  });
});

describe('ip -ts monitor lines', () => {
  it('reads the time to the microsecond and keeps the rest', () => {
    const change = parseRouteChange('[2026-12-04T15:40:01.123456] Deleted 203.0.113.10 via 192.0.2.11 dev eth0 proto bird metric 32');
    expect(change?.line).toBe('Deleted 203.0.113.10 via 192.0.2.11 dev eth0 proto bird metric 32');
    expect((change?.atMs ?? 0) - new Date('2026-12-04T15:40:01').getTime()).toBeCloseTo(123.456, 3);
    expect(parseRouteChange('Deleted 203.0.113.10')).toBeUndefined();
  });
});

describe('the benchmark prefixes', () => {
  it('are host routes of 198.18.0.0/15 in address order, and no more than it holds', () => {
    expect(benchPrefixes(3)).toEqual(['198.18.0.0/32', '198.18.0.1/32', '198.18.0.2/32']);
    expect(benchPrefixes(100_000).at(-1)).toBe('198.19.134.159/32');
    expect(new Set(benchPrefixes(100_000)).size).toBe(100_000);
    expect(() => benchPrefixes((1 << 17) + 1)).toThrow(/198\.18\.0\.0\/15/);
  });
});
