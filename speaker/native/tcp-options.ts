// The kernel's TCP options a BGP session needs and node:net cannot set, through the addon (herald_tcp.c):
// TCP MD5 signatures (RFC 2385), the TTL the session sends with, and GTSM's minimum TTL (RFC 5082). The
// sockets stay node:net's; these functions set options on their file descriptors. session-ttl.ts says which
// TTLs a session uses.
//
// Passive side (a net.Server listening on TCP 179): the listener holds one MD5 key per peer address, set
// before the peer connects (an accepted socket inherits its peer's key, its TTL and its minimum TTL):
//   setMd5Key(server, '192.0.2.1', password); setTtl(server, 255); setMinTtl(server, 255)
// The listener's TTL is also what its SYN-ACKs carry, so 255 (which every peer accepts) is the safe choice
// there; setTtl(accepted, ttl) then gives each session its own.
//
// Active side: connectTcp() creates the socket in the addon, sets the key and the TTLs, and only then
// connects, so the SYN is already signed and sent with the right TTL. How: `new net.Socket({ fd })` wraps the
// unconnected socket (libuv's uv_tcp_open) and `socket.connect()` connects that same fd (uv_tcp_connect keeps
// a handle's fd). Node starts reading a socket made from an fd at once, and on a socket that is not
// connecting yet the read fails with ENOTCONN and destroys it on the next turn of the loop (Node 24). So
// connect() is called in the same tick, and the host must be an IP address: a name lookup would leave the
// loop a turn first. tcp-options.test.ts pins both halves.
import { closeSync } from 'node:fs';
import { isIP, Socket, type Server } from 'node:net';
import { loadAddon } from './addon.js';

/** A TCP socket to set options on: a net.Socket, a listening net.Server, or the fd of either. */
export type TcpTarget = Socket | Server | number;

/** The longest TCP MD5 key Linux takes, in bytes; the file source checks passwords against it. */
export { MD5_KEY_MAX_BYTES } from '../../lib/config/bgp-values.js';

/**
 * The file descriptor behind a net.Socket or a listening net.Server. Node keeps it on the libuv handle
 * (`_handle.fd`, Linux and macOS); there is none before listen() or connect() and none after close.
 */
export function socketFd(target: Socket | Server): number {
  const handle = (target as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  if (typeof fd === 'number' && fd >= 0) return fd;
  const what = target instanceof Socket ? 'net.Socket' : 'net.Server';
  const why = handle === null || handle === undefined ? 'it has no handle: not yet connected or listening, or already closed' : `its handle's fd is ${String(fd)}`;
  throw new Error(`no file descriptor for this ${what}: ${why}`);
}

function fdOf(target: TcpTarget): number {
  return typeof target === 'number' ? target : socketFd(target);
}

/** A password as the kernel's key bytes: a string is UTF-8 (so 80 bytes may be fewer than 80 characters). */
function keyBytes(key: string | Uint8Array): Uint8Array {
  return typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
}

/**
 * Sets the TCP MD5 key (RFC 2385) for one peer address on a socket: the kernel then signs what it sends there
 * and silently drops every segment from there that is unsigned or wrongly signed, the SYN included (the peer
 * sees no SYN-ACK and no RST). Other addresses stay unchecked. An IPv4 peer on a dual-stack IPv6 socket is
 * keyed as itself. An empty key deletes the address's key (deleting one that is not there is no error).
 */
export function setMd5Key(target: TcpTarget, peerAddress: string, key: string | Uint8Array): void {
  loadAddon().setTcpMd5Key(fdOf(target), peerAddress, keyBytes(key));
}

/** Deletes the peer address's TCP MD5 key: its unsigned segments are accepted again. */
export function deleteMd5Key(target: TcpTarget, peerAddress: string): void {
  setMd5Key(target, peerAddress, new Uint8Array(0));
}

/** The TTL (IPv6: hop limit) the socket sends with, 1..255; an IPv6 socket's IPv4 peers get it too. */
export function setTtl(target: TcpTarget, ttl: number): void {
  loadAddon().setTtl(fdOf(target), ttl);
}

/** The TTL the socket sends with: what setTtl set, else the kernel's default (net.ipv4.ip_default_ttl, 64). */
export function getTtl(target: TcpTarget): number {
  return loadAddon().getTtl(fdOf(target));
}

/**
 * GTSM's check (RFC 5082): the kernel drops every segment that arrives with a TTL below `minTtl`, the SYN
 * included. 255 admits directly connected peers only; 0 turns the check off. An IPv6 socket's IPv4 peers
 * are checked too.
 */
export function setMinTtl(target: TcpTarget, minTtl: number): void {
  loadAddon().setMinTtl(fdOf(target), minTtl);
}

/** The socket's minimum TTL (0: no check). */
export function getMinTtl(target: TcpTarget): number {
  return loadAddon().getMinTtl(fdOf(target));
}

export interface TcpConnectOptions {
  /** The peer: an IP address, never a name (see the top of this file). */
  host: string;
  port: number;
  /** Binds to this local address first; the port is chosen at connect time. Of the host's family. */
  sourceAddress?: string;
  /** The TTL to send with (session-ttl.ts); the kernel's default (64) when left out. */
  ttl?: number;
  /** GTSM: drop what arrives with a lower TTL; no check when left out. */
  minTtl?: number;
  /** The TCP MD5 key for `host`, set before the SYN is sent. */
  md5Key?: string | Uint8Array;
}

/**
 * Like net.connect(): returns a net.Socket that is connecting, with the key and the TTLs already set, so the
 * SYN is signed. Listen for 'connect' and 'error' as usual. It sets no timeout: a peer with another key never
 * answers, and the SYN is retried for about two minutes, so the caller's connect timer must destroy it.
 */
export function connectTcp(options: TcpConnectOptions): Socket {
  const { host, port, sourceAddress } = options;
  const family = isIP(host);
  if (family !== 4 && family !== 6) {
    throw new TypeError(`connectTcp: host "${host}" is not an IP address (no name lookups: the socket must connect in the tick it is made)`);
  }
  if (sourceAddress !== undefined && isIP(sourceAddress) !== family) {
    throw new TypeError(`connectTcp: sourceAddress "${sourceAddress}" is not an IPv${family} address like host "${host}"`);
  }
  const fd = openConfigured(family, options);
  let socket: Socket | undefined;
  try {
    socket = new Socket({ fd });
    socket.connect(port, host); // the same tick: a socket made from an fd fails with ENOTCONN on the next
    return socket;
  } catch (err) {
    if (socket === undefined) closeSync(fd);
    else socket.destroy();
    throw err;
  }
}

/** The addon's socket with the options set in the order the SYN needs them; closed again when one fails. */
function openConfigured(family: 4 | 6, options: TcpConnectOptions): number {
  const addon = loadAddon();
  const fd = addon.openTcpSocket(family, options.sourceAddress ?? null);
  try {
    if (options.md5Key !== undefined) addon.setTcpMd5Key(fd, options.host, keyBytes(options.md5Key));
    if (options.ttl !== undefined) addon.setTtl(fd, options.ttl);
    if (options.minTtl !== undefined) addon.setMinTtl(fd, options.minTtl);
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}
