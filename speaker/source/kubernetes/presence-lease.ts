// This speaker's presence Lease (presence.ts says what it is for): written at start, renewed every few seconds with
// one merge patch (no read first: a renewal is one request), deleted on a graceful stop so the other speakers drop
// this node from the member list at once instead of a Lease duration later. Each renewal's outcome is reported,
// since a speaker that cannot renew cannot trust its view of the others' Leases either.
// The Lease also lists this node's usable interfaces (lib/presence.ts), for the controller to check L2Advertisements'
// `interfaces` against: set by setInterfaces(), written with the next renewal, or within CHANGE_WRITE_MS of a change.
import { createHash } from 'node:crypto';
import { HttpMethod, type KubeConfig } from '@kubernetes/client-node';
import type { Clock, TimerHandle } from '../../../lib/clock.js';
import { describeError, isNotFound } from '../../../lib/kube/errors.js';
import { apiJson, mergePatchRequest } from '../../../lib/kube/request.js';
import type { Logger } from '../../../lib/log.js';
import { interfacesAnnotations } from '../../../lib/presence.js';
import { HEARTBEAT_ADDRESS_ANNOTATION, PRESENCE_LABEL, PRESENCE_LABEL_VALUE, presenceLeaseName } from './presence.js';

/** 10 s: with 100 speakers, 10 requests a second for the whole cluster, whatever the number of Services. */
export const PRESENCE_RENEW_MS = 10_000;
/** Four renewals may fail before the others drop this node from the member list. */
export const PRESENCE_DURATION_S = 40;

const RETRY_MS = 2_000;
/**
 * After the interfaces changed, the next write comes this soon rather than at the next renewal: a flapping link
 * costs at most one extra write a second.
 */
export const CHANGE_WRITE_MS = 1_000;

export interface PresenceLeaseOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  node: string;
  /** This node's heartbeat address, for the others to send to. */
  address: string;
  clock: Clock;
  logger: Logger;
  /** After every attempt: whether the API took it. */
  onRenewal: (ok: boolean) => void;
  renewMs?: number;
}

export function leaseNameFor(node: string): string {
  return presenceLeaseName(node, (text) => createHash('sha256').update(text).digest('hex'));
}

export class PresenceLease {
  readonly name: string;
  private timer: TimerHandle | null = null;
  private stopped = false;
  private failing = false;
  private renewing: Promise<void> = Promise.resolve();
  /** When the pending timer fires (monotonic ms). */
  private dueMs = 0;
  /** The interface annotations to write; null until the speaker knows its interfaces (nothing is claimed before). */
  private interfaces: Record<string, string | null> | null = null;
  /** The interfaces changed since the last write began. */
  private interfacesChanged = false;

  constructor(private readonly o: PresenceLeaseOptions) {
    this.name = leaseNameFor(o.node);
  }

  /** Writes the Lease once (whatever the outcome) and keeps renewing it. */
  async start(): Promise<void> {
    this.renewing = this.renew();
    await this.renewing;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.renewing;
    try {
      await apiJson(this.o.kubeConfig, { method: HttpMethod.DELETE, path: this.path() });
      this.o.logger.info({ lease: this.name }, 'deleted this speaker\'s presence Lease');
    } catch (err) {
      if (!isNotFound(err)) this.o.logger.warn({ err: describeError(err), lease: this.name }, 'could not delete the presence Lease; it expires by itself');
    }
  }

  /** This node's usable interfaces by name (unsorted, any number): written soon if they differ from the last. */
  setInterfaces(names: readonly string[]): void {
    const next = interfacesAnnotations(names);
    if (JSON.stringify(next) === JSON.stringify(this.interfaces)) return;
    this.interfaces = next;
    this.interfacesChanged = true;
    // Waiting for the next renewal: bring it forward, never put it off (changes every half second must not starve
    // the renewals). A write in flight schedules the next one when it ends.
    if (this.timer !== null && !this.stopped && this.dueMs - this.o.clock.monotonicMs() > CHANGE_WRITE_MS) {
      this.timer.cancel();
      this.schedule(CHANGE_WRITE_MS);
    }
  }

  private path(name?: string): string {
    const base = `/apis/coordination.k8s.io/v1/namespaces/${this.o.namespace}/leases`;
    return name === undefined ? `${base}/${this.name}` : base;
  }

  /** The Lease's fields; for a create, without the null annotations a merge patch uses to remove one. */
  private body(create = false): { metadata: object; spec: object } {
    const now = new Date(this.o.clock.wallMs()).toISOString().replace('Z', '000Z'); // MicroTime: microseconds
    const interfaces = Object.entries(this.interfaces ?? {}).filter(([, value]) => !create || value !== null);
    return {
      metadata: {
        name: this.name,
        labels: { [PRESENCE_LABEL]: PRESENCE_LABEL_VALUE },
        annotations: { [HEARTBEAT_ADDRESS_ANNOTATION]: this.o.address, ...Object.fromEntries(interfaces) },
      },
      spec: { holderIdentity: this.o.node, leaseDurationSeconds: PRESENCE_DURATION_S, renewTime: now },
    };
  }

  private async renew(): Promise<void> {
    let ok = true;
    this.interfacesChanged = false;
    try {
      try {
        await apiJson(this.o.kubeConfig, mergePatchRequest(this.path(), this.body()));
      } catch (err) {
        if (!isNotFound(err)) throw err;
        await apiJson(this.o.kubeConfig, { method: HttpMethod.POST, path: this.path(''), body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', ...this.body(true) } });
      }
      if (this.failing) this.o.logger.info({ lease: this.name }, 'presence Lease renewed again');
    } catch (err) {
      ok = false;
      if (!this.failing) this.o.logger.warn({ err: describeError(err), lease: this.name }, 'could not renew the presence Lease; keeping the member list as it is');
    }
    this.failing = !ok;
    if (this.stopped) return;
    this.o.onRenewal(ok);
    // A failed renewal is tried again sooner: until one succeeds, this speaker's member list stays frozen.
    const every = this.o.renewMs ?? PRESENCE_RENEW_MS;
    const soon = this.interfacesChanged ? Math.min(every, CHANGE_WRITE_MS) : every;
    this.schedule(ok ? soon : Math.min(soon, RETRY_MS));
  }

  private schedule(delayMs: number): void {
    this.dueMs = this.o.clock.monotonicMs() + delayMs;
    this.timer = this.o.clock.setTimer(() => {
      this.timer = null;
      this.renewing = this.renew();
    }, delayMs);
  }
}
