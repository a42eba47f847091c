// Why a received BFD Control packet is not used. Every reason is a drop-reason label for the receive loop's
// counter and log (STYLE.md §6, §9): a bad packet is counted and skipped, never thrown out of the loop.

/**
 * The packet cannot be read as a BFD Control packet, so the decoder throws BfdWireError with one of these.
 * The first five are RFC 5880 §6.8.6 discard rules that decide where the packet ends.
 */
export type BfdWireErrorReason =
  | 'truncated' // fewer bytes than the 24-byte mandatory section (or an authentication section) needs
  | 'badVersion' // §6.8.6 "If the version number is not correct (1), the packet MUST be discarded."
  | 'lengthTooShort' // §6.8.6 "If the Length field is less than the minimum correct value (24 if the A bit is clear ...)"
  | 'authenticationSectionMissing' // §6.8.6 the same rule with the A bit set: "... or 26 if the A bit is set)"
  | 'lengthBeyondPayload' // §6.8.6 "If the Length field is greater than the payload of the encapsulating protocol"
  | 'badAuthenticationLength'; // §4.2-4.4: an Auth Len shorter than its own two bytes or reaching past Length

/**
 * Well-formed, but RFC 5880 §6.8.6 or RFC 5881 §5 says to discard it. Judged from the packet alone (and its
 * TTL); the session's own checks are BfdSessionDropReason in session.ts.
 */
export type BfdPacketCheckReason =
  | 'zeroDetectMult' // §6.8.6 "If the Detect Mult field is zero, the packet MUST be discarded."
  | 'multipoint' // §6.8.6 "If the Multipoint (M) bit is nonzero, the packet MUST be discarded."
  | 'zeroMyDiscriminator' // §6.8.6 "If the My Discriminator field is zero, the packet MUST be discarded."
  | 'zeroYourDiscriminator' // §6.8.6 "If the Your Discriminator field is zero and the State field is not Down or AdminDown"
  | 'authenticationNotInUse' // §6.8.6 "If the A bit is set and no authentication is in use (bfd.AuthType is zero)"
  | 'ttlNot255'; // RFC 5881 §5: "MUST be discarded if the received TTL or Hop Limit is not equal to 255"

export type BfdDropReason = BfdWireErrorReason | BfdPacketCheckReason;

/** A datagram that is not a usable BFD Control packet; `reason` is the drop label, the message quotes the values. */
export class BfdWireError extends Error {
  override readonly name = 'BfdWireError';

  constructor(
    readonly reason: BfdWireErrorReason,
    /** The values involved, without the reason: the drop log's detail. */
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}
