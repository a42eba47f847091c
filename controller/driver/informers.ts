// The caches the controller reads: Services (all namespaces), IPAddressPools (in Herald's namespace), Namespaces
// (for serviceAllocation selectors), for the L2Advertisements' Ready condition the advertisements and the
// speakers' presence Leases (both in Herald's namespace; a Lease only for the interfaces it lists), and for the
// BGP objects' Ready condition the BGPPeers, BGPAdvertisements, BFDProfiles and Communities and the Secrets (all in
// Herald's namespace; a Secret only for its name, type and key names, which a BGPPeer's passwordSecret is checked
// against: never a value). Informer
// callbacks only report *what* changed; the event loop reads the object from the cache when it gets to it, so
// bursts collapse. Services, Namespaces, advertisements and Leases are listed in pages as plain JSON and cached
// trimmed (trim.ts): the controller's memory then grows by a few hundred bytes per Service, not by a full
// client-node model object. A Lease is renewed every few seconds; only a change of what the Leases say about
// interfaces is reported; likewise a Secret only when what the BGP check reads of the Secrets changes.
import {
  CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject, type V1Lease, type V1Namespace, type V1Secret, type V1Service,
} from '@kubernetes/client-node';
import {
  BFDPROFILE_PLURAL, BGPADVERTISEMENT_PLURAL, BGPPEER_PLURAL, COMMUNITY_PLURAL, GROUP, IPADDRESSPOOL_PLURAL, L2ADVERTISEMENT_PLURAL, VERSION,
  type BFDProfile, type BGPAdvertisement, type BGPPeer, type Community, type IPAddressPool, type L2Advertisement,
} from '../../crds/v1beta1/index.js';
import type { BGPObjectKind, BGPResources, PasswordSecrets } from '../../lib/config/index.js';
import { PRESENCE_LABEL, PRESENCE_LABEL_VALUE, reportedInterfaces } from '../../lib/presence.js';
import type { SpeakerInterfaces } from '../reconcile/index.js';
import { serviceKey, type ServiceKey } from '../core-api.js';
import type { Logger } from '../../lib/log.js';
import { ResilientInformer } from '../../lib/kube/informer.js';
import { listTrimmed } from '../../lib/kube/list.js';
import { trimAdvertisement, trimBGPObject, trimNamespace, trimPasswordSecret, trimPresenceLease, trimService, type BGPObject } from './trim.js';

/** Where each BGP kind lives under herald.dev/v1beta1. */
export const BGP_PLURALS: Readonly<Record<BGPObjectKind, string>> = {
  BGPPeer: BGPPEER_PLURAL, BGPAdvertisement: BGPADVERTISEMENT_PLURAL, BFDProfile: BFDPROFILE_PLURAL, Community: COMMUNITY_PLURAL,
};

export type ClusterChange =
  | { kind: 'service'; key: ServiceKey; deleted: boolean }
  | { kind: 'pools' }
  | { kind: 'namespaces' }
  | { kind: 'advertisements' }
  | { kind: 'speakers' }
  | { kind: 'bgp' };

export class ClusterCaches {
  private readonly services: ResilientInformer<V1Service>;
  private readonly pools: ResilientInformer<IPAddressPool>;
  private readonly namespaces: ResilientInformer<V1Namespace>;
  private readonly advertisements: ResilientInformer<L2Advertisement>;
  private readonly presence: ResilientInformer<V1Lease>;
  private readonly bgp: { [K in BGPObjectKind]: ResilientInformer<BGPObject> };
  private readonly secrets: ResilientInformer<V1Secret>;
  /** What the presence Leases said about interfaces when last reported, so a plain renewal reports nothing. */
  private speakersSaid = '';
  /** What the Secrets said (names, types, key names) when last reported. */
  private secretsSaid = '';

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

    const bgpInformer = (kind: BGPObjectKind) => {
      const path = `/apis/${GROUP}/${VERSION}/namespaces/${herald}/${BGP_PLURALS[kind]}`;
      return new ResilientInformer<BGPObject>(kubeConfig, BGP_PLURALS[kind], path,
        () => listTrimmed(kubeConfig, path, { trim: trimBGPObject }), logger, { trim: trimBGPObject });
    };
    this.bgp = { BGPPeer: bgpInformer('BGPPeer'), BGPAdvertisement: bgpInformer('BGPAdvertisement'), BFDProfile: bgpInformer('BFDProfile'), Community: bgpInformer('Community') };
    // Every Secret of Herald's namespace, not only those a BGPPeer names today: a Secret created after its peer must
    // turn the peer Ready. Trimmed to names, type and key names (trimPasswordSecret).
    const secretsPath = `/api/v1/namespaces/${herald}/secrets`;
    this.secrets = new ResilientInformer(kubeConfig, 'secrets', secretsPath,
      () => listTrimmed(kubeConfig, secretsPath, { trim: trimPasswordSecret }), logger, { trim: trimPasswordSecret });

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
      for (const informer of Object.values(this.bgp)) informer.informer.on(verb, () => onChange({ kind: 'bgp' }));
      this.secrets.informer.on(verb, () => {
        const said = JSON.stringify(this.passwordSecrets());
        if (said === this.secretsSaid) return;
        this.secretsSaid = said;
        onChange({ kind: 'bgp' });
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
    return [this.services, this.pools, this.namespaces, this.advertisements, this.presence, ...Object.values(this.bgp), this.secrets];
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

  /** Every BGP object and what they refer to (pools, Secrets), as the BGP rules read them (lib/config/bgp.ts). */
  bgpResources(): BGPResources {
    const all = <T extends BGPObject>(kind: BGPObjectKind) => [...this.bgp[kind].informer.list()] as T[];
    return {
      peers: all<BGPPeer>('BGPPeer'), advertisements: all<BGPAdvertisement>('BGPAdvertisement'),
      bfdProfiles: all<BFDProfile>('BFDProfile'), communities: all<Community>('Community'),
      pools: this.allPools(), secrets: this.passwordSecrets(),
    };
  }

  bgpObject(kind: BGPObjectKind, name: string): BGPObject | undefined {
    return this.bgp[kind].informer.get(name, this.herald);
  }

  /** The Secrets of Herald's namespace as a passwordSecret is checked against them, by name. */
  passwordSecrets(): PasswordSecrets {
    const secrets = this.secrets.informer.list()
      .map((s) => ({ name: s.metadata?.name ?? '', type: s.type, keys: Object.keys(s.data ?? {}) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { namespace: this.herald, secrets };
  }

  /** What every speaker's presence Lease says about its node's interfaces, by node. */
  speakerInterfaces(): SpeakerInterfaces[] {
    return this.presence.informer.list()
      .filter((lease) => (lease.spec?.holderIdentity ?? '') !== '')
      .map((lease) => ({ node: lease.spec?.holderIdentity ?? '', interfaces: reportedInterfaces(lease.metadata?.annotations) }))
      .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  }
}
