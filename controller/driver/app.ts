// Wires one controller process together: caches + loop (ControllerDriver), leader election, metrics
// server. main.ts, scripts/start.ts and the tests all start the controller through here.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ControllerCore, ControllerCoreOptions } from '../core-api.js';
import type { Logger } from '../../lib/log.js';
import { ControllerMetrics } from './metrics.js';
import { startMetricsServer, type MetricsServer } from '../../lib/metrics/server.js';
import { LeaderElector } from '../../lib/kube/leaderelection/elector.js';
import { DEFAULT_TIMINGS, type ElectionTimings } from '../../lib/kube/leaderelection/decide.js';
import { ReusingKubeConfig } from '../../lib/kube/config.js';
import { ControllerDriver } from './controller.js';

export const LEASE_NAME = 'herald-controller';

export interface ControllerAppOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  identity: string;
  loadBalancerClass?: string;
  leaderElect: boolean;
  leaseName?: string;
  timings?: ElectionTimings;
  /** undefined: no metrics server (in-process tests); 0: any free port. */
  metricsPort?: number;
  metricsHost?: string;
  logger: Logger;
  createCore: (options: ControllerCoreOptions) => ControllerCore;
}

export interface RunningController {
  driver: ControllerDriver;
  metrics: ControllerMetrics;
  metricsPort: number | undefined;
  isLeader(): boolean;
  /** Releases the lease (so the other replica takes over at once) and stops everything. */
  stop(): Promise<void>;
}

export async function startController(options: ControllerAppOptions): Promise<RunningController> {
  const o = { ...options, kubeConfig: ReusingKubeConfig.from(options.kubeConfig) };
  const metrics = new ControllerMetrics({ processMetrics: o.metricsPort !== undefined });
  const driver = new ControllerDriver({
    kubeConfig: o.kubeConfig, namespace: o.namespace, identity: o.identity, logger: o.logger, metrics,
    coreOptions: o.loadBalancerClass === undefined ? {} : { loadBalancerClass: o.loadBalancerClass },
    createCore: o.createCore,
  });
  let server: MetricsServer | undefined;
  if (o.metricsPort !== undefined) {
    server = await startMetricsServer({
      registry: metrics.registry, port: o.metricsPort, host: o.metricsHost, notReadyReason: () => driver.notReadyReason(),
    });
  }
  await driver.start();
  const startLeading = () => driver.startLeading();
  const stopLeading = () => driver.stopLeading();
  let elector: LeaderElector | undefined;
  if (o.leaderElect) {
    elector = new LeaderElector({
      kubeConfig: o.kubeConfig, namespace: o.namespace, name: o.leaseName ?? LEASE_NAME, identity: o.identity,
      timings: o.timings ?? DEFAULT_TIMINGS, logger: o.logger, onStartedLeading: startLeading, onStoppedLeading: stopLeading,
    });
    await elector.start();
  } else {
    startLeading();
  }
  o.logger.info({ identity: o.identity, namespace: o.namespace, leaderElect: o.leaderElect, metricsHost: server?.host, metricsPort: server?.port }, 'controller started');
  return {
    driver, metrics, metricsPort: server?.port,
    isLeader: () => driver.isLeader(),
    stop: async () => {
      // Stop writing before the release, so the next leader never overlaps with us.
      stopLeading();
      await elector?.stop({ release: true });
      await driver.stop();
      await server?.stop();
    },
  };
}
