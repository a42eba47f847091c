// Who holds each allocated address. An address has one holder, or several Services that share it under
// one allow-shared-ip key; the pool's sorted set marks it used while at least one holder remains.
import type { ServiceKey } from '../core-api.js';
import { formatAddress, type Address } from '../../lib/ip/index.js';
import type { PoolState } from './pool-state.js';
import { shareRefusal, type ShareRefusal } from './sharing.js';
import type { SharingTerms } from './types.js';

export interface Holding {
  address: Address;
  pool: PoolState;
  holders: Map<ServiceKey, SharingTerms>;
}

export interface Clash {
  holder: ServiceKey;
  refusal: ShareRefusal;
}

// Hex, not decimal: turning a 128-bit bigint into decimal costs divisions, into hex only shifts.
function addressId(address: Address): string {
  return `${address.family}:${address.value.toString(16)}`;
}

export class Holdings {
  private readonly byAddress = new Map<string, Holding>();
  /** allow-shared-ip key → addresses whose holders carry it. */
  private readonly bySharingKey = new Map<string, Set<Holding>>();

  get(address: Address): Holding | undefined {
    return this.byAddress.get(addressId(address));
  }

  /** The first holder (other than `key`) that refuses to share the address with these terms. */
  clash(address: Address, key: ServiceKey, terms: SharingTerms): Clash | undefined {
    const holding = this.get(address);
    if (!holding) return undefined;
    for (const [holder, theirs] of holding.holders) {
      if (holder === key) continue;
      const refusal = shareRefusal(terms, theirs);
      if (refusal) return { holder, refusal };
    }
    return undefined;
  }

  /** Addresses already held under this sharing key (candidates for a key-mate). */
  withSharingKey(sharingKey: string): Iterable<Holding> {
    return this.bySharingKey.get(sharingKey) ?? [];
  }

  add(key: ServiceKey, address: Address, pool: PoolState, terms: SharingTerms): void {
    const id = addressId(address);
    let holding = this.byAddress.get(id);
    if (!holding) {
      holding = { address, pool, holders: new Map() };
      this.byAddress.set(id, holding);
      pool.markUsed(address);
    } else if (holding.pool !== pool) {
      throw new Error(`address "${formatAddress(address)}" is held in pool "${holding.pool.name}", not "${pool.name}"`);
    }
    this.unindex(holding);
    holding.holders.set(key, terms);
    this.index(holding);
  }

  remove(key: ServiceKey, address: Address): void {
    const id = addressId(address);
    const holding = this.byAddress.get(id);
    if (!holding) return;
    this.unindex(holding);
    holding.holders.delete(key);
    if (holding.holders.size === 0) {
      this.byAddress.delete(id);
      holding.pool.markFree(address);
    } else {
      this.index(holding);
    }
  }

  clear(): void {
    this.byAddress.clear();
    this.bySharingKey.clear();
  }

  // A holding is indexed under the key its holders carry (they all carry the same one, or it has one holder).
  private sharingKeyOf(holding: Holding): string | undefined {
    for (const terms of holding.holders.values()) return terms.key;
    return undefined;
  }

  private index(holding: Holding): void {
    const key = this.sharingKeyOf(holding);
    if (key === undefined) return;
    let set = this.bySharingKey.get(key);
    if (!set) this.bySharingKey.set(key, (set = new Set()));
    set.add(holding);
  }

  private unindex(holding: Holding): void {
    const key = this.sharingKeyOf(holding);
    if (key === undefined) return;
    const set = this.bySharingKey.get(key);
    set?.delete(holding);
    if (set?.size === 0) this.bySharingKey.delete(key);
  }
}
