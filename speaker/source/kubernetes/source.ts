// The Kubernetes announcement source: informers on everything that decides what this cluster's speakers announce,
// this speaker's presence Lease, and the Secrets of Herald's namespace (the heartbeat key, the BGPPeers' passwords). On any change it recomputes the whole snapshot with
// one pure function (desired.ts) and delivers it when it differs from the last one.
//
// Losing the API changes nothing: the caches keep what they last held, the informers reconnect by themselves, and
// the member list stays as it was while this speaker's own Lease renewals fail (presence.ts). So a speaker cut off
// from the API keeps announcing what it announced, and heartbeats keep failing over between the speakers.
import type { KubeConfig, KubernetesObject, V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import type { Clock, TimerHandle } from '../../../lib/clock.js';
import { advertisementsFromResources, bgpConfigFromResources } from '../../../lib/config/index.js';
import { HEARTBEAT_SECRET_KEY, HEARTBEAT_SECRET_NAME } from '../../../lib/heartbeat-secret.js';
import type { EventRecorder } from '../../../lib/kube/events/recorder.js';
import type { Logger } from '../../../lib/log.js';
import { keyMismatchText, type KeyMismatch } from '../../membership/core/index.js';
import {
  BFDPROFILE_PLURAL, BGPADVERTISEMENT_PLURAL, BGPPEER_PLURAL, COMMUNITY_PLURAL, GROUP, IPADDRESSPOOL_PLURAL, L2ADVERTISEMENT_PLURAL, VERSION,
  type BFDProfile, type BGPAdvertisement, type BGPPeer, type Community, type IPAddressPool, type L2Advertisement,
} from '../../../crds/v1beta1/index.js';
import type { AnnouncementSource, DesiredAnnouncements, IpSpec } from '../types.js';
import { interfaceEligibility, type LinkInfo } from '../../layer2/decide/interfaces.js';
import { carrierRegained } from '../../layer2/decide/reannounce.js';
import { ReusingKubeConfig } from '../../../lib/kube/config.js';
import { ViewCache } from './caches.js';
import { desiredAnnouncements, type Unannounced } from './desired.js';
import type { BgpView, ClusterView } from './views.js';
import { peerPasswords, secretView, type SecretView } from './peer-passwords.js';
import { PRESENCE_RENEW_MS, PresenceLease } from './presence-lease.js';
import { PRESENCE_LABEL, PRESENCE_LABEL_VALUE, PresenceTracker, presenceRecord, type PresenceRecord } from './presence.js';
import { endpointSliceView, nodeView, poolView, serviceView } from './trim.js';

export interface KubernetesSourceOptions {
  kubeConfig: KubeConfig;
  /** Herald's namespace: pools, advertisements, the key Secret and the presence Leases live there. */
  namespace: string;
  node: string;
  /** This node's heartbeat address, published in its presence Lease. */
  address: string;
  /** Only Services with this spec.loadBalancerClass (undefined: only those without one), as the controller. */
  loadBalancerClass: string | undefined;
  clock: Clock;
  logger: Logger;
  /** Where a missing or broken key Secret, or keys that differ from peers', are reported as Warning events (besides the log and readiness). */
  events?: Pick<EventRecorder, 'record'>;
  /** Quiet time after a change before recomputing: a burst of events costs one computation. */
  settleMs?: number;
  presenceRenewMs?: number;
}

const SETTLE_MS = 10;
/** Pause before starting a cache again whose first list failed (the API was down at start). */
const START_RETRY_MS = 2_000;

export class KubernetesSource implements AnnouncementSource {
  private readonly listeners: ((desired: DesiredAnnouncements) => void)[] = [];
  private readonly keyListeners: ((keys: readonly Buffer[]) => void)[] = [];
  private readonly unannouncedListeners: (() => void)[] = [];
  private readonly caches: {
    services: ViewCache<ReturnType<typeof serviceView>>;
    endpointSlices: ViewCache<ReturnType<typeof endpointSliceView>>;
    nodes: ViewCache<ReturnType<typeof nodeView>>;
    pools: ViewCache<ReturnType<typeof poolView>>;
    advertisements: ViewCache<L2Advertisement>;
    bgpPeers: ViewCache<BGPPeer>;
    bgpAdvertisements: ViewCache<BGPAdvertisement>;
    communities: ViewCache<Community>;
    bfdProfiles: ViewCache<BFDProfile>;
    presence: ViewCache<PresenceRecord | undefined>;
    secrets: ViewCache<SecretView>;
  };
  private readonly lease: PresenceLease;
  private readonly tracker: PresenceTracker;
  private timer: TimerHandle | null = null;
  private expiryTimer: TimerHandle | null = null;
  private stopped = false;
  /** This speaker's monotonic time of its last renewal the API took; null before the first. */
  private lastRenewalMs: number | null = null;
  /** This node's links as last reported, to see one come back. */
  private links: readonly LinkInfo[] = [];
  private healthTimer: TimerHandle | null = null;
  private lastDelivered = '';
  private lastDesiredIps: readonly IpSpec[] = [];
  private lastLiveNodes: readonly string[] = [];
  private lastKeys = '';
  private lastKeyProblem = '';
  private lastUnannounced: readonly Unannounced[] = [];
  /** lastUnannounced as text, so each computation stringifies only the new list. */
  private lastUnannouncedText = '[]';
  private lastAdvertisementProblems = '';
  private lastBgpProblems = '';
  private keys: readonly Buffer[] | null = null;
  /** Resolves start(): the first snapshot was delivered (or the source was stopped first). */
  private firstDelivery: () => void = () => undefined;
  private readonly delivered = new Promise<void>((resolve) => { this.firstDelivery = resolve; });

  constructor(private readonly o: KubernetesSourceOptions) {
    const { kubeConfig, logger, namespace } = o;
    const changed = (): void => this.schedule();
    const herald = (plural: string): string => `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${plural}`;
    this.caches = {
      services: new ViewCache(kubeConfig, { what: 'services', path: '/api/v1/services', view: (o) => serviceView(o as V1Service) }, logger, changed),
      endpointSlices: new ViewCache(kubeConfig, { what: 'endpointslices', path: '/apis/discovery.k8s.io/v1/endpointslices', view: (o) => endpointSliceView(o as V1EndpointSlice) }, logger, changed),
      nodes: new ViewCache(kubeConfig, { what: 'nodes', path: '/api/v1/nodes', view: (o) => nodeView(o as V1Node) }, logger, changed),
      pools: new ViewCache(kubeConfig, { what: 'ipaddresspools', path: herald(IPADDRESSPOOL_PLURAL), view: (o) => poolView(o as IPAddressPool) }, logger, changed),
      advertisements: new ViewCache(kubeConfig, { what: 'l2advertisements', path: herald(L2ADVERTISEMENT_PLURAL), view: (obj) => specView<L2Advertisement>(obj) }, logger, changed),
      // BGP mode's objects: few, kept whole but for metadata and status, parsed on every computation (lib/config).
      bgpPeers: new ViewCache(kubeConfig, { what: 'bgppeers', path: herald(BGPPEER_PLURAL), view: (obj) => specView<BGPPeer>(obj) }, logger, changed),
      bgpAdvertisements: new ViewCache(kubeConfig, { what: 'bgpadvertisements', path: herald(BGPADVERTISEMENT_PLURAL), view: (obj) => specView<BGPAdvertisement>(obj) }, logger, changed),
      communities: new ViewCache(kubeConfig, { what: 'communities', path: herald(COMMUNITY_PLURAL), view: (obj) => specView<Community>(obj) }, logger, changed),
      bfdProfiles: new ViewCache(kubeConfig, { what: 'bfdprofiles', path: herald(BFDPROFILE_PLURAL), view: (obj) => specView<BFDProfile>(obj) }, logger, changed),
      presence: new ViewCache(kubeConfig, {
        what: 'presence leases', path: `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`,
        labelSelector: `${PRESENCE_LABEL}=${PRESENCE_LABEL_VALUE}`, view: presenceRecord,
      }, logger, changed),
      // One informer for both Secrets the speaker reads here: the heartbeat key, and the BGPPeers' passwordSecrets
      // (any name a user gives, so no field selector; the Role allows this namespace only). Values kept: the
      // heartbeat keys and basic-auth passwords, nothing else (peer-passwords.ts secretView).
      secrets: new ViewCache(kubeConfig, {
        what: 'secrets', path: `/api/v1/namespaces/${namespace}/secrets`,
        view: (obj) => secretView(obj, { name: HEARTBEAT_SECRET_NAME, key: HEARTBEAT_SECRET_KEY }),
      }, logger, changed),
    };
    this.tracker = new PresenceTracker({ node: o.node, address: o.address });
    this.lease = new PresenceLease({
      kubeConfig, namespace, node: o.node, address: o.address, clock: o.clock, logger, renewMs: o.presenceRenewMs,
      onRenewal: (ok) => {
        if (ok) this.lastRenewalMs = o.clock.monotonicMs();
        this.schedule();
      },
    });
  }

  onChange(cb: (desired: DesiredAnnouncements) => void): void {
    this.listeners.push(cb);
  }

  /** The usable interfaces (those an advertisement may name: layer2/decide/interfaces.ts) go on the presence Lease. */
  linksChanged(links: readonly LinkInfo[]): void {
    this.lease.setInterfaces(links.filter((l) => interfaceEligibility(l) === 'eligible').map((l) => l.name));
    const regained = carrierRegained(this.links, links);
    this.links = links;
    const { kubeConfig, logger } = this.o;
    if (regained.length > 0 && kubeConfig instanceof ReusingKubeConfig) {
      logger.info({ interfaces: regained }, 'a link came back: reconnecting to the API server');
      void kubeConfig.resetConnections();
    }
  }

  /** Called when the IPs nobody may announce, or their reasons, change. */
  onUnannounced(cb: () => void): void {
    this.unannouncedListeners.push(cb);
  }

  /** Called with the heartbeat keys whenever the Secret's keys change (first once they are known). */
  onKeys(cb: (keys: readonly Buffer[]) => void): void {
    this.keyListeners.push(cb);
  }

  /** The keys last read from the Secret, or null while there are none that work. */
  heartbeatKeys(): readonly Buffer[] | null {
    return this.keys;
  }

  /** The IPs of the last snapshot delivered (for the Service condition of those advertised by BGP). */
  desiredIps(): readonly IpSpec[] {
    return this.lastDesiredIps;
  }

  /** The nodes of the last snapshot: this one and every speaker whose presence Lease has not lapsed (empty before the first). */
  liveNodes(): readonly string[] {
    return this.lastLiveNodes;
  }

  /** Every LoadBalancer IP nobody may announce, and why (for the Service condition and the logs). */
  unannounced(): readonly Unannounced[] {
    return this.lastUnannounced;
  }

  /** Why this source cannot deliver (yet), or undefined: for readiness. */
  notReadyReason(): string | undefined {
    const unlisted = Object.values(this.caches).filter((c) => !c.listed).map((c) => c.what);
    if (unlisted.length > 0) return `caches not synced: ${unlisted.join(', ')}`;
    if (this.keys === null) return `no usable heartbeat key: ${this.lastKeyProblem}`;
    if (this.lastRenewalMs === null) return 'presence Lease not written yet';
    return undefined;
  }

  /** Resolves once the first snapshot was delivered: every cache listed, the key known, this speaker's Lease written. */
  async start(): Promise<void> {
    await this.lease.start();
    for (const cache of Object.values(this.caches)) this.startCache(cache);
    await this.delivered;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.expiryTimer?.cancel();
    this.healthTimer?.cancel();
    this.firstDelivery(); // a start still waiting ends
    await Promise.all(Object.values(this.caches).map((c) => c.stop()));
    await this.lease.stop();
  }

  private startCache(cache: { what: string; start(): Promise<void> }): void {
    cache.start().catch((err: unknown) => {
      if (this.stopped) return;
      this.o.logger.warn({ err, what: cache.what }, 'listing failed; trying again');
      this.o.clock.setTimer(() => {
        if (!this.stopped) this.startCache(cache);
      }, START_RETRY_MS);
    });
  }

  private schedule(delayMs = this.o.settleMs ?? SETTLE_MS): void {
    if (this.stopped || this.timer !== null) return;
    this.timer = this.o.clock.setTimer(() => {
      this.timer = null;
      this.recompute();
    }, delayMs);
  }

  private recompute(): void {
    this.updateKeys();
    if (this.notReadyReason() !== undefined) return;
    const nowMs = this.o.clock.monotonicMs();
    this.judgeApiHealth(nowMs);
    this.tracker.observe(this.caches.presence.views().filter((r): r is PresenceRecord => r !== undefined), nowMs);
    const live = this.tracker.live(nowMs);
    this.expiryTimer?.cancel();
    this.expiryTimer = live.nextExpiryMs === null ? null
      : this.o.clock.setTimer(() => this.schedule(0), Math.max(0, live.nextExpiryMs - nowMs) + 1);
    const parsed = advertisementsFromResources(this.caches.advertisements.views());
    this.logAdvertisementProblems(parsed.problems);
    const view: ClusterView = {
      services: this.caches.services.views(),
      endpointSlices: this.caches.endpointSlices.views(),
      nodes: this.caches.nodes.views(),
      pools: this.caches.pools.views(),
      advertisements: parsed.advertisements,
      speakers: live.speakers,
    };
    const bgp = this.bgpView(view);
    const { desired, unannounced, bgpRefused } = desiredAnnouncements(bgp ? { ...view, bgp } : view, { self: this.o.node, loadBalancerClass: this.o.loadBalancerClass });
    this.logBgpProblems([...this.bgpProblems, ...bgpRefused]);
    const unannouncedText = JSON.stringify(unannounced);
    if (unannouncedText !== this.lastUnannouncedText) {
      this.lastUnannouncedText = unannouncedText;
      this.lastUnannounced = unannounced;
      for (const cb of this.unannouncedListeners) cb();
    }
    const text = JSON.stringify(desired);
    if (text === this.lastDelivered) return;
    this.lastDelivered = text;
    this.lastDesiredIps = desired.ips;
    this.lastLiveNodes = desired.nodes.map((n) => n.name);
    for (const cb of this.listeners) cb(desired);
    this.firstDelivery();
  }

  /**
   * The API counts as reachable while this speaker's own renewals succeed. A renewal that hangs (a server that
   * accepts connections but does not answer) never reports a failure, so reachability is judged by the time since
   * the last success: two renewal periods and a half without one, and the member list freezes (presence.ts).
   */
  private judgeApiHealth(nowMs: number): void {
    const renewMs = this.o.presenceRenewMs ?? PRESENCE_RENEW_MS;
    const last = this.lastRenewalMs;
    const healthyUntil = last === null ? nowMs : last + renewMs * 2.5;
    this.tracker.setApiHealthy(healthyUntil > nowMs, nowMs);
    this.healthTimer?.cancel();
    this.healthTimer = healthyUntil > nowMs ? this.o.clock.setTimer(() => this.schedule(0), healthyUntil - nowMs + 1) : null;
  }

  private updateKeys(): void {
    // Before the first list, a missing Secret only means the answer has not come yet (readiness says so).
    if (!this.caches.secrets.listed) return;
    const view = this.caches.secrets.views().find((s) => s.name === HEARTBEAT_SECRET_NAME)?.heartbeat;
    const where = `Secret ${this.o.namespace}/${HEARTBEAT_SECRET_NAME}`;
    if (view === undefined || !view.ok) {
      const problem = view === undefined ? `${where} does not exist (the controller creates it)` : `${where}: ${view.problem}`;
      // The keys in use stay: a Secret deleted (or broken) during a rotation must not cut the mesh apart.
      if (problem !== this.lastKeyProblem) this.reportKeyProblem(problem);
      this.lastKeyProblem = problem;
      return;
    }
    this.lastKeyProblem = '';
    if (view.fingerprint === this.lastKeys) return;
    this.lastKeys = view.fingerprint;
    this.keys = view.keys;
    this.o.logger.info({ keys: view.keys.length }, 'heartbeat keys read from the Secret');
    for (const cb of this.keyListeners) cb(view.keys);
  }

  /**
   * Membership found peers whose heartbeats fail authentication with every key (membership/core/key-mismatch.ts):
   * a Warning event HeartbeatKeyMismatch on the Secret naming this node and them. Membership logs it itself;
   * an empty list (the keys agree again) writes nothing.
   */
  reportKeyMismatch(mismatched: readonly KeyMismatch[]): void {
    if (mismatched.length === 0) return;
    const where = `the Secret ${this.o.namespace}/${HEARTBEAT_SECRET_NAME}`;
    this.warnOnSecret('HeartbeatKeyMismatch', `speaker on node "${this.o.node}": ${keyMismatchText(mismatched, where)}`);
  }

  /** In the log, and as a Warning event on the Secret, where `kubectl get events -n herald-system` shows it. */
  private reportKeyProblem(problem: string): void {
    const keeping = this.keys !== null;
    this.o.logger.error({ problem, keeping }, 'heartbeat key unusable');
    this.warnOnSecret('HeartbeatKeyUnusable',
      `speaker on node "${this.o.node}": ${problem}; ${keeping ? 'it keeps the keys it has' : 'it announces nothing until the key is there'}`);
  }

  private warnOnSecret(reason: string, message: string): void {
    this.o.events?.record({
      object: { apiVersion: 'v1', kind: 'Secret', namespace: this.o.namespace, name: HEARTBEAT_SECRET_NAME },
      type: 'Warning', reason, message,
    });
  }

  /** What lib/config found wrong with the BGP objects, from the last bgpView (the controller writes them as conditions). */
  private bgpProblems: readonly { kind: string; name: string; message: string }[] = [];

  /**
   * BGP mode's usable objects (lib/config's model; an object with a problem is left out), or undefined when there
   * is neither a BGPPeer nor a BGPAdvertisement: a cluster using layer 2 only gets the snapshot it always got.
   * A peer's passwordSecret is looked up among this namespace's Secrets (peer-passwords.ts); one that cannot be read
   * leaves that peer unusable (bgp-desired.ts), not the others.
   */
  private bgpView(view: ClusterView): BgpView | undefined {
    const peers = this.caches.bgpPeers.views();
    const advertisements = this.caches.bgpAdvertisements.views();
    if (peers.length === 0 && advertisements.length === 0) {
      this.bgpProblems = [];
      return undefined;
    }
    const config = bgpConfigFromResources({
      peers, advertisements, communities: this.caches.communities.views(), bfdProfiles: this.caches.bfdProfiles.views(),
      pools: view.pools.map((p) => ({ apiVersion: `${GROUP}/${VERSION}`, kind: 'IPAddressPool', metadata: { name: p.name, labels: { ...p.labels } }, spec: { addresses: [...p.addresses] } })),
      nodes: view.nodes,
    });
    this.bgpProblems = config.problems;
    const passwords = peerPasswords(peers, { namespace: this.o.namespace, secrets: this.caches.secrets.views() });
    return { peers: config.peers, advertisements: config.advertisements, bfdProfiles: config.bfdProfiles, passwords };
  }

  private logBgpProblems(problems: readonly { kind: string; name: string; message: string }[]): void {
    const text = JSON.stringify(problems);
    if (text === this.lastBgpProblems) return;
    this.lastBgpProblems = text;
    for (const p of problems) this.o.logger.warn({ kind: p.kind, name: p.name, problem: p.message }, 'BGP object not used');
  }

  private logAdvertisementProblems(problems: readonly { advertisement: string; message: string }[]): void {
    const text = JSON.stringify(problems);
    if (text === this.lastAdvertisementProblems) return;
    this.lastAdvertisementProblems = text;
    for (const p of problems) this.o.logger.warn(p, 'L2Advertisement problem');
  }
}

/**
 * What the cache keeps of an advertisement, a BGPPeer, a Community or a BFDProfile: its name and spec (parsed on
 * every computation; they are few), not its status, which the controller rewrites.
 */
function specView<T extends KubernetesObject & { spec?: unknown }>(obj: KubernetesObject): T {
  const o = obj as T;
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata?.name, namespace: o.metadata?.namespace }, spec: o.spec } as T;
}
