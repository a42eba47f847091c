// Pure: this node's entry in a BGPPeer's status.nodes (one entry per speaker that holds a session with the peer),
// and the list with that entry set or removed. Each speaker writes only its own entry; the list is a map keyed by
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
  return [...others, ...(entry === null ? [] : [entry])].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
}
