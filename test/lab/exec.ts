// Running commands in the lab's namespaces, and the record of every process the lab starts. Each
// long-running process gets a file in STATE_DIR/procs holding its PID and kernel start time, so that
// `down` (possibly from another process, after a crash) ends exactly those processes and never a
// stranger that happens to have reused the PID.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { STATE_DIR } from './topology.js';

const execFileAsync = promisify(execFile);

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs argv, resolves with its output, rejects with a message that quotes the command and its stderr. */
export async function run(argv: readonly string[], input?: string): Promise<RunResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error('run: empty command');
  try {
    if (input === undefined) return await execFileAsync(file, args, { maxBuffer: 64 << 20 });
    return await runWithInput(file, args, input);
  } catch (cause) {
    const stderr = (cause as { stderr?: string }).stderr?.trim() ?? '';
    throw new Error(`command failed: ${argv.join(' ')}${stderr ? `: ${stderr}` : ''}`, { cause });
  }
}

function runWithInput(file: string, args: string[], input: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stderr }));
      else resolve({ stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

/** Runs argv inside a namespace. `ip netns exec` execs the command, so nothing else is left running. */
export function execIn(ns: string, argv: readonly string[], input?: string): Promise<RunResult> {
  return run(['ip', 'netns', 'exec', ns, ...argv], input);
}

export interface ProcRecord {
  pid: number;
  /** Field 22 of /proc/PID/stat: tells this process from a later one with the same PID. */
  startTime: string;
  ns: string;
  /** What it is, e.g. "http-n1", "speaker-n2", "keepalived-n3"; unique while it runs. */
  role: string;
  argv: string[];
  logFile: string;
}

export interface SpawnOptions {
  role: string;
  /** Outlive the caller (the CLI's `up`): own process group, not waited for. */
  detached?: boolean;
  /** Pipe stdout to the caller instead of the log file (probers the caller reads). */
  pipeStdout?: boolean;
  /** Working directory; the repo root when a `--import tsx` loader must resolve from node_modules. */
  cwd?: string;
}

export interface Spawned {
  record: ProcRecord;
  child: ChildProcess;
}

const procsDir = join(STATE_DIR, 'procs');
const logsDir = join(STATE_DIR, 'logs');

/** Starts argv in a namespace and records it; its stderr (and stdout unless piped) go to a log file. */
export function spawnIn(ns: string, argv: readonly string[], options: SpawnOptions): Spawned {
  mkdirSync(procsDir, { recursive: true });
  mkdirSync(logsDir, { recursive: true });
  const logFile = join(logsDir, `${options.role}.log`);
  const log = openSync(logFile, 'a');
  try {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], {
      detached: options.detached ?? false,
      cwd: options.cwd,
      stdio: ['ignore', options.pipeStdout ? 'pipe' : log, log],
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${argv.join(' ')} in ${ns}`);
    if (options.detached) child.unref();
    const record: ProcRecord = { pid, startTime: startTimeOf(pid) ?? '', ns, role: options.role, argv: [...argv], logFile };
    writeFileSync(join(procsDir, `${pid}.json`), JSON.stringify(record));
    child.once('exit', () => forget(pid));
    return { record, child };
  } finally {
    closeSync(log);
  }
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

/** True while the recorded process runs (same PID and same start time). */
export function isAlive(record: ProcRecord): boolean {
  return startTimeOf(record.pid) === record.startTime;
}

/** Every recorded process still running; records of processes that ended are dropped. */
export function listProcs(): ProcRecord[] {
  let files: string[];
  try {
    files = readdirSync(procsDir);
  } catch {
    return [];
  }
  const live: ProcRecord[] = [];
  for (const f of files.filter((name) => name.endsWith('.json'))) {
    const record = readRecord(join(procsDir, f));
    if (record && isAlive(record)) live.push(record);
    else rmSync(join(procsDir, f), { force: true });
  }
  return live;
}

function readRecord(path: string): ProcRecord | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ProcRecord;
  } catch {
    return undefined; // half-written by a process that crashed: nothing to end
  }
}

export function findProc(role: string): ProcRecord | undefined {
  return listProcs().find((r) => r.role === role);
}

export function forget(pid: number): void {
  rmSync(join(procsDir, `${pid}.json`), { force: true });
}

/** Signals a recorded process if it is still the one we started; resolves once it has gone. */
export async function killProc(record: ProcRecord, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 3000): Promise<void> {
  if (!isAlive(record)) return forget(record.pid);
  process.kill(record.pid, signal);
  const deadline = Date.now() + timeoutMs;
  while (isAlive(record) && !isZombieOf(record)) {
    if (Date.now() > deadline) {
      if (signal === 'SIGKILL') throw new Error(`${record.role} (pid ${record.pid}) survived SIGKILL for ${timeoutMs} ms`);
      return killProc(record, 'SIGKILL', timeoutMs);
    }
    await sleep(5);
  }
  forget(record.pid);
}

/** A child of ours that died but was not reaped yet still has a /proc entry: treat it as gone. */
function isZombieOf(record: ProcRecord): boolean {
  return statAfterComm(record.pid)?.startsWith('Z') ?? true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
