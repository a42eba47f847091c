// A NETLINK_ROUTE socket over the in-repo addon (speaker/native/herald_netlink.c): subscribed to multicast
// groups from the moment it is open, it delivers every datagram the kernel queues, in order, through the
// event loop (a libuv poll handle), and sends requests to the kernel. It moves bytes only; what they mean
// is codec/rtnetlink.ts's business.
import { loadAddon, type NativeNetlinkSocket } from './addon.js';

/** What the interface watcher needs from a route socket: NetlinkSocket implements it, tests fake it. */
export interface RouteSocket {
  send(message: Uint8Array): void;
  close(): Promise<void>;
}

/**
 * Opens a route socket. `onDatagrams` gets the datagrams read in one wakeup, in order (each one or more
 * netlink messages), so a burst of events costs its reader one pass; `onError` gets receive errors, among
 * them code "ENOBUFS": the kernel dropped events because the socket's buffer was full, and the owner must
 * read the whole state again. The socket keeps working after either.
 */
export type OpenRouteSocket = (groups: number, onDatagrams: (datagrams: Buffer[]) => void, onError: (error: Error) => void) => RouteSocket;

export class NetlinkSocket implements RouteSocket {
  private native: NativeNetlinkSocket | null;
  private closing: Promise<void> | null = null;

  private constructor(groups: number, onDatagrams: (datagrams: Buffer[]) => void, onError: (error: Error) => void) {
    const { Netlink } = loadAddon();
    this.native = new Netlink(groups, (error, datagrams) => {
      if (datagrams.length > 0 && this.native !== null) onDatagrams(datagrams);
      if (error !== null && this.native !== null) onError(error);
    });
  }

  /** Needs no privilege: any process may read its network namespace's links and addresses. */
  static open: OpenRouteSocket = (groups, onDatagrams, onError) => new NetlinkSocket(groups, onDatagrams, onError);

  send(message: Uint8Array): void {
    if (this.native === null) throw new Error('send on "rtnetlink": socket is closed');
    this.native.send(message);
  }

  /** Stops delivery at once; resolves once the fd is closed. Every call gets the same promise. */
  close(): Promise<void> {
    if (this.closing === null) {
      const native = this.native;
      this.native = null;
      this.closing = new Promise((resolve) => (native === null ? resolve() : native.close(resolve)));
    }
    return this.closing;
  }
}
