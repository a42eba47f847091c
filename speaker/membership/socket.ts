// The datagram socket the UDP driver needs from the outside world, behind an interface so tests can inject it
// (STYLE.md §12). Two implementations wrap node:dgram: dgramSocketFactory (plain, for tests) and
// filtered-socket.ts's (the speaker's default: the kernel drops datagrams from unlisted addresses).
import { createSocket, type Socket } from 'node:dgram';

export interface RemoteInfo {
  address: string;
  port: number;
}

/** What the kernel filter on a socket does now (filtered-socket.ts). */
export type SourceFilterState =
  | { kind: 'filtered'; addresses: number; instructions: number }
  | { kind: 'unfiltered'; why: string };

export interface DatagramSocket {
  bind(port: number, address: string): Promise<void>;
  send(bytes: Uint8Array, port: number, address: string): Promise<void>;
  onMessage(cb: (bytes: Uint8Array, from: RemoteInfo) => void): void;
  onError(cb: (err: Error) => void): void;
  /** The bound address and port (port 0 at bind picks a free one). */
  address(): RemoteInfo;
  close(): Promise<void>;
  /**
   * Lets the kernel drop every datagram whose source is none of `addresses` (the peers' listed addresses),
   * from bind() on when called before it, at once after. Optional: plain and in-memory sockets have none.
   * Throws when the kernel refuses the filter (the old one, if any, stays).
   */
  allowSources?(addresses: readonly string[]): SourceFilterState;
  /** Datagrams the kernel dropped for this socket (its filter, a full buffer); undefined before bind. */
  kernelDrops?(): number | undefined;
}

export type SocketFamily = 'udp4' | 'udp6';
export type SocketFactory = (family: SocketFamily) => DatagramSocket;

/** A udp6 socket is dual-stack (ipv6Only false) so one socket reaches IPv4 peers too. */
export function newDgramSocket(family: SocketFamily): Socket {
  return createSocket({ type: family, ipv6Only: false, reuseAddr: false });
}

/** Binds a dgram socket: `bind` calls socket.bind(...) with `done` as its callback; rejects with the error bind emits. */
export function bindDgram(socket: Socket, bind: (done: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    socket.once('error', onError);
    bind(() => {
      socket.off('error', onError);
      resolve();
    });
  });
}

/** Everything but bind: the same for every dgram-backed socket. */
export function dgramMethods(socket: Socket): Omit<DatagramSocket, 'bind'> {
  return {
    send: (bytes, port, address) => new Promise((resolve, reject) => {
      socket.send(bytes, port, address, (err) => (err ? reject(err) : resolve()));
    }),
    onMessage: (cb) => socket.on('message', (msg, rinfo) => cb(msg, { address: rinfo.address, port: rinfo.port })),
    onError: (cb) => socket.on('error', cb),
    address: () => {
      const a = socket.address();
      return { address: a.address, port: a.port };
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** node:dgram alone, no kernel filter. */
export const dgramSocketFactory: SocketFactory = (family) => {
  const socket = newDgramSocket(family);
  return { ...dgramMethods(socket), bind: (port, address) => bindDgram(socket, (done) => socket.bind(port, address, done)) };
};
