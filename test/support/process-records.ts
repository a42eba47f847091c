// A record per long-running process a test tool starts (the lab's speakers, the control plane's etcd and
// kube-apiserver): a file holding its PID and kernel start time, so that `down` — possibly from another process,
// after a crash — ends exactly those processes and never a stranger that happens to have reused the PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProcRecord {
  pid: number;
  /** Field 22 of /proc/PID/stat: tells this process from a later one with the same PID. */
  startTime: string;
  /** What it is, e.g. "speaker-n2", "etcd"; unique while it runs. */
  role: string;
  argv: string[];
  logFile: string;
}

/** /proc/PID/stat from field 3 (state) on, or undefined once the process is gone. */
function statAfterComm(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2);
  } catch {
    return undefined;
  }
}

export function startTimeOf(pid: number): string | undefined {
  return statAfterComm(pid)?.split(' ')[19];
}

/**
 * True while the recorded process runs (same PID and same start time). A process that died but was not reaped
 * yet (a zombie: our own child, or an orphan of a detached `up` whose reaper is slow) still has a /proc entry,
 * and counts as gone.
 */
export function isAlive(record: Pick<ProcRecord, 'pid' | 'startTime'>): boolean {
  const stat = statAfterComm(record.pid);
  return stat !== undefined && stat.split(' ')[19] === record.startTime && !stat.startsWith('Z');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The records kept in one folder. */
export class ProcessRecords<R extends ProcRecord = ProcRecord> {
  constructor(readonly dir: string) {}

  save(record: R): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, `${record.pid}.json`), JSON.stringify(record));
  }

  /** Every recorded process still running; records of processes that ended are dropped. */
  list(): R[] {
    let files: string[];
    try {
      files = readdirSync(this.dir);
    } catch {
      return [];
    }
    const live: R[] = [];
    for (const f of files.filter((name) => name.endsWith('.json'))) {
      const record = this.read(join(this.dir, f));
      if (record && isAlive(record)) live.push(record);
      else rmSync(join(this.dir, f), { force: true });
    }
    return live;
  }

  private read(path: string): R | undefined {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as R;
    } catch {
      return undefined; // half-written by a process that crashed: nothing to end
    }
  }

  find(role: string): R | undefined {
    return this.list().find((r) => r.role === role);
  }

  forget(pid: number): void {
    rmSync(join(this.dir, `${pid}.json`), { force: true });
  }

  /** Signals a recorded process if it is still the one we started; resolves once it has gone (SIGKILL after timeoutMs). */
  async kill(record: R, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 3000): Promise<void> {
    if (!isAlive(record)) return this.forget(record.pid);
    process.kill(record.pid, signal);
    const deadline = Date.now() + timeoutMs;
    while (isAlive(record)) {
      if (Date.now() > deadline) {
        if (signal === 'SIGKILL') throw new Error(`${record.role} (pid ${record.pid}) survived SIGKILL for ${timeoutMs} ms`);
        return this.kill(record, 'SIGKILL', timeoutMs);
      }
      await sleep(5);
    }
    this.forget(record.pid);
  }
}

export interface SpawnOptions {
  role: string;
  /** Where `<role>.log` gets the process's stderr (and stdout unless piped). */
  logDir: string;
  /** Outlive the caller (a CLI's `up`): own process group, not waited for. */
  detached?: boolean;
  /** Pipe stdout to the caller instead of the log file. */
  pipeStdout?: boolean;
  /** Give the caller the process's stdin (a child driven by commands); otherwise it reads nothing. */
  pipeStdin?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts argv and records it in `records`; the record goes when the process exits. */
export function spawnRecorded<R extends ProcRecord>(
  records: ProcessRecords<R>, argv: readonly string[], options: SpawnOptions, extra: Omit<R, keyof ProcRecord>,
): { record: R; child: ChildProcess } {
  const [file, ...args] = argv;
  if (!file) throw new Error('spawn: empty command');
  mkdirSync(options.logDir, { recursive: true });
  const logFile = join(options.logDir, `${options.role}.log`);
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(file, args, {
      detached: options.detached ?? false, cwd: options.cwd, env: options.env,
      stdio: [options.pipeStdin ? 'pipe' : 'ignore', options.pipeStdout ? 'pipe' : log, log],
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${argv.join(' ')}`);
    if (options.detached) child.unref();
    const record = { ...extra, pid, startTime: startTimeOf(pid) ?? '', role: options.role, argv: [...argv], logFile } as R;
    records.save(record);
    child.once('exit', () => records.forget(pid));
    return { record, child };
  } finally {
    closeSync(log);
  }
}
