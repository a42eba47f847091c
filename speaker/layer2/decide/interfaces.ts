// Pure: which interfaces an IP is announced on (DESIGN.md, Layer 2).
// An explicit list wins; else the interfaces whose subnet holds the IP; else every eligible one.
import ipaddr from 'ipaddr.js';
import { isContainerPlumbing } from '../../../lib/presence.js';
import { ZERO_MAC } from '../frames/addresses.js';

export interface InterfaceAddress {
  address: string;
  prefixLength: number;
}

/** What the interface watcher knows of one link; plain data so the choice can be tested by table. */
export interface LinkInfo {
  name: string;
  index: number;
  /** "02:00:00:00:00:0b" form. */
  mac: string;
  /** IFF_UP and a carrier: a link that cannot deliver frames is no use for announcing. */
  up: boolean;
  /** Enslaved to a bridge or bond: the master is the interface that owns the addresses. */
  hasMaster: boolean;
  /** IFF_NOARP: the kernel would not answer ARP on it either. */
  noArp: boolean;
  addresses: readonly InterfaceAddress[];
  /**
   * How often the carrier came up (IFLA_CARRIER_UP_COUNT, Linux ≥ 4.16). It tells a flap the watcher saw only
   * as two "up" states (its events coalesced, or a dump after an overrun) from no flap at all.
   * Undefined where the kernel does not say.
   */
  carrierUps?: number;
}

export type InterfaceSkipReason = 'down' | 'enslaved' | 'noArp' | 'containerPlumbing' | 'noMac';


/** Why an interface may not carry announcements, or 'eligible'. Explicitly listed names skip the name rule. */
export function interfaceEligibility(link: LinkInfo, explicit = false): 'eligible' | InterfaceSkipReason {
  if (!link.up) return 'down';
  if (link.hasMaster) return 'enslaved';
  if (link.noArp) return 'noArp';
  // Loopback and tunnels have no link-layer address to answer with.
  if (link.mac === '' || link.mac === ZERO_MAC) return 'noMac';
  if (!explicit && isContainerPlumbing(link.name)) {
    return 'containerPlumbing';
  }
  return 'eligible';
}

/** The interface names to announce `ip` on, sorted; empty when none fits. */
export function chooseInterfaces(ip: string, links: readonly LinkInfo[], explicit?: readonly string[]): string[] {
  return interfaceChooser(links)(ip, explicit);
}

/** One eligible link with its subnets parsed, so choosing for many IPs parses each address once. */
interface ParsedLink {
  name: string;
  subnets: readonly [ipaddr.IPv4 | ipaddr.IPv6, number][];
}

/**
 * chooseInterfaces for many IPs over the same links: the links' eligibility and subnets are worked out
 * once here, and each IP is parsed once, instead of once per interface address per IP.
 */
export function interfaceChooser(links: readonly LinkInfo[]): (ip: string, explicit?: readonly string[]) => string[] {
  const eligible: ParsedLink[] = links.filter((l) => interfaceEligibility(l) === 'eligible').map((l) => ({
    name: l.name,
    subnets: l.addresses.flatMap((a) => {
      const base = usableSubnet(a);
      return base === null ? [] : [[base, a.prefixLength] as [ipaddr.IPv4 | ipaddr.IPv6, number]];
    }),
  }));
  const everyEligible = eligible.map((l) => l.name).sort();
  return (ip, explicit) => {
    if (explicit !== undefined && explicit.length > 0) {
      return links.filter((l) => explicit.includes(l.name) && interfaceEligibility(l, true) === 'eligible').map((l) => l.name).sort();
    }
    if (!ipaddr.isValid(ip)) return [...everyEligible];
    const addr = ipaddr.parse(ip);
    const holding = eligible.filter((l) => l.subnets.some(([base, length]) => addr.kind() === base.kind() && addr.match(base, length)));
    return holding.length > 0 ? holding.map((l) => l.name).sort() : [...everyEligible];
  };
}

/** The interface address as a subnet a VIP can be matched against, or null when it says nothing about that. */
function usableSubnet(net: InterfaceAddress): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ipaddr.isValid(net.address)) return null;
  const base = ipaddr.parse(net.address);
  // A host route (/32, /128) holds only itself: the VIP put on an interface by kube-proxy or the lab
  // must not make that interface look like the VIP's subnet.
  const hostLength = base.kind() === 'ipv4' ? 32 : 128;
  if (net.prefixLength >= hostLength) return null;
  // Link-local subnets say nothing about where a global VIP lives.
  if (base.range() === 'linkLocal') return null;
  return base;
}
