// Starting bgp/herald-sender.ts in a node's namespace, as the lab starts a speaker: the speaker's node flags and
// environment (the Dockerfile's line, speakers.ts), a recorded PID, its log in the lab's log directory.
import { join } from 'node:path';
import { LAB_ASN, type BirdSession } from '../../lab/bgp-lab.js';
import { spawnIn, type Spawned } from '../../lab/exec.js';
import { REPO_ROOT } from '../../lab/lab.js';
import { speakerNodeEnv, speakerNodeFlags } from '../../lab/speakers.js';
import { hostByName, nsOf, v4Of } from '../../lab/topology.js';

const SENDER = join(REPO_ROOT, 'test', 'bench', 'bgp', 'herald-sender.ts');

/**
 * Herald's sender on `node`, announcing `count` prefixes over each of `sessions` (from the node to the router when
 * omitted); resolves once it has started.
 */
export async function startHeraldSender(node: string, count: number, sessions?: readonly BirdSession[]): Promise<Spawned> {
  const pairs = sessions ?? [{ local: v4Of(hostByName(node)), neighbor: v4Of(hostByName('router')) }];
  const argv = [
    process.execPath, ...speakerNodeFlags(), '--import', 'tsx', SENDER,
    '--asn', String(LAB_ASN), '--count', String(count), ...pairs.flatMap((p) => ['--session', `${p.local},${p.neighbor}`]),
  ];
  const spawned = spawnIn(nsOf(node), argv, { role: `bench-herald-${node}`, cwd: REPO_ROOT, env: { ...process.env, ...speakerNodeEnv() }, pipeStdout: true });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    spawned.child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) resolve();
    });
    spawned.child.once('exit', (code) => reject(new Error(`herald-sender on ${node} exited (${code}) before it was ready; see ${spawned.record.logFile}`)));
  });
  return spawned;
}
