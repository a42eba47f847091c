// The speaker's Kubernetes origin: the API source, the heartbeat keys from its Secret, and the writers of what a
// user reads back (ServiceL2Status and ServiceBGPStatus objects with their nodeAssigned events, the Announced
// condition, each BGPPeer's per-node session status). A module of its
// own so that a speaker with a file source never loads the Kubernetes client (tens of MiB, seconds of start-up).
import type { KubeConfig } from '@kubernetes/client-node';
import { systemClock } from '../../../lib/clock.js';
import { HEARTBEAT_SECRET_NAME } from '../../../lib/heartbeat-secret.js';
import { loadKubeConfig } from '../../../lib/kube/config.js';
import { EventRecorder } from '../../../lib/kube/events/recorder.js';
import type { Logger } from '../../../lib/log.js';
import type { StatusPort } from '../../loop/loop.js';
import { ConditionWriter } from '../../status/condition-writer.js';
import { BgpStatusWriter } from '../../status/bgp-status-writer.js';
import { L2StatusWriter } from '../../status/l2-status-writer.js';
import { STATUS_SETTLE_MS } from '../../status/pass-runner.js';
import { PeerSessionWriter } from '../../status/peer-session-writer.js';
import type { Origin } from '../origin.js';
import { KubernetesSource } from './source.js';

export interface KubernetesOriginFlags {
  kubeconfig?: string;
  namespace: string;
  heartbeatAddress?: string;
  loadBalancerClass?: string;
}

export function kubernetesOrigin(flags: KubernetesOriginFlags, self: string, logger: Logger): Origin {
  const address = flags.heartbeatAddress?.trim();
  if (address === undefined || address === '') throw new Error('no heartbeat address: pass --heartbeat-address or set POD_IP');
  const { kubeConfig } = loadKubeConfig(flags.kubeconfig);
  const events = new EventRecorder({ kubeConfig, component: 'herald-speaker', instance: self, logger });
  const source = new KubernetesSource({
    kubeConfig, namespace: flags.namespace, node: self, address, loadBalancerClass: flags.loadBalancerClass, clock: systemClock, logger, events,
  });
  const status = statusWriters(kubeConfig, self, source, events, logger);
  let sessions: PeerSessionWriter | undefined;
  return {
    source,
    keys: () => {
      const keys = source.heartbeatKeys();
      // The source delivers nothing before it has keys, so membership is never built without them.
      if (keys === null) throw new Error('no heartbeat key yet');
      return keys;
    },
    watchKeys: (apply) => {
      source.onKeys(apply);
      return { start: () => undefined, stop: async () => undefined };
    },
    keysFrom: `the Secret ${flags.namespace}/${HEARTBEAT_SECRET_NAME}`,
    reportKeyMismatch: (mismatched) => source.reportKeyMismatch(mismatched),
    notReadyReason: () => source.notReadyReason(),
    apiSynced: () => source.notReadyReason() === undefined,
    status: { ...status, stop: async () => { await Promise.all([status.stop(), sessions?.stop()]); } },
    watchBgpSessions: (statuses) => {
      sessions = new PeerSessionWriter({
        kubeConfig, namespace: flags.namespace, node: self, clock: systemClock, logger, statuses, liveNodes: () => source.liveNodes(),
      });
      sessions.start();
    },
  };
}

/** The writers see every pass: the ServiceL2Status objects with their events, the Announced condition, and the ServiceBGPStatus objects. */
function statusWriters(kubeConfig: KubeConfig, self: string, source: KubernetesSource, events: EventRecorder, logger: Logger): StatusPort & { stop(): Promise<void> } {
  const settleMs = STATUS_SETTLE_MS;
  const objects = new L2StatusWriter({ kubeConfig, node: self, clock: systemClock, logger, events, settleMs });
  const bgpObjects = new BgpStatusWriter({ kubeConfig, node: self, events, clock: systemClock, logger, settleMs });
  const conditions = new ConditionWriter({
    kubeConfig, node: self, unannounced: () => source.unannounced(), ips: () => source.desiredIps(), clock: systemClock, logger, settleMs,
  });
  source.onUnannounced(() => conditions.unannouncedChanged());
  return {
    report: (owned, alive) => {
      objects.report(owned, alive);
      conditions.report(owned, alive);
    },
    reportBgp: (plan, ips, alive) => bgpObjects.report(plan, ips, alive),
    peerHadUsDead: () => {
      objects.resync();
      bgpObjects.resync();
    },
    stop: async () => {
      await Promise.all([objects.stop(), conditions.stop(), bgpObjects.stop()]);
    },
  };
}

