// Which TTL a BGP session sends with and which it insists on receiving (pure; tcp-options.ts sets them).
// The rules are FRR's, which MetalLB's FRR mode configures (`neighbor X ebgp-multihop` for ebgpMultiHop):
//   iBGP                   sends 255 (FRR: MAXTTL for internal peers), checks nothing;
//   eBGP, directly linked  sends 1, so the session cannot cross a router by mistake (FRR's default);
//   eBGP, ebgpMultiHop     sends 255 (`ebgp-multihop` without a count), checks nothing;
//   GTSM (RFC 5082), N hops sends 255 and drops what arrives below 256 - N: every router on the way takes one
//                          off, so a peer N - 1 routers away arrives at 256 - N and anyone further cannot reach
//                          that (FRR's `ttl-security hops N`: 1 is directly connected, min TTL 255).
// The BGPPeer API has no GTSM field yet (MetalLB's has none either); gtsmHops is for when it does.

/** The highest TTL (RFC 791), what GTSM sends. */
export const MAX_TTL = 255;

/** FRR's `ttl-security hops` range: 1 (directly connected) to 254. */
export const GTSM_HOPS_MAX = 254;

export interface SessionTtlInput {
  /** peerASN equals myASN (or dynamicASN internal). */
  ibgp: boolean;
  ebgpMultiHop: boolean;
  /** GTSM's trust radius in hops, 1..254; replaces ebgpMultiHop's rule (FRR refuses both on one peer). */
  gtsmHops?: number;
}

/** What the session sends with, what it accepts (0: any TTL) and which rule decided. */
export interface SessionTtl {
  ttl: number;
  minTtl: number;
  rule: 'gtsm' | 'ibgp' | 'ebgpMultiHop' | 'ebgpDirect';
}

export function sessionTtl(peer: SessionTtlInput): SessionTtl {
  if (peer.gtsmHops !== undefined) {
    const hops = peer.gtsmHops;
    if (!Number.isInteger(hops) || hops < 1 || hops > GTSM_HOPS_MAX) {
      throw new RangeError(`GTSM hops must be an integer in 1..${GTSM_HOPS_MAX}, got ${hops}`);
    }
    return { ttl: MAX_TTL, minTtl: MAX_TTL + 1 - hops, rule: 'gtsm' };
  }
  if (peer.ibgp) return { ttl: MAX_TTL, minTtl: 0, rule: 'ibgp' };
  if (peer.ebgpMultiHop) return { ttl: MAX_TTL, minTtl: 0, rule: 'ebgpMultiHop' };
  return { ttl: 1, minTtl: 0, rule: 'ebgpDirect' };
}
