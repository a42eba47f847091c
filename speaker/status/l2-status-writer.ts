// Makes this speaker's ServiceL2Status objects match what it announces (l2-status-plan.ts, written by
// status-objects.ts off the loop), and writes the `nodeAssigned` event on a Service when this node starts
// announcing for it.
import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../lib/clock.js';
import { SERVICEL2STATUS_KIND, SERVICEL2STATUS_PLURAL } from '../../crds/v1beta1/index.js';
import type { EventRecorder } from '../../lib/kube/events/recorder.js';
import type { Logger } from '../../lib/log.js';
import { l2StatusesFor, type L2StatusSpec, type OwnedIp } from './l2-status-plan.js';
import { gainedServices } from './service-status-plan.js';
import { StatusObjects } from './status-objects.js';
import type { SettleOption } from './pass-runner.js';

export { MANAGED_BY_LABEL, MANAGED_BY_VALUE, SERVICE_NAME_LABEL } from './status-objects.js';

export interface L2StatusWriterOptions extends SettleOption {
  kubeConfig: KubeConfig;
  node: string;
  events: EventRecorder;
  clock: Clock;
  logger: Logger;
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export class L2StatusWriter {
  private want = new Map<string, L2StatusSpec>();
  private stopped = false;
  private readonly objects: StatusObjects;

  constructor(private readonly o: L2StatusWriterOptions) {
    this.objects = new StatusObjects(o, {
      kind: SERVICEL2STATUS_KIND, plural: SERVICEL2STATUS_PLURAL, fields: (interfaces) => ({ interfaces: interfaces.map((name) => ({ name })) }),
    });
  }

  /** What this node announces now, and which speakers are alive; called by the loop after every pass. */
  report(owned: readonly OwnedIp[], alive: ReadonlySet<string>): void {
    if (this.stopped) return;
    const next = l2StatusesFor(this.o.node, owned, sha256);
    // The Services this node just took over: a dead former owner's objects for them are removed.
    const taken = gainedServices(this.want, next);
    for (const spec of taken) {
      this.o.events.record({
        object: { apiVersion: 'v1', kind: 'Service', namespace: spec.namespace, name: spec.serviceName },
        type: 'Normal', reason: 'nodeAssigned',
        message: `announcing from node "${this.o.node}" with protocol "layer2"${spec.items.length > 0 ? ` on ${spec.items.join(', ')}` : ''}`,
      });
    }
    this.want = next;
    this.objects.set(next, taken, alive);
  }

  /** Peers held this node dead for a while: what they may have removed is read back and made again. */
  resync(): void {
    this.objects.resync();
  }

  /** Resolves when the writes asked for so far are done or have failed once (tests, and a stop). */
  settled(): Promise<void> {
    return this.objects.settled();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.objects.stop();
  }
}
