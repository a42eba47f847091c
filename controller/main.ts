// The controller binary: flags and environment in, the parts wired together, signals handled. Nothing else.
import { hostname } from 'node:os';
import { Command, Option } from 'commander';
import { HERALD_NAMESPACE } from '../crds/v1beta1/index.js';
import { createLogger } from '../lib/log.js';
import { loadKubeConfig } from '../lib/kube/config.js';
import { defaultMetricsHost } from '../lib/metrics/server.js';
import { createControllerCore } from './reconcile/index.js';
import { startController } from './driver/app.js';
import { parseDuration, parseLogLevel, parsePort } from './driver/flags.js';

interface Flags {
  kubeconfig?: string;
  namespace: string;
  logLevel: string;
  metricsPort: string;
  metricsHost: string;
  loadBalancerClass?: string;
  leaderElect: boolean;
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
}

const program = new Command('herald-controller')
  .description('Gives type: LoadBalancer Services external IPs from IPAddressPools')
  .option('--kubeconfig <path>', 'kubeconfig file (default: in-cluster inside a pod, else KUBECONFIG or ~/.kube/config)')
  .option('--namespace <ns>', 'namespace of the IPAddressPools and the leader Lease', process.env.POD_NAMESPACE ?? HERALD_NAMESPACE)
  .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent', 'info')
  .option('--metrics-port <port>', 'port of /metrics, /healthz and /readyz (0: any free port)', '7472')
  .option('--metrics-host <addr>', 'address the metrics server binds (default: env POD_IP, else 127.0.0.1)', defaultMetricsHost(process.env))
  .option('--load-balancer-class <class>', 'handle only Services with this spec.loadBalancerClass (default: only those without one)')
  .addOption(new Option('--no-leader-elect', 'run without leader election (a single replica only)'))
  .option('--lease-duration <d>', 'how long a leader claim lasts without renewal', '15s')
  .option('--renew-deadline <d>', 'a leader that could not renew for this long steps down', '10s')
  .option('--retry-period <d>', 'how often the leader renews and followers retry', '2s');

async function main(): Promise<void> {
  const flags = program.parse().opts<Flags>();
  const logger = createLogger('controller', parseLogLevel(flags.logLevel));
  const { kubeConfig, source } = loadKubeConfig(flags.kubeconfig);
  const identity = process.env.POD_NAME ?? `${hostname()}-${process.pid}`;
  logger.info({ kubeconfig: source, server: kubeConfig.getCurrentCluster()?.server }, 'cluster configured');
  const controller = await startController({
    kubeConfig, logger, identity,
    namespace: flags.namespace,
    loadBalancerClass: flags.loadBalancerClass,
    leaderElect: flags.leaderElect,
    timings: {
      leaseDurationMs: parseDuration(flags.leaseDuration),
      renewDeadlineMs: parseDuration(flags.renewDeadline),
      retryPeriodMs: parseDuration(flags.retryPeriod),
    },
    metricsPort: parsePort(flags.metricsPort),
    metricsHost: flags.metricsHost,
    createCore: createControllerCore,
  });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: releasing the lease');
    controller.stop().then(() => process.exit(0), (err: unknown) => {
      logger.error({ err }, 'unclean stop');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
