// Pure: what a peer's TCP connection is opened with, from its spec: the TCP MD5 key (RFC 2385) and the TTLs of
// session-ttl.ts (iBGP 255; eBGP directly connected 1; ebgpMultiHop 255; GTSM 255 and a minimum). The driver
// hands it to connectTcp (native/tcp-options.ts) for the SYN, and to the listener for the peer's address.
import { sessionTtl, type SessionTtl } from '../native/session-ttl.js';
import type { BgpPeerSpec } from '../source/types.js';

export interface PeerTransport {
  /** The TCP MD5 key; unsigned when undefined. */
  md5Key?: string;
  /** The TTL (IPv6: hop limit) the session sends with. */
  ttl: number;
  /** Segments arriving with a lower TTL are dropped by the kernel; 0: no check. */
  minTtl: number;
  /** Which rule chose the TTLs, for logs. */
  ttlRule: SessionTtl['rule'];
}

export function isInternal(peer: Pick<BgpPeerSpec, 'myAsn' | 'peerAsn'>): boolean {
  return peer.peerAsn.kind === 'fixed' ? peer.peerAsn.asn === peer.myAsn : peer.peerAsn.dynamic === 'internal';
}

export function peerTransport(peer: BgpPeerSpec): PeerTransport {
  const input = { ibgp: isInternal(peer), ebgpMultiHop: peer.ebgpMultiHop ?? false, ...(peer.gtsmHops === undefined ? {} : { gtsmHops: peer.gtsmHops }) };
  const { ttl, minTtl, rule } = sessionTtl(input);
  const transport: PeerTransport = { ttl, minTtl, ttlRule: rule };
  if (peer.password !== undefined) transport.md5Key = peer.password;
  return transport;
}
