// AF_PACKET sockets for the speaker's layer 2 work, over the in-repo N-API addon (speaker/native/*.c,
// built by node-gyp into build/Release/herald_packet.node). One socket = one interface + one EtherType.
// Frames arrive through the event loop (a libuv poll handle on the socket); our own outgoing frames are
// never delivered. Membership is per multicast MAC; the interface is never put in promiscuous mode.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMac } from '../layer2/frames/addresses.js';

/** How the frame reached us, from the kernel's sll_pkttype (linux/if_packet.h). */
export type PacketType = 'host' | 'broadcast' | 'multicast' | 'otherhost';

export interface FrameInfo {
  packetType: PacketType;
}

/** Receives one whole Ethernet frame (destination MAC first). The Buffer is the handler's to keep. */
export type FrameHandler = (frame: Buffer, info: FrameInfo) => void;

export interface PacketSocketOptions {
  /**
   * Receive errors (e.g. ENETDOWN when the interface goes away). The socket stays open; the owner decides
   * whether to close it. Without a handler such errors are thrown as uncaught exceptions.
   */
  onError?: (error: Error) => void;
}

/** What the layer 2 code needs from a socket: PacketSocket implements it, tests can fake it. */
export interface FrameSocket {
  readonly ifname: string;
  readonly ethertype: number;
  send(frame: Uint8Array): void;
  addMulticast(mac: string): void;
  dropMulticast(mac: string): void;
  close(): Promise<void>;
}

/** The addon's class, as the C code defines it (speaker/native/herald_packet.c). */
interface NativeSocket {
  send(frame: Uint8Array): void;
  addMembership(mac: Uint8Array): void;
  dropMembership(mac: Uint8Array): void;
  close(done: () => void): void;
}
type NativeFramesCallback = (error: Error | null, frames: Buffer[], packetTypes: number[]) => void;
interface NativeAddon {
  Socket: new (ifname: string, ethertype: number, onFrames: NativeFramesCallback) => NativeSocket;
}

// linux/if_packet.h PACKET_HOST .. PACKET_OTHERHOST; PACKET_OUTGOING (4) is filtered out in C.
const PACKET_TYPES: readonly PacketType[] = ['host', 'broadcast', 'multicast', 'otherhost'];
const ADDON_PATH = join('build', 'Release', 'herald_packet.node');

let addon: NativeAddon | null = null;

/**
 * Finds build/Release/herald_packet.node by walking up from this file, so the same code works from the
 * sources (speaker/native/) and from the compiled tree (dist/speaker/native/) at any depth.
 */
function loadAddon(): NativeAddon {
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
  throw new Error(`herald_packet addon not built (run "npm install" or "npx node-gyp rebuild"); looked in ${searched.join(', ')}`);
}

export class PacketSocket implements FrameSocket {
  private native: NativeSocket | null;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly ifname: string,
    readonly ethertype: number,
    private readonly onFrame: FrameHandler,
    private readonly onError: ((error: Error) => void) | undefined,
    create: (onFrames: NativeFramesCallback) => NativeSocket,
  ) {
    this.native = create((error, frames, packetTypes) => this.deliver(error, frames, packetTypes));
  }

  /**
   * Opens a non-blocking AF_PACKET/SOCK_RAW socket bound to `ifname` for one EtherType (ETHERTYPE_ARP,
   * ETHERTYPE_IPV6, ...) and starts delivering received frames to `onFrame`. Needs CAP_NET_RAW. Throws an
   * Error naming the interface and the errno (e.g. ENODEV, EPERM).
   */
  static open(ifname: string, ethertype: number, onFrame: FrameHandler, options: PacketSocketOptions = {}): PacketSocket {
    if (!Number.isInteger(ethertype) || ethertype < 0 || ethertype > 0xffff) {
      throw new RangeError(`ethertype ${ethertype} is not a 16-bit number`);
    }
    const { Socket } = loadAddon();
    return new PacketSocket(ifname, ethertype, onFrame, options.onError, (cb) => new Socket(ifname, ethertype, cb));
  }

  /** True once close() was called: no frames are delivered after that. */
  get closed(): boolean {
    return this.closing !== null;
  }

  /** Sends one whole Ethernet frame on the interface. Throws (with errno) if the kernel refuses it. */
  send(frame: Uint8Array): void {
    this.live('send').send(frame);
  }

  /** Joins a link-layer multicast group (PACKET_MR_MULTICAST), e.g. solicitedNodeMac(vip). */
  addMulticast(mac: string): void {
    this.live('addMulticast').addMembership(parseMac(mac));
  }

  /** Leaves a group joined with addMulticast. The kernel counts joins: leave as often as you joined. */
  dropMulticast(mac: string): void {
    this.live('dropMulticast').dropMembership(parseMac(mac));
  }

  /**
   * Stops receiving at once and closes the socket; resolves once the fd is closed. Safe to call more than
   * once (every call gets the same promise); memberships go with the socket.
   */
  close(): Promise<void> {
    if (this.closing === null) {
      const native = this.native;
      this.native = null;
      this.closing = new Promise((resolve) => (native === null ? resolve() : native.close(resolve)));
    }
    return this.closing;
  }

  private live(operation: string): NativeSocket {
    if (this.native === null) throw new Error(`${operation} on "${this.ifname}": socket is closed`);
    return this.native;
  }

  private deliver(error: Error | null, frames: Buffer[], packetTypes: number[]): void {
    for (let i = 0; i < frames.length && this.native !== null; i++) {
      const frame = frames[i];
      if (frame !== undefined) this.onFrame(frame, { packetType: PACKET_TYPES[packetTypes[i] ?? 0] ?? 'otherhost' });
    }
    if (error !== null && this.native !== null) {
      if (this.onError === undefined) throw error;
      this.onError(error);
    }
  }
}
