// `kubectl herald pools`: each pool's use per address family, from the counts the controller writes in the pool's
// status (lib/pool-figures.ts reads them; nothing is recounted here). A bar for the eye, exact counts beside it:
// an IPv6 pool holds up to 2^128 addresses, so every count is a bigint and the bar and percentage are computed in
// integers too (a double would round a /64's count, and its use to 0).
import type { IPAddressPool } from '../../crds/v1beta1/index.js';
import { familyName, type FamilyName } from '../../lib/ip/index.js';
import { familyCounts } from '../../lib/pool-figures.js';
import { formatTable } from '../output.js';

/** Cells in a bar. */
export const BAR_CELLS = 20;
const FULL = '█';
const EMPTY = '░';

export interface FamilyUse {
  family: FamilyName;
  /** Decimal strings: exact for any pool, as the pool's status writes availableIPv6. */
  assigned: string;
  available: string;
  total: string;
}

export interface PoolUse {
  name: string;
  families: FamilyUse[];
  ready: { status: string; reason: string; message: string } | undefined;
  autoAssign: boolean;
  /** The controller's short summary of spec.addresses (the ADDRESSES column of `kubectl get ipaddresspools`). */
  addresses: string;
}

export function poolUses(pools: readonly IPAddressPool[]): PoolUse[] {
  return [...pools].sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1)).map((p) => {
    const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
    return {
      name: p.metadata.name ?? '',
      families: familyCounts(p.status).map((c) => ({
        family: familyName(c.family), assigned: c.assigned.toString(), available: c.available.toString(), total: (c.assigned + c.available).toString(),
      })),
      ready: ready && { status: ready.status, reason: ready.reason, message: ready.message },
      autoAssign: p.spec.autoAssign ?? true,
      addresses: p.status?.addressesSummary ?? p.spec.addresses.join(', '),
    };
  });
}

/**
 * `████░░░░░░░░░░░░░░░░ 21.4%`: cells and tenths of a percent rounded down, so the bar is full and the figure
 * 100% only when nothing is left, and a use too small to show reads "<0.1%" rather than 0%.
 */
export function usageBar(assigned: bigint, total: bigint, cells = BAR_CELLS): string {
  if (total <= 0n) return `${EMPTY.repeat(cells)} -`;
  const filled = Number((assigned * BigInt(cells)) / total);
  const tenths = (assigned * 1000n) / total;
  const percent = assigned > 0n && tenths === 0n ? '<0.1%' : `${tenths / 10n}.${tenths % 10n}%`;
  return `${FULL.repeat(filled)}${EMPTY.repeat(cells - filled)} ${percent.replace(/\.0%$/, '%')}`;
}

export function poolsTable(uses: readonly PoolUse[], wide: boolean): string {
  const headers = ['pool', 'family', 'use', 'assigned', 'available', 'ready', ...(wide ? ['reason', 'auto assign', 'addresses'] : [])];
  const rows = uses.flatMap((u) => {
    const ready = u.ready?.status ?? '<unknown>';
    const extra = wide ? [u.ready?.reason ?? '', String(u.autoAssign), u.addresses] : [];
    if (u.families.length === 0) return [[u.name, '<none>', '<none>', '0', '0', ready, ...extra]];
    return u.families.map((f) => [u.name, f.family, usageBar(BigInt(f.assigned), BigInt(f.total)), f.assigned, f.available, ready, ...extra]);
  });
  return formatTable(headers, rows);
}
