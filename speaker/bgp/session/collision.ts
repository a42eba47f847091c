// Connection collision (RFC 4271 §6.8): both speakers connected at once, so there are two TCP connections for
// one peering. The driver runs each connection as its own session and, after every step of either, asks
// `collisionVerdict` which one to close; it feeds that one OpenCollisionDump (Event 23), which sends a Cease
// (Connection Collision Resolution) and goes Idle.
import { identifierValue } from './negotiate.js';
import type { SessionState } from './state.js';

/**
 * RFC 4271 §6.8: "the connection initiated by the BGP speaker with the larger value [of BGP Identifier] is
 * preserved". Which of our connections that is: the one we initiated (outgoing) or the peer's (incoming).
 */
export function connectionToKeep(localIdentifier: string, remoteIdentifier: string): 'outgoing' | 'incoming' {
  return identifierValue(localIdentifier) > identifierValue(remoteIdentifier) ? 'outgoing' : 'incoming';
}

/** Connections that carry or are about to carry a BGP session (past TCP establishment). */
const LIVE = new Set(['OpenSent', 'OpenConfirm', 'Established']);

/**
 * Which of two connections to the same peer to close now, or null while there is no collision to resolve.
 * An Established connection wins over a newer one (§6.8: "a connection collision with an existing BGP
 * connection that is in the Established state causes closing of the newly created connection"). Otherwise
 * the identifiers decide, as soon as the peer's is known from either connection's OPEN.
 */
export function collisionVerdict(localIdentifier: string, outgoing: SessionState, incoming: SessionState): 'outgoing' | 'incoming' | null {
  if (!LIVE.has(outgoing.fsm) || !LIVE.has(incoming.fsm)) return null;
  if (outgoing.fsm === 'Established') return 'incoming';
  if (incoming.fsm === 'Established') return 'outgoing';
  const remote = outgoing.negotiated?.peerIdentifier ?? incoming.negotiated?.peerIdentifier;
  if (remote === undefined) return null;
  return connectionToKeep(localIdentifier, remote) === 'outgoing' ? 'incoming' : 'outgoing';
}
