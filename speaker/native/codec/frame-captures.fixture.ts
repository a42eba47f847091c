// Frames captured on the lab's segment (veth + bridge, Linux 6.x) with `tcpdump -xx` on a node's interface,
// stored as hex: what the packet filters (bpf.ts) must pass or drop, from real senders rather than our own
// encoders. The senders: arping and ndisc6 on the client, the kernels of client and node.
export const FRAME_CAPTURES = {
  /** arping: who-has 192.0.2.11 tell 192.0.2.10, broadcast. */
  arpRequest: 'ffffffffffff02000000001008060001080006040001020000000010c000020affffffffffffc000020b',
  /** The node's kernel answering it. */
  arpReply: '02000000001002000000001108060001080006040002020000000011c000020b020000000010c000020a',
  /** arping -U: a gratuitous ARP in request form (sender = target = 192.0.2.12). */
  gratuitousArpRequest: 'ffffffffffff02000000001208060001080006040001020000000012c000020cffffffffffffc000020c',
  /** ndisc6 from a link-local source to the solicited-node group of 2001:db8:1::11. */
  solicitationFromLinkLocal:
    '3333ff00001102000000001086dd60046cfa00203afffe80000000000000000000fffe000010ff0200000000000000000001ff000011' +
    '87004c220000000020010db80001000000000000000000110101020000000010',
  /** The client's kernel resolving 2001:db8:1::11 (ping -6), from its global address. */
  solicitation:
    '3333ff00001102000000001086dd6000000000203aff20010db8000100000000000000000010ff0200000000000000000001ff000011' +
    '87001be90000000020010db80001000000000000000000110101020000000010',
  /** A unicast NUD probe: the node's kernel checking the client's entry, sent to the client's MAC. */
  unicastSolicitation:
    '02000000001002000000001186dd6000000000203afffe80000000000000000000fffe00001120010db8000100000000000000000010' +
    '87001c6d0000000020010db80001000000000000000000100101020000000011',
  /** The node's kernel answering the solicitation. */
  advertisement:
    '02000000001002000000001186dd6000000000203aff20010db800010000000000000000001120010db8000100000000000000000010' +
    '88008a326000000020010db80001000000000000000000110201020000000011',
  /** Router solicitation: ICMPv6 type 133, also hop limit 255. */
  routerSolicitation:
    '33330000000202000000001186dd6000000000103afffe80000000000000000000fffe000011ff020000000000000000000000000002' +
    '85007b0c000000000101020000000011',
  /** MLDv2 report: a hop-by-hop header (router alert) before ICMPv6 type 143. */
  mldReport:
    '33330000001602000000001086dd6000000000240001fe80000000000000000000fffe000010ff020000000000000000000000000016' +
    '3a000502000001008f0071e90000000104000000ff0200000000000000000001ff000010',
  /** ping -6: ICMPv6 echo request, hop limit 64. */
  echoRequest:
    '02000000001102000000001086dd60091ed700403a4020010db800010000000000000000001020010db8000100000000000000000011' +
    '80004d45171f00018d54116b000000005ff8020000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e' +
    '2f3031323334353637',
  /** A UDP datagram to port 9: the kind of traffic a node carries by the million. */
  udp:
    '02000000001102000000001086dd600a2b9e000e114020010db800010000000000000000001020010db8000100000000000000000011' +
    'de8e0009000e5bb468656c6c6f0a',
} as const;

export type CapturedFrame = keyof typeof FRAME_CAPTURES;

export function captured(name: CapturedFrame): Uint8Array {
  return Uint8Array.from(Buffer.from(FRAME_CAPTURES[name], 'hex'));
}
