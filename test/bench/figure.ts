// What every benchmark reports: a figure next to its anchor (a peer measured side by side in the same
// run, or a physical floor), and their ratio. `npm run bench` collects these from every
// test/bench/*.bench.ts module's exported `benchmark`.
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** What the figure is compared with, in words ("bare PATCH loop, same emulator, same run"). */
  anchor: string;
  anchorValue?: number;
  /** value / anchorValue, or null where the anchor is a target rather than a measurement. */
  ratio: number | null;
  /** The target, in words ("ratio <= 1.5", "< 150 MiB"). */
  target: string;
}

export interface Benchmark {
  name: string;
  /** Lab benchmarks need root and the lab's Debian packages; skipped with a note otherwise. */
  needsRoot?: boolean;
  run(): Promise<Figure[]>;
}

export function ratio(value: number, anchorValue: number): number | null {
  return anchorValue > 0 ? value / anchorValue : null;
}

/** Nearest-rank percentile of a sample (p in 0..100). */
export function percentile(sample: readonly number[], p: number): number {
  if (sample.length === 0) throw new Error('percentile of an empty sample');
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** Trials per measurement: HERALD_BENCH_TRIALS when set (a positive integer), else the bench's own default. */
export function trialCount(defaultTrials: number): number {
  const given = process.env.HERALD_BENCH_TRIALS;
  const n = Number(given ?? defaultTrials);
  if (!Number.isInteger(n) || n < 1) throw new Error(`HERALD_BENCH_TRIALS must be a positive integer, got "${given}"`);
  return n;
}
