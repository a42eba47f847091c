// The speakers' heartbeat key Secret (lib/heartbeat-secret.ts): the leader creates it when it is missing, at the start
// of each term and whenever it is deleted, and never touches one that exists (a user's own key, or a rotation in
// progress, stays as it is). Creating is a POST: the API server refuses it with 409 AlreadyExists if someone made
// the Secret first, so nothing here can overwrite one, and that 409 means the job is done.
//
// A watch, not a timer: one idle connection (a field selector on the one name) sees a deletion at once, where a
// timer would leave the speakers keyless until its next tick or poll the API all day. The cache keeps only the
// Secret's metadata: the controller never needs the key, so it never holds it.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, type KubeConfig, type KubernetesObject, type V1Secret } from '@kubernetes/client-node';
import { GENERATED_KEY_BYTES, HEARTBEAT_SECRET_NAME, heartbeatSecretBody } from '../../lib/heartbeat-secret.js';
import type { Logger } from '../../lib/log.js';
import { httpStatus } from '../../lib/kube/errors.js';
import { ResilientInformer } from '../../lib/kube/informer.js';
import { listTrimmed } from '../../lib/kube/list.js';

export type HeartbeatSecretResult = 'created' | 'alreadyExists';

export interface HeartbeatSecretOptions {
  kubeConfig: KubeConfig;
  /** Herald's namespace (herald-system), where the speakers read it. */
  namespace: string;
  logger: Logger;
  /** The Secret was deleted (or was missing when a relist found none): the leader should create it. */
  onMissing: () => void;
}

/** Name, namespace, uid and resourceVersion: what the cache needs to know the Secret is there. */
function metadataOnly(obj: KubernetesObject): V1Secret {
  const { name, namespace, uid, resourceVersion } = obj.metadata ?? {};
  return { metadata: { name, namespace, uid, resourceVersion } };
}

export class HeartbeatSecret {
  private readonly informer: ResilientInformer<V1Secret>;
  private readonly api: CoreV1Api;

  constructor(private readonly o: HeartbeatSecretOptions) {
    const path = `/api/v1/namespaces/${o.namespace}/secrets`;
    // The one name: the watch carries this one Secret only. (RBAC lets the controller list and watch every Secret
    // of the namespace since the BGPPeers' passwordSecret check, informers.ts; the create cannot be limited anyway.)
    const fieldSelector = `metadata.name=${HEARTBEAT_SECRET_NAME}`;
    this.informer = new ResilientInformer<V1Secret>(o.kubeConfig, 'heartbeat key secret', path,
      () => listTrimmed(o.kubeConfig, path, { fieldSelector, trim: metadataOnly }), o.logger, { fieldSelector, trim: metadataOnly });
    this.informer.informer.on('delete', () => o.onMissing());
    this.api = o.kubeConfig.makeApiClient(CoreV1Api);
  }

  /** Starts watching in the background: nothing waits for it, so it never holds up readiness or the leader's work. */
  start(): void {
    this.informer.start().catch((err: unknown) => this.o.logger.warn({ err: String(err) }, 'cannot watch the heartbeat key Secret'));
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  /** True when the watch has listed and holds the Secret; false when it is missing or not known yet. */
  knownPresent(): boolean {
    return this.informer.listed && this.informer.informer.get(HEARTBEAT_SECRET_NAME, this.o.namespace) !== undefined;
  }

  /**
   * Creates the Secret with a fresh random key unless the cache shows it. Throws the API error of a failed create
   * (the caller retries with backoff); 409 AlreadyExists is success.
   */
  async ensure(): Promise<HeartbeatSecretResult> {
    if (this.knownPresent()) return 'alreadyExists';
    const body = heartbeatSecretBody(this.o.namespace, randomBytes(GENERATED_KEY_BYTES));
    try {
      await this.api.createNamespacedSecret({ namespace: this.o.namespace, body });
    } catch (err) {
      if (httpStatus(err) === 409) return 'alreadyExists';
      throw err;
    }
    this.o.logger.info({ object: `Secret ${this.o.namespace}/${HEARTBEAT_SECRET_NAME}` }, 'created the speakers\' heartbeat key Secret');
    return 'created';
  }
}
