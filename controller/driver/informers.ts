// The caches the controller reads: Services (all namespaces), IPAddressPools (in Herald's namespace), Namespaces
// (for serviceAllocation selectors), and for the L2Advertisements' Ready condition the advertisements and the
// speakers' presence Leases (both in Herald's namespace; a Lease only for the interfaces it lists). Informer
// callbacks only report *what* changed; the event loop reads the object from the cache when it gets to it, so
// bursts collapse. Services, Namespaces, advertisements and Leases are listed in pages as plain JSON and cached
// trimmed (trim.ts): the controller's memory then grows by a few hundred bytes per Service, not by a full
// client-node model object. A Lease is renewed every few seconds; only a change of what the Leases say about
// interfaces is reported.
import { CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject, type V1Lease, type V1Namespace, type V1Service } from '@kubernetes/client-node';
import { GROUP, IPADDRESSPOOL_PLURAL, L2ADVERTISEMENT_PLURAL, VERSION, type IPAddressPool, type L2Advertisement } from '../../crds/v1beta1/index.js';
import { PRESENCE_LABEL, PRESENCE_LABEL_VALUE, reportedInterfaces } from '../../lib/presence.js';
import type { SpeakerInterfaces } from '../reconcile/index.js';
import { serviceKey, type ServiceKey } from '../core-api.js';
import type { Logger } from '../../lib/log.js';
import { ResilientInformer } from '../../lib/kube/informer.js';
import { listTrimmed } from '../../lib/kube/list.js';
import { trimAdvertisement, trimNamespace, trimPresenceLease, trimService } from './trim.js';

export type ClusterChange =
  | { kind: 'service'; key: ServiceKey; deleted: boolean }
  | { kind: 'pools' }
  | { kind: 'namespaces' }
  | { kind: 'advertisements' }
  | { kind: 'speakers' };

export class ClusterCaches {
  private readonly services: ResilientInformer<V1Service>;
  private readonly pools: ResilientInformer<IPAddressPool>;
  private readonly namespaces: ResilientInformer<V1Namespace>;
  private readonly advertisements: ResilientInformer<L2Advertisement>;
  private readonly presence: ResilientInformer<V1Lease>;
  /** What the presence Leases said about interfaces when last reported, so a plain renewal reports nothing. */
  private speakersSaid = '';

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
    const adsPath = `/apis/${GROUP}/${VERSION}/namespaces/${herald}/${L2ADVERTISEMENT_PLURAL}`;
    this.advertisements = new ResilientInformer(kubeConfig, 'l2advertisements', adsPath,
      () => listTrimmed(kubeConfig, adsPath, { trim: trimAdvertisement }), logger, { trim: trimAdvertisement });
    const leasesPath = `/apis/coordination.k8s.io/v1/namespaces/${herald}/leases`;
    const labelSelector = `${PRESENCE_LABEL}=${PRESENCE_LABEL_VALUE}`;
    this.presence = new ResilientInformer(kubeConfig, 'presence leases', leasesPath,
      () => listTrimmed(kubeConfig, leasesPath, { trim: trimPresenceLease, labelSelector }), logger, { trim: trimPresenceLease, labelSelector });

    const svc = (deleted: boolean) => (s: V1Service) => onChange({ kind: 'service', key: serviceKey(s), deleted });
    this.services.informer.on('add', svc(false));
    this.services.informer.on('update', svc(false));
    this.services.informer.on('delete', svc(true));
    for (const verb of ['add', 'update', 'delete'] as const) {
      this.pools.informer.on(verb, () => onChange({ kind: 'pools' }));
      this.namespaces.informer.on(verb, () => onChange({ kind: 'namespaces' }));
      this.advertisements.informer.on(verb, () => onChange({ kind: 'advertisements' }));
      this.presence.informer.on(verb, () => {
        const said = JSON.stringify(this.speakerInterfaces());
        if (said === this.speakersSaid) return;
        this.speakersSaid = said;
        onChange({ kind: 'speakers' });
      });
    }
  }

  async start(): Promise<void> {
    await Promise.all(this.all().map((i) => i.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((i) => i.stop()));
  }

  private all(): Pick<ResilientInformer<KubernetesObject>, 'start' | 'stop' | 'listed' | 'what'>[] {
    return [this.services, this.pools, this.namespaces, this.advertisements, this.presence];
  }

  /** Why the caches cannot be trusted yet, or undefined once every one has listed. */
  notSyncedReason(): string | undefined {
    const missing = this.all().filter((w) => !w.listed).map((w) => w.what);
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

  allAdvertisements(): L2Advertisement[] {
    return [...this.advertisements.informer.list()];
  }

  advertisement(name: string): L2Advertisement | undefined {
    return this.advertisements.informer.get(name, this.herald);
  }

  /** What every speaker's presence Lease says about its node's interfaces, by node. */
  speakerInterfaces(): SpeakerInterfaces[] {
    return this.presence.informer.list()
      .filter((lease) => (lease.spec?.holderIdentity ?? '') !== '')
      .map((lease) => ({ node: lease.spec?.holderIdentity ?? '', interfaces: reportedInterfaces(lease.metadata?.annotations) }))
      .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  }
}
