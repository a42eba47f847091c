// Reception checks of RFC 5880 §6.8.6 that concern the packet alone, and RFC 5881 §5's TTL rule. The driver
// runs receiveControlPacket on every datagram from port 3784 and hands an accepted packet to the session its
// Your Discriminator (or, while that is zero, its source address) selects; session.ts does the rest of §6.8.6.
import { BFD_TTL } from './constants.js';
import { type BfdDropReason, type BfdPacketCheckReason, BfdWireError } from './errors.js';
import { decodeControlPacket, type ControlPacket } from './packet.js';

export type Reception =
  | { kind: 'accepted'; packet: ControlPacket }
  | { kind: 'dropped'; reason: BfdDropReason; detail: string };

export interface PacketProblem {
  reason: BfdPacketCheckReason;
  detail: string;
}

/**
 * RFC 5881 §5: "All received BFD Control packets that are demultiplexed to the session MUST be discarded if
 * the received TTL or Hop Limit is not equal to 255" (when authentication is not in use, which for Herald is
 * always). A packet from farther than one hop away, or forged off-link, arrives with less.
 */
export function checkTtl(ttlOrHopLimit: number): PacketProblem | undefined {
  if (ttlOrHopLimit === BFD_TTL) return undefined;
  return { reason: 'ttlNot255', detail: `received ttl/hop limit ${ttlOrHopLimit}, want ${BFD_TTL}` };
}

/**
 * The §6.8.6 discard rules about a decoded packet's own fields, in the RFC's order. (Version and Length were
 * checked by the decoder, which needs them to find the packet.)
 */
export function checkControlPacket(packet: ControlPacket): PacketProblem | undefined {
  // "If the Detect Mult field is zero, the packet MUST be discarded."
  if (packet.detectMult === 0) return { reason: 'zeroDetectMult', detail: 'detect mult 0' };
  // "If the Multipoint (M) bit is nonzero, the packet MUST be discarded."
  if (packet.multipoint) return { reason: 'multipoint', detail: 'the M bit is set' };
  // "If the My Discriminator field is zero, the packet MUST be discarded."
  if (packet.myDiscriminator === 0) return { reason: 'zeroMyDiscriminator', detail: 'my discriminator 0' };
  // "If the Your Discriminator field is zero and the State field is not Down or AdminDown, the packet MUST be
  // discarded."
  if (packet.yourDiscriminator === 0 && packet.state !== 'Down' && packet.state !== 'AdminDown') {
    return { reason: 'zeroYourDiscriminator', detail: `your discriminator 0 in state ${packet.state}` };
  }
  // "If the A bit is set and no authentication is in use (bfd.AuthType is zero), the packet MUST be
  // discarded." Herald runs no authentication, so bfd.AuthType is zero on every session.
  if (packet.authentication) {
    const type = packet.authentication.type === 'raw' ? `auth type ${packet.authentication.authType}` : packet.authentication.type;
    return { reason: 'authenticationNotInUse', detail: `the A bit is set (${type}) and Herald does not authenticate` };
  }
  return undefined;
}

/** A received datagram (the UDP payload) and its IP TTL or Hop Limit: the packet to use, or why not. */
export function receiveControlPacket(datagram: Uint8Array, ttlOrHopLimit: number): Reception {
  const ttlProblem = checkTtl(ttlOrHopLimit);
  if (ttlProblem) return { kind: 'dropped', ...ttlProblem };
  let packet: ControlPacket;
  try {
    packet = decodeControlPacket(datagram);
  } catch (error) {
    if (error instanceof BfdWireError) return { kind: 'dropped', reason: error.reason, detail: error.detail };
    throw error;
  }
  const problem = checkControlPacket(packet);
  return problem ? { kind: 'dropped', ...problem } : { kind: 'accepted', packet };
}
