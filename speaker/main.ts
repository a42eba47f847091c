// The speaker binary: flags and environment in, parts built and wired, signals handled. Nothing else.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import type { LevelWithSilent } from 'pino';
import { Registry } from 'prom-client';
import { createLogger, type Logger } from '../lib/log.js';
import { defaultMetricsHost, startMetricsServer } from '../lib/metrics/server.js';
import { BgpModeDriver } from './bgp/mode-driver.js';
import { BGP_PORT } from './bgp/driver/index.js';
import { Announcer } from './layer2/announcer.js';
import { InterfaceWatcher } from './layer2/interface-watcher.js';
import { Speaker } from './loop/speaker.js';
import {
  DEFAULT_DEAD_AFTER, DEFAULT_INTERVAL_MS, DEFAULT_PORT, DEFAULT_SLOW_INTERVAL_MS, KeyFileWatcher, UdpMembership, chooseBindAddress, nodeNameProblem,
  parseHeartbeatKeys,
} from './membership/index.js';
import { registerSpeakerMetrics, SpeakerReadiness } from './metrics.js';
import { loadAddon } from './native/addon.js';
import { MallocTrimmer } from './native/memory-trim.js';
import { PacketSocket } from './native/packet-socket.js';
import { FileSource } from './source/file-source.js';
import type { Origin } from './source/origin.js';

function nonNegativeInt(name: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer, got "${text}"`);
    return n;
  };
}

const program = new Command('herald-speaker')
  .description('Herald speaker: announces LoadBalancer IPs by ARP/NDP (moving them when a node dies) or by BGP')
  .option('--node-name <name>', 'this node\'s name (env NODE_NAME)', process.env.NODE_NAME)
  .requiredOption('--source <spec>', 'where to learn the IPs to announce: kubernetes (the API), or file:PATH (YAML or JSON)')
  .option('--kubeconfig <path>', 'with --source=kubernetes: the cluster (default: in-cluster, else KUBECONFIG or ~/.kube/config)')
  .option('--namespace <ns>', 'Herald\'s namespace: pools, advertisements, the heartbeat key Secret, presence Leases (env POD_NAMESPACE)',
    process.env.POD_NAMESPACE ?? 'herald-system')
  .option('--heartbeat-address <ip>', 'with --source=kubernetes: where the other speakers send this node\'s heartbeats (env POD_IP: the node\'s IP under hostNetwork)',
    process.env.POD_IP)
  .option('--load-balancer-class <class>', 'announce only Services with this spec.loadBalancerClass (default: only those without one), as the controller')
  .option('--interfaces <list>', 'announce only on these interfaces (comma-separated) unless an IP lists its own')
  .option('--heartbeat-port <port>', 'UDP port for heartbeats', nonNegativeInt('--heartbeat-port'), DEFAULT_PORT)
  .option('--heartbeat-interval-ms <ms>', 'fast heartbeat interval', nonNegativeInt('--heartbeat-interval-ms'), DEFAULT_INTERVAL_MS)
  .option('--heartbeat-dead-after <n>', 'missed intervals before a peer is dead', nonNegativeInt('--heartbeat-dead-after'), DEFAULT_DEAD_AFTER)
  .option('--heartbeat-key-file <path>',
    'file holding the shared heartbeat keys, one per line, the signing key first; re-read every 10 s (else env HERALD_HEARTBEAT_KEY)')
  .option('--bind-address <ip>', 'address the heartbeat socket binds to (default: the address listed for this node, else ::)')
  .option('--bgp-listen-port <port>', 'TCP port passive BGP peers connect to', nonNegativeInt('--bgp-listen-port'), BGP_PORT)
  .option('--metrics-port <port>', '/metrics, /healthz and /readyz port; 0 disables', nonNegativeInt('--metrics-port'), 7472)
  .option('--metrics-host <ip>', '/metrics, /healthz and /readyz address (default: env POD_IP, else 127.0.0.1)', defaultMetricsHost(process.env))
  .option('--log-level <level>', 'trace, debug, info, warn, error or silent', 'info');

interface Flags {
  nodeName?: string; source: string; kubeconfig?: string; namespace: string; heartbeatAddress?: string; loadBalancerClass?: string;
  interfaces?: string; heartbeatPort: number; heartbeatIntervalMs: number; heartbeatDeadAfter: number; heartbeatKeyFile?: string;
  bindAddress?: string; bgpListenPort: number; metricsPort: number; metricsHost: string; logLevel: string;
}

/** Where the IPs come from, and where the heartbeat keys come from: the Secret with the API, else a file or env. */
function fileOrigin(flags: Flags, logger: Logger): Origin {
  const read = heartbeatKeys(flags);
  let keys = read.keys;
  return {
    source: new FileSource({ path: flags.source.slice('file:'.length), logger }),
    keys: () => keys,
    keysFrom: flags.heartbeatKeyFile === undefined ? 'HERALD_HEARTBEAT_KEY' : `the key file ${flags.heartbeatKeyFile}`,
    watchKeys: (apply) => {
      if (flags.heartbeatKeyFile === undefined) return { start: () => undefined, stop: async () => undefined };
      return new KeyFileWatcher({
        path: flags.heartbeatKeyFile, initial: read.content, logger,
        onChange: (changed) => {
          keys = changed;
          apply(changed);
        },
      });
    },
    notReadyReason: () => undefined,
  };
}

/** The keys and the content they came from (the key file's, to notice a change; keys.ts has the format). */
function heartbeatKeys(flags: Flags): { keys: Buffer[]; content: Buffer } {
  if (flags.heartbeatKeyFile !== undefined) {
    const content = readFileSync(flags.heartbeatKeyFile);
    return { keys: parseHeartbeatKeys(content, flags.heartbeatKeyFile), content };
  }
  const text = process.env.HERALD_HEARTBEAT_KEY;
  if (text === undefined || text.trim() === '') throw new Error('no heartbeat key: pass --heartbeat-key-file or set HERALD_HEARTBEAT_KEY');
  const content = Buffer.from(text, 'utf8');
  return { keys: parseHeartbeatKeys(content, 'HERALD_HEARTBEAT_KEY'), content };
}

async function main(): Promise<void> {
  const flags = program.parse().opts<Flags>();
  const logger = createLogger('speaker', flags.logLevel as LevelWithSilent);
  if (flags.nodeName === undefined || flags.nodeName === '') throw new Error('no node name: pass --node-name or set NODE_NAME');
  const nameProblem = nodeNameProblem(flags.nodeName);
  if (nameProblem !== null) throw new Error(`--node-name: ${nameProblem}`);
  if (flags.source !== 'kubernetes' && !flags.source.startsWith('file:')) {
    throw new Error(`--source "${flags.source}": use kubernetes or file:PATH`);
  }
  const self = flags.nodeName;
  const origin = flags.source === 'kubernetes'
    ? (await import('./source/kubernetes/origin.js')).kubernetesOrigin(flags, self, logger)
    : fileOrigin(flags, logger);
  let membership: UdpMembership | undefined;
  const keyFile = origin.watchKeys((changed) => membership?.setKeys(changed));
  const announcer = new Announcer({
    logger,
    openSocket: (ifname, ethertype, onFrame, onError) => PacketSocket.open(ifname, ethertype, onFrame, { onError }),
  });
  const bgp = new BgpModeDriver({ logger: logger.child({ mode: 'bgp' }), listenPort: flags.bgpListenPort });
  origin.watchBgpSessions?.(() => bgp.statuses());
  const speaker = new Speaker({
    self, logger, announcer, bgp,
    source: origin.source,
    status: origin.status,
    watcher: new InterfaceWatcher({ logger }),
    defaultInterfaces: flags.interfaces?.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    bindAddress: flags.bindAddress,
    membership: (peers) => {
      // Without --bind-address: the address this node is listed at (membership/core/bind.ts says why).
      const bind = flags.bindAddress === undefined ? chooseBindAddress(self, peers) : { address: flags.bindAddress, reason: 'flag' };
      logger.info({ bindAddress: bind.address, reason: bind.reason }, 'heartbeat socket address');
      membership = new UdpMembership({
        nodeName: self, peers, key: [...origin.keys()], keysFrom: origin.keysFrom, logger, bindAddress: bind.address, port: flags.heartbeatPort,
        intervalMs: flags.heartbeatIntervalMs, deadAfter: flags.heartbeatDeadAfter,
        // The slow beat may not be faster than the fast one: a --heartbeat-interval-ms above 1 s raises it too.
        slowIntervalMs: Math.max(DEFAULT_SLOW_INTERVAL_MS, flags.heartbeatIntervalMs),
      });
      // Keys that differ from peers': membership logs it and readiness says it (below); with the API, an event too.
      const report = origin.reportKeyMismatch;
      if (report !== undefined) membership.onKeyMismatch(report);
      return membership;
    },
  });
  keyFile.start();
  const registry = new Registry();
  registerSpeakerMetrics(registry, () => {
    const m = speaker.members();
    return { node: self, announcer: announcer.stats, loop: speaker.loop.stats, announcements: announcer.current(), desired: speaker.loop.state.desired?.ips ?? [],
      aliveMembers: m.alive.size, quorum: m.quorum, heartbeatsSent: m.heartbeatsSent, heartbeatsDropped: m.heartbeatsDropped, membership: membership?.stats(),
      bgpSessions: bgp.statuses(), bgpAnnounced: bgp.announcedIps() };
  }, origin.apiSynced);
  const readiness = new SpeakerReadiness(() => membership?.notReadyReason());
  const metrics = flags.metricsPort === 0 ? null
    : await startMetricsServer({
      registry, port: flags.metricsPort, host: flags.metricsHost,
      notReadyReason: () => origin.notReadyReason() ?? readiness.notReadyReason(),
    });
  // malloc's free pages back to the kernel every 2 s (docs/layer2.md, "Memory").
  const trimmer = new MallocTrimmer(loadAddon());
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: goodbye, withdraw, close');
    trimmer.stop();
    speaker.stop()
      .then(() => keyFile.stop())
      .then(() => metrics?.stop())
      .then(() => process.exit(0), (err: unknown) => {
        logger.error({ err }, 'stopping failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await speaker.start();
  trimmer.start();
  readiness.markStarted();
  if (!stopping) logger.info({ node: self, source: flags.source, metricsPort: metrics?.port ?? null }, 'speaker started');
}

main().catch((err: unknown) => {
  process.stderr.write(`herald-speaker: ${(err as Error).message}\n`);
  process.exit(1);
});
