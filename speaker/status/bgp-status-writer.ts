// Makes this speaker's ServiceBGPStatus objects match what it advertises (bgp-status-plan.ts), written off the loop
// by status-objects.ts as the ServiceL2Status objects are, and writes the `nodeAssigned` event on a Service when this
// node starts advertising it (as MetalLB's speakers do, one per advertising node).
import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../lib/clock.js';
import { SERVICEBGPSTATUS_KIND, SERVICEBGPSTATUS_PLURAL } from '../../crds/v1beta1/index.js';
import type { EventRecorder } from '../../lib/kube/events/recorder.js';
import type { Logger } from '../../lib/log.js';
import type { BgpPlan } from '../bgp/plan.js';
import type { IpSpec } from '../source/types.js';
import { bgpStatusesFor } from './bgp-status-plan.js';
import { sha256 } from './l2-status-writer.js';
import { gainedServices, type ServiceStatusSpec } from './service-status-plan.js';
import { StatusObjects } from './status-objects.js';
import type { SettleOption } from './pass-runner.js';

export interface BgpStatusWriterOptions extends SettleOption {
  kubeConfig: KubeConfig;
  node: string;
  events: Pick<EventRecorder, 'record'>;
  clock: Clock;
  logger: Logger;
}

export class BgpStatusWriter {
  private want = new Map<string, ServiceStatusSpec>();
  private alive: ReadonlySet<string> = new Set();
  private stopped = false;
  private readonly objects: StatusObjects;

  constructor(private readonly o: BgpStatusWriterOptions) {
    this.objects = new StatusObjects(o, { kind: SERVICEBGPSTATUS_KIND, plural: SERVICEBGPSTATUS_PLURAL, fields: (peers) => ({ peers }) });
  }

  /**
   * What this node advertises now (the BGP plan, and the IPs' Services), and which speakers are alive. A Service
   * gained, or a speaker gone, is when the objects of nodes that no longer answer are removed: every node
   * advertises, so no node takes a Service over from a dead one as in layer 2.
   */
  report(plan: BgpPlan, specs: readonly IpSpec[], alive: ReadonlySet<string>): void {
    if (this.stopped) return;
    const next = bgpStatusesFor(this.o.node, plan, specs, sha256);
    const gained = gainedServices(this.want, next);
    for (const spec of gained) {
      this.o.events.record({
        object: { apiVersion: 'v1', kind: 'Service', namespace: spec.namespace, name: spec.serviceName },
        type: 'Normal', reason: 'nodeAssigned', message: `announcing from node "${this.o.node}" with protocol "bgp" to ${spec.items.map((p) => `"${p}"`).join(', ')}`,
      });
    }
    const lost = [...this.alive].some((n) => !alive.has(n));
    const check = lost ? [...next.values()] : gained;
    this.want = next;
    this.alive = alive;
    this.objects.set(next, check, alive);
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
