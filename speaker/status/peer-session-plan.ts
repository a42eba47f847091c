// Pure: this node's entry in a BGPPeer's status.nodes (one entry per speaker that holds a session with the peer),
// the list with that entry set or removed, and the entries of speakers that are gone (their presence Lease lapsed)
// removed by one live speaker. Each speaker writes only its own entry; the list is a map keyed by
// node (the CRD says so), kept in node order so that every writer produces the same list from the same entries.
import { SESSION_TEXT_MAX_LENGTH, type PeerSession } from '../../crds/v1beta1/index.js';
import type { BgpPeerStatus } from '../bgp/mode-driver.js';

const bounded = (text: string): string =>
  (text.length <= SESSION_TEXT_MAX_LENGTH ? text : `${text.slice(0, SESSION_TEXT_MAX_LENGTH - 1)}…`);

/**
 * `node`'s entry for a peer whose session reads `status` now. `since` is when the session entered its state as far
 * as this node saw: kept from `previous` while the state holds, else `nowIso`.
 */
export function sessionEntry(node: string, status: BgpPeerStatus, previous: PeerSession | undefined, nowIso: string): PeerSession {
  const since = previous?.state === status.fsm && previous.since !== undefined ? previous.since : nowIso;
  const entry: PeerSession = { node, state: status.fsm, since };
  const down = status.lastDown;
  if (down !== null) {
    entry.lastError = bounded(down.detail === '' ? down.reason : `${down.reason}: ${down.detail}`);
    if (down.notification !== null) entry.lastNotification = bounded(down.notification);
  }
  return entry;
}

const sameEntry = (a: PeerSession | undefined, b: PeerSession | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);

/** `nodes` with `node`'s entry replaced by `entry` (removed when null), in node order; null when nothing changes. */
export function withOwnEntry(nodes: readonly PeerSession[] | undefined, node: string, entry: PeerSession | null): PeerSession[] | null {
  const current = nodes ?? [];
  const mine = current.find((n) => n.node === node);
  if (entry === null ? mine === undefined : sameEntry(mine, entry)) return null;
  const others = current.filter((n) => n.node !== node);
  return [...others, ...(entry === null ? [] : [entry])].sort((a, b) => byNode(a.node, b.node));
}

const byNode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The one speaker that removes the entries of speakers whose presence Lease lapsed (a crash leaves them): the live
 * node whose name sorts first. Every speaker computes the same from the same Leases; two that briefly disagree
 * only write twice (each write is guarded by the resourceVersion it read).
 */
export function pruningNode(live: readonly string[]): string | undefined {
  return [...live].sort(byNode)[0];
}

/** Whether a prune is due: the first live set known (a crash may have happened before), or a node that left it. */
export function someoneLapsed(before: ReadonlySet<string> | null, now: ReadonlySet<string>): boolean {
  return before === null || [...before].some((node) => !now.has(node));
}

/** `nodes` without the entries of nodes that are not live; null when there are none to remove. */
export function withoutLapsed(nodes: readonly PeerSession[] | undefined, live: ReadonlySet<string>): PeerSession[] | null {
  const kept = (nodes ?? []).filter((n) => live.has(n.node));
  return kept.length === (nodes ?? []).length ? null : kept;
}
