// Pool statuses, computed from the allocator's state (the per-pool Prometheus gauges are read off them).
// Whatever a pool lists, what is written stays short: the Ready message passes through boundedMessage (the hard
// cap, lib/config/messages.ts), and addressesSummary, the ADDRESSES printer column, shows the first entries and
// "+N more" (a printer column is a JSONPath and cannot shorten anything itself).
import type { Condition, IPAddressPool, IPAddressPoolStatus } from '../../crds/v1beta1/index.js';
import { boundedMessage, clip, someOf, type PoolProblem } from '../../lib/config/index.js';
import type { Allocator } from '../allocator/index.js';
import type { CoreEvent, PoolEvent, PoolName, PoolOutcome } from '../core-api.js';

/** The Ready condition last reported per pool (or advertisement), so events fire and lastTransitionTime moves only on a change. */
export type ReadyMemory = Map<PoolName, Condition>;

/** metav1.Time is RFC 3339 with whole seconds. */
export function kubeTime(nowMs: number): string {
  return new Date(Math.floor(nowMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function counts(allocator: Allocator, name: PoolName): Omit<IPAddressPoolStatus, 'conditions'> {
  const v4 = allocator.usage(name, 4);
  const v6 = allocator.usage(name, 6);
  if (!v4 || !v6) return { assignedIPv4: 0, assignedIPv6: 0, availableIPv4: 0, availableIPv6: '0' };
  return {
    assignedIPv4: v4.inUse,
    assignedIPv6: v6.inUse,
    availableIPv4: Number(v4.available),
    availableIPv6: v6.available.toString(),
  };
}

/** The longest addressesSummary, in characters, before its "+N more", unless its first entry alone is longer. */
export const ADDRESSES_SUMMARY_CHARS = 64;
/** The longest entry shown: every valid one is shorter (a range of two full-form IPv6 addresses is 79). */
const ENTRY_SHOWN_CHARS = 100;

/** `192.0.2.0/24, 2001:db8::/64`, or for a long pool its first entries and `+997 more`; whitespace dropped. */
export function addressesSummary(addresses: readonly string[], maxChars = ADDRESSES_SUMMARY_CHARS): string {
  const more = (shown: number) => (addresses.length > shown ? ` +${addresses.length - shown} more` : '');
  let text = '';
  let shown = 0;
  for (const entry of addresses.map((a) => clip(a.replace(/\s+/g, ''), ENTRY_SHOWN_CHARS))) {
    const longer = shown === 0 ? entry : `${text}, ${entry}`;
    if (shown > 0 && longer.length + more(shown + 1).length > maxChars) break;
    text = longer;
    shown++;
  }
  return `${text}${more(shown)}`;
}

function readyCondition(pool: IPAddressPool, problems: readonly PoolProblem[]): Omit<Condition, 'lastTransitionTime'> {
  const base = { type: 'Ready', observedGeneration: pool.metadata.generation };
  const [first] = problems;
  if (first) {
    const message = problems.map((p) => p.message).join('; also ');
    return { ...base, status: 'False', reason: first.reason, message: boundedMessage(message) };
  }
  const addresses = someOf((pool.spec.addresses ?? []).map((a) => `"${a}"`));
  return { ...base, status: 'True', reason: 'Valid', message: boundedMessage(`addresses ${addresses} are in use`) };
}

/**
 * The event for a Ready condition that replaces `previous`: on a change of validity; and while invalid, on a new
 * problem (another overlap, say): each is news to the user. None for the first condition of a valid object.
 */
export function readyEvent<Reason extends string>(
  condition: Condition, previous: Condition | undefined, reasons: { invalid: Reason; ready: Reason },
): CoreEvent<Reason>[] {
  if (previous?.status === condition.status && (condition.status === 'True' || previous.message === condition.message)) return [];
  if (condition.status === 'False') return [{ type: 'Warning', reason: reasons.invalid, message: condition.message }];
  return previous ? [{ type: 'Normal', reason: reasons.ready, message: condition.message }] : [];
}

const POOL_EVENT_REASONS = { invalid: 'PoolInvalid', ready: 'PoolReady' } as const;

/**
 * The Ready condition that replaces `previous` (the one last reported): its transition time moves only when its
 * status does (metav1.Condition's rule); `changed` when status, reason or message differ (news for the log).
 */
export function nextReadyCondition(
  fresh: Omit<Condition, 'lastTransitionTime'>, previous: Condition | undefined, nowMs: number,
): { condition: Condition; changed: boolean } {
  const lastTransitionTime = previous && previous.status === fresh.status ? previous.lastTransitionTime : kubeTime(nowMs);
  const condition: Condition = { ...fresh, lastTransitionTime };
  const changed = previous?.status !== condition.status || previous.reason !== condition.reason || previous.message !== condition.message;
  return { condition, changed };
}

/** An object whose status may hold a Ready condition this controller wrote (a pool, an L2Advertisement). */
interface WithConditions {
  metadata: { name?: string };
  status?: { conditions?: readonly Condition[] };
}

/** Seeds the memory from the objects' own status, so a new leader neither re-fires events nor resets times. */
export function rememberWrittenConditions(memory: ReadyMemory, objects: readonly WithConditions[]): void {
  for (const object of objects) {
    const name = object.metadata.name ?? '';
    const written = object.status?.conditions?.find((c) => c.type === 'Ready');
    if (written && !memory.has(name)) memory.set(name, written);
  }
}

export function poolOutcomes(
  pools: readonly IPAddressPool[], problems: readonly PoolProblem[], allocator: Allocator, memory: ReadyMemory, nowMs: number,
): PoolOutcome[] {
  const problemsOf = new Map<PoolName, PoolProblem[]>();
  for (const problem of problems) problemsOf.set(problem.pool, [...(problemsOf.get(problem.pool) ?? []), problem]);
  return pools.map((pool) => {
    const name = pool.metadata.name ?? '';
    const previous = memory.get(name);
    const { condition, changed } = nextReadyCondition(readyCondition(pool, problemsOf.get(name) ?? []), previous, nowMs);
    const events: PoolEvent[] = readyEvent(condition, previous, POOL_EVENT_REASONS);
    memory.set(name, condition);
    const addresses = addressesSummary(pool.spec.addresses ?? []);
    const status = { ...counts(allocator, name), addressesSummary: addresses, conditions: [condition] };
    if (!changed) return { name, status, events };
    return { name, status, events, readiness: { ready: condition.status === 'True', reason: condition.reason, message: condition.message } };
  });
}
