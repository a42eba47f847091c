// Frames the Linux kernel itself sent between two namespaces (veth, 6.x kernel), captured with
// `tcpdump -w` while `ping -6` resolved its neighbour, stored as hex. They prove the checksum code and the
// encoders against an independent implementation, not against themselves.
export const KERNEL_CAPTURES = {
  /** DAD probe for fe80::ff:fe00:c01: source ::, to its solicited-node group, with a nonce option (type 14). */
  dadSolicitation:
    '3333ff000c01020000000c0186dd6000000000203aff00000000000000000000000000000000ff0200000000000000000001ff000c01' +
    '87008ed400000000fe80000000000000000000fffe000c010e01637fab75b952',
  /** 2001:db8:c::1 asks for 2001:db8:c::2, with its source link-layer address 02:00:00:00:0c:01. */
  solicitation:
    '3333ff000002020000000c0186dd6000000000203aff20010db8000c00000000000000000001ff0200000000000000000001ff000002' +
    '8700100f0000000020010db8000c000000000000000000020101020000000c01',
  /** 2001:db8:c::2's answer: solicited + override, target link-layer address 02:00:00:00:0c:02. */
  advertisement:
    '020000000c01020000000c0286dd6000000000203aff20010db8000c0000000000000000000220010db8000c000000000000000000' +
    '0188007e4d6000000020010db8000c000000000000000000020201020000000c02',
} as const;

export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'hex'));
}
