// A scratch namespace full of links (LINKS_NS, `hl-links`), and the watcher probe (watcher-probe.ts) run
// inside it: for the interface watcher's lab test and the footprint bench's "300 links" figures. Links are
// veth pairs with both ends in the namespace (this kernel has no dummy driver), named hl-vN / hl-vNp.
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { killProc, run, sleep, spawnIn, type ProcRecord } from './exec.js';
import { REPO_ROOT } from './lab.js';
import { speakerNodeFlags } from './speakers.js';
import { LINKS_NS } from './topology.js';

export async function createLinksNamespace(): Promise<void> {
  await removeLinksNamespace();
  await run(['ip', 'netns', 'add', LINKS_NS]);
  await run(['ip', '-n', LINKS_NS, 'link', 'set', 'lo', 'up']);
}

export async function removeLinksNamespace(): Promise<void> {
  await run(['ip', 'netns', 'del', LINKS_NS]).catch(() => undefined);
}

/** `ip -batch` in the links namespace: hundreds of changes in one process. */
export async function linksBatch(commands: readonly string[]): Promise<void> {
  await run(['ip', '-n', LINKS_NS, '-batch', '-'], `${commands.join('\n')}\n`);
}

/** Commands adding veth pairs first..first+pairs-1 (two links each), up, each end with a MAC of its own. */
export function addVethPairs(first: number, pairs: number): string[] {
  const commands: string[] = [];
  for (let i = first; i < first + pairs; i++) {
    const mac = (side: number): string => `02:00:${side.toString(16).padStart(2, '0')}:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
    commands.push(`link add hl-v${i} address ${mac(0xa0)} type veth peer name hl-v${i}p address ${mac(0xa1)}`);
    commands.push(`link set hl-v${i} up`, `link set hl-v${i}p up`);
  }
  return commands;
}

export type ProbeMode = 'netlink' | 'sysfs';

export interface ProbeStats {
  /** The longest task the watcher ran on the event loop in the window, ms. */
  longestTaskMs: number;
  /** The event loop's longest delay in the window (monitorEventLoopDelay max), ms: that task, and any other reason. */
  maxStallMs: number;
  p99StallMs: number;
  /** How late the 50 ms timer fired at worst, ms. */
  heartbeatLateMs: number;
  cpuMs: number;
  snapshots: number;
  overruns: number;
}

interface ProbeLine {
  kind: 'ready' | 'links' | 'stats';
  count?: number;
  up?: number;
  at?: number;
}

/** watcher-probe.ts running in LINKS_NS: what it reported, and its stats on demand. */
export class WatcherProbe {
  readonly snapshots: { count: number; up: number; at: number }[] = [];
  private readonly stats: ProbeStats[] = [];
  private ready = false;

  private constructor(private readonly record: ProcRecord) {}

  /** Starts the probe with the speaker's node flags; resolves once it has read the links the first time. */
  static async start(mode: ProbeMode): Promise<WatcherProbe> {
    const script = join(REPO_ROOT, 'test', 'lab', 'watcher-probe.ts');
    const { record, child } = spawnIn(LINKS_NS, [process.execPath, ...speakerNodeFlags(), '--import', 'tsx', script, mode],
      { role: `watcher-probe-${mode}`, pipeStdout: true, cwd: REPO_ROOT });
    const probe = new WatcherProbe(record);
    if (!child.stdout) throw new Error('watcher probe: no stdout pipe');
    createInterface({ input: child.stdout }).on('line', (line) => probe.take(JSON.parse(line) as ProbeLine & ProbeStats));
    const deadline = Date.now() + 20_000;
    while (!probe.ready) {
      if (Date.now() > deadline) throw new Error(`watcher probe (${mode}) did not start; see ${record.logFile}`);
      await sleep(20);
    }
    return probe;
  }

  private take(line: ProbeLine & ProbeStats): void {
    if (line.kind === 'ready') this.ready = true;
    else if (line.kind === 'links') this.snapshots.push({ count: line.count ?? 0, up: line.up ?? 0, at: line.at ?? 0 });
    else this.stats.push(line);
  }

  /** The stats since the last call (or since the start). */
  async takeStats(): Promise<ProbeStats> {
    const before = this.stats.length;
    process.kill(this.record.pid, 'SIGUSR2');
    const deadline = Date.now() + 5000;
    while (this.stats.length === before) {
      if (Date.now() > deadline) throw new Error('watcher probe: no stats within 5 s');
      await sleep(10);
    }
    return this.stats[this.stats.length - 1] as ProbeStats;
  }

  /** Waits until a snapshot with `count` links (and `up` of them up, when given) has been reported. */
  async waitFor(count: number, up?: number, timeoutMs = 10_000): Promise<{ count: number; up: number; at: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.snapshots.find((s) => s.count === count && (up === undefined || s.up === up));
      if (hit) return hit;
      if (Date.now() > deadline) {
        throw new Error(`watcher probe: no snapshot of ${count} links${up === undefined ? '' : ` (${up} up)`} within ${timeoutMs} ms; last ${JSON.stringify(this.snapshots.at(-1))}`);
      }
      await sleep(10);
    }
  }

  /** Pauses the probe (SIGSTOP): its socket keeps queueing what the kernel sends. */
  pause(): void {
    process.kill(this.record.pid, 'SIGSTOP');
  }

  resume(): void {
    process.kill(this.record.pid, 'SIGCONT');
  }

  stop(): Promise<void> {
    return killProc(this.record, 'SIGTERM', 5000);
  }
}
