// Load for the footprint bench's "both cores busy" figures: one busy-looping shell per core, started here
// and ended here by PID (never by name), so the speaker competes for the CPU as on a loaded node.
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface BusyCores {
  readonly count: number;
  stop(): Promise<void>;
}

export function busyAllCores(): BusyCores {
  const children: ChildProcess[] = [];
  for (let i = 0; i < availableParallelism(); i++) {
    children.push(spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
  }
  return {
    count: children.length,
    async stop(): Promise<void> {
      await Promise.all(children.map((child) => new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
        child.once('exit', () => resolve());
        process.kill(child.pid, 'SIGKILL');
      })));
    },
  };
}
