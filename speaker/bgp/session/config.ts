// What one BGP session is configured with, and the timer values RFC 4271 §10 suggests. The session layer takes
// this as a value: the BGPPeer resource is turned into it elsewhere (lib/config), never read here.
import type { Family, IPv4Address } from '../../../lib/ip/index.js';

/**
 * Which AS the peer must open with (RFC 4271 §6.2 Bad Peer AS otherwise): one number, or MetalLB's dynamicASN,
 * 'internal' (the peer is in our AS) or 'external' (it is in any other).
 */
export type PeerAsn = { kind: 'fixed'; asn: number } | { kind: 'dynamic'; dynamic: 'internal' | 'external' };

/** RFC 4724: this speaker as the restarting speaker. */
export interface GracefulRestartConfig {
  /** Restart Time sent in the capability (12 bits): how long the peer keeps our routes after we vanish. */
  restartTimeSeconds: number;
  /** The kernel keeps forwarding while the speaker restarts: the F bit per family in every OPEN (negotiate.ts). */
  forwardingPreserved: boolean;
}

export interface SessionConfig {
  localAsn: number;
  /** Our BGP Identifier (RFC 6286): a non-zero 32-bit number in IPv4 form. */
  routerId: IPv4Address;
  peerAsn: PeerAsn;
  /** Where the driver connects; carried in the connect action, not interpreted here. */
  peerAddress: string;
  peerPort: number;
  /** Passive: never connect, wait for the peer (RFC 4271 §8.1.1 PassiveTcpEstablishment). */
  passive: boolean;
  /** Hold Time we offer, in seconds: 0 (no keepalives) or at least 3 (RFC 4271 §4.2). */
  holdTimeSeconds: number;
  /** Keepalive interval we want; the one used is never above a third of the negotiated hold time. */
  keepaliveTimeSeconds: number;
  /** First ConnectRetryTime; each failure since the last Established doubles it, up to connectRetryMaxMs. */
  connectRetryMs: number;
  connectRetryMaxMs: number;
  /** The unicast families we offer (Multiprotocol capability, RFC 4760 §8). */
  families: Family[];
  gracefulRestart: GracefulRestartConfig | null;
  /**
   * This process is a graceful restart of a speaker that had a session with this peer: its first OPEN sets the
   * R bit (RFC 4724 §3). A graceful stop of this session sets it for the next one too.
   */
  restarted: boolean;
  /** Seeds the jitter of the retry timers (the driver draws it): the session itself never reads randomness. */
  seed: number;
}

/** RFC 4271 §10: the suggested Hold Time, 90 s, and KeepaliveTime, a third of it. */
export const DEFAULT_HOLD_TIME_SECONDS = 90;
export const DEFAULT_KEEPALIVE_TIME_SECONDS = 30;
/** RFC 4271 §8.2.2 (Connect, Tcp_CR_Acked): the hold timer in OpenSent, "a large value ... 4 minutes". */
export const OPEN_SENT_HOLD_MS = 4 * 60_000;
/** RFC 4271 §10 suggests 120 s for ConnectRetryTime; Herald starts lower and backs off to it. */
export const DEFAULT_CONNECT_RETRY_MS = 5_000;
export const DEFAULT_CONNECT_RETRY_MAX_MS = 120_000;
/**
 * RFC 4724 §3 Restart Time Herald advertises: how long a router keeps our routes as stale after the connection
 * closed without a NOTIFICATION. 120 s (FRR's default too) covers a DaemonSet pod being replaced: image already on the
 * node, a few seconds to start, a second or two to reconnect.
 */
export const DEFAULT_GRACEFUL_RESTART_TIME_SECONDS = 120;
/** RFC 4271 §5.1.5: LOCAL_PREF goes to every internal peer; 100 is the usual default. */
export const DEFAULT_LOCAL_PREF = 100;

/** A configuration with RFC 4271's defaults for everything but who we and the peer are. */
export function sessionConfig(required: Pick<SessionConfig, 'localAsn' | 'routerId' | 'peerAsn' | 'peerAddress'> & Partial<SessionConfig>): SessionConfig {
  return {
    peerPort: 179,
    passive: false,
    holdTimeSeconds: DEFAULT_HOLD_TIME_SECONDS,
    keepaliveTimeSeconds: DEFAULT_KEEPALIVE_TIME_SECONDS,
    connectRetryMs: DEFAULT_CONNECT_RETRY_MS,
    connectRetryMaxMs: DEFAULT_CONNECT_RETRY_MAX_MS,
    families: [4, 6],
    gracefulRestart: null,
    restarted: false,
    seed: 1,
    ...required,
  };
}
