// What /proc says about a process: CPU time spent and resident memory.
import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/PID/stat times (sysconf(_SC_CLK_TCK); 100 on every Linux Herald runs on). */
const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (in parentheses, which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`/proc/${pid}/stat: no utime/stime in "${stat.trim()}"`);
  return (utime + stime) / CLOCK_TICKS_PER_SECOND;
}

/**
 * A process's resident memory, whole and its private part. RSS is mostly file-backed pages of the
 * 126 MB node binary (shared, and the same for any Node program); RssAnon (heap, stacks, malloc) is
 * the part the speaker's own code controls, so both are reported.
 */
export interface Resident {
  rss: number;
  anon: number;
  /** The highest RSS the process ever had (VmHWM). */
  peak: number;
}

export function residentMiB(pid: number): Resident {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m?.[1]) throw new Error(`no ${name} in /proc/${pid}/status`);
    return Number(m[1]) / 1024;
  };
  return { rss: field('VmRSS'), anon: field('RssAnon'), peak: field('VmHWM') };
}
