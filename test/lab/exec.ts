// Running commands in the lab's namespaces, and the record of every process the lab starts (in
// STATE_DIR/procs, see test/support/process-records.ts), so that `down` ends exactly those processes.
import { execFile, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ProcessRecords, isAlive, sleep, spawnRecorded, startTimeOf, type ProcRecord as BaseRecord, type SpawnOptions as RecordedSpawnOptions } from '../support/process-records.js';
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

export interface ProcRecord extends BaseRecord {
  ns: string;
}

const records = new ProcessRecords<ProcRecord>(join(STATE_DIR, 'procs'));

/**
 * How a lab process starts: process-records.ts's options, its log always in the lab's log directory. `cwd` is the
 * repo root when a `--import tsx` loader must resolve from node_modules.
 */
export type SpawnOptions = Omit<RecordedSpawnOptions, 'logDir'>;

export interface Spawned {
  record: ProcRecord;
  child: ChildProcess;
}

/** Starts argv in a namespace and records it; its stderr (and stdout unless piped) go to a log file. */
export function spawnIn(ns: string, argv: readonly string[], options: SpawnOptions): Spawned {
  return spawnRecorded(records, ['ip', 'netns', 'exec', ns, ...argv], { ...options, logDir: join(STATE_DIR, 'logs') }, { ns });
}

export { isAlive, sleep, startTimeOf };

export function listProcs(): ProcRecord[] {
  return records.list();
}

export function findProc(role: string): ProcRecord | undefined {
  return records.find(role);
}

export function forget(pid: number): void {
  records.forget(pid);
}

export function killProc(record: ProcRecord, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 3000): Promise<void> {
  return records.kill(record, signal, timeoutMs);
}
