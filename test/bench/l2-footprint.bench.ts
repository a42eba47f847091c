// What layer 2 announcing costs, on the network lab, each figure beside an anchor measured in the same run:
// - gratuitous frames per failover, counted by tcpdump on the client, against keepalived's in the same window;
// - ARP requests for the VIP answered (1 000, on a quiet machine and with every core busy), against the
//   kernel answering for its own address, with arping's round trip for both;
// - the speaker's CPU while the node receives a steady IPv6 stream it does not care about, with the kernel
//   filters against without them (HERALD_PACKET_FILTER=off, same build);
// - the event loop's longest stall with 300 links, watched by rtnetlink against the sysfs polling it replaced;
// - the speaker's memory announcing 1 and 1 000 IPs against an idle Node process.
// Helpers live in test/bench/l2/.
import { percentile, ratio, type Benchmark, type Figure } from './figure.js';
import { Capture, countGratuitousArp } from '../lab/capture.js';
import { sleep } from '../lab/exec.js';
import { HeraldSystem, KeepalivedSystem, settledOwner, type L2System } from '../lab/failover.js';
import { VRRP_FAST } from '../lab/keepalived.js';
import { down, up } from '../lab/lab.js';
import { HttpProber } from '../lab/probe.js';
import { speakerAvailable, speakerNodeEnv, speakerNodeFlags } from '../lab/speakers.js';
import { vip4 } from '../lab/topology.js';
import { arpAnswers, type ArpAnswers } from './l2/arp-answers.js';
import { busyAllCores } from './l2/busy-cores.js';
import { speakerCostUnderStream, STREAM_PER_SECOND, STREAM_SECONDS } from './l2/ipv6-stream.js';
import { LINKS, stallWithLinks, WINDOW_MS } from './l2/link-stall.js';
import { idleNodeMemory, speakerMemory, thousandIps } from './l2/memory.js';

const VIP = vip4(0);
/** Long enough for Herald's whole burst (last frame at 3 s) and keepalived's first repeat. */
const GARP_WINDOW_MS = 6000;
const ARP_SAMPLES = 1000;

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

/** The same ARP samples with one busy loop per core running beside the lab. */
async function arpAnswersLoaded(): Promise<ArpAnswers & { cores: number }> {
  const busy = busyAllCores();
  try {
    return { ...(await arpAnswers(VIP, ARP_SAMPLES)), cores: busy.count };
  } finally {
    await busy.stop();
  }
}

function arpFigures(arp: ArpAnswers, when: string): Figure[] {
  return [
    { name: `ARP requests for the VIP left unanswered, ${when}`, value: arp.unanswered, unit: 'requests',
      anchor: `of ${arp.samples}; the owner's kernel for its own address left ${arp.kernelUnanswered}`, ratio: null, target: '0' },
    // Fewer answers than requests: lost before a speaker answered; as many: the answer left and arrived late;
    // more: a request answered by two speakers (a takeover, true or false, during the samples).
    { name: `answers the speakers counted sending (requests_answered_total), ${when}`, value: arp.speakerAnswers, unit: 'answers',
      anchor: 'requests sent', anchorValue: arp.samples, ratio: ratio(arp.speakerAnswers, arp.samples), target: `>= ${arp.samples}` },
  ];
}

function latencyFigures(arp: ArpAnswers, when: string): Figure[] {
  const anchor = "the owner's kernel answering for its own address";
  return ([50, 99] as const).map((p) => {
    const h = percentile(arp.herald, p);
    const k = percentile(arp.kernel, p);
    return { name: `ARP reply latency by arping, p${p} (${arp.herald.length} answers), ${when}`, value: h, unit: 'ms', anchor, anchorValue: k,
      ratio: ratio(h, k), target: 'well under a failover budget' };
  });
}

async function streamFigures(): Promise<Figure[]> {
  const filtered = await speakerCostUnderStream(true);
  const unfiltered = await speakerCostUnderStream(false);
  const stream = `${STREAM_PER_SECOND} UDP/IPv6 datagrams/s for ${STREAM_SECONDS} s to the node (${filtered.sent} and ${unfiltered.sent} sent)`;
  const anchor = 'same speaker without the kernel filters (HERALD_PACKET_FILTER=off)';
  return [
    { name: `speaker CPU while the node receives ${stream}`, value: filtered.cpuSeconds, unit: 's',
      anchor, anchorValue: unfiltered.cpuSeconds, ratio: ratio(filtered.cpuSeconds, unfiltered.cpuSeconds), target: 'near idle' },
    { name: 'frames the speaker\'s sockets delivered to JavaScript during that stream', value: filtered.framesReceived, unit: 'frames',
      anchor, anchorValue: unfiltered.framesReceived, ratio: ratio(filtered.framesReceived, unfiltered.framesReceived), target: '0' },
  ];
}

async function stallFigures(): Promise<Figure[]> {
  const sysfs = await stallWithLinks('sysfs');
  const netlink = await stallWithLinks('netlink');
  const window = `${WINDOW_MS / 1000} s, ${LINKS} links, one flapped every 2 s`;
  const anchor = 'sysfs + getifaddrs polled every second (the watcher before issue 8), same links';
  return [
    // The watcher's own work: the longest task it ran (a sysfs poll; a wakeup of the route socket).
    { name: `longest task the link watcher ran on the event loop (${window})`, value: netlink.longestTaskMs, unit: 'ms',
      anchor, anchorValue: sysfs.longestTaskMs, ratio: ratio(netlink.longestTaskMs, sysfs.longestTaskMs), target: 'a few ms' },
    // What the loop lived through: those tasks plus anything else that kept the process off the CPU (on a
    // shared 2-core machine, mostly the scheduler: compare it with the task figure above).
    { name: `event loop's longest stall, monitorEventLoopDelay max (${window})`, value: netlink.maxStallMs, unit: 'ms',
      anchor, anchorValue: sysfs.maxStallMs, ratio: ratio(netlink.maxStallMs, sysfs.maxStallMs), target: 'well under the 50 ms heartbeat' },
    { name: `CPU spent watching links (${window})`, value: netlink.cpuMs, unit: 'ms',
      anchor, anchorValue: sysfs.cpuMs, ratio: ratio(netlink.cpuMs, sysfs.cpuMs), target: 'near idle' },
  ];
}

async function memoryFigures(): Promise<Figure[]> {
  const floor = await idleNodeMemory();
  const one = await speakerMemory(['2001:db8:1::1:0']);
  const thousand = await speakerMemory(thousandIps());
  const started = [...Object.entries(speakerNodeEnv()).map(([k, v]) => `${k}=${v}`), 'node', ...speakerNodeFlags(), 'dist/speaker/speaker.mjs'].join(' ');
  const anchor = 'idle Node 24 with pino, prom-client and an HTTP server loaded, same node flags';
  return [
    { name: `speaker RSS announcing 1 000 IPs (${started})`, value: thousand.rss, unit: 'MiB',
      anchor, anchorValue: floor.rss, ratio: ratio(thousand.rss, floor.rss), target: '< 80 MiB' },
    { name: `speaker RSS announcing 1 IP (${started})`, value: one.rss, unit: 'MiB',
      anchor, anchorValue: floor.rss, ratio: ratio(one.rss, floor.rss), target: '< 80 MiB' },
    // The private part: what the speaker's own code and data cost, without the node binary's shared pages.
    { name: 'speaker private memory (RssAnon) announcing 1 000 IPs', value: thousand.anon, unit: 'MiB',
      anchor: `${anchor}, RssAnon`, anchorValue: floor.anon, ratio: ratio(thousand.anon, floor.anon), target: 'reported beside RSS (no target of its own)' },
    { name: 'speaker private memory (RssAnon) announcing 1 IP', value: one.anon, unit: 'MiB',
      anchor: `${anchor}, RssAnon`, anchorValue: floor.anon, ratio: ratio(one.anon, floor.anon), target: 'reported beside RSS (no target of its own)' },
  ];
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
      const quiet = await arpAnswers(VIP, ARP_SAMPLES);
      const loaded = await arpAnswersLoaded();
      const busy = `all ${loaded.cores} cores loaded by another process`;
      return [
        { name: `gratuitous ARPs seen by the client per failover (${GARP_WINDOW_MS / 1000} s window)`, value: heraldGarps, unit: 'frames',
          anchor: 'keepalived VRRPv3 advert_int 0.1, same window', anchorValue: keepalivedGarps, ratio: ratio(heraldGarps, keepalivedGarps), target: 'a few (burst schedule)' },
        ...latencyFigures(quiet, 'no added load'),
        ...arpFigures(quiet, 'no added load'),
        ...latencyFigures(loaded, busy),
        ...arpFigures(loaded, busy),
        ...(await streamFigures()),
        ...(await stallFigures()),
        ...(await memoryFigures()),
      ];
    } finally {
      await down();
    }
  },
};
