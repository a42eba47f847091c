// Starting bgp/herald-sender.ts in a node's namespace, as the lab starts a speaker: the speaker's node flags and
// environment (the Dockerfile's line, speakers.ts), a recorded PID, its log in the lab's log directory.
import { join } from 'node:path';
import { LAB_ASN } from '../../lab/bgp-lab.js';
import { spawnIn, type Spawned } from '../../lab/exec.js';
import { REPO_ROOT } from '../../lab/lab.js';
import { speakerNodeEnv, speakerNodeFlags } from '../../lab/speakers.js';
import { hostByName, nsOf, v4Of } from '../../lab/topology.js';

const SENDER = join(REPO_ROOT, 'test', 'bench', 'bgp', 'herald-sender.ts');

/** Herald's sender on `node`, announcing `count` prefixes to the router; resolves once it has started. */
export async function startHeraldSender(node: string, count: number, locals: readonly string[] = [v4Of(hostByName(node))]): Promise<Spawned> {
  const argv = [
    process.execPath, ...speakerNodeFlags(), '--import', 'tsx', SENDER,
    '--peer', v4Of(hostByName('router')), '--asn', String(LAB_ASN), '--count', String(count), ...locals.flatMap((l) => ['--local', l]),
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
