// Pure: does the address the source lists for this node agree with where its heartbeat socket listens?
// Peers send heartbeats to the listed address. If the socket is bound to another one, this node hears
// every peer (quorum, so it announces) while no peer hears it (so they take its IPs too): two nodes answer
// ARP for the same IP, and the split-brain rule cannot see it. That must stop the speaker, not warn.
import ipaddr from 'ipaddr.js';
import type { NodeSpec } from '../source/types.js';

/** '::', '0.0.0.0' and the like: the socket hears every address of the host. */
function isWildcard(address: string): boolean {
  return ipaddr.isValid(address) && ipaddr.parse(address).range() === 'unspecified';
}

/** The same address whatever its spelling, with IPv4-mapped IPv6 (::ffff:192.0.2.11) read as IPv4. */
function canonical(address: string): string {
  return ipaddr.isValid(address) ? ipaddr.process(address).toString() : address;
}

/** Why this node's heartbeat socket cannot hear its peers, or null when it can (or nothing is known). */
export function selfAddressProblem(nodes: readonly NodeSpec[], self: string, bindAddress: string | undefined): string | null {
  const listed = nodes.find((n) => n.name === self)?.address;
  if (listed === undefined || bindAddress === undefined || isWildcard(bindAddress)) return null;
  if (canonical(listed) === canonical(bindAddress)) return null;
  return `node "${self}" is listed at ${listed}, where peers send heartbeats, but the heartbeat socket binds to ${bindAddress}: `
    + 'bind to the listed address (or to ::), or list the node at the bound one';
}
