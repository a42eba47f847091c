// Who the speakers are, from their presence Leases. Every speaker keeps one Lease in Herald's namespace naming its
// node and its heartbeat address, and renews it slowly (presence-lease.ts). The Leases answer two questions
// membership cannot: which nodes run a speaker at all (a node without one never counts as a dead member), and which
// speakers are really gone (a Lease nobody renews for its whole duration), so the quorum rule can drop them.
//
// Expiry is judged on this speaker's own clock, from when it *saw* a Lease change, never from the renewTime the
// other node wrote (clocks differ; client-go's leader election does the same). And it is judged only while this
// speaker itself can reach the API: while its own renewals fail, its view of the others is stale rather than
// wrong, so the set it last trusted stays; once the API is back, every Lease gets a full duration from that moment
// before it can expire, since the other speakers could not renew during the outage either.
//
// The Lease also lists the node's usable interfaces (lib/presence.ts), which the controller reads to tell an
// L2Advertisement that names an interface no node has.
import { HEARTBEAT_ADDRESS_ANNOTATION } from '../../../lib/presence.js';
import type { SpeakerView } from './views.js';

// The label and annotations are shared with the controller, which reads these Leases too.
export { HEARTBEAT_ADDRESS_ANNOTATION, PRESENCE_LABEL, PRESENCE_LABEL_VALUE } from '../../../lib/presence.js';

const NAME_PREFIX = 'herald-speaker-';
/** A Lease's name is a DNS subdomain: at most 253 characters. */
const NAME_MAX = 253;

/**
 * The presence Lease's name for `node`: readable where it fits. A node name is itself a DNS subdomain, so only its
 * length can overflow; then the tail is replaced by a hash of the whole name, so two long names never collide.
 */
export function presenceLeaseName(node: string, hash: (text: string) => string): string {
  const name = NAME_PREFIX + node;
  if (name.length <= NAME_MAX) return name;
  const digest = hash(node).slice(0, 16);
  return `${name.slice(0, NAME_MAX - digest.length - 1).replace(/[.-]+$/, '')}-${digest}`;
}

/** What a presence Lease says, read from the API (trimmed by the driver). */
export interface PresenceRecord {
  /** spec.holderIdentity: the node. */
  node: string;
  /** The heartbeat address annotation; a Lease without one cannot be a member (nobody could reach it). */
  address: string | undefined;
  resourceVersion: string;
  /** spec.leaseDurationSeconds in ms. */
  durationMs: number;
}

interface Seen {
  record: PresenceRecord;
  /** This speaker's monotonic time when it saw this resourceVersion first. */
  observedMs: number;
}

export class PresenceTracker {
  private seen = new Map<string, Seen>();
  /** When the API became reachable again (or first); null while it is not. */
  private healthySinceMs: number | null = null;
  private trusted: readonly SpeakerView[];

  /**
   * @param self this node, always a member with its own address (its own Lease may not be written yet).
   */
  constructor(private readonly self: SpeakerView) {
    this.trusted = [self];
  }

  /** Every presence Lease the cache holds now; Leases not listed are gone (deleted on a graceful stop). */
  observe(records: readonly PresenceRecord[], nowMs: number): void {
    const next = new Map<string, Seen>();
    for (const record of records) {
      const before = this.seen.get(record.node);
      next.set(record.node, before !== undefined && before.record.resourceVersion === record.resourceVersion
        ? before : { record, observedMs: nowMs });
    }
    this.seen = next;
  }

  /** Whether this speaker's own renewals succeed: the cache is only as fresh as its own view of the API. */
  setApiHealthy(healthy: boolean, nowMs: number): void {
    if (!healthy) this.healthySinceMs = null;
    else this.healthySinceMs ??= nowMs;
  }

  /**
   * The live speakers, sorted by node, and when the next one would expire if nothing changes (so the driver can
   * look again then). While the API is unreachable: the set last trusted, and no expiry.
   */
  live(nowMs: number): { speakers: readonly SpeakerView[]; nextExpiryMs: number | null } {
    const since = this.healthySinceMs;
    if (since === null) return { speakers: this.trusted, nextExpiryMs: null };
    const speakers: SpeakerView[] = [this.self];
    let nextExpiryMs: number | null = null;
    for (const { record, observedMs } of this.seen.values()) {
      if (record.node === this.self.node || record.address === undefined) continue;
      const expiresMs = Math.max(observedMs, since) + record.durationMs;
      if (expiresMs <= nowMs) continue;
      speakers.push({ node: record.node, address: record.address });
      nextExpiryMs = nextExpiryMs === null ? expiresMs : Math.min(nextExpiryMs, expiresMs);
    }
    speakers.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
    this.trusted = speakers;
    return { speakers, nextExpiryMs };
  }
}

/** A presence Lease as the tracker reads it; undefined for a Lease that names no node (not one a speaker wrote). */
export function presenceRecord(lease: {
  metadata?: { resourceVersion?: string; annotations?: Record<string, string> };
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number };
}): PresenceRecord | undefined {
  const node = lease.spec?.holderIdentity;
  if (node === undefined || node === '') return undefined;
  return {
    node,
    address: lease.metadata?.annotations?.[HEARTBEAT_ADDRESS_ANNOTATION],
    resourceVersion: lease.metadata?.resourceVersion ?? '',
    durationMs: (lease.spec?.leaseDurationSeconds ?? 0) * 1000,
  };
}
