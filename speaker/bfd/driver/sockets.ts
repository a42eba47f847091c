// The BFD driver's two kinds of UDP socket (RFC 5881 §4). node:dgram does the reading and sending; the addon
// (native/herald_udp.c) creates the receiving socket with the TTL filter attached before bind, so no packet
// that arrived with a TTL other than 255 is ever queued (codec/bfd-ttl-filter.ts), and hands its fd to dgram.
import { createSocket, type Socket } from 'node:dgram';
import { closeSync } from 'node:fs';
import { endianness } from 'node:os';
import ipaddr from 'ipaddr.js';
import { loadAddon } from '../../native/addon.js';
import { encodeProgram } from '../../native/codec/bpf.js';
import { bfdTtlFilter, SINGLE_HOP_TTL } from '../../native/codec/bfd-ttl-filter.js';
import { bindDgram } from '../../membership/socket.js';

export type BfdFamily = 4 | 6;

export function familyOf(address: string): BfdFamily {
  if (!ipaddr.isValid(address)) throw new RangeError(`bfd: "${address}" is not an IP address`);
  return ipaddr.parse(address).kind() === 'ipv4' ? 4 : 6;
}

/** A socket on `address`:`port` (3784, the Control port) that the kernel feeds only TTL-255 datagrams. */
export async function openControlReceiver(address: string, port: number): Promise<{ socket: Socket; fd: number }> {
  const family = familyOf(address);
  const addon = loadAddon();
  const program = encodeProgram(bfdTtlFilter(), endianness() === 'LE');
  const fd = addon.openUdpSocket(family, address, port, program);
  const socket = createSocket({ type: family === 4 ? 'udp4' : 'udp6', reuseAddr: false });
  try {
    await bindDgram(socket, (done) => socket.bind({ fd }, done));
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return { socket, fd };
}

/**
 * A session's sending socket: bound to the local address and the session's own source port (§4: one port
 * per session, in 49152-65535), sending with TTL or Hop Limit 255 (§5), so the peer's check passes.
 */
export async function openSender(address: string, port: number): Promise<Socket> {
  const socket = createSocket({ type: familyOf(address) === 4 ? 'udp4' : 'udp6', reuseAddr: false });
  await bindDgram(socket, (done) => socket.bind(port, address, done));
  socket.setTTL(SINGLE_HOP_TTL);
  return socket;
}
