// The speaker's memory announcing 1 and 1 000 IPs, against an idle Node process that loads only what every
// speaker loads (pino, prom-client, an HTTP server), all with the production node flags, on the speaker the image
// runs (`node dist/speaker/speaker.mjs`; the tsx loader adds ~11 MiB production never pays).
import { findProc, killProc, sleep, spawnIn } from '../../lab/exec.js';
import { ndiscMacs } from '../../lab/judges.js';
import { REPO_ROOT } from '../../lab/lab.js';
import { speakerNodeEnv, speakerNodeFlags, speakerRole, startSpeaker, stopAllSpeakers, writeSpeakerConfig } from '../../lab/speakers.js';
import { NODES, hostByName, macOf, nsOf } from '../../lab/topology.js';
import { residentMiB, type Resident } from './proc.js';

/**
 * The floor: a Node process that imports pino and prom-client, creates a logger, a registry and an HTTP
 * server, and then idles, as the speaker does before it has anything to announce. It runs with the
 * speaker's production node flags, so floor and speaker differ only by the speaker's own work.
 */
export async function idleNodeMemory(): Promise<Resident> {
  const script = `import { pino } from 'pino'; import { Registry } from 'prom-client'; import { createServer } from 'node:http';
const log = pino({ level: 'warn' }); const r = new Registry(); createServer(() => undefined).listen(0, '127.0.0.1');
log.info({ r: r.contentType }, 'idle'); setInterval(() => undefined, 1000);`;
  const { record } = spawnIn(nsOf('n1'), [process.execPath, ...speakerNodeFlags(), '--input-type=module', '-e', script], { role: 'idle-node', cwd: REPO_ROOT, env: { ...process.env, ...speakerNodeEnv() } });
  try {
    await sleep(3000);
    return residentMiB(record.pid);
  } finally {
    await killProc(record, 'SIGKILL', 5000);
  }
}

/** 256 + 256 IPv4 outside the segment's subnet and 488 IPv6 inside it, all announced on eth0. */
export function thousandIps(): string[] {
  const ips: string[] = [];
  for (let i = 0; i < 256; i++) ips.push(`198.51.100.${i}`, `203.0.113.${i}`);
  for (let i = 0; ips.length < 1000; i++) ips.push(`2001:db8:1::1:${i.toString(16)}`);
  return ips;
}

/** Memory of n1's speaker (the production bundle) once it announces `ips` (only n1 is eligible) and its bursts are over. */
export async function speakerMemory(ips: readonly string[]): Promise<Resident> {
  const config = writeSpeakerConfig({ ips: ips.map((ip) => ({ ip, nodes: ['n1'], interfaces: ['eth0'] })) }, `rss-${ips.length}.yaml`);
  for (const node of NODES) startSpeaker(node, config, ['--metrics-port', '0', '--log-level', 'warn']);
  try {
    const sample = ips.find((ip) => ip.includes(':')) ?? ips[0] ?? '';
    const n1 = macOf(hostByName('n1'));
    for (let i = 0; i < 100 && !(await ndiscMacs(sample)).includes(n1); i++) await sleep(100);
    if (!(await ndiscMacs(sample)).includes(n1)) throw new Error(`n1 does not answer for ${sample}`);
    await sleep(4000); // past the last frame of the gratuitous burst
    const speaker = findProc(speakerRole('n1'));
    if (!speaker) throw new Error('n1 speaker is gone');
    return residentMiB(speaker.pid);
  } finally {
    await stopAllSpeakers('SIGTERM');
  }
}
