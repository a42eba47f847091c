// The BGP benchmarks' prefixes: host routes (/32s) from 198.18.0.0/15, the block RFC 2544 reserves for
// benchmarking, because 100 000 of them fit in no documentation range (192.0.2.0/24 and its two siblings hold
// 768 addresses). They are prefixes in BIRD's BGP table only, never routes in a kernel table: the router's BIRD
// runs without its kernel protocols for these benches (bgp-lab.ts `kernel: false`), the BIRD standing in for
// Herald on a node has none (nodeBirdConfig), and Herald's sender installs nothing. docs/bgp.md, Performance.

/** RFC 2544 §C.2.2: 198.18.0.0/15, 131 072 addresses. */
const BENCH_BLOCK_FIRST_OCTETS = [198, 18] as const;
export const BENCH_BLOCK_SIZE = 1 << 17;

/** The first `count` host prefixes of 198.18.0.0/15 in address order, as text (`198.18.0.0/32`, ...). */
export function benchPrefixes(count: number): string[] {
  if (!Number.isInteger(count) || count < 0 || count > BENCH_BLOCK_SIZE) {
    throw new Error(`bench prefixes: ${count} is not a count within 198.18.0.0/15 (0..${BENCH_BLOCK_SIZE})`);
  }
  const [a, b] = BENCH_BLOCK_FIRST_OCTETS;
  return Array.from({ length: count }, (_, i) => `${a}.${b + (i >> 16)}.${(i >> 8) & 0xff}.${i & 0xff}/32`);
}
