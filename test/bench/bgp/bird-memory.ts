// BIRD's own account of its memory (`birdc show memory`), for the BGP memory benchmark.

const UNIT_BYTES: Record<string, number> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/**
 * Bytes in the `Total:` line of `show memory`, its first column (effective: what BIRD's structures use, without
 * its allocator's overhead). BIRD 2.0 writes "Total:   46.2 kB   57.1 kB".
 */
export function birdMemoryTotal(showMemory: string): number {
  const m = /^\s*Total:\s+([\d.]+)\s+(B|kB|MB|GB)\b/m.exec(showMemory);
  const unit = m?.[2] === undefined ? undefined : UNIT_BYTES[m[2]];
  if (m?.[1] === undefined || unit === undefined) throw new Error(`no Total in BIRD's show memory:\n${showMemory}`);
  return Number(m[1]) * unit;
}
