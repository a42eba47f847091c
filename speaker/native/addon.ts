// Loads the in-repo N-API addon (speaker/native/herald_*.c, built by node-gyp into
// build/Release/herald_packet.node) once, for packet-socket.ts, netlink-socket.ts, the heartbeat
// socket (speaker/membership/filtered-socket.ts) and the BGP sessions' TCP options (tcp-options.ts).
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every callback of the addon: an error (or null) and a batch of received byte strings with a number each. */
export type NativeBatchCallback = (error: Error | null, items: Buffer[], meta: number[]) => void;

/** The addon's AF_PACKET socket, as herald_packet.c defines it. */
export interface NativePacketSocket {
  send(frame: Uint8Array): void;
  addMembership(mac: Uint8Array): void;
  dropMembership(mac: Uint8Array): void;
  close(done: () => void): void;
}

/** The addon's NETLINK_ROUTE socket, as herald_netlink.c defines it. */
export interface NativeNetlinkSocket {
  send(message: Uint8Array): void;
  close(done: () => void): void;
}

export interface NativeAddon {
  /** if_nametoindex; throws ENODEV naming the interface when there is none. */
  interfaceIndex(ifname: string): number;
  /** Binds to `ifindex` when given (the index its filter was written for), else to the name's index. */
  Socket: new (ifname: string, ethertype: number, onFrames: NativeBatchCallback, filter?: Uint8Array, ifindex?: number) => NativePacketSocket;
  Netlink: new (groups: number, onDatagrams: NativeBatchCallback) => NativeNetlinkSocket;
  /** herald_udp.c: a bound, non-blocking UDP socket with `filter` attached before bind; returns its fd. */
  openUdpSocket(family: 4 | 6, address: string, port: number, filter?: Uint8Array): number;
  /** Replaces the fd's socket filter; null removes it. */
  setSocketFilter(fd: number, filter: Uint8Array | null): void;
  /** Datagrams the kernel dropped for the fd's socket: refused by its filter, or its buffer full. */
  socketDrops(fd: number): number;
  /** herald_tcp.c: an unconnected, non-blocking TCP socket, bound to `sourceAddress` (port chosen at connect) when given; returns its fd. */
  openTcpSocket(family: 4 | 6, sourceAddress: string | null): number;
  /** TCP_MD5SIG for one peer address; an empty key deletes it. At most 80 bytes. */
  setTcpMd5Key(fd: number, peerAddress: string, key: Uint8Array): void;
  /** IP_TTL, and IPV6_UNICAST_HOPS on an IPv6 socket: 1..255. */
  setTtl(fd: number, ttl: number): void;
  getTtl(fd: number): number;
  /** IP_MINTTL, and IPV6_MINHOPCOUNT on an IPv6 socket: 0 (off)..255. */
  setMinTtl(fd: number, minTtl: number): void;
  getMinTtl(fd: number): number;
  /** glibc's malloc_trim(0): the free pages inside malloc's arenas back to the kernel; whether any were. */
  trimMemory(): boolean;
}

const ADDON_PATH = join('build', 'Release', 'herald_packet.node');

let addon: NativeAddon | null = null;

/**
 * Finds build/Release/herald_packet.node by walking up from this file, so the same code works from the
 * sources (speaker/native/) and from the compiled tree (dist/speaker/native/) at any depth.
 */
export function loadAddon(): NativeAddon {
  if (addon !== null) return addon;
  const searched: string[] = [];
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, ADDON_PATH);
    searched.push(candidate);
    if (existsSync(candidate)) {
      addon = createRequire(import.meta.url)(candidate) as NativeAddon;
      return addon;
    }
    if (dirname(dir) === dir) break;
  }
  throw new Error(`herald_packet addon not built (run "npm install" or "npm run install"); looked in ${searched.join(', ')}`);
}
