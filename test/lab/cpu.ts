// CPU time of a process the lab started, from /proc/PID/stat (utime + stime, in clock ticks of 10 ms on
// Linux: USER_HZ is 100 on every architecture the lab runs on). Used to measure what a flood costs the
// flooded speaker, by the kernel's own accounting.
import { readFileSync } from 'node:fs';

const TICK_MS = 10;

/** User + system CPU the process has used so far, in milliseconds. Throws naming the PID when it is gone. */
export function cpuMsOf(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (cause) {
    throw new Error(`no process ${pid} to measure`, { cause });
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`/proc/${pid}/stat: no utime/stime in "${stat.slice(0, 80)}"`);
  return (utime + stime) * TICK_MS;
}
