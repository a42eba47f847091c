// The speaker's memory announcing 1 and 1 000 IPs, against an idle Node process that loads only what every
// speaker loads (pino, prom-client, an HTTP server), all with the production node flags, on the compiled
// speaker (`node dist/speaker/main.js`, what the image runs; the tsx loader adds ~11 MiB production never pays).
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findProc, killProc, sleep, spawnIn } from '../../lab/exec.js';
import { ndiscMacs } from '../../lab/judges.js';
import { REPO_ROOT } from '../../lab/lab.js';
import { COMPILED_SPEAKER_ENTRY, speakerNodeFlags, speakerRole, startSpeaker, stopAllSpeakers, writeSpeakerConfig } from '../../lab/speakers.js';
import { NODES, hostByName, macOf, nsOf } from '../../lab/topology.js';
import { residentMiB, type Resident } from './proc.js';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** `npm run build`'s tsc, when dist/speaker/main.js is missing or older than a source it comes from. */
export async function buildIfStale(): Promise<void> {
  const built = (() => { try { return statSync(COMPILED_SPEAKER_ENTRY).mtimeMs; } catch { return 0; } })();
  const sources = Math.max(...['speaker', 'lib'].map((d) => newestMtime(join(REPO_ROOT, d))));
  if (built >= sources) return;
  console.error('  l2-footprint: building dist/ (npm run build) to measure the compiled speaker');
  await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO_ROOT, 'tsconfig.build.json')]);
}

/**
 * The floor: a Node process that imports pino and prom-client, creates a logger, a registry and an HTTP
 * server, and then idles, as the speaker does before it has anything to announce. It runs with the
 * speaker's production node flags, so floor and speaker differ only by the speaker's own work.
 */
export async function idleNodeMemory(): Promise<Resident> {
  const script = `import { pino } from 'pino'; import { Registry } from 'prom-client'; import { createServer } from 'node:http';
const log = pino({ level: 'warn' }); const r = new Registry(); createServer(() => undefined).listen(0, '127.0.0.1');
log.info({ r: r.contentType }, 'idle'); setInterval(() => undefined, 1000);`;
  const { record } = spawnIn(nsOf('n1'), [process.execPath, ...speakerNodeFlags(), '--input-type=module', '-e', script], { role: 'idle-node', cwd: REPO_ROOT });
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

/** Memory of n1's compiled speaker once it announces `ips` (only n1 is eligible) and its bursts are over. */
export async function speakerMemory(ips: readonly string[]): Promise<Resident> {
  const config = writeSpeakerConfig({ ips: ips.map((ip) => ({ ip, nodes: ['n1'], interfaces: ['eth0'] })) }, `rss-${ips.length}.yaml`);
  for (const node of NODES) startSpeaker(node, config, ['--metrics-port', '0', '--log-level', 'warn'], { compiled: true });
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
