// Writes the herald.dev/Announced condition (announce-condition.ts says who writes what) on the Services this
// speaker knows about first-hand: a strategic merge patch of the Service's /status, which merges conditions by
// type, so the controller's herald.dev/AddressAssigned and anyone else's stay. Only changes are written, off the
// loop (pass-runner.ts); a Service deleted meanwhile (404) is forgotten.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../lib/clock.js';
import { isNotFound } from '../../lib/kube/errors.js';
import { apiText, strategicMergePatchRequest } from '../../lib/kube/request.js';
import type { Logger } from '../../lib/log.js';
import type { ServiceKey } from '../../lib/service-key.js';
import type { Unannounced } from '../source/kubernetes/desired.js';
import { ANNOUNCED_CONDITION, announcementConditions, type AnnouncedCondition } from './announce-condition.js';
import type { IpSpec } from '../source/types.js';
import type { OwnedIp } from './l2-status-plan.js';
import { PassRunner, type SettleOption } from './pass-runner.js';

export interface ConditionWriterOptions extends SettleOption {
  kubeConfig: KubeConfig;
  node: string;
  /** The source's IPs nobody may announce, with the reasons (read at every pass). */
  unannounced: () => readonly Unannounced[];
  /** The source's last snapshot's IPs (for those advertised by BGP alone); none when not given. */
  ips?: () => readonly IpSpec[];
  clock: Clock;
  logger: Logger;
}

interface Written {
  condition: AnnouncedCondition;
  /** metav1.Condition's lastTransitionTime: it moves only when the status does. */
  since: string;
}

export class ConditionWriter {
  private owned: readonly OwnedIp[] = [];
  private alive: ReadonlySet<string> = new Set();
  private readonly written = new Map<ServiceKey, Written>();
  private readonly runner: PassRunner;

  constructor(private readonly o: ConditionWriterOptions) {
    this.runner = new PassRunner(() => this.pass(), {
      clock: o.clock, logger: o.logger, settleMs: o.settleMs, failure: 'could not write the Announced condition; trying again',
    });
  }

  report(owned: readonly OwnedIp[], alive: ReadonlySet<string>): void {
    this.owned = owned;
    this.alive = alive;
    this.runner.kick();
  }

  /** The source's reasons changed (without a new snapshot: an IP that stays unannounced for another reason). */
  unannouncedChanged(): void {
    this.runner.kick();
  }

  settled(): Promise<void> {
    return this.runner.settled();
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  private async pass(): Promise<void> {
    const wanted = announcementConditions(this.o.node, this.owned, this.o.unannounced(), this.alive, this.o.ips?.() ?? []);
    // What this speaker no longer speaks for is another's to write now; forgetting it makes a later return write again.
    for (const key of [...this.written.keys()]) if (!wanted.has(key)) this.written.delete(key);
    for (const [key, condition] of wanted) {
      const before = this.written.get(key);
      if (before !== undefined && sameCondition(before.condition, condition)) continue;
      const since = before?.condition.status === condition.status ? before.since : new Date(this.o.clock.wallMs()).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const slash = key.indexOf('/');
      const path = `/api/v1/namespaces/${key.slice(0, slash)}/services/${key.slice(slash + 1)}/status`;
      try {
        await apiText(this.o.kubeConfig, strategicMergePatchRequest(path, {
          status: { conditions: [{ type: ANNOUNCED_CONDITION, ...condition, lastTransitionTime: since }] },
        }));
      } catch (err) {
        if (isNotFound(err)) continue; // the Service is gone
        throw err;
      }
      this.written.set(key, { condition, since });
    }
  }
}

function sameCondition(a: AnnouncedCondition, b: AnnouncedCondition): boolean {
  return a.status === b.status && a.reason === b.reason && a.message === b.message;
}
