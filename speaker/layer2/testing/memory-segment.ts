// For tests: an in-memory Ethernet segment standing in for AF_PACKET sockets (which need root and the
// native addon; the lab test covers those). Like the real socket, a frame sent on one socket reaches
// every other open socket of the same EtherType on the segment, and never its sender, with the packet
// type its destination MAC gives it (the segment models no MAC filter: unicast arrives as 'host').
import type { FrameInfo, FrameSocket, PacketType } from '../../native/packet-socket.js';
import type { OpenSocket } from '../announcer.js';

export class MemorySocket implements FrameSocket {
  readonly sent: Uint8Array[] = [];
  readonly received: Uint8Array[] = [];
  readonly multicast: string[] = [];
  closed = false;

  constructor(
    private readonly segment: MemorySegment,
    readonly ifname: string,
    readonly ethertype: number,
    readonly onFrame: (frame: Uint8Array, info: FrameInfo) => void,
  ) {}

  send(frame: Uint8Array): void {
    if (this.closed) throw new Error(`send on "${this.ifname}": socket is closed`);
    this.sent.push(frame);
    this.segment.deliver(this, frame);
  }

  addMulticast(mac: string): void {
    this.multicast.push(mac);
  }

  dropMulticast(mac: string): void {
    const i = this.multicast.indexOf(mac);
    if (i < 0) throw new Error(`dropMulticast ${mac}: not joined`);
    this.multicast.splice(i, 1);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export class MemorySegment {
  readonly sockets: MemorySocket[] = [];

  /** An OpenSocket for the announcer; every socket it opens joins this segment. */
  readonly open: OpenSocket = (ifname, ethertype, onFrame) => {
    const socket = new MemorySocket(this, ifname, ethertype, onFrame);
    this.sockets.push(socket);
    return socket;
  };

  /** Delivers to every other socket of the frame's EtherType; `packetType` overrides what the MAC says. */
  deliver(from: MemorySocket, frame: Uint8Array, packetType: PacketType = packetTypeOf(frame)): void {
    // The frame's EtherType decides who hears it, as the kernel's protocol match does.
    const etherType = ((frame[12] ?? 0) << 8) | (frame[13] ?? 0);
    for (const s of this.sockets) {
      if (s !== from && !s.closed && s.ethertype === etherType) {
        s.received.push(frame);
        s.onFrame(frame, { packetType });
      }
    }
  }

  /** A bystander on the segment (a client host) that records what it hears in `received`. */
  client(ethertype: number): MemorySocket {
    const socket = new MemorySocket(this, 'client', ethertype, () => undefined);
    this.sockets.push(socket);
    return socket;
  }
}

/** What the kernel's eth_type_trans would call the frame on a host that accepts every unicast MAC. */
function packetTypeOf(frame: Uint8Array): PacketType {
  if (frame.subarray(0, 6).every((b) => b === 0xff)) return 'broadcast';
  return ((frame[0] ?? 0) & 1) === 1 ? 'multicast' : 'host';
}
