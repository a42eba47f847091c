// The passive side: one TCP server for every peer (BGP's port 179 by default), handing each accepted
// connection to the peer configured at its source address (RFC 4271 §8.1.1 PassiveTcpEstablishment). A
// connection from an address no peer is configured at is closed at once: nothing about it reaches a session.
//
// TCP MD5 (RFC 2385): a peer with a key has it set on the listening socket for its address, so the kernel checks
// the peer's SYN and the accepted socket inherits the key. The TTLs (session-ttl.ts) are per peer, so they are
// set on each accepted socket; the listening socket sends its SYN-ACKs with 255 and checks no minimum (one
// there would apply to every peer's SYN).
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../../lib/log.js';
import { MAX_TTL } from '../../native/session-ttl.js';
import { deleteMd5Key, setMd5Key, setMinTtl, setTtl } from '../../native/tcp-options.js';
import type { BgpPeer } from './peer.js';

/** BGP's well-known port (RFC 4271 §8.2.1). */
export const BGP_PORT = 179;

export interface BgpListenerOptions {
  port?: number;
  /** Where to listen; every address (both families) when absent. */
  host?: string;
  logger: Logger;
}

/** `::ffff:192.0.2.1`, as a dual-stack socket reports an IPv4 peer, is the peer at 192.0.2.1. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address.toLowerCase();
}

export class BgpListener {
  private server: Server | null = null;
  private readonly peers = new Map<string, BgpPeer>();
  private refused = 0;

  constructor(private readonly options: BgpListenerOptions) {}

  /** The peer that receives connections from its address; replaces one configured at the same address. */
  register(peer: BgpPeer): void {
    const address = plainAddress(peer.address);
    const before = this.peers.get(address);
    this.peers.set(address, peer);
    if (this.server !== null) this.keyFor(address, before, peer);
  }

  unregister(peer: BgpPeer): void {
    const address = plainAddress(peer.address);
    if (this.peers.get(address) !== peer) return;
    this.peers.delete(address);
    if (this.server !== null) this.keyFor(address, peer, undefined);
  }

  /** Connections closed because no peer is configured at their address. */
  get refusedConnections(): number {
    return this.refused;
  }

  /** The port listened on (the ephemeral one chosen when `port` was 0). */
  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  async start(): Promise<void> {
    const server = createServer((socket) => this.accepted(socket));
    server.on('error', (err) => this.options.logger.error({ err }, 'BGP listener failed'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.options.port ?? BGP_PORT, host: this.options.host }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    // The SYN-ACK goes out before any peer's socket exists, with the listening socket's TTL: 255 passes every
    // peer's check, GTSM's included (a peer insisting on 255 drops the kernel default of 64).
    try {
      setTtl(server, MAX_TTL);
    } catch (err) {
      this.options.logger.error({ err }, 'could not set TTL 255 on the BGP listening socket; GTSM peers will not connect');
    }
    for (const [address, peer] of this.peers) this.keyFor(address, undefined, peer);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accepted(socket: Socket): void {
    const from = plainAddress(socket.remoteAddress ?? '');
    const peer = this.peers.get(from);
    if (peer === undefined) {
      this.refused++;
      this.options.logger.debug({ from }, 'refusing a BGP connection from an address no peer is configured at');
      socket.destroy();
      return;
    }
    try {
      const transport = peer.transport;
      if (transport !== undefined) {
        setTtl(socket, transport.ttl);
        if (transport.minTtl > 0) setMinTtl(socket, transport.minTtl);
      }
    } catch (err) {
      this.options.logger.error({ err, from }, 'could not set the TTLs of an accepted BGP connection; closing it');
      socket.destroy();
      return;
    }
    peer.accept(socket);
  }

  /** The listening socket's MD5 key for `address` follows the peer registered there (none: no key). */
  private keyFor(address: string, before: BgpPeer | undefined, after: BgpPeer | undefined): void {
    const server = this.server;
    const key = after?.transport?.md5Key;
    if (server === null || (key === undefined && before?.transport?.md5Key === undefined)) return;
    try {
      if (key === undefined) deleteMd5Key(server, address);
      else setMd5Key(server, address, key);
    } catch (err) {
      this.options.logger.error({ err, peer: address }, 'could not set the TCP MD5 key for a BGP peer on the listening socket');
    }
  }
}
