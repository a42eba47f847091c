// Allocator alone: 10 000 allocations from an IPv6 /64 versus from an IPv4 /16, same run. The free-address
// search never enumerates a pool, so the /64 should cost about what the /16 does (target ratio <= 1.5).
import { performance } from 'node:perf_hooks';
import { Allocator, type AllocationRequest } from '../../controller/allocator/index.js';
import type { ServiceKey } from '../../controller/core-api.js';
import { configFromResources } from '../../lib/config/index.js';
import type { Family } from '../../lib/ip/index.js';
import { pool } from '../../controller/reconcile/fixtures.js';
import { percentile, ratio, type Benchmark, type Figure } from './figure.js';

const SERVICES = 10_000;
const ROUNDS = 15;

function requests(family: Family): AllocationRequest[] {
  return Array.from({ length: SERVICES }, (_, i) => ({
    key: `bench/s${i}` as ServiceKey, namespace: 'bench', labels: {}, namespaceLabels: {},
    families: [family], policy: 'SingleStack', requestedIPs: [], pool: undefined,
    sharing: { key: undefined, ports: [{ port: 80, protocol: 'TCP' }], backendKey: '' },
  }));
}

/** Milliseconds to allocate every request into a fresh allocator holding only `cidr`. */
function timeOnce(cidr: string, reqs: readonly AllocationRequest[]): number {
  const { pools, problems } = configFromResources({ pools: [pool('bench', [cidr])] });
  if (problems.length > 0) throw new Error(`bench pool ${cidr}: ${problems[0]?.message}`);
  const allocator = new Allocator();
  allocator.setPools(pools);
  const start = performance.now();
  for (const req of reqs) {
    const result = allocator.allocate(req);
    if (!result.ok) throw new Error(`bench: allocation from ${cidr} failed: ${result.message}`);
  }
  return performance.now() - start;
}

export const benchmark: Benchmark = {
  name: 'allocator',
  async run(): Promise<Figure[]> {
    const v6 = requests(6);
    const v4 = requests(4);
    timeOnce('2001:db8::/64', v6); // warm up the JIT on both paths before measuring
    timeOnce('10.0.0.0/16', v4);
    const v6Times: number[] = [];
    const v4Times: number[] = [];
    // Interleaved, alternating which goes first, so machine noise (the 2 shared cores) hits both alike.
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        v6Times.push(timeOnce('2001:db8::/64', v6));
        v4Times.push(timeOnce('10.0.0.0/16', v4));
      } else {
        v4Times.push(timeOnce('10.0.0.0/16', v4));
        v6Times.push(timeOnce('2001:db8::/64', v6));
      }
    }
    const value = percentile(v6Times, 50);
    const anchorValue = percentile(v4Times, 50);
    return [{
      name: `allocator: ${SERVICES} allocations from an IPv6 /64 (median of ${ROUNDS})`,
      value, unit: 'ms',
      anchor: `same from an IPv4 /16, same run`, anchorValue,
      ratio: ratio(value, anchorValue),
      target: 'ratio <= 1.5',
    }];
  },
};
