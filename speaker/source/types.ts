// The announcement source seam: where the speaker learns which nodes exist and which IPs to announce.
// The file source implements it now; the Kubernetes source comes later through the same interface,
// so nothing past this seam knows where the configuration came from.

/** A node's name, as the election and membership use it. */
export type NodeName = string;

export interface NodeSpec {
  name: NodeName;
  /** Where this node's heartbeats go (IPv4 or IPv6 literal). */
  address: string;
  /** Preference in the election: higher wins. 0 when the source gave none. */
  weight: number;
}

export interface IpSpec {
  /** The IP in canonical text form (IPv6 compressed, lower case). */
  ip: string;
  /** Nodes allowed to announce it; the source fills in every node when none were listed. */
  nodes: readonly NodeName[];
  /** Interfaces to announce on; undefined lets the speaker choose (decide/interfaces.ts). */
  interfaces?: readonly string[];
}

export interface DesiredAnnouncements {
  nodes: readonly NodeSpec[];
  ips: readonly IpSpec[];
}

export interface AnnouncementSource {
  /** Reads the first configuration and starts watching; resolves once the first good one was delivered. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Called with every new good configuration (never with a bad one). */
  onChange(cb: (desired: DesiredAnnouncements) => void): void;
}
