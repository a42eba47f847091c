// The three caches the controller reads: Services (all namespaces), IPAddressPools (in Herald's
// namespace) and Namespaces (for serviceAllocation selectors). Informer callbacks only report *what*
// changed; the event loop reads the object from the cache when it gets to it, so bursts collapse.
// Services and Namespaces are listed in pages as plain JSON and cached trimmed (trim.ts): the controller's
// memory then grows by a few hundred bytes per Service, not by a full client-node model object.
import { CustomObjectsApi, type KubeConfig, type KubernetesListObject, type V1Namespace, type V1Service } from '@kubernetes/client-node';
import { GROUP, IPADDRESSPOOL_PLURAL, VERSION, type IPAddressPool } from '../../crds/v1beta1/index.js';
import { serviceKey, type ServiceKey } from '../core-api.js';
import type { Logger } from '../../lib/log.js';
import { ResilientInformer } from '../../lib/kube/informer.js';
import { listTrimmed } from '../../lib/kube/list.js';
import { trimNamespace, trimService } from './trim.js';

export type ClusterChange =
  | { kind: 'service'; key: ServiceKey; deleted: boolean }
  | { kind: 'pools' }
  | { kind: 'namespaces' };

export class ClusterCaches {
  private readonly services: ResilientInformer<V1Service>;
  private readonly pools: ResilientInformer<IPAddressPool>;
  private readonly namespaces: ResilientInformer<V1Namespace>;

  constructor(kubeConfig: KubeConfig, private readonly herald: string, logger: Logger, onChange: (c: ClusterChange) => void) {
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.services = new ResilientInformer(kubeConfig, 'services', '/api/v1/services',
      () => listTrimmed(kubeConfig, '/api/v1/services', { trim: trimService }), logger, { trim: trimService });
    this.pools = new ResilientInformer<IPAddressPool>(
      kubeConfig, 'ipaddresspools', `/apis/${GROUP}/${VERSION}/namespaces/${herald}/${IPADDRESSPOOL_PLURAL}`,
      () => custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: herald, plural: IPADDRESSPOOL_PLURAL }) as Promise<KubernetesListObject<IPAddressPool>>,
      logger);
    this.namespaces = new ResilientInformer(kubeConfig, 'namespaces', '/api/v1/namespaces',
      () => listTrimmed(kubeConfig, '/api/v1/namespaces', { trim: trimNamespace }), logger, { trim: trimNamespace });

    const svc = (deleted: boolean) => (s: V1Service) => onChange({ kind: 'service', key: serviceKey(s), deleted });
    this.services.informer.on('add', svc(false));
    this.services.informer.on('update', svc(false));
    this.services.informer.on('delete', svc(true));
    for (const verb of ['add', 'update', 'delete'] as const) {
      this.pools.informer.on(verb, () => onChange({ kind: 'pools' }));
      this.namespaces.informer.on(verb, () => onChange({ kind: 'namespaces' }));
    }
  }

  async start(): Promise<void> {
    await Promise.all([this.services.start(), this.pools.start(), this.namespaces.start()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.services.stop(), this.pools.stop(), this.namespaces.stop()]);
  }

  /** Why the caches cannot be trusted yet, or undefined once every one has listed. */
  notSyncedReason(): string | undefined {
    const missing = [this.services, this.pools, this.namespaces].filter((w) => !w.listed).map((w) => w.what);
    return missing.length === 0 ? undefined : `caches not synced: ${missing.join(', ')}`;
  }

  service(key: ServiceKey): V1Service | undefined {
    const slash = key.indexOf('/');
    return this.services.informer.get(key.slice(slash + 1), key.slice(0, slash));
  }

  allServices(): readonly V1Service[] {
    return this.services.informer.list();
  }

  allPools(): IPAddressPool[] {
    return [...this.pools.informer.list()];
  }

  pool(name: string): IPAddressPool | undefined {
    return this.pools.informer.get(name, this.herald);
  }

  allNamespaces(): V1Namespace[] {
    return [...this.namespaces.informer.list()];
  }
}
