// Who may send what: a heartbeat naming `from` is accepted only from an address the configuration lists
// for `from`. This is what binds a message to its sender on the wire. The shared key alone cannot: every
// speaker holds it, so without this check any node (or anyone who read the key from a node) could seal a
// goodbye or a beat in another node's name. With it, an impersonator must also send from the victim's
// address; one that can spoof source addresses on the node network is not stopped by this (see
// docs/layer2.md, "What the key and the address check protect against").
//
// It is also the first, cheapest filter on the receive path: a datagram from an address no peer is listed
// at is dropped on a map lookup, before it is decoded and long before any MAC is computed.
//
// Several peers may share one address (several speakers on one host: tests, a lab on loopback). Then the
// source port tells them apart: a peer listed with a port is accepted only from that port.
import ipaddr from 'ipaddr.js';

export interface SenderEntry {
  name: string;
  /** The peer's heartbeat port when configured (else the membership's own port, not checked). */
  port: number | undefined;
}

/** Canonical source address → the peers listed there. */
export type SenderIndex = ReadonlyMap<string, readonly SenderEntry[]>;

export type SenderDropReason = 'unknownSender' | 'wrongSender';

export type SenderVerdict = { ok: true } | { ok: false; reason: SenderDropReason; detail: string };

/**
 * The address as the index keys it: IPv4 as a dotted quad (also when a dual-stack socket reports it as
 * ::ffff:a.b.c.d), IPv6 in RFC 5952 form. undefined when `text` is not an address.
 */
export function canonicalSourceAddress(text: string): string | undefined {
  if (!ipaddr.isValid(text)) return undefined;
  const parsed = ipaddr.process(text);
  return parsed.kind() === 'ipv6' ? (parsed as ipaddr.IPv6).toRFC5952String() : parsed.toString();
}

/** Indexes the peers by address. Peers whose address is not an IP literal are left out (the caller reports them). */
export function indexSenders(peers: readonly { name: string; address: string; port?: number | undefined }[]): SenderIndex {
  const index = new Map<string, SenderEntry[]>();
  for (const p of peers) {
    const address = canonicalSourceAddress(p.address);
    if (address === undefined) continue;
    const list = index.get(address) ?? [];
    list.push({ name: p.name, port: p.port });
    index.set(address, list);
  }
  return index;
}

/**
 * The peers a datagram from (address, port) may come from; empty when none is listed there. A peer listed
 * with a port is one only from that port (in production no port is listed: every speaker sends from the
 * membership port, and the address alone identifies it).
 */
export function sendersAt(index: SenderIndex, address: string, port: number): readonly SenderEntry[] {
  const listed = index.get(address);
  if (listed === undefined) return [];
  return listed.every((e) => e.port === undefined) ? listed : listed.filter((e) => e.port === undefined || e.port === port);
}

/** May a message naming `from` come from (address, port)? */
export function checkSender(index: SenderIndex, address: string, port: number, from: string): SenderVerdict {
  const candidates = sendersAt(index, address, port);
  if (candidates.length === 0) return { ok: false, reason: 'unknownSender', detail: `no peer is listed at ${address} port ${port}` };
  if (candidates.some((e) => e.name === from)) return { ok: true };
  const names = candidates.map((e) => `"${e.name}"`).join(', ');
  return { ok: false, reason: 'wrongSender', detail: `a message in the name of "${from.slice(0, 40)}" from ${address} port ${port}, where ${names} is listed` };
}
