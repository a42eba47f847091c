// A pool's use per address family, exactly, from what the controller writes in its status (assignedIPv4/IPv6,
// availableIPv4, and availableIPv6 as a decimal string, since a /64 outgrows a double). One reading for everyone
// who shows it: the controller's gauges (controller/driver/metrics.ts) and `kubectl herald pools`.
import type { IPAddressPoolStatus } from '../crds/v1beta1/index.js';
import type { Family } from './ip/index.js';

export interface FamilyCounts {
  family: Family;
  /** Addresses of the pool held by Services. */
  assigned: bigint;
  /** Addresses still free for new Services (not counting those an overlap with another pool withholds). */
  available: bigint;
}

const exact = (value: number | string | undefined): bigint => (value === undefined ? 0n : BigInt(value));

/** The families the pool has addresses of (assigned + available > 0), IPv4 first. */
export function familyCounts(status: IPAddressPoolStatus | undefined): FamilyCounts[] {
  const all: FamilyCounts[] = [
    { family: 4, assigned: exact(status?.assignedIPv4), available: exact(status?.availableIPv4) },
    { family: 6, assigned: exact(status?.assignedIPv6), available: exact(status?.availableIPv6) },
  ];
  return all.filter((c) => c.assigned + c.available > 0n);
}
