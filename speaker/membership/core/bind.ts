// Where the heartbeat socket binds when --bind-address is not given: the address the configuration lists
// for this node. Peers send there anyway, and a socket bound to it (a) does not hear datagrams sent to the
// node's other addresses (a pod bridge, a VIP on lo), and (b) sends from it, which is the address its
// peers check every heartbeat against (senders.ts): a wildcard socket sends from whatever address the
// kernel picks for the route, which on a multi-homed node need not be the listed one.
//
// A socket bound to one address has one family. When a peer is listed with the other family, only a
// dual-stack wildcard socket reaches both, so the speaker falls back to '::' and says why.
import ipaddr from 'ipaddr.js';

export interface BindChoice {
  address: string;
  /** Why this address, for the start log line. */
  reason: 'listed' | 'notListed' | 'mixedFamilies';
}

function familyOf(address: string): 'ipv4' | 'ipv6' | undefined {
  return ipaddr.isValid(address) ? ipaddr.parse(address).kind() : undefined;
}

/** The listed address of `self`, unless it is missing or a peer has the other family. Pure. */
export function chooseBindAddress(self: string, nodes: readonly { name: string; address: string }[]): BindChoice {
  const listed = nodes.find((n) => n.name === self)?.address;
  const family = listed === undefined ? undefined : familyOf(listed);
  if (listed === undefined || family === undefined) return { address: '::', reason: 'notListed' };
  if (nodes.some((n) => n.name !== self && familyOf(n.address) !== family)) return { address: '::', reason: 'mixedFamilies' };
  return { address: listed, reason: 'listed' };
}
