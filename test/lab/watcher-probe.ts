// A child process that watches the links of the network namespace it runs in, the way the speaker does
// (mode "netlink": speaker/layer2/interface-watcher.ts) or the way it did before issue 8 (mode "sysfs":
// legacy-sysfs-links.ts, polled every second), next to a 50 ms timer standing in for the heartbeats. It
// says on stdout, one JSON line each:
//   {"kind":"links","count":N,"at":MS}     on every reported snapshot (at: CLOCK_MONOTONIC ms);
//   {"kind":"stats",...}                   on SIGUSR2: since the last stats, the longest task the watcher ran
//                                          on the loop (a sysfs poll; a wakeup of the route socket: decode,
//                                          table, snapshot, listeners), the event loop's longest delay
//                                          (monitorEventLoopDelay max: the watcher's tasks plus whatever else
//                                          kept the process off the CPU), the 50 ms timer's worst lateness,
//                                          CPU ms, snapshots and overruns; then it counts afresh.
// SIGTERM stops it. Used by the watcher's lab test and by the footprint bench.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { silentLogger } from '../../lib/log.js';
import type { LinkInfo } from '../../speaker/layer2/decide/interfaces.js';
import { InterfaceWatcher } from '../../speaker/layer2/interface-watcher.js';
import { NetlinkSocket } from '../../speaker/native/netlink-socket.js';
import { pollSysfs } from './legacy-sysfs-links.js';

const HEARTBEAT_MS = 50;
const mode = process.argv[2];
if (mode !== 'netlink' && mode !== 'sysfs') throw new Error(`watcher-probe: mode "${mode}": want netlink or sysfs`);

const now = (): number => Number(process.hrtime.bigint() / 1000n) / 1000;
const say = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

let snapshots = 0;
const onLinks = (links: LinkInfo[]): void => {
  snapshots++;
  say({ kind: 'links', count: links.length, up: links.filter((l) => l.up).length, at: now() });
};

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
let worstLateMs = 0;
let lastTick = now();
const heartbeat = setInterval(() => {
  const t = now();
  worstLateMs = Math.max(worstLateMs, t - lastTick - HEARTBEAT_MS);
  lastTick = t;
}, HEARTBEAT_MS);
let cpu = process.cpuUsage();
let longestTaskMs = 0;
const task = (ms: number): void => void (longestTaskMs = Math.max(longestTaskMs, ms));

let stop: () => Promise<void>;
if (mode === 'netlink') {
  const watcher = new InterfaceWatcher({ logger: silentLogger(), openRouteSocket: (groups, onDatagrams, onError) =>
    NetlinkSocket.open(groups, (datagrams) => {
      const started = performance.now();
      try {
        onDatagrams(datagrams);
      } finally {
        task(performance.now() - started);
      }
    }, onError) });
  watcher.onChange(onLinks);
  await watcher.start();
  process.on('SIGUSR2', () => stats(watcher.stats.overruns));
  stop = () => watcher.stop();
} else {
  const cancel = pollSysfs(1000, onLinks, task);
  process.on('SIGUSR2', () => stats(0));
  stop = async () => cancel();
}

function stats(overruns: number): void {
  const used = process.cpuUsage(cpu);
  say({ kind: 'stats', longestTaskMs, maxStallMs: delay.max / 1e6, p99StallMs: delay.percentile(99) / 1e6, heartbeatLateMs: worstLateMs,
    cpuMs: (used.user + used.system) / 1000, snapshots, overruns });
  delay.reset();
  worstLateMs = 0;
  longestTaskMs = 0;
  snapshots = 0;
  cpu = process.cpuUsage();
}

process.on('SIGTERM', () => {
  clearInterval(heartbeat);
  delay.disable();
  void stop().then(() => process.exit(0));
});
say({ kind: 'ready', mode });
