// The controller as a real child process, for the tests and benchmarks that must kill it (SIGKILL) or
// measure its memory: `tsx controller/main.ts` for the tests (no build needed), or the production form
// `node dist/controller/main.js` (after `npm run build`) for figures. Its pino JSON log lines are parsed
// as they arrive.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { repoRoot } from './harness.js';

export interface LogLine {
  time: number;
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** Extra node flags for the child (HERALD_CHILD_NODE_FLAGS, e.g. "--cpu-prof"), for investigations. */
const nodeFlags = (process.env.HERALD_CHILD_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');

/** Children still running: killed when this process exits, even on a crash, so none is left orphaned. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface ChildOptions {
  /** Run the compiled `dist/controller/main.js` as production does, instead of the sources through tsx. */
  compiled?: boolean;
  /** Node flags before the script (e.g. the Deployment's NODE_OPTIONS), after HERALD_CHILD_NODE_FLAGS. */
  nodeFlags?: string[];
}

export class ControllerProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  private readonly waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(readonly identity: string, args: string[], o: ChildOptions = {}) {
    const entry = o.compiled ? [join(repoRoot, 'dist/controller/main.js')] : ['--import', 'tsx', join(repoRoot, 'controller/main.ts')];
    this.child = spawn(process.execPath, [...nodeFlags, ...(o.nodeFlags ?? []), ...entry, ...args], {
      cwd: repoRoot, env: { ...process.env, POD_NAME: identity, KUBECONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(this.child);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => {
      live.delete(this.child);
      resolve(code);
    }));
    const stdout = this.child.stdout;
    if (stdout) createInterface(stdout).on('line', (text) => this.onLine(text));
    const stderr = this.child.stderr;
    if (stderr) createInterface(stderr).on('line', (text) => this.lines.push({ time: Date.now(), level: 60, msg: text }));
  }

  private onLine(text: string): void {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { time: Date.now(), level: 30, msg: text };
    }
    this.lines.push(line);
    for (const w of [...this.waiters]) {
      if (!w.match(line)) continue;
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve(line);
    }
  }

  /** The first log line (past or future) matching `match`. */
  waitForLog(match: (l: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.identity}: no "${what}" log within ${timeoutMs} ms; last lines:\n${this.lines.slice(-5).map((l) => l.msg).join('\n')}`));
      }, timeoutMs);
      this.waiters.push({ match, resolve: (l) => { clearTimeout(timer); resolve(l); } });
    });
  }

  get pid(): number {
    const pid = this.child.pid;
    if (pid === undefined) throw new Error(`${this.identity}: the process did not start`);
    return pid;
  }

  /** Resident set size from /proc (Linux), in bytes; `peak` reads VmHWM instead of VmRSS. */
  rssBytes(peak = false): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const m = new RegExp(`^${peak ? 'VmHWM' : 'VmRSS'}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m) throw new Error(`no ${peak ? 'VmHWM' : 'VmRSS'} in /proc/${this.pid}/status`);
    return Number(m[1]) * 1024;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  async stop(): Promise<void> {
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

export function startControllerProcess(identity: string, kubeconfigPath: string, extra: string[] = [], o: ChildOptions = {}): ControllerProcess {
  return new ControllerProcess(identity, ['--kubeconfig', kubeconfigPath, '--metrics-port', '0', '--metrics-host', '127.0.0.1', ...extra], o);
}

export const becameLeader = (l: LogLine): boolean => l.msg === 'became leader';
