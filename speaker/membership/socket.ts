// The datagram socket the UDP driver needs from the outside world, behind an interface so tests can inject it
// (STYLE.md §12); the default wraps node:dgram. Its clock is lib/clock.ts's.
import { createSocket } from 'node:dgram';

export interface RemoteInfo {
  address: string;
  port: number;
}

export interface DatagramSocket {
  bind(port: number, address: string): Promise<void>;
  send(bytes: Uint8Array, port: number, address: string): Promise<void>;
  onMessage(cb: (bytes: Uint8Array, from: RemoteInfo) => void): void;
  onError(cb: (err: Error) => void): void;
  /** The bound address and port (port 0 at bind picks a free one). */
  address(): RemoteInfo;
  close(): Promise<void>;
}

export type SocketFamily = 'udp4' | 'udp6';
export type SocketFactory = (family: SocketFamily) => DatagramSocket;

/** node:dgram. A udp6 socket is dual-stack (ipv6Only false) so one socket reaches IPv4 peers too. */
export const dgramSocketFactory: SocketFactory = (family) => {
  const socket = createSocket({ type: family, ipv6Only: false, reuseAddr: false });
  return {
    bind: (port, address) => new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      socket.once('error', onError);
      socket.bind(port, address, () => {
        socket.off('error', onError);
        resolve();
      });
    }),
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
};
