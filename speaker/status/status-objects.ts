// Makes one kind of per-(Service, node) status object (ServiceL2Status, ServiceBGPStatus) match what this speaker
// wants (service-status-plan.ts). The writes run one pass at a time, off the loop (pass-runner.ts): a slow or
// absent API delays the status, never an announcement, and a newer wish replaces what an older one asked for.
//
// At start it lists the objects an earlier run of this speaker left (a crash leaves them) and deletes the ones it
// no longer wants; for the Services it is told to check, it deletes those of nodes that no longer answer.
import { HttpMethod, type KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../lib/clock.js';
import { GROUP, VERSION } from '../../crds/v1beta1/index.js';
import { isConflict, isNotFound } from '../../lib/kube/errors.js';
import { apiJson, mergePatchRequest } from '../../lib/kube/request.js';
import type { Logger } from '../../lib/log.js';
import { PassRunner, type SettleOption } from './pass-runner.js';
import type { ServiceStatusSpec } from './service-status-plan.js';

/** The label on every status object a speaker writes, so one list finds them. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'herald-speaker';
/** The Service an object is for (a Service's name is a DNS label, so it always fits a label value). */
export const SERVICE_NAME_LABEL = 'herald.dev/service-name';

/** One kind of status object. */
export interface StatusKind {
  kind: string;
  plural: string;
  /** The status fields besides node, serviceName and serviceNamespace, from the spec's items. */
  fields: (items: readonly string[]) => Record<string, unknown>;
}

export interface StatusObjectsOptions extends SettleOption {
  kubeConfig: KubeConfig;
  node: string;
  clock: Clock;
  logger: Logger;
}

interface Listed {
  metadata?: { name?: string; namespace?: string };
  status?: { node?: string };
}

export class StatusObjects {
  private want = new Map<string, ServiceStatusSpec>();
  /** Services whose objects of nodes that no longer answer are to be removed. */
  private check: ServiceStatusSpec[] = [];
  private alive: ReadonlySet<string> = new Set();
  /** What the API holds, as far as this writer knows; null until the first list succeeded. */
  private have: Map<string, ServiceStatusSpec | 'unknown'> | null = null;
  /** Counts resync() calls: a list that started before one is not kept as the book. */
  private resyncs = 0;
  private stopped = false;
  private readonly runner: PassRunner;

  constructor(private readonly o: StatusObjectsOptions, private readonly kind: StatusKind) {
    this.runner = new PassRunner(() => this.pass(), {
      clock: o.clock, logger: o.logger, settleMs: o.settleMs, failure: `could not update ${kind.kind} objects; trying again`,
    });
  }

  /** The objects wanted now, keyed by `namespace/name`, and the Services whose dead nodes' objects go. */
  set(want: Map<string, ServiceStatusSpec>, check: readonly ServiceStatusSpec[], alive: ReadonlySet<string>): void {
    if (this.stopped) return;
    this.want = want;
    this.check.push(...check);
    this.alive = alive;
    this.runner.kick();
  }

  /**
   * Forgets what it believes the API holds and reads it again: peers that held this node dead (a link flap) may
   * have removed its objects meanwhile (removeDeadOwners), and an object it still wants would otherwise never be
   * made again.
   */
  resync(): void {
    if (this.stopped) return;
    this.have = null;
    this.resyncs++;
    this.runner.kick();
  }

  /** Resolves when the writes asked for so far are done or have failed once (tests, and a stop). */
  settled(): Promise<void> {
    return this.runner.settled();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.runner.stop();
  }

  private path(namespace?: string, name?: string): string {
    return `/apis/${GROUP}/${VERSION}${namespace === undefined ? '' : `/namespaces/${namespace}`}/${this.kind.plural}${name === undefined ? '' : `/${name}`}`;
  }

  private async pass(): Promise<void> {
    try {
      await this.writeDifferences();
    } catch (err) {
      // A failed request may or may not have reached the server (a delete cut off by a reconnect): the next pass
      // reads what the API holds instead of trusting this writer's book.
      this.have = null;
      throw err;
    }
  }

  private async writeDifferences(): Promise<void> {
    const resyncs = this.resyncs;
    const have = this.have ?? await this.listOwn();
    // A resync() asked for while this list was on its way: what it read may predate the removal, so the next
    // pass (the resync kicked one) reads again.
    if (this.resyncs === resyncs) this.have = have;
    const want = this.want;
    for (const [key, spec] of want) {
      const held = have.get(key);
      if (held !== undefined && held !== 'unknown' && sameItems(held, spec)) continue;
      await this.write(spec, held === undefined);
      this.o.logger.debug({ object: `${spec.namespace}/${spec.name}`, created: held === undefined }, `wrote ${this.kind.kind}`);
      have.set(key, spec);
    }
    // A node that died (SIGKILL, power loss) could not delete its objects: a live one does, for nodes membership
    // no longer hears. A live node keeps its own.
    for (let spec = this.check[0]; spec !== undefined; spec = this.check[0]) {
      await this.removeDeadOwners(spec);
      this.check.shift();
    }
    for (const key of [...have.keys()]) {
      if (want.has(key)) continue;
      const slash = key.indexOf('/');
      await this.delete(key.slice(0, slash), key.slice(slash + 1));
      this.o.logger.debug({ object: key }, `deleted ${this.kind.kind}`);
      have.delete(key);
    }
  }

  private async delete(namespace: string, name: string): Promise<void> {
    try {
      await apiJson(this.o.kubeConfig, { method: HttpMethod.DELETE, path: this.path(namespace, name) });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async removeDeadOwners(spec: ServiceStatusSpec): Promise<void> {
    const list = await apiJson<{ items?: Listed[] }>(this.o.kubeConfig, {
      method: HttpMethod.GET, path: this.path(spec.namespace),
      query: { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${SERVICE_NAME_LABEL}=${spec.serviceName}` },
    });
    for (const item of list.items ?? []) {
      const node = item.status?.node;
      const name = item.metadata?.name;
      if (name === undefined || node === undefined || node === this.o.node || this.alive.has(node)) continue;
      await this.delete(spec.namespace, name);
      this.o.logger.info({ service: `${spec.namespace}/${spec.serviceName}`, node }, `removed the ${this.kind.kind} of a node that no longer answers`);
    }
  }

  private async listOwn(): Promise<Map<string, ServiceStatusSpec | 'unknown'>> {
    const list = await apiJson<{ items?: Listed[] }>(this.o.kubeConfig, {
      method: HttpMethod.GET, path: this.path(), query: { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}` },
    });
    const own = new Map<string, ServiceStatusSpec | 'unknown'>();
    for (const item of list.items ?? []) {
      const { name, namespace } = item.metadata ?? {};
      if (name !== undefined && namespace !== undefined && item.status?.node === this.o.node) own.set(`${namespace}/${name}`, 'unknown');
    }
    return own;
  }

  /**
   * Creates the object (owned by its Service) with its status when it may be missing, else patches the status.
   * These kinds have no status subresource (crds/kinds.ts says why), so both are one request.
   */
  private async write(spec: ServiceStatusSpec, mayBeMissing: boolean): Promise<void> {
    const status = { node: spec.node, serviceName: spec.serviceName, serviceNamespace: spec.namespace, ...this.kind.fields(spec.items) };
    if (mayBeMissing) {
      const service = await this.serviceUid(spec);
      if (service === undefined) return; // the Service is gone: its objects go with it
      try {
        await apiJson(this.o.kubeConfig, {
          method: HttpMethod.POST, path: this.path(spec.namespace),
          body: {
            apiVersion: `${GROUP}/${VERSION}`, kind: this.kind.kind,
            metadata: {
              name: spec.name, namespace: spec.namespace,
              labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [SERVICE_NAME_LABEL]: spec.serviceName },
              ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: spec.serviceName, uid: service, blockOwnerDeletion: false }],
            },
            status,
          },
        });
        return;
      } catch (err) {
        if (!isConflict(err)) throw err; // already there: an earlier run (or attempt) made it; set its status below
      }
    }
    try {
      await apiJson(this.o.kubeConfig, mergePatchRequest(this.path(spec.namespace, spec.name), { status }));
    } catch (err) {
      // Someone deleted it since this writer last saw it: make it again.
      if (isNotFound(err) && !mayBeMissing) await this.write(spec, true);
      else throw err;
    }
  }

  private async serviceUid(spec: ServiceStatusSpec): Promise<string | undefined> {
    try {
      const svc = await apiJson<{ metadata?: { uid?: string } }>(this.o.kubeConfig, {
        method: HttpMethod.GET, path: `/api/v1/namespaces/${spec.namespace}/services/${spec.serviceName}`,
      });
      return svc.metadata?.uid;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

function sameItems(a: ServiceStatusSpec, b: ServiceStatusSpec): boolean {
  return a.items.length === b.items.length && a.items.every((x, i) => x === b.items[i]);
}
