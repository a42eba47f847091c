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
import {
  DEFAULT_DEAD_AFTER, DEFAULT_INTERVAL_MS, DEFAULT_PORT, DEFAULT_SLOW_INTERVAL_MS, KeyFileWatcher, UdpMembership, chooseBindAddress, nodeNameProblem,
  parseHeartbeatKeys,
} from './membership/index.js';
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
  .option('--heartbeat-key-file <path>',
    'file holding the shared heartbeat keys, one per line, the signing key first; re-read every 10 s (else env HERALD_HEARTBEAT_KEY)')
  .option('--bind-address <ip>', 'address the heartbeat socket binds to (default: the address listed for this node, else ::)')
  .option('--metrics-port <port>', '/metrics, /healthz and /readyz port; 0 disables', nonNegativeInt('--metrics-port'), 7472)
  .option('--log-level <level>', 'trace, debug, info, warn, error or silent', 'info');

interface Flags {
  nodeName?: string; source: string; interfaces?: string; heartbeatPort: number; heartbeatIntervalMs: number;
  heartbeatDeadAfter: number; heartbeatKeyFile?: string; bindAddress?: string; metricsPort: number; logLevel: string;
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
  if (!flags.source.startsWith('file:')) throw new Error(`--source "${flags.source}": only file:PATH is supported`);
  const self = flags.nodeName;
  const read = heartbeatKeys(flags);
  let keys = read.keys;
  let membership: UdpMembership | undefined;
  const keyFile = flags.heartbeatKeyFile === undefined ? null : new KeyFileWatcher({
    path: flags.heartbeatKeyFile, initial: read.content, logger,
    onChange: (changed) => {
      membership?.setKeys(changed);
      keys = changed;
    },
  });
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
    membership: (peers) => {
      // Without --bind-address: the address this node is listed at (membership/core/bind.ts says why).
      const bind = flags.bindAddress === undefined ? chooseBindAddress(self, peers) : { address: flags.bindAddress, reason: 'flag' };
      logger.info({ bindAddress: bind.address, reason: bind.reason }, 'heartbeat socket address');
      membership = new UdpMembership({
        nodeName: self, peers, key: keys, logger, bindAddress: bind.address, port: flags.heartbeatPort,
        intervalMs: flags.heartbeatIntervalMs, deadAfter: flags.heartbeatDeadAfter,
        // The slow beat may not be faster than the fast one: a --heartbeat-interval-ms above 1 s raises it too.
        slowIntervalMs: Math.max(DEFAULT_SLOW_INTERVAL_MS, flags.heartbeatIntervalMs),
      });
      return membership;
    },
  });
  keyFile?.start();
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
      .then(() => keyFile?.stop())
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
