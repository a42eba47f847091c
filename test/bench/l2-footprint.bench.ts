// What layer 2 announcing costs, on the network lab: gratuitous frames per failover (counted by tcpdump
// on the client, against keepalived's in the same window), ARP reply latency when the speaker answers
// in user space against the kernel answering for its own address, and the speaker's memory announcing
// 1 000 IPs against an idle Node process that loads only what every speaker loads (pino, prom-client)
// and against the same speaker announcing one. Memory is measured on the compiled speaker
// (`node dist/speaker/main.js`, what the image runs; built here first when missing or older than its
// sources): the tsx loader the lab otherwise uses adds ~11 MiB that production never pays.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { percentile, ratio, type Benchmark, type Figure } from './figure.js';
import { Capture, countGratuitousArp } from '../lab/capture.js';
import { execIn, findProc, killProc, sleep, spawnIn } from '../lab/exec.js';
import { HeraldSystem, KeepalivedSystem, settledOwner, type L2System } from '../lab/failover.js';
import { arpingRttMs, ndiscMacs } from '../lab/judges.js';
import { VRRP_FAST } from '../lab/keepalived.js';
import { REPO_ROOT, down, up } from '../lab/lab.js';
import { HttpProber } from '../lab/probe.js';
import { COMPILED_SPEAKER_ENTRY, speakerAvailable, speakerNodeFlags, speakerRole, startSpeaker, stopAllSpeakers, writeSpeakerConfig } from '../lab/speakers.js';
import { NODES, hostByName, macOf, nsOf, v4Of, vip4 } from '../lab/topology.js';

const VIP = vip4(0);
/** Long enough for Herald's whole burst (last frame at 3 s) and keepalived's first repeat. */
const GARP_WINDOW_MS = 6000;
const ARP_SAMPLES = 30;

/** Crashes the owner once and counts the request-form gratuitous ARPs the client saw in the window. */
async function garpsPerFailover(system: L2System): Promise<number> {
  await system.start();
  const prober = await HttpProber.start(VIP);
  try {
    const owner = await settledOwner(prober, system.expectedOwner(), 15_000);
    const capture = await Capture.start('arp');
    await system.fault(owner, 'kill');
    await sleep(GARP_WINDOW_MS);
    const count = countGratuitousArp(await capture.stop(), VIP);
    await system.repair(owner, 'kill');
    return count;
  } finally {
    await prober.stop();
    await system.stop();
  }
}

/** The speaker's default metrics port (speaker/main.ts --metrics-port); the lab's speakers keep it. */
const METRICS_PORT = 7472;

/**
 * ARP requests and Neighbor Solicitations all three speakers have answered so far (their
 * requests_answered counters, summed). Compared before and after the samples, it tells an unanswered
 * request lost before any speaker answered it (the sum is short) from an answer that was sent but did not
 * reach arping within its second (the sum is complete). A speaker that does not answer /metrics counts 0.
 */
async function requestsAnswered(): Promise<number> {
  let sum = 0;
  for (const node of NODES) {
    const text = await execIn(nsOf(node), ['curl', '-s', '--max-time', '2', `http://127.0.0.1:${METRICS_PORT}/metrics`])
      .then((r) => r.stdout, () => '');
    sum += Number(/^herald_speaker_requests_answered_total (\d+)$/m.exec(text)?.[1] ?? 0);
  }
  return sum;
}

/**
 * p50 and p99 of arping's RTT for the VIP (Herald answers) and for the owner's own address (kernel),
 * and the speakers' own count of answers sent in the same time (requestsAnswered).
 */
async function arpLatency(): Promise<{ herald: number[]; kernel: number[]; unanswered: number; speakerAnswers: number }> {
  const system = new HeraldSystem(VIP);
  await system.start();
  const prober = await HttpProber.start(VIP);
  const herald: number[] = [];
  const kernel: number[] = [];
  let unanswered = 0;
  let speakerAnswers = 0;
  try {
    const owner = await settledOwner(prober, system.expectedOwner(), 15_000);
    await prober.stop();
    const answeredBefore = await requestsAnswered();
    // Interleaved, so both see the same machine load.
    for (let i = 0; i < ARP_SAMPLES; i++) {
      const h = await arpingRttMs(VIP);
      const k = await arpingRttMs(v4Of(hostByName(owner)));
      // A request nobody answered within arping's 1 s is counted, not timed: it is a finding of its own.
      if (h === undefined) unanswered++;
      else herald.push(h);
      if (k !== undefined) kernel.push(k);
    }
    speakerAnswers = (await requestsAnswered()) - answeredBefore;
  } finally {
    await system.stop();
  }
  return { herald, kernel, unanswered, speakerAnswers };
}

/** 256 + 256 IPv4 outside the segment's subnet and 488 IPv6 inside it, all announced on eth0. */
function thousandIps(): string[] {
  const ips: string[] = [];
  for (let i = 0; i < 256; i++) ips.push(`198.51.100.${i}`, `203.0.113.${i}`);
  for (let i = 0; ips.length < 1000; i++) ips.push(`2001:db8:1::1:${i.toString(16)}`);
  return ips;
}

/**
 * A process's resident memory, whole and its private part. RSS is mostly file-backed pages of the
 * 126 MB node binary (shared, and the same for any Node program); RssAnon (heap, stacks, malloc) is
 * the part the speaker's own code controls, so both are reported.
 */
interface Resident {
  rss: number;
  anon: number;
}

function residentMiB(pid: number): Resident {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m?.[1]) throw new Error(`no ${name} in /proc/${pid}/status`);
    return Number(m[1]) / 1024;
  };
  return { rss: field('VmRSS'), anon: field('RssAnon') };
}

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
async function buildIfStale(): Promise<void> {
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
async function idleNodeMemory(): Promise<Resident> {
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

/** Memory of n1's compiled speaker once it announces `ips` (only n1 is eligible) and its bursts are over. */
async function speakerMemory(ips: readonly string[]): Promise<Resident> {
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

export const benchmark: Benchmark = {
  name: 'l2-footprint',
  needsRoot: true,
  async run(): Promise<Figure[]> {
    if (!speakerAvailable()) throw new Error('l2-footprint: speaker/main.ts is missing, nothing to measure');
    await down();
    await up();
    try {
      const heraldGarps = await garpsPerFailover(new HeraldSystem(VIP));
      const keepalivedGarps = await garpsPerFailover(new KeepalivedSystem(VIP, VRRP_FAST));
      const arp = await arpLatency();
      await buildIfStale();
      const floor = await idleNodeMemory();
      const one = await speakerMemory(['2001:db8:1::1:0']);
      const thousand = await speakerMemory(thousandIps());
      const h50 = percentile(arp.herald, 50);
      const k50 = percentile(arp.kernel, 50);
      const h99 = percentile(arp.herald, 99);
      const k99 = percentile(arp.kernel, 99);
      const started = `node ${[...speakerNodeFlags(), 'dist/speaker/main.js'].join(' ')}`;
      const floorAnchor = 'idle Node 24 with pino, prom-client and an HTTP server loaded, same node flags';
      return [
        { name: `gratuitous ARPs seen by the client per failover (${GARP_WINDOW_MS / 1000} s window)`, value: heraldGarps, unit: 'frames',
          anchor: 'keepalived VRRPv3 advert_int 0.1, same window', anchorValue: keepalivedGarps, ratio: ratio(heraldGarps, keepalivedGarps), target: 'a few (burst schedule)' },
        { name: `ARP reply latency by arping, p50 (${ARP_SAMPLES} samples)`, value: h50, unit: 'ms',
          anchor: "the owner's kernel answering for its own address", anchorValue: k50, ratio: ratio(h50, k50), target: 'well under a failover budget' },
        { name: `ARP reply latency by arping, p99 (${ARP_SAMPLES} samples)`, value: h99, unit: 'ms',
          anchor: "the owner's kernel answering for its own address", anchorValue: k99, ratio: ratio(h99, k99), target: 'well under a failover budget' },
        { name: 'ARP requests for the VIP left unanswered', value: arp.unanswered, unit: 'requests',
          anchor: `of ${ARP_SAMPLES}`, ratio: null, target: '0' },
        // Where an unanswered request was lost: fewer answers than requests means before a speaker
        // answered it; as many (or more, when a successor answered too during a takeover) means the
        // answer left and arrived late. Only the lab's own ARP traffic for the VIP is counted: the prober
        // is stopped, so the client's kernel does not ask for it meanwhile.
        { name: 'answers the speakers counted sending to those requests (requests_answered_total)', value: arp.speakerAnswers, unit: 'answers',
          anchor: `${ARP_SAMPLES} requests sent`, anchorValue: ARP_SAMPLES, ratio: ratio(arp.speakerAnswers, ARP_SAMPLES), target: `>= ${ARP_SAMPLES}` },
        { name: `speaker RSS announcing 1 000 IPs (${started})`, value: thousand.rss, unit: 'MiB',
          anchor: floorAnchor, anchorValue: floor.rss, ratio: ratio(thousand.rss, floor.rss), target: '< 80 MiB' },
        { name: `speaker RSS announcing 1 IP (${started})`, value: one.rss, unit: 'MiB',
          anchor: floorAnchor, anchorValue: floor.rss, ratio: ratio(one.rss, floor.rss), target: '< 80 MiB' },
        // The private part: what the speaker's own code and data cost, without the node binary's shared pages.
        { name: 'speaker private memory (RssAnon) announcing 1 000 IPs', value: thousand.anon, unit: 'MiB',
          anchor: `${floorAnchor}, RssAnon`, anchorValue: floor.anon, ratio: ratio(thousand.anon, floor.anon), target: 'reported beside RSS (no target of its own)' },
        { name: 'speaker private memory (RssAnon) announcing 1 IP', value: one.anon, unit: 'MiB',
          anchor: `${floorAnchor}, RssAnon`, anchorValue: floor.anon, ratio: ratio(one.anon, floor.anon), target: 'reported beside RSS (no target of its own)' },
      ];
    } finally {
      await down();
    }
  },
};
