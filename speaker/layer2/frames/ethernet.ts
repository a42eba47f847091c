// Ethernet II frames (IEEE 802.3 with an EtherType), optionally with one IEEE 802.1Q / 802.1ad tag.
// AF_PACKET usually hands frames over with the VLAN tag already stripped by the NIC, but a tag left in
// place must not make the frame unreadable, so it is decoded and kept.
import { ByteWriter } from '../../../lib/wire/index.js';
import { type MacAddress, parseMac } from './addresses.js';
import { ETHERNET_MIN_FRAME_LENGTH, ETHERTYPE_QINQ, ETHERTYPE_VLAN } from './constants.js';
import { frameReader, readMac } from './wire.js';

/** IEEE 802.1Q tag control information. */
export interface VlanTag {
  /** The tag protocol identifier that announced the tag: ETHERTYPE_VLAN or ETHERTYPE_QINQ. */
  tpid: number;
  /** Priority code point, 3 bits. */
  pcp: number;
  /** Drop eligible indicator, 1 bit. */
  dei: boolean;
  /** VLAN identifier, 12 bits. */
  vid: number;
}

export interface EthernetFrame {
  destination: MacAddress;
  source: MacAddress;
  vlan: VlanTag | null;
  /** The EtherType of the payload (after the tag, if any). */
  etherType: number;
  /** Everything after the header, including any padding the sender added to reach 60 bytes. */
  payload: Uint8Array;
}

/** Decodes an Ethernet II header; throws FrameError('truncated') if the header is incomplete. */
export function decodeEthernet(bytes: Uint8Array): EthernetFrame {
  const reader = frameReader(bytes);
  const destination = readMac(reader, 'ethernet destination');
  const source = readMac(reader, 'ethernet source');
  let etherType = reader.u16('ethertype');
  let vlan: VlanTag | null = null;
  if (etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ) {
    const tci = reader.u16('802.1Q tag control');
    vlan = { tpid: etherType, pcp: tci >>> 13, dei: (tci & 0x1000) !== 0, vid: tci & 0x0fff };
    etherType = reader.u16('ethertype after 802.1Q tag');
  }
  return { destination, source, vlan, etherType, payload: reader.rest() };
}

/*
 * Ethernet II, untagged (14-byte header):
 *   0      6      12         14
 *   | dst  | src  | ethertype | payload ...
 * With an 802.1Q tag (18-byte header):
 *   | dst  | src  | tpid 0x8100 | PCP:3 DEI:1 VID:12 | ethertype | payload ...
 * Frames shorter than 60 bytes are zero-padded: some NICs do not pad what AF_PACKET hands them.
 */
export function encodeEthernet(frame: EthernetFrame): Uint8Array {
  const headerLength = frame.vlan === null ? 14 : 18;
  const length = Math.max(ETHERNET_MIN_FRAME_LENGTH, headerLength + frame.payload.length);
  const writer = new ByteWriter(length).bytes(parseMac(frame.destination)).bytes(parseMac(frame.source));
  if (frame.vlan !== null) {
    const { tpid, pcp, dei, vid } = frame.vlan;
    writer.u16(tpid).u16(((pcp & 0x7) << 13) | (dei ? 0x1000 : 0) | (vid & 0x0fff));
  }
  writer.u16(frame.etherType).bytes(frame.payload);
  return writer.zeros(length - writer.offset).finish(); // the padding, if any
}
