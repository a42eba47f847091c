// The OPEN we send and what the two OPENs agree on. RFC 4271 §6.2 checks that need no configuration are done
// by the codec (version, hold time 1-2, zero identifier); the ones that need ours are here: the peer's AS
// against the configured one (or dynamicASN), its identifier against ours on an internal session (RFC 6286
// §2.2), and at least one unicast family in common (RFC 5492 §5 Unsupported Capability).
import { parseIPv4, type Family } from '../../../lib/ip/index.js';
import {
  AFI,
  ERROR_CODE,
  OPEN_MESSAGE_ERROR,
  SAFI,
  encodeCapability,
  familyOf,
  myAsField,
  peerAs,
  type Capability,
  type NotificationMessage,
  type OpenMessage,
} from '../messages/index.js';
import type { SessionConfig } from './config.js';

/** What both sides agreed on; part of the Established state. */
export interface Negotiated {
  peerAsn: number;
  peerIdentifier: string;
  /** The peer is in our AS: LOCAL_PREF is sent, our AS is not prepended. */
  internal: boolean;
  /** min(ours, peer's) in ms; 0: no hold timer and no keepalives (RFC 4271 §4.2). */
  holdTimeMs: number;
  /** How often we send KEEPALIVE: our keepalive time, at most a third of the hold time; 0 with no hold time. */
  keepaliveMs: number;
  /** Both sent the 4-octet AS capability (RFC 6793 §4): AS_PATH carries 4-octet ASes. */
  fourOctetAs: boolean;
  /** Unicast families both offered, in ascending order. */
  families: Family[];
  /** The peer may be sent ROUTE-REFRESH and said it understands it (RFC 2918 §2); we always advertise it. */
  routeRefresh: boolean;
  gracefulRestart: {
    /** We advertised the capability (RFC 4724): a graceful stop of this session leaves our routes with the peer. */
    ours: boolean;
    /** The peer's capability, or null if it sent none. */
    peer: { restartState: boolean; restartTimeSeconds: number; families: Family[] } | null;
  };
}

const AFI_OF: Record<Family, number> = { 4: AFI.IPV4, 6: AFI.IPV6 };

export function afiOf(family: Family): number {
  return AFI_OF[family];
}

/** Our capabilities, RFC 5492 §4: one Multiprotocol per family, Route Refresh, 4-octet AS, Graceful Restart. */
export function ourCapabilities(config: SessionConfig, restarting: boolean): Capability[] {
  const capabilities: Capability[] = config.families.map((family) => ({ kind: 'multiprotocol', afi: AFI_OF[family], safi: SAFI.UNICAST }));
  capabilities.push({ kind: 'routeRefresh' }, { kind: 'fourOctetAs', asn: config.localAsn });
  const gr = config.gracefulRestart;
  if (gr !== null) {
    capabilities.push({
      kind: 'gracefulRestart',
      restartState: restarting,
      notification: false,
      restartTimeSeconds: gr.restartTimeSeconds,
      // RFC 4724 §3/§4.2: a router that kept our routes as stale drops them at once when the new OPEN lacks F for
      // their family, and keeps them until our End-of-RIB when F is set. Herald forwards nothing itself: the
      // node's kernel (kube-proxy's rules, the VIP on lo) carries the traffic and lives on while the speaker
      // process restarts, so forwarding *is* preserved, in every OPEN, first start or reconnect alike.
      families: config.families.map((family) => ({ afi: AFI_OF[family], safi: SAFI.UNICAST, forwardingState: gr.forwardingPreserved })),
    });
  }
  return capabilities;
}

/** The OPEN we send (RFC 4271 §4.2); `restarting` sets the Graceful Restart R bit (RFC 4724 §3). */
export function buildOpen(config: SessionConfig, restarting: boolean): OpenMessage {
  return {
    type: 'open',
    myAutonomousSystem: myAsField(config.localAsn),
    holdTime: config.holdTimeSeconds,
    bgpIdentifier: config.routerId,
    capabilities: ourCapabilities(config, restarting),
  };
}

const EMPTY = new Uint8Array(0);

function openError(subcode: number, data: Uint8Array = EMPTY): NotificationMessage {
  return { type: 'notification', code: ERROR_CODE.OPEN_MESSAGE, subcode, data };
}

/** RFC 4271 §6.2 Bad Peer AS, against a fixed AS or dynamicASN. */
function peerAsAcceptable(config: SessionConfig, asn: number): boolean {
  const expected = config.peerAsn;
  if (expected.kind === 'fixed') return asn === expected.asn;
  return expected.dynamic === 'internal' ? asn === config.localAsn : asn !== config.localAsn;
}

/** The families the peer offered: IPv4 unicast alone if it sent no Multiprotocol capability (RFC 4760 §8). */
function peerFamilies(open: OpenMessage): Set<Family> {
  const offered = new Set<Family>();
  let any = false;
  for (const capability of open.capabilities) {
    if (capability.kind !== 'multiprotocol') continue;
    any = true;
    const family = familyOf(capability.afi, capability.safi);
    if (family !== null) offered.add(family);
  }
  return any ? offered : new Set<Family>([4]);
}

function peerGracefulRestart(open: OpenMessage): Negotiated['gracefulRestart']['peer'] {
  const capability = open.capabilities.find((c) => c.kind === 'gracefulRestart');
  if (capability?.kind !== 'gracefulRestart') return null;
  const families = capability.families.map((f) => familyOf(f.afi, f.safi)).filter((f): f is Family => f !== null);
  return { restartState: capability.restartState, restartTimeSeconds: capability.restartTimeSeconds, families };
}

function keepaliveMs(config: SessionConfig, holdTimeMs: number): number {
  if (holdTimeMs === 0) return 0;
  return Math.max(1, Math.min(config.keepaliveTimeSeconds * 1000, Math.floor(holdTimeMs / 3)));
}

/** The negotiated session, or the NOTIFICATION (OPEN Message Error) that refuses the peer's OPEN. */
export function negotiate(config: SessionConfig, peer: OpenMessage): { ok: Negotiated } | { refuse: NotificationMessage; reason: string } {
  const asn = peerAs(peer);
  if (!peerAsAcceptable(config, asn)) {
    const wanted = config.peerAsn.kind === 'fixed' ? `AS ${config.peerAsn.asn}` : `an ${config.peerAsn.dynamic} AS (ours is ${config.localAsn})`;
    return { refuse: openError(OPEN_MESSAGE_ERROR.BAD_PEER_AS), reason: `peer AS ${asn} is not ${wanted} (RFC 4271 §6.2)` };
  }
  const internal = asn === config.localAsn;
  if (internal && peer.bgpIdentifier === config.routerId) {
    return { refuse: openError(OPEN_MESSAGE_ERROR.BAD_BGP_IDENTIFIER), reason: `internal peer has our BGP identifier ${config.routerId} (RFC 6286 §2.2)` };
  }
  const offered = peerFamilies(peer);
  const families = config.families.filter((f) => offered.has(f)).sort();
  if (families.length === 0) {
    const ours = config.families.map((f) => encodeCapability({ kind: 'multiprotocol', afi: AFI_OF[f], safi: SAFI.UNICAST }));
    const data = Uint8Array.from(ours.flatMap((c) => [...c]));
    return { refuse: openError(OPEN_MESSAGE_ERROR.UNSUPPORTED_CAPABILITY, data), reason: `no unicast family in common: we offer IPv${config.families.join('+IPv')} (RFC 5492 §5)` };
  }
  const holdTimeMs = Math.min(config.holdTimeSeconds, peer.holdTime) * 1000;
  return {
    ok: {
      peerAsn: asn,
      peerIdentifier: peer.bgpIdentifier,
      internal,
      holdTimeMs,
      keepaliveMs: keepaliveMs(config, holdTimeMs),
      fourOctetAs: peer.capabilities.some((c) => c.kind === 'fourOctetAs'),
      families,
      routeRefresh: peer.capabilities.some((c) => c.kind === 'routeRefresh'),
      gracefulRestart: { ours: config.gracefulRestart !== null, peer: peerGracefulRestart(peer) },
    },
  };
}

/** A BGP identifier as the unsigned 32-bit number RFC 4271 §6.8 compares. */
export function identifierValue(identifier: string): number {
  const octets = parseIPv4(identifier);
  return (((octets[0] ?? 0) << 24) | ((octets[1] ?? 0) << 16) | ((octets[2] ?? 0) << 8) | (octets[3] ?? 0)) >>> 0;
}
