// The ControllerCore: decisions for Services and pools, on top of the pure allocator. The driver feeds it
// objects and writes back exactly what it returns.
//
// Events compare with what this core last told the driver for the Service (seeded from the status at
// restore), not with the object passed in, which may lag behind the driver's own writes.
//
// No configuration mistake releases an address (docs/address-pools.md): a request naming a pool or addresses
// that are not there keeps what the Service holds, with a warning, and is decided again on every pool change.
import type { V1LoadBalancerIngress, V1Namespace, V1Service } from '@kubernetes/client-node';
import type { IPAddressPool } from '../../crds/v1beta1/index.js';
import { IP_ALLOCATED_FROM_POOL, readAnnotation } from '../../lib/annotations.js';
import { boundedMessage, configFromResources, someOf, timestampMs, type Labels, type PoolProblem } from '../../lib/config/index.js';
import { formatAddress, tryParseAddress, type Address } from '../../lib/ip/index.js';
import { Allocator, formatAddresses, type Allocation, type Unmet } from '../allocator/index.js';
import type {
  AddressCondition, ControllerCore, ControllerCoreOptions, Decision, PoolOutcome, PoolsUpdate, ReconcileResult, ServiceEvent, ServiceKey, ServiceOutcome,
} from '../core-api.js';
import { decideService, serviceKey, sharingTerms, unmanagedWhy } from './request.js';
import { poolOutcomes, rememberWrittenConditions, type ReadyMemory } from './status.js';

function ingressIPs(service: V1Service | undefined): string[] {
  return (service?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
}

function quoteList(ips: readonly string[]): string {
  return ips.map((ip) => `"${ip}"`).join(', ');
}

function triedList(pools: readonly string[]): string {
  return pools.length > 0 ? ` (pools tried: ${someOf(pools.map((p) => `"${p}"`))})` : '';
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

class Core implements ControllerCore {
  private readonly allocator = new Allocator();
  private readonly namespaceLabels = new Map<string, Labels>();
  private poolResources: IPAddressPool[] = [];
  private problems: PoolProblem[] = [];
  private readonly readyMemory: ReadyMemory = new Map();
  /** Canonical IPs last given to the driver for each Service (absent: none). */
  private readonly reported = new Map<ServiceKey, string[]>();
  /** Services that want an IP and have none; true when they request specific addresses. */
  private readonly waiting = new Map<ServiceKey, boolean>();
  /** Services that keep their IPs while their request names a pool or addresses that are not there. */
  private readonly unmet = new Set<ServiceKey>();
  /** The reason last logged for a Service kept or pending, so a retry for the same reason logs nothing. */
  private readonly told = new Map<ServiceKey, string>();

  constructor(private readonly options: ControllerCoreOptions) {}

  setNamespaces(namespaces: V1Namespace[]): void {
    this.namespaceLabels.clear();
    for (const ns of namespaces) this.namespaceLabels.set(ns.metadata?.name ?? '', ns.metadata?.labels ?? {});
  }

  setPools(pools: IPAddressPool[], _nowMs: number): PoolsUpdate {
    const config = configFromResources({ pools });
    this.poolResources = [...pools];
    this.problems = config.problems;
    rememberWrittenConditions(this.readyMemory, pools);
    const { displaced, rehomed } = this.allocator.setPools(config.pools);
    for (const key of displaced) this.waiting.set(key, this.waiting.get(key) ?? false);
    // Besides the displaced Services, every pending one (a new or grown pool may serve it now), every re-homed
    // one (its addresses now belong to another pool, which its request may not accept) and every one whose
    // request named a missing pool or addresses (they may be there now). In pending() order: a Service waiting
    // for addresses it requested gets them before anyone else is given the lowest free one.
    return { servicesToReprocess: [...new Set([...this.pending(), ...[...rehomed, ...this.unmet].sort()])] };
  }

  restore(services: V1Service[]): ServiceKey[] {
    const byAge = [...services].sort((a, b) => {
      const ta = timestampMs(a.metadata?.creationTimestamp);
      const tb = timestampMs(b.metadata?.creationTimestamp);
      if (ta !== tb) return ta < tb ? -1 : 1;
      const ka = serviceKey(a);
      const kb = serviceKey(b);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    const refused: ServiceKey[] = [];
    for (const service of byAge) {
      if (!this.restoreOne(service)) refused.push(serviceKey(service));
    }
    return refused;
  }

  reconcile(key: ServiceKey, service: V1Service | undefined): ServiceOutcome {
    if (!this.reported.has(key) && service) this.seedReported(key, service);
    const namespace = key.slice(0, key.indexOf('/'));
    const decision = decideService(key, service, this.options.loadBalancerClass, this.namespaceLabels.get(namespace) ?? {});
    switch (decision.kind) {
      case 'unmanaged': this.unmet.delete(key); return this.unmanaged(key, decision.why === 'deleted');
      case 'invalid': this.unmet.delete(key); return this.invalid(key, decision.message, service);
      case 'request': {
        const before = this.allocator.allocation(key);
        const result = this.allocator.allocate(decision.request);
        if (result.ok && result.unmet !== undefined) return this.kept(key, result.allocation, result.unmet);
        this.unmet.delete(key);
        if (result.ok) return this.allocated(key, result.allocation, before);
        const pinned = decision.request.requestedIPs.length > 0;
        return this.failed(key, result.message, result.triedPools, before !== undefined, pinned);
      }
    }
  }

  /** Those requesting specific addresses first, then by key. */
  pending(): ServiceKey[] {
    const byKey = [...this.waiting.keys()].sort();
    return [...byKey.filter((k) => this.waiting.get(k)), ...byKey.filter((k) => !this.waiting.get(k))];
  }

  poolStatuses(nowMs: number): PoolOutcome[] {
    return poolOutcomes(this.poolResources, this.problems, this.allocator, this.readyMemory, nowMs);
  }

  /** Claims the Service's recorded IPs; false when they cannot be kept (it will be reconciled). */
  private restoreOne(service: V1Service): boolean {
    const key = serviceKey(service);
    const recorded = ingressIPs(service);
    if (recorded.length === 0 || unmanagedWhy(service, this.options.loadBalancerClass)) return true;
    this.seedReported(key, service);
    const addresses = recorded.map(tryParseAddress);
    if (!addresses.every((a): a is Address => a !== undefined)) return false;
    const recordedPool = readAnnotation(service.metadata?.annotations, IP_ALLOCATED_FROM_POOL);
    return this.allocator.claim(key, addresses, sharingTerms(service), recordedPool).ok;
  }

  private seedReported(key: ServiceKey, service: V1Service): void {
    const ips = ingressIPs(service).map((ip) => { const a = tryParseAddress(ip); return a ? formatAddress(a) : ip; });
    if (ips.length > 0) this.reported.set(key, ips);
  }

  /**
   * The outcome of one decision. `decision` is logged only when it is news: a line for every retry of a Service
   * that cannot be served would bury the one that says why, so kept and pending lines repeat only when the reason
   * changes.
   */
  private outcome(
    key: ServiceKey, allocation: Allocation | undefined, events: ServiceEvent[], result: ReconcileResult,
    condition: AddressCondition | null, decision?: Decision,
  ): ServiceOutcome {
    const ips = allocation ? allocation.addresses.map(formatAddress) : [];
    if (ips.length > 0) this.reported.set(key, ips);
    else this.reported.delete(key);
    const ingress: V1LoadBalancerIngress[] = ips.map((ip) => ({ ip, ipMode: 'VIP' }));
    const bounded = events.map((e) => ({ ...e, message: boundedMessage(e.message) }));
    const bound = condition && { ...condition, message: boundedMessage(condition.message) };
    return { ingress, poolAnnotation: allocation?.pool ?? null, managed: condition !== null, events: bounded, condition: bound, decision: this.news(key, decision), result };
  }

  private news(key: ServiceKey, decision: Decision | undefined): Decision | undefined {
    if (!decision) return undefined;
    const why = decision.why === undefined ? undefined : boundedMessage(decision.why);
    const bounded = why === undefined ? decision : { ...decision, why };
    switch (decision.action) {
      case 'allocated': case 'moved': this.told.delete(key); return bounded;
      case 'released': this.told.set(key, why ?? ''); return bounded; // then pending: a retry for this reason is no news
      case 'kept': case 'pending':
        if (this.told.get(key) === why) return undefined;
        this.told.set(key, why ?? '');
        return bounded;
    }
  }

  /** After something was freed, pending Services may now fit. */
  private afterFree(freed: boolean): ReconcileResult {
    return freed && this.waiting.size > 0 ? 'reprocessAll' : 'ok';
  }

  private unmanaged(key: ServiceKey, deleted: boolean): ServiceOutcome {
    const previous = this.reported.get(key);
    const released = this.allocator.release(key);
    this.waiting.delete(key);
    const why = deleted ? 'the Service was deleted' : 'the Service is no longer a LoadBalancer of this controller\'s class';
    const events: ServiceEvent[] = previous && !deleted
      ? [{ type: 'Normal', reason: 'IPReleased', message: `released ${quoteList(previous)}: ${why}` }]
      : [];
    const decision: Decision | undefined = previous ? { action: 'released', ips: [], previous, why } : undefined;
    const outcome = this.outcome(key, undefined, events, this.afterFree(released !== undefined), null, decision);
    this.told.delete(key); // it waits for nothing now
    return outcome;
  }

  private invalid(key: ServiceKey, message: string, service: V1Service | undefined): ServiceOutcome {
    // A typo in an annotation must not cause an outage: an address already held is kept until the request is
    // fixed, unless the Service's new sharing terms no longer fit the address's other holders.
    const previous = this.reported.get(key);
    const held = service ? this.allocator.retain(key, sharingTerms(service)) : undefined;
    const keeping = held ? `; keeping ${formatAddresses(held.addresses)}` : '';
    const events: ServiceEvent[] = [{ type: 'Warning', reason: 'InvalidRequest', message: `${message}${keeping}` }];
    if (!held && previous) events.push({ type: 'Warning', reason: 'IPReleased', message: `released ${quoteList(previous)}: its sharing terms no longer fit` });
    const condition: AddressCondition = { status: held ? 'True' : 'False', reason: 'InvalidRequest', message: `${message}${keeping}` };
    const decision: Decision = held ? { action: 'kept', ips: previous ?? [], pool: held.pool, why: message }
      : previous ? { action: 'released', ips: [], previous, why: `${message}; its sharing terms no longer fit` }
        : { action: 'pending', ips: [], why: message };
    return this.outcome(key, held, events, 'ok', condition, decision);
  }

  /** The request names something that is not there: the Service keeps what it holds, and is told why. */
  private kept(key: ServiceKey, allocation: Allocation, unmet: Unmet): ServiceOutcome {
    this.unmet.add(key);
    this.waiting.delete(key);
    const message = `${unmet.message}${triedList(unmet.triedPools)}; keeping ${formatAddresses(allocation.addresses)} from pool "${allocation.pool}"`;
    const decision: Decision = { action: 'kept', ips: allocation.addresses.map(formatAddress), pool: allocation.pool, why: `${unmet.message}${triedList(unmet.triedPools)}` };
    return this.outcome(key, allocation, [{ type: 'Warning', reason: 'AllocationFailed', message }], 'ok',
      { status: 'True', reason: 'RequestNotMet', message }, decision);
  }

  private allocated(key: ServiceKey, allocation: Allocation, before: Allocation | undefined): ServiceOutcome {
    const previous = this.reported.get(key);
    const ips = allocation.addresses.map(formatAddress);
    this.waiting.delete(key);
    const events: ServiceEvent[] = [];
    let decision: Decision | undefined;
    if (!previous) {
      events.push({ type: 'Normal', reason: 'IPAllocated', message: `assigned ${quoteList(ips)} from pool "${allocation.pool}"` });
      decision = { action: 'allocated', ips, pool: allocation.pool };
    } else if (!sameList(previous, ips)) {
      events.push({ type: 'Normal', reason: 'IPChanged', message: `moved from ${quoteList(previous)} to ${quoteList(ips)} (pool "${allocation.pool}")` });
      decision = { action: 'moved', ips, previous, pool: allocation.pool };
    }
    const freed = before !== undefined && before.addresses !== allocation.addresses;
    const condition: AddressCondition = { status: 'True', reason: 'Assigned', message: `${quoteList(ips)} from pool "${allocation.pool}"` };
    return this.outcome(key, allocation, events, this.afterFree(freed), condition, decision);
  }

  private failed(key: ServiceKey, message: string, tried: readonly string[], freed: boolean, pinned: boolean): ServiceOutcome {
    const previous = this.reported.get(key);
    this.waiting.set(key, pinned);
    const why = `${message}${triedList(tried)}`;
    const events: ServiceEvent[] = [{ type: 'Warning', reason: 'AllocationFailed', message: why }];
    if (previous) events.push({ type: 'Warning', reason: 'IPReleased', message: `released ${quoteList(previous)}: it no longer fits the Service's request or any usable pool` });
    const decision: Decision = previous ? { action: 'released', ips: [], previous, why } : { action: 'pending', ips: [], why };
    return this.outcome(key, undefined, events, freed && this.waiting.size > 1 ? 'reprocessAll' : 'retry',
      { status: 'False', reason: 'AllocationFailed', message: why }, decision);
  }
}

export function createControllerCore(options: ControllerCoreOptions): ControllerCore {
  return new Core(options);
}
