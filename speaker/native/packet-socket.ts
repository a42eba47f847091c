// AF_PACKET sockets for the speaker's layer 2 work, over the in-repo N-API addon (speaker/native/*.c,
// built by node-gyp into build/Release/herald_packet.node). One socket = one interface + one EtherType.
// The kernel filters what reaches it (codec/packet-filters.ts: ARP requests on an ARP socket, Neighbor
// Solicitations on an IPv6 one, and only those that arrived untagged on this interface for this host,
// broadcast or multicast), attached before the socket is bound, so no other frame is ever queued or copied.
// Frames arrive through the event loop (a libuv poll handle on the socket); our own outgoing frames are
// never delivered. Membership is per multicast MAC; the interface is never put in promiscuous mode.
import { endianness } from 'node:os';
import { parseMac } from '../layer2/frames/addresses.js';
import { loadAddon, type NativeBatchCallback, type NativePacketSocket } from './addon.js';
import { encodeProgram } from './codec/bpf.js';
import { filterFor } from './codec/packet-filters.js';

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
  /**
   * Attach the kernel filter for this EtherType (codec/packet-filters.ts), default true. Without it every frame of
   * the EtherType is copied to JavaScript: every IPv6 packet the node receives, for an IPv6 socket.
   */
  kernelFilter?: boolean;
}

/**
 * A measurement knob, not a setting: HERALD_PACKET_FILTER=off opens every socket without its kernel
 * filter, so the footprint bench (test/bench/l2-footprint.bench.ts) can measure the speaker as it was
 * before the filters, in the same run, with the same build. Never set it in production.
 */
export const PACKET_FILTER_ENV = 'HERALD_PACKET_FILTER';

function kernelFilterWanted(options: PacketSocketOptions): boolean {
  return (options.kernelFilter ?? true) && process.env[PACKET_FILTER_ENV] !== 'off';
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

// linux/if_packet.h PACKET_HOST .. PACKET_OTHERHOST; PACKET_OUTGOING (4) is filtered out in C.
const PACKET_TYPES: readonly PacketType[] = ['host', 'broadcast', 'multicast', 'otherhost'];

export class PacketSocket implements FrameSocket {
  private native: NativePacketSocket | null;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly ifname: string,
    readonly ethertype: number,
    private readonly onFrame: FrameHandler,
    private readonly onError: ((error: Error) => void) | undefined,
    create: (onFrames: NativeBatchCallback) => NativePacketSocket,
  ) {
    this.native = create((error, frames, packetTypes) => this.deliver(error, frames, packetTypes));
  }

  /**
   * Opens a non-blocking AF_PACKET/SOCK_RAW socket bound to `ifname` for one EtherType (ETHERTYPE_ARP,
   * ETHERTYPE_IPV6, ...), with the kernel filter for that EtherType unless options say otherwise, and
   * starts delivering received frames to `onFrame`. Needs CAP_NET_RAW. Throws an Error naming the
   * interface and the errno (e.g. ENODEV, EPERM).
   */
  static open(ifname: string, ethertype: number, onFrame: FrameHandler, options: PacketSocketOptions = {}): PacketSocket {
    if (!Number.isInteger(ethertype) || ethertype < 0 || ethertype > 0xffff) {
      throw new RangeError(`ethertype ${ethertype} is not a 16-bit number`);
    }
    const { Socket, interfaceIndex } = loadAddon();
    // The filter names the interface by index: the socket binds to the index the filter was written for.
    const ifindex = interfaceIndex(ifname);
    const program = kernelFilterWanted(options) ? filterFor(ethertype, ifindex) : undefined;
    const filter = program === undefined ? undefined : encodeProgram(program, endianness() === 'LE');
    return new PacketSocket(ifname, ethertype, onFrame, options.onError, (cb) => new Socket(ifname, ethertype, cb, filter, ifindex));
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

  private live(operation: string): NativePacketSocket {
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
