// Starting bgp/herald-sender.ts in a node's namespace, as the lab starts a speaker: the speaker's node flags and
// environment (the Dockerfile's line, speakers.ts), a recorded PID, its log in the lab's log directory.
import { join } from 'node:path';
import { LAB_ASN, type BirdSession } from '../../lab/bgp-lab.js';
import { spawnIn, type Spawned } from '../../lab/exec.js';
import { REPO_ROOT } from '../../lab/lab.js';
import { speakerNodeEnv, speakerNodeFlags } from '../../lab/speakers.js';
import { hostByName, nsOf, v4Of } from '../../lab/topology.js';

const SENDER = join(REPO_ROOT, 'test', 'bench', 'bgp', 'herald-sender.ts');
const HEAP_PROBE = join(REPO_ROOT, 'test', 'bench', 'heap-probe.cjs');

export interface HeraldSender extends Spawned {
  /**
   * Collects all garbage in the sender and resolves to its live JavaScript heap in bytes (heap-probe.cjs, which
   * `heapProbe` preloads); the collection also frees what V8 held in malloc, which the sender's trimmer hands back
   * to the kernel within 2 s.
   */
  liveHeap(): Promise<number>;
}

/**
 * Herald's sender on `node`, announcing `count` prefixes over each of `sessions` (from the node to the router when
 * omitted); resolves once it has started. `heapProbe` adds `--expose-gc` and the probe (memory figures only).
 */
export async function startHeraldSender(node: string, count: number, sessions?: readonly BirdSession[], heapProbe = false): Promise<HeraldSender> {
  const pairs = sessions ?? [{ local: v4Of(hostByName(node)), neighbor: v4Of(hostByName('router')) }];
  const argv = [
    process.execPath, ...speakerNodeFlags(), ...(heapProbe ? ['--expose-gc', '--require', HEAP_PROBE] : []), '--import', 'tsx', SENDER,
    '--asn', String(LAB_ASN), '--count', String(count), ...pairs.flatMap((p) => ['--session', `${p.local},${p.neighbor}`]),
  ];
  const spawned = spawnIn(nsOf(node), argv, { role: `bench-herald-${node}`, cwd: REPO_ROOT, env: { ...process.env, ...speakerNodeEnv() }, pipeStdout: true });
  let out = '';
  const waiters: Array<(line: string) => void> = [];
  spawned.child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      for (const waiter of waiters.splice(0)) waiter(line);
    }
  });
  const nextLine = (what: string): Promise<string> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`herald-sender on ${node}: no ${what} within 30 s; see ${spawned.record.logFile}`)), 30_000);
    const wait = (line: string): void => {
      if (!line.includes(what)) { waiters.push(wait); return; }
      clearTimeout(timer);
      resolve(line);
    };
    waiters.push(wait);
    spawned.child.once('exit', (code) => reject(new Error(`herald-sender on ${node} exited (${code}) before its ${what}; see ${spawned.record.logFile}`)));
  });
  await nextLine('ready');
  const liveHeap = async (): Promise<number> => {
    if (!heapProbe) throw new Error('herald-sender: started without the heap probe');
    const line = nextLine('heap probe');
    spawned.child.kill('SIGUSR2');
    return Number((JSON.parse(await line) as { heapUsed: number }).heapUsed);
  };
  return { ...spawned, liveHeap };
}
