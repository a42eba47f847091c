// The speaker binary: flags and environment in, parts built and wired, signals handled. Nothing else.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import type { LevelWithSilent } from 'pino';
import { Registry } from 'prom-client';
import { createLogger } from '../lib/log.js';
import { startMetricsServer } from '../lib/metrics/server.js';
import { Announcer } from './layer2/announcer.js';
import { InterfaceWatcher } from './layer2/interface-watcher.js';
import { Speaker } from './loop/speaker.js';
import { DEFAULT_DEAD_AFTER, DEFAULT_INTERVAL_MS, DEFAULT_PORT, DEFAULT_SLOW_INTERVAL_MS, UdpMembership } from './membership/index.js';
import { registerSpeakerMetrics, SpeakerReadiness } from './metrics.js';
import { PacketSocket } from './native/packet-socket.js';
import { FileSource } from './source/file-source.js';

function nonNegativeInt(name: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer, got "${text}"`);
    return n;
  };
}

const program = new Command('herald-speaker')
  .description('Herald speaker: announces LoadBalancer IPs by ARP/NDP and moves them when a node dies')
  .option('--node-name <name>', 'this node\'s name (env NODE_NAME)', process.env.NODE_NAME)
  .requiredOption('--source <spec>', 'where to read the IPs to announce: file:PATH (YAML or JSON)')
  .option('--interfaces <list>', 'announce only on these interfaces (comma-separated) unless an IP lists its own')
  .option('--heartbeat-port <port>', 'UDP port for heartbeats', nonNegativeInt('--heartbeat-port'), DEFAULT_PORT)
  .option('--heartbeat-interval-ms <ms>', 'fast heartbeat interval', nonNegativeInt('--heartbeat-interval-ms'), DEFAULT_INTERVAL_MS)
  .option('--heartbeat-dead-after <n>', 'missed intervals before a peer is dead', nonNegativeInt('--heartbeat-dead-after'), DEFAULT_DEAD_AFTER)
  .option('--heartbeat-key-file <path>', 'file holding the shared heartbeat key (else env HERALD_HEARTBEAT_KEY)')
  .option('--bind-address <ip>', 'address the heartbeat socket binds to', '::')
  .option('--metrics-port <port>', '/metrics, /healthz and /readyz port; 0 disables', nonNegativeInt('--metrics-port'), 7472)
  .option('--log-level <level>', 'trace, debug, info, warn, error or silent', 'info');

interface Flags {
  nodeName?: string; source: string; interfaces?: string; heartbeatPort: number; heartbeatIntervalMs: number;
  heartbeatDeadAfter: number; heartbeatKeyFile?: string; bindAddress: string; metricsPort: number; logLevel: string;
}

function heartbeatKey(flags: Flags): Buffer {
  // Trimmed: a key file from a Secret or `echo` usually ends in a newline that is not part of the key.
  const text = flags.heartbeatKeyFile !== undefined ? readFileSync(flags.heartbeatKeyFile, 'utf8') : process.env.HERALD_HEARTBEAT_KEY;
  if (text === undefined || text.trim() === '') throw new Error('no heartbeat key: pass --heartbeat-key-file or set HERALD_HEARTBEAT_KEY');
  return Buffer.from(text.trim(), 'utf8');
}

async function main(): Promise<void> {
  const flags = program.parse().opts<Flags>();
  const logger = createLogger('speaker', flags.logLevel as LevelWithSilent);
  if (flags.nodeName === undefined || flags.nodeName === '') throw new Error('no node name: pass --node-name or set NODE_NAME');
  if (!flags.source.startsWith('file:')) throw new Error(`--source "${flags.source}": only file:PATH is supported`);
  const self = flags.nodeName;
  const key = heartbeatKey(flags);
  const announcer = new Announcer({
    logger,
    openSocket: (ifname, ethertype, onFrame, onError) => PacketSocket.open(ifname, ethertype, onFrame, { onError }),
  });
  const speaker = new Speaker({
    self, logger, announcer,
    source: new FileSource({ path: flags.source.slice('file:'.length), logger }),
    watcher: new InterfaceWatcher({ logger }),
    defaultInterfaces: flags.interfaces?.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    bindAddress: flags.bindAddress,
    membership: (peers) => new UdpMembership({
      nodeName: self, peers, key, logger, bindAddress: flags.bindAddress, port: flags.heartbeatPort,
      intervalMs: flags.heartbeatIntervalMs, deadAfter: flags.heartbeatDeadAfter,
      // The slow beat may not be faster than the fast one: a --heartbeat-interval-ms above 1 s raises it too.
      slowIntervalMs: Math.max(DEFAULT_SLOW_INTERVAL_MS, flags.heartbeatIntervalMs),
    }),
  });
  const registry = new Registry();
  registerSpeakerMetrics(registry, () => {
    const m = speaker.members();
    return { announcer: announcer.stats, loop: speaker.loop.stats, announcements: announcer.current(), aliveMembers: m.alive.size, quorum: m.quorum,
      heartbeatsSent: m.heartbeatsSent, heartbeatsDropped: m.heartbeatsDropped };
  });
  const readiness = new SpeakerReadiness();
  const metrics = flags.metricsPort === 0 ? null
    : await startMetricsServer({ registry, port: flags.metricsPort, host: '::', notReadyReason: readiness.notReadyReason });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: goodbye, withdraw, close');
    speaker.stop()
      .then(() => metrics?.stop())
      .then(() => process.exit(0), (err: unknown) => {
        logger.error({ err }, 'stopping failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await speaker.start();
  readiness.markStarted();
  if (!stopping) logger.info({ node: self, source: flags.source, metricsPort: metrics?.port ?? null }, 'speaker started');
}

main().catch((err: unknown) => {
  process.stderr.write(`herald-speaker: ${(err as Error).message}\n`);
  process.exit(1);
});
