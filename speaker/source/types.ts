// The announcement source seam: where the speaker learns which nodes exist and which IPs to announce, and
// how. A source delivers full snapshots; the file source implements it now, the Kubernetes source comes
// through the same interface, so nothing past this seam knows where the configuration came from.
import type { ServiceKey } from '../../lib/service-key.js';
import type { LargeCommunity } from '../bgp/messages/index.js';
import type { PeerAsn } from '../bgp/session/index.js';
import type { LinkInfo } from '../layer2/decide/interfaces.js';

/** A node's name, as the election and membership use it. */
export type NodeName = string;

/** How an IP is announced. Each mode has its own planner and driver (loop/modes.ts). */
export const MODES = ['layer2', 'bgp'] as const;
export type Mode = (typeof MODES)[number];

export interface NodeSpec {
  name: NodeName;
  /** Where this node's heartbeats go (IPv4 or IPv6 literal). */
  address: string;
}

/** A node that may announce an IP: the source has already applied every rule (selectors, endpoints, ...). */
export interface EligibleNode {
  name: NodeName;
  /** Preference in the election: higher wins. 0 when the source gave none. */
  weight: number;
}

export interface IpSpec {
  /** The IP in canonical text form (IPv6 compressed, lower case). */
  ip: string;
  /** The Services this IP is for (several when they share it); empty when the source names none (a file). */
  services: readonly ServiceKey[];
  /** How to announce it: at least one mode. */
  modes: readonly Mode[];
  /** Nodes allowed to announce it; the source fills in every node when none were listed. */
  nodes: readonly EligibleNode[];
  /** Interfaces to announce on (layer 2); undefined lets the speaker choose (layer2/decide/interfaces.ts). */
  interfaces?: readonly string[];
  /** How BGP announces it (mode `bgp`); undefined: to every peer, with no communities and the default LOCAL_PREF. */
  bgp?: BgpIpSpec;
}

/** The attributes of one route (MetalLB's BGPAdvertisement, resolved for an IP). */
export interface BgpRouteAttributes {
  /** Names of the peers it goes to; every peer when undefined. */
  peers?: readonly string[];
  /** LOCAL_PREF, sent to internal peers only (RFC 4271 §5.1.5). */
  localPref?: number;
  /** RFC 1997 communities as 32-bit numbers. */
  communities?: readonly number[];
  /** RFC 8092 large communities. */
  largeCommunities?: readonly LargeCommunity[];
}

/** A route an IP gives: the IP masked to `prefixLength` (a BGPAdvertisement's aggregationLength), with its attributes. */
export interface BgpRouteSpec extends BgpRouteAttributes {
  prefixLength: number;
}

/**
 * What a BGP advertisement of one IP carries: its host route (/32, /128) with the attributes here, or, when
 * `routes` is set, those routes instead (aggregation: routes of several IPs with one prefix are sent once).
 */
export interface BgpIpSpec extends BgpRouteAttributes {
  /** The routes the IP gives instead of its host route; the attributes above are then unused. */
  routes?: readonly BgpRouteSpec[];
  /**
   * The nodes that announce it by BGP, when they differ from `nodes` (an IP announced by layer 2 and BGP, whose
   * advertisements allow different nodes); `nodes` when undefined.
   */
  nodes?: readonly NodeName[];
}

/** One BGP peer and which nodes peer with it (MetalLB's BGPPeer, resolved). */
export interface BgpPeerSpec {
  /** Unique among the peers: advertisements name peers by it. */
  name: string;
  myAsn: number;
  peerAsn: PeerAsn;
  peerAddress: string;
  peerPort: number;
  /** The source address of the session; the kernel chooses when undefined. */
  sourceAddress?: string;
  holdTimeSeconds: number;
  keepaliveTimeSeconds: number;
  /** The first retry delay after a failure (it doubles per failure, up to 120 s). */
  connectTimeSeconds: number;
  /** BGP Identifier; the node's IPv4 address when undefined. */
  routerId?: string;
  /** Nodes that peer with it. */
  nodes: readonly NodeName[];
  /** Wait for the peer to connect; never connect. */
  passive: boolean;
  /** The TCP MD5 key (RFC 2385), at most 80 bytes of UTF-8 (inline, or read from the peer's passwordSecret). */
  password?: string;
  /**
   * Why no session can be opened with this peer though its nodes include this one (a passwordSecret that is
   * missing or unusable): the node holds none, and its entry in the BGPPeer's status says why. Never the key.
   */
  unusable?: string;
  /** BFD (RFC 5880/5881) alongside the session, with these settings (a BFDProfile, resolved); none when undefined. */
  bfd?: BfdProfileSpec;
  /** An eBGP peer that is not directly connected: the session sends with TTL 255 instead of 1 (session-ttl.ts). */
  ebgpMultiHop?: boolean;
  /** GTSM (RFC 5082): send with TTL 255 and drop what arrives from further than this many hops (1: directly connected). */
  gtsmHops?: number;
  /**
   * RFC 4724 graceful restart (MetalLB's enableGracefulRestart): a stop of the speaker process leaves the routes
   * with the router for the restart time instead of withdrawing them. Off when undefined.
   */
  gracefulRestart?: boolean;
}

/** A BFDProfile as one session uses it (MetalLB's field meanings; intervals in milliseconds). */
export interface BfdProfileSpec {
  /** The profile's name, for logs and status. */
  name: string;
  /** Required Min RX Interval: the fastest this node takes the peer's packets. */
  receiveIntervalMs: number;
  /** Desired Min TX Interval: the fastest this node wants to send. */
  transmitIntervalMs: number;
  /** Packets missed before the session is declared down. */
  detectMultiplier: number;
  /** Wait for the peer's first packet before sending (RFC 5880 §6.1 passive role). */
  passive: boolean;
  /** The lowest TTL taken on multi-hop sessions; single-hop sessions take 255 only (RFC 5881 §5). */
  minimumTtl: number;
}

/** One full snapshot: every speaker node, and every IP with what each mode needs to announce it. */
export interface DesiredAnnouncements {
  nodes: readonly NodeSpec[];
  ips: readonly IpSpec[];
  /** BGP mode's peers; none when undefined. */
  bgpPeers?: readonly BgpPeerSpec[];
}

export interface AnnouncementSource {
  /** Reads the first configuration and starts watching; resolves once the first good one was delivered. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Called with every new good configuration (never with a bad one). */
  onChange(cb: (desired: DesiredAnnouncements) => void): void;
  /**
   * Told this node's links whenever the interface watcher reports them (first before start()), for a source that
   * publishes them: the Kubernetes source lists the usable ones on its presence Lease.
   */
  linksChanged?(links: readonly LinkInfo[]): void;
}
