// `kubectl herald status`: every LoadBalancer Service's IPs, pool, mode, announcers and condition, computed from
// listed objects only (the command lists them; this is pure and table-tested). Everything shown is something Herald
// wrote: status.loadBalancer.ingress and the ip-allocated-from-pool annotation (controller), the
// herald.dev/AddressAssigned condition (controller) and herald.dev/Announced (speakers), ServiceL2Status and
// ServiceBGPStatus objects and BGPPeer session states (speakers). The mode comes from the speakers' objects when
// someone announces, else from the advertisements that select the Service's pool (what would announce it).
import type { V1Condition, V1Namespace, V1Service } from '@kubernetes/client-node';
import type { BGPAdvertisement, BGPPeer, IPAddressPool, L2Advertisement, ServiceBGPStatus, ServiceL2Status } from '../../crds/v1beta1/index.js';
import { ADDRESS_CONDITION } from '../../controller/core-api.js';
import { IP_ALLOCATED_FROM_POOL, readAnnotation } from '../../lib/annotations.js';
import { advertisementsFromResources, type Labels } from '../../lib/config/index.js';
import { advertisementModel } from '../../lib/config/bgp-advertisements.js';
import { selectsPool, selectsService, type AdvertisementRules } from '../../speaker/source/kubernetes/eligibility.js';
import { serviceView } from '../../speaker/source/kubernetes/trim.js';
import { ANNOUNCED_CONDITION } from '../../speaker/status/announce-condition.js';
import { announcersOf, sessionStates, type Announcer, type Mode } from './announcers.js';
import { poolChoice, type PoolChoice } from './pool-choice.js';

/** What the command lists. */
export interface ClusterObjects {
  services: readonly V1Service[];
  l2Statuses: readonly ServiceL2Status[];
  bgpStatuses: readonly ServiceBGPStatus[];
  pools: readonly IPAddressPool[];
  l2Advertisements: readonly L2Advertisement[];
  bgpAdvertisements: readonly BGPAdvertisement[];
  peers: readonly BGPPeer[];
  /** For serviceAllocation's namespaceSelectors; undefined when the user may not list namespaces. */
  namespaces: readonly V1Namespace[] | undefined;
  /** The speakers' presence Leases (label herald.dev/presence=speaker in Herald's namespace); undefined: not read. */
  speakerLeases?: readonly PresenceLeaseView[];
  /** Wall time, for whether a presence Lease is still current. */
  nowMs?: number;
}

/** What the plugin reads of a presence Lease (speaker/source/kubernetes/presence-lease.ts writes it). */
export interface PresenceLeaseView {
  spec?: { holderIdentity?: string; renewTime?: string | Date; leaseDurationSeconds?: number };
}

/**
 * The nodes whose speaker renewed its presence Lease within the Lease's duration, by this machine's clock (a
 * speaker judges by its own observation instead, to be immune to skew; for "is any speaker running" this is enough).
 */
export function liveSpeakers(leases: readonly PresenceLeaseView[], nowMs: number): string[] {
  return leases.filter((l) => {
    const renewed = l.spec?.renewTime === undefined ? Number.NaN : new Date(l.spec.renewTime).getTime();
    return l.spec?.holderIdentity !== undefined && renewed + (l.spec.leaseDurationSeconds ?? 0) * 1000 > nowMs;
  }).map((l) => l.spec?.holderIdentity ?? '').sort();
}

/** The one condition a row shows: the first thing wrong, else Announced. */
export interface Summary {
  reason: string;
  message: string;
  /** Which condition says so (undefined: derived from the absence of any). */
  from?: string;
}

export interface ServiceStatus {
  namespace: string;
  name: string;
  /** status.loadBalancer.ingress IPs (and hostnames), as written. */
  ips: string[];
  pool: string | undefined;
  poolChoice: PoolChoice | undefined;
  namespaceLabelsKnown: boolean;
  modes: Mode[];
  announcers: Announcer[];
  summary: Summary;
  /** Herald's conditions on the Service, as written. */
  conditions: V1Condition[];
}

const HERALD_CONDITIONS = [ADDRESS_CONDITION, ANNOUNCED_CONDITION];

const ingressOf = (svc: V1Service): string[] =>
  (svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ?? i.hostname ?? '') === '' ? [] : [i.ip ?? i.hostname ?? '']);

/** What the conditions and the status objects say, the most pressing first (STYLE.md §6: a reason, not a boolean). */
export function summarize(svc: V1Service, ips: readonly string[], announcers: readonly Announcer[], speakers?: readonly string[]): Summary {
  const conditions = svc.status?.conditions ?? [];
  const assigned = conditions.find((c) => c.type === ADDRESS_CONDITION);
  const announced = conditions.find((c) => c.type === ANNOUNCED_CONDITION);
  const of = (c: V1Condition): Summary => ({ reason: c.reason ?? c.status, message: c.message ?? '', from: c.type });
  // Another load balancer's Service (its IPs, if any, are that one's): Herald writes its condition on every Service
  // of its own class, so a class and no condition of Herald's means another implementation's.
  if (assigned === undefined && svc.spec?.loadBalancerClass !== undefined) {
    return { reason: 'OtherClass', message: `spec.loadBalancerClass is "${svc.spec.loadBalancerClass}" and no Herald controller has written a condition on the Service` };
  }
  if (assigned?.status === 'False') return of(assigned);
  if (ips.length === 0) {
    return assigned === undefined
      ? { reason: 'Pending', message: 'no IP, and no Herald controller has decided for the Service yet (is the controller running?)' }
      : of(assigned);
  }
  if (assigned !== undefined && assigned.reason !== 'Assigned') return of(assigned);
  if (announced !== undefined) return of(announced);
  if (announcers.length > 0) return { reason: 'Announced', message: `announced by ${announcers.map((a) => a.node).join(', ')} (their status objects)` };
  if (speakers !== undefined && speakers.length === 0) {
    return { reason: 'NoSpeaker', message: 'no speaker is running: no presence Lease of a speaker was renewed within its duration' };
  }
  return {
    reason: 'NotReported',
    message: 'no speaker has reported on the Service: no ServiceL2Status or ServiceBGPStatus and no herald.dev/Announced condition (are the speakers running?)',
  };
}

type Advertisements = { mode: Mode; rules: AdvertisementRules }[];

function advertisementRules(objects: ClusterObjects): Advertisements {
  const l2 = advertisementsFromResources(objects.l2Advertisements).advertisements.map((rules) => ({ mode: 'layer2' as const, rules }));
  // Community aliases do not change which pools and Services an advertisement selects: none are resolved here.
  const bgp = objects.bgpAdvertisements.map((ad) => ({ mode: 'bgp' as const, rules: advertisementModel(ad, new Map()).model }));
  return [...l2, ...bgp];
}

/** The modes that announce (from the status objects), else those whose advertisements select the pool and Service. */
function modesOf(svc: V1Service, pool: IPAddressPool | undefined, announcers: readonly Announcer[], ads: Advertisements): Mode[] {
  const seen = new Set<Mode>(announcers.map((a) => a.mode));
  if (seen.size === 0 && pool !== undefined) {
    const indexed = { name: pool.metadata.name ?? '', labels: pool.metadata.labels ?? {}, intervals: [] };
    const view = serviceView(svc);
    for (const ad of ads) if (selectsPool(ad.rules, indexed) && selectsService(ad.rules, view)) seen.add(ad.mode);
  }
  return (['layer2', 'bgp'] as const).filter((m) => seen.has(m));
}

const byKey = (a: ServiceStatus, b: ServiceStatus): number =>
  a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** Every LoadBalancer Service among `objects.services`, by namespace and name. */
export function serviceStatuses(objects: ClusterObjects): ServiceStatus[] {
  const sessions = sessionStates(objects.peers);
  const ads = advertisementRules(objects);
  const labels = new Map<string, Labels>((objects.namespaces ?? []).map((n) => [n.metadata?.name ?? '', n.metadata?.labels ?? {}]));
  const speakers = objects.speakerLeases === undefined || objects.nowMs === undefined ? undefined : liveSpeakers(objects.speakerLeases, objects.nowMs);
  return objects.services.filter((s) => s.spec?.type === 'LoadBalancer').map((svc): ServiceStatus => {
    const namespace = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    const ips = ingressOf(svc);
    const poolName = readAnnotation(svc.metadata?.annotations, IP_ALLOCATED_FROM_POOL);
    const pool = objects.pools.find((p) => p.metadata.name === poolName);
    const announcers = announcersOf(namespace, name, objects.l2Statuses, objects.bgpStatuses, sessions);
    const namespaceLabels = objects.namespaces === undefined ? undefined : labels.get(namespace) ?? {};
    return {
      namespace, name, ips, pool: poolName,
      poolChoice: poolName === undefined ? undefined : poolChoice({ service: svc, pool: poolName, pools: objects.pools, namespaceLabels }),
      namespaceLabelsKnown: namespaceLabels !== undefined,
      modes: modesOf(svc, pool, announcers, ads),
      announcers,
      summary: summarize(svc, ips, announcers, speakers),
      conditions: (svc.status?.conditions ?? []).filter((c) => HERALD_CONDITIONS.includes(c.type)),
    };
  }).sort(byKey);
}
