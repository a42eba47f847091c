// The allocator: which Service holds which addresses, from which pool. Pure and synchronous.
//
// Order of choice for a Service (see order.ts for the automatic pool order):
//   1. requested IPs (loadBalancerIPs annotation or spec.loadBalancerIP): exactly those, from the one pool
//      that holds them all (autoAssign does not matter; the pool's serviceAllocation must admit the Service);
//   2. the address-pool annotation: that pool only (autoAssign does not matter);
//   3. otherwise autoAssign pools in automatic order.
// These decide where a new address comes from; an address held fits any request that does not name another pool
// or other addresses (autoAssign and serviceAllocation are not checked again).
// Within a pool a Service with an allow-shared-ip key first reuses a compatible key-mate's address of that
// family (pools where a key-mate lives are tried first), else takes the lowest free address.
//
// No configuration mistake takes addresses away (docs/address-pools.md): addresses two pools share are given
// to nobody new but stay with whoever holds them, and a request naming a pool or addresses that are not there
// (a typo) leaves the Service what it holds, and so does a pool whose serviceAllocation selector cannot be used
// (it gives nothing new to a Service only that selector could admit). Only a deleted or shrunk pool, or a changed
// request naming something that exists, releases.
import type { ServiceKey } from '../core-api.js';
import { count, someOf, SHOWN_ITEMS, type PoolModel } from '../../lib/config/index.js';
import { familyName, formatAddress, sameAddress, type Address, type Family } from '../../lib/ip/index.js';
import { Holdings, type Holding } from './holdings.js';
import { admission, autoAssignOrder, type Admission } from './order.js';
import { PoolState, type FamilyUsage } from './pool-state.js';
import { describeRefusal } from './sharing.js';
import type { AllocateResult, Allocation, AllocationRequest, ClaimResult, SharingTerms, Unmet } from './types.js';

interface Held {
  pool: PoolState;
  addresses: Address[];
  terms: SharingTerms;
  /** The pool the addresses were given from, as the Service records it (its ip-allocated-from-pool annotation).
   *  It differs from `pool` only between a re-home (that pool went away, another covers the addresses) and the
   *  Service's next decision. */
  origin: string;
}

type PoolTry = { ok: true; addresses: Address[] } | { ok: false; why: string };

const byFamily = (a: Address, b: Address) => a.family - b.family;

export function formatAddresses(addresses: readonly Address[]): string {
  return addresses.map((a) => `"${formatAddress(a)}"`).join(', ');
}

function quotePools(names: readonly string[]): string {
  return `pool${names.length > 1 ? 's' : ''} ${someOf(names.map((n) => `"${n}"`))}`;
}

/** For a full pool that overlaps others: its shared addresses are withheld, which may be why it is full. */
function withheldNote(pool: PoolState): string {
  const others = pool.model.overlaps.map((o) => o.pool);
  return others.length > 0 ? ` (the addresses it shares with ${quotePools(others)} are withheld)` : '';
}

/** Why `pool` gives this Service nothing, when its serviceAllocation does not admit it. */
function notAdmitted(pool: string, why: Exclude<Admission, 'admitted'>): string {
  return why === 'refused' ? `pool "${pool}" does not admit this Service (its serviceAllocation)`
    : `pool "${pool}" cannot admit this Service until its serviceAllocation selector is fixed`;
}

/** The families a Service asks for, and whether it must get all of them. */
function wantedFamilies(request: AllocationRequest): { families: readonly Family[]; needAll: boolean } {
  switch (request.policy) {
    case 'SingleStack': return { families: request.families.slice(0, 1), needAll: true };
    case 'RequireDualStack': return { families: request.families, needAll: true };
    case 'PreferDualStack': return { families: request.families, needAll: false };
  }
}

export class Allocator {
  private pools = new Map<string, PoolState>();
  private readonly holdings = new Holdings();
  private readonly services = new Map<ServiceKey, Held>();

  /**
   * Replaces the usable pools. Allocations still inside a usable pool stay; the others are dropped and
   * returned as `displaced`. An allocation whose addresses now lie in a different pool than before (its own
   * pool was deleted or shrunk, and another pool covers them) stays held, so nobody else takes them, but is
   * returned as `rehomed`: the Service must be decided again exactly as a restarted controller, restoring
   * the same status, would decide it (it may have asked for the pool that is gone).
   */
  setPools(models: readonly PoolModel[]): { displaced: ServiceKey[]; rehomed: ServiceKey[] } {
    const previous = [...this.services];
    this.pools = new Map(models.map((m) => [m.name, new PoolState(m)]));
    this.holdings.clear();
    this.services.clear();
    const displaced: ServiceKey[] = [];
    const rehomed: ServiceKey[] = [];
    for (const [key, held] of previous) {
      const pool = this.poolHolding(held.addresses, held.pool.name);
      if (!pool) {
        displaced.push(key);
        continue;
      }
      this.record(key, pool, held.addresses, held.terms, held.origin);
      if (pool.name !== held.pool.name) rehomed.push(key);
    }
    return { displaced, rehomed };
  }

  poolNames(): string[] {
    return [...this.pools.keys()];
  }

  usage(pool: string, family: Family): FamilyUsage | undefined {
    return this.pools.get(pool)?.usage(family);
  }

  allocation(key: ServiceKey): Allocation | undefined {
    const held = this.services.get(key);
    return held && { pool: held.pool.name, addresses: held.addresses };
  }

  /** Takes exactly these addresses (a restored status), in `recordedPool` (the Service's ip-allocated-from-pool)
   *  when two pools list them. Refused when no single usable pool holds them all, or when someone already holds
   *  one of them without a sharing right. */
  claim(key: ServiceKey, addresses: readonly Address[], terms: SharingTerms, recordedPool?: string): ClaimResult {
    this.release(key);
    const pool = this.poolHolding(addresses, recordedPool);
    if (!pool) return { ok: false, message: `${formatAddresses(addresses)} is not inside one usable pool` };
    const refusal = this.clashMessage(key, addresses, terms);
    if (refusal) return { ok: false, message: refusal };
    this.record(key, pool, [...addresses].sort(byFamily), terms, recordedPool ?? pool.name);
    return { ok: true, allocation: { pool: pool.name, addresses: this.services.get(key)?.addresses ?? [] } };
  }

  /** Keeps the Service's current addresses when they still satisfy the request, or when the request names
   *  something that is not there (then `unmet` says what); otherwise releases them and allocates anew (a changed
   *  request re-allocates, an unchanged one never moves). */
  allocate(request: AllocationRequest): AllocateResult {
    const current = this.services.get(request.key);
    if (current && this.satisfies(request, current)) {
      this.record(request.key, current.pool, current.addresses, request.sharing, current.pool.name);
      return { ok: true, allocation: { pool: current.pool.name, addresses: current.addresses } };
    }
    const unmet = current && this.missingFromRequest(request, current);
    if (current && unmet !== undefined && this.clashMessage(request.key, current.addresses, request.sharing) === undefined) {
      this.record(request.key, current.pool, current.addresses, request.sharing, current.pool.name);
      return { ok: true, allocation: { pool: current.pool.name, addresses: current.addresses }, unmet };
    }
    this.release(request.key);
    if (request.requestedIPs.length > 0) return this.allocateRequested(request);
    if (request.pool !== undefined) {
      const pool = this.pools.get(request.pool);
      if (!pool) return { ok: false, message: `pool "${request.pool}" does not exist or is not usable`, triedPools: [request.pool] };
      const admitted = admission(pool.model, request);
      if (admitted !== 'admitted') return { ok: false, message: notAdmitted(request.pool, admitted), triedPools: [request.pool] };
      return this.allocateFrom([pool], request);
    }
    const result = this.allocateFrom(this.withKeyMatesFirst(autoAssignOrder(this.pools.values(), request), request), request);
    return result.ok ? result : { ...result, message: `${result.message}${this.unusableSelectorNote(request)}` };
  }

  /** For a Service no pool served automatically: the autoAssign pools that might, once their selector is fixed. */
  private unusableSelectorNote(request: AllocationRequest): string {
    const waiting = [...this.pools.values()].filter((p) => p.model.autoAssign && admission(p.model, request) === 'selectorUnusable');
    if (waiting.length === 0) return '';
    return ` (${quotePools(waiting.map((p) => p.name))} may admit it once ${waiting.length > 1 ? 'their' : 'its'} serviceAllocation selector is fixed)`;
  }

  /** Keeps what the Service holds under new sharing terms if its co-holders still accept them; else releases it.
   *  Used when a Service's request is unreadable: its address survives a typo unless keeping it would break sharing. */
  retain(key: ServiceKey, terms: SharingTerms): Allocation | undefined {
    const held = this.services.get(key);
    if (!held) return undefined;
    if (this.clashMessage(key, held.addresses, terms) !== undefined) {
      this.release(key);
      return undefined;
    }
    this.record(key, held.pool, held.addresses, terms, held.origin);
    return { pool: held.pool.name, addresses: held.addresses };
  }

  /** Returns what the Service held, if anything. */
  release(key: ServiceKey): Allocation | undefined {
    const held = this.services.get(key);
    if (!held) return undefined;
    for (const address of held.addresses) this.holdings.remove(key, address);
    this.services.delete(key);
    return { pool: held.pool.name, addresses: held.addresses };
  }

  private record(key: ServiceKey, pool: PoolState, addresses: Address[], terms: SharingTerms, origin: string): void {
    for (const address of addresses) this.holdings.add(key, address, pool, terms);
    this.services.set(key, { pool, addresses, terms, origin });
  }

  /**
   * The usable pool containing every address, if one does. Where pools overlap: the pool the addresses are already
   * held in, if any is (sharers hold an address in one pool; addresses held in two pools fit none), else `hint`,
   * else the first by name.
   */
  private poolHolding(addresses: readonly Address[], hint?: string): PoolState | undefined {
    if (addresses.length === 0) return undefined;
    const heldIn = new Set(addresses.map((a) => this.holdings.get(a)?.pool).filter((p): p is PoolState => p !== undefined));
    if (heldIn.size > 1) return undefined;
    const hinted = hint === undefined ? undefined : this.pools.get(hint);
    const candidates = heldIn.size > 0 ? heldIn : [hinted, ...this.pools.values()].filter((p): p is PoolState => p !== undefined);
    for (const pool of candidates) {
      if (addresses.every((a) => pool.contains(a))) return pool;
    }
    return undefined;
  }

  /** Why one of these addresses of `pool` is withheld from new allocations (another pool lists it too). */
  private withheldMessage(pool: PoolState, addresses: readonly Address[]): string | undefined {
    for (const address of addresses) {
      const others = pool.overlapsAt(address);
      if (others.length > 0) {
        return `"${formatAddress(address)}" is in pool "${pool.name}" and in ${quotePools(others)}: an address two pools list goes to no new Service until one of them drops it`;
      }
    }
    return undefined;
  }

  private clashMessage(key: ServiceKey, addresses: readonly Address[], terms: SharingTerms): string | undefined {
    for (const address of addresses) {
      const clash = this.holdings.clash(address, key, terms);
      if (clash) return `"${formatAddress(address)}" is already used by ${clash.holder} and cannot be shared: ${describeRefusal(clash.refusal)}`;
    }
    return undefined;
  }

  /**
   * What the request names that is not there, while the Service holds addresses of a pool that still is: an
   * address-pool annotation naming no usable pool (a typo; not the Service's own pool, gone: that is a deleted
   * pool, which releases), requested addresses outside every usable pool, or a pool (named, or holding the
   * requested addresses) that could admit the Service only through a selector it cannot use (InvalidSelector, a
   * mistake in the pool). Undefined: nothing is missing.
   */
  private missingFromRequest(request: AllocationRequest, held: Held): Unmet | undefined {
    const named = request.pool === undefined ? undefined : this.pools.get(request.pool);
    if (request.pool !== undefined && !named && request.pool !== held.origin) {
      return { message: `pool "${request.pool}" does not exist or is not usable`, triedPools: [request.pool] };
    }
    if (named && admission(named.model, request) === 'selectorUnusable') {
      return { message: notAdmitted(named.name, 'selectorUnusable'), triedPools: [named.name] };
    }
    if (request.requestedIPs.length === 0) return undefined;
    const holding = this.poolHolding(request.requestedIPs);
    if (!holding) return { message: `requested ${formatAddresses(request.requestedIPs)}: not inside one usable pool`, triedPools: [] };
    if (admission(holding.model, request) === 'selectorUnusable') {
      return { message: `requested ${formatAddresses(request.requestedIPs)}: ${notAdmitted(holding.name, 'selectorUnusable')}`, triedPools: [holding.name] };
    }
    return undefined;
  }

  private satisfies(request: AllocationRequest, held: Held): boolean {
    const { pool, addresses } = held;
    // The pool's serviceAllocation and autoAssign are checked when allocating, not when keeping: a relabelled
    // namespace, namespace labels not yet known after a restart, or a pool switched to autoAssign: false must not
    // move an address that is already in use (nor can a restarted controller tell how an address was given).
    if (request.pool !== undefined && request.pool !== pool.name) return false;
    if (request.requestedIPs.length > 0) {
      const same = request.requestedIPs.length === addresses.length
        && request.requestedIPs.every((r) => addresses.some((a) => sameAddress(a, r)));
      if (!same) return false;
    }
    if (!addresses.every((a) => request.families.includes(a.family))) return false;
    const { families, needAll } = wantedFamilies(request);
    if (needAll && !families.every((f) => addresses.some((a) => a.family === f))) return false;
    if (request.policy === 'SingleStack' && addresses.length !== 1) return false;
    return this.clashMessage(request.key, addresses, request.sharing) === undefined;
  }

  private allocateRequested(request: AllocationRequest): AllocateResult {
    const shown = formatAddresses(request.requestedIPs);
    const pool = this.poolHolding(request.requestedIPs);
    if (!pool) return { ok: false, message: `requested ${shown}: not inside one usable pool`, triedPools: [] };
    const tried = [pool.name];
    if (request.pool !== undefined && request.pool !== pool.name) {
      return { ok: false, message: `requested ${shown} is in pool "${pool.name}", not in the annotated pool "${request.pool}"`, triedPools: tried };
    }
    const admitted = admission(pool.model, request);
    if (admitted !== 'admitted') return { ok: false, message: `requested ${shown}: ${notAdmitted(pool.name, admitted)}`, triedPools: tried };
    const withheld = this.withheldMessage(pool, request.requestedIPs);
    if (withheld) return { ok: false, message: `requested ${withheld}`, triedPools: tried };
    const clash = this.clashMessage(request.key, request.requestedIPs, request.sharing);
    if (clash) return { ok: false, message: `requested ${clash}`, triedPools: tried };
    const addresses = [...request.requestedIPs].sort(byFamily);
    this.record(request.key, pool, addresses, request.sharing, pool.name);
    return { ok: true, allocation: { pool: pool.name, addresses } };
  }

  private allocateFrom(pools: readonly PoolState[], request: AllocationRequest): AllocateResult {
    if (pools.length === 0) return { ok: false, message: 'no pool is available to this Service (none with autoAssign admits it)', triedPools: [] };
    const reasons: string[] = [];
    for (const pool of pools) {
      const attempt = this.tryPool(pool, request);
      if (attempt.ok) {
        this.record(request.key, pool, attempt.addresses, request.sharing, pool.name);
        return { ok: true, allocation: { pool: pool.name, addresses: attempt.addresses } };
      }
      reasons.push(attempt.why);
    }
    const rest = reasons.length - SHOWN_ITEMS;
    const shown = rest > 0 ? [...reasons.slice(0, SHOWN_ITEMS), `and ${count(rest, 'more pool')} with nothing to give`] : reasons;
    return { ok: false, message: `no address could be given: ${shown.join('; ')}`, triedPools: pools.map((p) => p.name) };
  }

  private tryPool(pool: PoolState, request: AllocationRequest): PoolTry {
    const { families, needAll } = wantedFamilies(request);
    const addresses: Address[] = [];
    const missing: string[] = [];
    for (const family of families) {
      if (!pool.hasFamily(family)) {
        missing.push(`pool "${pool.name}" has no ${familyName(family)} addresses`);
        continue;
      }
      const value = this.keyMateAddress(pool, family, request) ?? pool.firstFree(family);
      if (value === undefined) missing.push(`pool "${pool.name}" has no free ${familyName(family)} address${withheldNote(pool)}`);
      else addresses.push({ family, value });
    }
    if (addresses.length === 0 || (needAll && missing.length > 0)) return { ok: false, why: missing.join(', ') };
    return { ok: true, addresses: addresses.sort(byFamily) };
  }

  /** The lowest address of this pool and family held by compatible Services with the same sharing key. */
  private keyMateAddress(pool: PoolState, family: Family, request: AllocationRequest): bigint | undefined {
    let best: bigint | undefined;
    for (const holding of this.mates(request)) {
      if (holding.pool !== pool || holding.address.family !== family) continue;
      if (pool.overlapsAt(holding.address).length > 0) continue; // withheld: nobody new, not even a key-mate
      if (best === undefined || holding.address.value < best) best = holding.address.value;
    }
    return best;
  }

  private *mates(request: AllocationRequest): Iterable<Holding> {
    if (request.sharing.key === undefined) return;
    for (const holding of this.holdings.withSharingKey(request.sharing.key)) {
      if (!this.holdings.clash(holding.address, request.key, request.sharing)) yield holding;
    }
  }

  /** Stable partition: pools where a compatible key-mate already holds an address come first. */
  private withKeyMatesFirst(pools: PoolState[], request: AllocationRequest): PoolState[] {
    const mated = new Set<PoolState>();
    for (const holding of this.mates(request)) mated.add(holding.pool);
    if (mated.size === 0) return pools;
    return [...pools.filter((p) => mated.has(p)), ...pools.filter((p) => !mated.has(p))];
  }
}
