// Makes this speaker's ServiceL2Status objects match what it announces (l2-status-plan.ts), and writes the
// `nodeAssigned` event on a Service when this node starts announcing for it. The loop only reports; the writes run
// here, one pass at a time, off the loop (pass-runner.ts): a slow or absent API delays the status, never an
// announcement, and a newer report replaces what an older one asked for.
//
// At start it lists the objects an earlier run of this speaker left (a crash leaves them) and deletes the ones it
// no longer announces for.
import { createHash } from 'node:crypto';
import { HttpMethod, type KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../lib/clock.js';
import { GROUP, SERVICEL2STATUS_KIND, SERVICEL2STATUS_PLURAL, VERSION } from '../../crds/v1beta1/index.js';
import { isConflict, isNotFound } from '../../lib/kube/errors.js';
import type { EventRecorder } from '../../lib/kube/events/recorder.js';
import { apiJson, mergePatchRequest } from '../../lib/kube/request.js';
import type { Logger } from '../../lib/log.js';
import { PassRunner } from './pass-runner.js';
import { gainedServices, l2StatusesFor, type L2StatusSpec, type OwnedIp } from './l2-status-plan.js';

/** The label on every ServiceL2Status a speaker writes, so one list finds them. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'herald-speaker';
/** The Service an object is for (a Service's name is a DNS label, so it always fits a label value). */
export const SERVICE_NAME_LABEL = 'herald.dev/service-name';

export interface L2StatusWriterOptions {
  kubeConfig: KubeConfig;
  node: string;
  events: EventRecorder;
  clock: Clock;
  logger: Logger;
}

interface Listed {
  metadata?: { name?: string; namespace?: string };
  status?: { node?: string; interfaces?: { name?: string }[] };
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const statusPath = (namespace?: string, name?: string): string =>
  `/apis/${GROUP}/${VERSION}${namespace === undefined ? '' : `/namespaces/${namespace}`}/${SERVICEL2STATUS_PLURAL}${name === undefined ? '' : `/${name}`}`;

export class L2StatusWriter {
  private want = new Map<string, L2StatusSpec>();
  /** Services this node just started announcing: a dead former owner's objects for them are removed. */
  private taken: L2StatusSpec[] = [];
  private alive: ReadonlySet<string> = new Set();
  /** What the API holds, as far as this writer knows; null until the first list succeeded. */
  private have: Map<string, L2StatusSpec | 'unknown'> | null = null;
  private stopped = false;
  private readonly runner: PassRunner;

  constructor(private readonly o: L2StatusWriterOptions) {
    this.runner = new PassRunner(() => this.pass(), { clock: o.clock, logger: o.logger, failure: 'could not update ServiceL2Status objects; trying again' });
  }

  /** What this node announces now, and which speakers are alive; called by the loop after every pass. */
  report(owned: readonly OwnedIp[], alive: ReadonlySet<string>): void {
    if (this.stopped) return;
    this.alive = alive;
    const next = l2StatusesFor(this.o.node, owned, sha256);
    for (const spec of gainedServices(this.want, next)) {
      this.taken.push(spec);
      this.o.events.record({
        object: { apiVersion: 'v1', kind: 'Service', namespace: spec.namespace, name: spec.serviceName },
        type: 'Normal', reason: 'nodeAssigned',
        message: `announcing from node "${this.o.node}" with protocol "layer2"${spec.interfaces.length > 0 ? ` on ${spec.interfaces.join(', ')}` : ''}`,
      });
    }
    this.want = next;
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

  private async pass(): Promise<void> {
    const have = this.have ?? await this.listOwn();
    this.have = have;
    const want = this.want;
    for (const [key, spec] of want) {
      const held = have.get(key);
      if (held !== undefined && held !== 'unknown' && sameInterfaces(held, spec)) continue;
      await this.write(spec, held === undefined);
      have.set(key, spec);
    }
    // A former owner that died (SIGKILL, power loss) could not delete its objects: the node that took its
    // Services over does, for nodes membership no longer hears. A live one (the other family of a dual-stack
    // Service may be announced there) keeps its own.
    for (let spec = this.taken[0]; spec !== undefined; spec = this.taken[0]) {
      await this.removeDeadOwners(spec);
      this.taken.shift();
    }
    for (const key of [...have.keys()]) {
      if (want.has(key)) continue;
      const slash = key.indexOf('/');
      try {
        await apiJson(this.o.kubeConfig, { method: HttpMethod.DELETE, path: statusPath(key.slice(0, slash), key.slice(slash + 1)) });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      have.delete(key);
    }
  }

  private async removeDeadOwners(spec: L2StatusSpec): Promise<void> {
    const list = await apiJson<{ items?: Listed[] }>(this.o.kubeConfig, {
      method: HttpMethod.GET, path: statusPath(spec.namespace),
      query: { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${SERVICE_NAME_LABEL}=${spec.serviceName}` },
    });
    for (const item of list.items ?? []) {
      const node = item.status?.node;
      const name = item.metadata?.name;
      if (name === undefined || node === undefined || node === this.o.node || this.alive.has(node)) continue;
      try {
        await apiJson(this.o.kubeConfig, { method: HttpMethod.DELETE, path: statusPath(spec.namespace, name) });
        this.o.logger.info({ service: `${spec.namespace}/${spec.serviceName}`, node }, 'removed the ServiceL2Status of a node that no longer answers');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  private async listOwn(): Promise<Map<string, L2StatusSpec | 'unknown'>> {
    const list = await apiJson<{ items?: Listed[] }>(this.o.kubeConfig, {
      method: HttpMethod.GET, path: statusPath(), query: { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}` },
    });
    const own = new Map<string, L2StatusSpec | 'unknown'>();
    for (const item of list.items ?? []) {
      const { name, namespace } = item.metadata ?? {};
      if (name !== undefined && namespace !== undefined && item.status?.node === this.o.node) own.set(`${namespace}/${name}`, 'unknown');
    }
    return own;
  }

  /**
   * Creates the object (owned by its Service) with its status when it may be missing, else patches the status.
   * The kind has no status subresource (crds/kinds.ts says why), so both are one request.
   */
  private async write(spec: L2StatusSpec, mayBeMissing: boolean): Promise<void> {
    const status = { node: spec.node, serviceName: spec.serviceName, serviceNamespace: spec.namespace, interfaces: spec.interfaces.map((name) => ({ name })) };
    if (mayBeMissing) {
      const service = await this.serviceUid(spec);
      if (service === undefined) return; // the Service is gone: its objects go with it
      try {
        await apiJson(this.o.kubeConfig, {
          method: HttpMethod.POST, path: statusPath(spec.namespace),
          body: {
            apiVersion: `${GROUP}/${VERSION}`, kind: SERVICEL2STATUS_KIND,
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
      await apiJson(this.o.kubeConfig, mergePatchRequest(statusPath(spec.namespace, spec.name), { status }));
    } catch (err) {
      // Someone deleted it since this writer last saw it: make it again.
      if (isNotFound(err) && !mayBeMissing) await this.write(spec, true);
      else throw err;
    }
  }

  private async serviceUid(spec: L2StatusSpec): Promise<string | undefined> {
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

function sameInterfaces(a: L2StatusSpec, b: L2StatusSpec): boolean {
  return a.interfaces.length === b.interfaces.length && a.interfaces.every((x, i) => x === b.interfaces[i]);
}
