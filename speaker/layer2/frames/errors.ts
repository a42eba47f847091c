/**
 * Why a frame could not be decoded. Each reason is a drop-reason label for the read loop's counter
 * (STYLE.md §9): malformed frames are skipped and counted, never thrown out of the loop.
 */
export type FrameErrorReason =
  | 'truncated' // fewer bytes than the header or a length field promises
  | 'unsupportedHardware' // ARP for something other than Ethernet (htype 1, hlen 6)
  | 'unsupportedProtocol' // ARP for something other than IPv4 (ptype 0x0800, plen 4)
  | 'badVersion' // IPv6 header whose version nibble is not 6
  | 'wrongEtherType' // an Ethernet frame carrying another protocol than the decoder expects
  | 'wrongNextHeader' // an IPv6 packet carrying another protocol than ICMPv6
  | 'badChecksum' // ICMPv6 checksum over the pseudo-header does not verify
  | 'badHopLimit' // NDP message not sent with hop limit 255 (RFC 4861 §7.1.1, §7.1.2)
  | 'badCode' // NDP message with ICMPv6 code other than 0 (RFC 4861 §7.1.1, §7.1.2)
  | 'wrongMessageType' // ICMPv6 type that is not the NDP message asked for
  | 'badOptionLength' // NDP option with length 0 (RFC 4861 §4.6: "nodes MUST silently discard")
  // ndpAddressProblem: well-formed, but RFC 4861 §7.1 says to discard it
  | 'multicastSource' // IPv6 source in ff00::/8, which no packet may carry (RFC 4291 §2.7)
  | 'multicastTarget' // NS or NA whose target is a multicast address (RFC 4861 §7.1.1, §7.1.2)
  | 'dadWithSourceLinkLayer' // NS from :: carrying a source link-layer address option (RFC 4861 §7.1.1)
  | 'dadNotToSolicitedNode'; // NS from :: to anything but a solicited-node group (RFC 4861 §7.1.1)

/** A frame that cannot be decoded; `reason` is machine-readable, the message quotes the values. */
export class FrameError extends Error {
  override readonly name = 'FrameError';

  constructor(
    readonly reason: FrameErrorReason,
    message: string,
  ) {
    super(`${reason}: ${message}`);
  }
}
