// rtnetlink messages about links and addresses (RFC 3549; include/uapi/linux/netlink.h, rtnetlink.h,
// if_link.h, if_addr.h): what the kernel sends on a NETLINK_ROUTE socket subscribed to RTMGRP_LINK and
// RTMGRP_IPV*_IFADDR, and the dump requests the speaker sends. Pure: bytes in, values out, and back.
//
// Netlink is in the host's byte order (little-endian on amd64 and arm64, the platforms Herald ships for);
// every structure and attribute is padded to 4 bytes. Attributes are kept in the order they arrived, as
// type + raw value, so a message re-encodes to the same bytes; linkFields() and addressFields() read the
// ones the speaker needs. An attribute we do not know is kept raw, never an error.
import { ByteReader, ByteWriter, type Truncation } from '../../../lib/wire/index.js';

/** include/uapi/linux/netlink.h */
export const NLMSG_HDRLEN = 16;
export const NLMSG = { NOOP: 1, ERROR: 2, DONE: 3, OVERRUN: 4 } as const;
export const NLM_F = { REQUEST: 0x1, MULTI: 0x2, ACK: 0x4, DUMP_INTR: 0x10, ROOT: 0x100, MATCH: 0x200, DUMP: 0x300 } as const;
/** include/uapi/linux/rtnetlink.h message types and legacy multicast group bits. */
export const RTM = { NEWLINK: 16, DELLINK: 17, GETLINK: 18, NEWADDR: 20, DELADDR: 21, GETADDR: 22 } as const;
export const RTMGRP = { LINK: 0x1, IPV4_IFADDR: 0x10, IPV6_IFADDR: 0x100 } as const;
export const RTEXT_FILTER_SKIP_STATS = 1 << 3;
/** include/uapi/linux/if_link.h */
export const IFLA = { ADDRESS: 1, IFNAME: 3, MTU: 4, MASTER: 10, OPERSTATE: 16, EXT_MASK: 29, CARRIER: 33, CARRIER_UP_COUNT: 47 } as const;
/** include/uapi/linux/if_addr.h */
export const IFA = { ADDRESS: 1, LOCAL: 2, LABEL: 3, FLAGS: 8 } as const;
/** include/uapi/linux/if.h interface flags (ifi_flags). */
export const IFF = { UP: 0x1, LOOPBACK: 0x8, RUNNING: 0x40, NOARP: 0x80, LOWER_UP: 0x10000 } as const;
/** RFC 2863 operational states (IFLA_OPERSTATE). */
export const IF_OPER = { UNKNOWN: 0, NOTPRESENT: 1, DOWN: 2, LOWERLAYERDOWN: 3, TESTING: 4, DORMANT: 5, UP: 6 } as const;
/** Address families (include/linux/socket.h). AF_BRIDGE link messages are bridge-port news, not links. */
export const AF = { UNSPEC: 0, INET: 2, BRIDGE: 7, INET6: 10 } as const;
/** include/uapi/linux/if_arp.h ARPHRD_ETHER. */
export const ARPHRD_ETHER = 1;
/** NLA_F_NESTED | NLA_F_NET_BYTEORDER: flag bits on top of an attribute's type. */
const NLA_TYPE_MASK = 0x3fff;

export type RtnetlinkErrorReason = 'truncated' | 'badLength';

/** Bytes that are not a well-formed netlink message; the message quotes what was found. */
export class RtnetlinkError extends Error {
  override readonly name = 'RtnetlinkError';

  constructor(readonly reason: RtnetlinkErrorReason, message: string) {
    super(`${reason}: ${message}`);
  }
}

const truncated = (t: Truncation): RtnetlinkError => new RtnetlinkError('truncated', t.message);
const reader = (bytes: Uint8Array): ByteReader => new ByteReader(bytes, { truncated });

export interface NetlinkHeader {
  type: number;
  flags: number;
  seq: number;
  pid: number;
}

/** One route attribute: its type (flag bits included, as sent) and its value, unpadded. */
export interface RtAttribute {
  type: number;
  value: Uint8Array;
}

/** RTM_NEWLINK / RTM_DELLINK: struct ifinfomsg and its IFLA_* attributes. */
export interface LinkMessage {
  kind: 'link';
  header: NetlinkHeader;
  family: number;
  /** ARPHRD_* link type. */
  linkType: number;
  index: number;
  /** IFF_* flags. */
  flags: number;
  change: number;
  attributes: RtAttribute[];
}

/** RTM_NEWADDR / RTM_DELADDR: struct ifaddrmsg and its IFA_* attributes. */
export interface AddressMessage {
  kind: 'address';
  header: NetlinkHeader;
  family: number;
  prefixLength: number;
  flags: number;
  scope: number;
  index: number;
  attributes: RtAttribute[];
}

/** NLMSG_ERROR: errno 0 is an acknowledgement; `request` is the header of the message it answers. */
export interface ErrorMessage {
  kind: 'error';
  header: NetlinkHeader;
  errno: number;
  request: NetlinkHeader;
}

/** NLMSG_DONE: the end of a dump. */
export interface DoneMessage {
  kind: 'done';
  header: NetlinkHeader;
}

/** Any other message type, kept raw. */
export interface OtherMessage {
  kind: 'other';
  header: NetlinkHeader;
  payload: Uint8Array;
}

export type RtnetlinkMessage = LinkMessage | AddressMessage | ErrorMessage | DoneMessage | OtherMessage;

/** Every message in one datagram, in order (a dump chunk holds many; an event usually one). */
export function decodeDatagram(bytes: Uint8Array): RtnetlinkMessage[] {
  const messages: RtnetlinkMessage[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const rest = bytes.subarray(offset);
    if (rest.length < NLMSG_HDRLEN) throw new RtnetlinkError('truncated', `${rest.length} bytes left at offset ${offset}, less than a header`);
    const length = new DataView(rest.buffer, rest.byteOffset, 4).getUint32(0, true);
    if (length < NLMSG_HDRLEN || length > rest.length) {
      throw new RtnetlinkError('badLength', `message at offset ${offset} says ${length} bytes, ${rest.length} left`);
    }
    messages.push(decodeMessage(rest.subarray(0, length)));
    offset += align4(length);
  }
  return messages;
}

/*
 * struct nlmsghdr (16 bytes):
 *   | u32 length (header included) | u16 type | u16 flags | u32 seq | u32 pid |
 */
function readHeader(r: ByteReader): { length: number; header: NetlinkHeader } {
  const length = r.u32le('nlmsg_len');
  const type = r.u16le('nlmsg_type');
  const flags = r.u16le('nlmsg_flags');
  const seq = r.u32le('nlmsg_seq');
  const pid = r.u32le('nlmsg_pid');
  return { length, header: { type, flags, seq, pid } };
}

/** One message of exactly `bytes.length` bytes (its nlmsg_len). */
export function decodeMessage(bytes: Uint8Array): RtnetlinkMessage {
  const r = reader(bytes);
  const { length, header } = readHeader(r);
  if (length !== bytes.length) throw new RtnetlinkError('badLength', `nlmsg_len ${length}, message has ${bytes.length} bytes`);
  const body = reader(r.view(length - NLMSG_HDRLEN, 'payload'));
  switch (header.type) {
    case RTM.NEWLINK:
    case RTM.DELLINK:
      return decodeLink(header, body);
    case RTM.NEWADDR:
    case RTM.DELADDR:
      return decodeAddress(header, body);
    case NLMSG.ERROR:
      return decodeError(header, body);
    case NLMSG.DONE:
      return { kind: 'done', header };
    default:
      return { kind: 'other', header, payload: body.rest() };
  }
}

/*
 * struct ifinfomsg (16 bytes), then attributes:
 *   | u8 family | u8 pad | u16 type (ARPHRD) | s32 index | u32 flags (IFF) | u32 change |
 */
function decodeLink(header: NetlinkHeader, r: ByteReader): LinkMessage {
  const family = r.u8('ifi_family');
  r.skip(1, 'ifi_pad');
  const linkType = r.u16le('ifi_type');
  const index = r.u32le('ifi_index');
  const flags = r.u32le('ifi_flags');
  const change = r.u32le('ifi_change');
  return { kind: 'link', header, family, linkType, index, flags, change, attributes: readAttributes(r) };
}

/*
 * struct ifaddrmsg (8 bytes), then attributes:
 *   | u8 family | u8 prefixlen | u8 flags | u8 scope | u32 index |
 */
function decodeAddress(header: NetlinkHeader, r: ByteReader): AddressMessage {
  const family = r.u8('ifa_family');
  const prefixLength = r.u8('ifa_prefixlen');
  const flags = r.u8('ifa_flags');
  const scope = r.u8('ifa_scope');
  const index = r.u32le('ifa_index');
  return { kind: 'address', header, family, prefixLength, flags, scope, index, attributes: readAttributes(r) };
}

/*
 * struct nlmsgerr: | s32 error (a negative errno, 0 for an ACK) | struct nlmsghdr of the request | ...
 * (the request's payload, or extended ACK attributes, follow; kept by neither side here).
 */
function decodeError(header: NetlinkHeader, r: ByteReader): ErrorMessage {
  const error = r.u32le('nlmsgerr error') | 0;
  const request = readHeader(r).header;
  r.skip(r.remaining, 'nlmsgerr rest');
  return { kind: 'error', header, errno: -error, request };
}

/*
 * struct rtattr, repeated to the end of the message, each padded to 4 bytes:
 *   | u16 length (header included) | u16 type | value ... | pad |
 */
function readAttributes(r: ByteReader): RtAttribute[] {
  const attributes: RtAttribute[] = [];
  while (r.remaining > 0) {
    const at = r.offset;
    const length = r.u16le('rta_len');
    const type = r.u16le('rta_type');
    if (length < 4) throw new RtnetlinkError('badLength', `attribute type ${type} at offset ${at} says ${length} bytes, less than its header`);
    attributes.push({ type, value: r.bytes(length - 4, `attribute ${type & NLA_TYPE_MASK} value`) });
    r.skip(Math.min(align4(length) - length, r.remaining), 'attribute padding');
  }
  return attributes;
}

export function align4(n: number): number {
  return (n + 3) & ~3;
}

/** The value of the first attribute of `type` (flag bits ignored), or undefined. */
export function attribute(attributes: readonly RtAttribute[], type: number): Uint8Array | undefined {
  return attributes.find((a) => (a.type & NLA_TYPE_MASK) === type)?.value;
}

function u32Of(value: Uint8Array | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (value.length !== 4) throw new RtnetlinkError('badLength', `${name} is ${value.length} bytes, want 4`);
  return reader(value).u32le(name);
}

function u8Of(value: Uint8Array | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (value.length !== 1) throw new RtnetlinkError('badLength', `${name} is ${value.length} bytes, want 1`);
  return value[0];
}

const UTF8 = new TextDecoder();

/** A NUL-terminated string attribute (the NUL and anything after it dropped). */
function stringOf(value: Uint8Array | undefined): string | undefined {
  if (value === undefined) return undefined;
  const end = value.indexOf(0);
  return UTF8.decode(end < 0 ? value : value.subarray(0, end));
}

/** The link attributes the interface watcher needs. */
export interface LinkFields {
  name?: string;
  /** Link-layer address (6 bytes for Ethernet). */
  address?: Uint8Array;
  mtu?: number;
  /** ifindex of the bridge or bond this link is enslaved to (absent or 0: none). */
  master?: number;
  /** IF_OPER_* (RFC 2863). */
  operstate?: number;
  carrier?: number;
  /** Times the carrier came up (Linux >= 4.16). */
  carrierUpCount?: number;
}

export function linkFields(link: LinkMessage): LinkFields {
  const a = link.attributes;
  return dropUndefined({
    name: stringOf(attribute(a, IFLA.IFNAME)),
    address: attribute(a, IFLA.ADDRESS),
    mtu: u32Of(attribute(a, IFLA.MTU), 'IFLA_MTU'),
    master: u32Of(attribute(a, IFLA.MASTER), 'IFLA_MASTER'),
    operstate: u8Of(attribute(a, IFLA.OPERSTATE), 'IFLA_OPERSTATE'),
    carrier: u8Of(attribute(a, IFLA.CARRIER), 'IFLA_CARRIER'),
    carrierUpCount: u32Of(attribute(a, IFLA.CARRIER_UP_COUNT), 'IFLA_CARRIER_UP_COUNT'),
  });
}

/** The address attributes the interface watcher needs. */
export interface AddressFields {
  /** IFA_LOCAL where present (the local end of a point-to-point link), else IFA_ADDRESS. */
  local?: Uint8Array;
  label?: string;
}

export function addressFields(address: AddressMessage): AddressFields {
  const a = address.attributes;
  return dropUndefined({ local: attribute(a, IFA.LOCAL) ?? attribute(a, IFA.ADDRESS), label: stringOf(attribute(a, IFA.LABEL)) });
}

function dropUndefined<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as T;
}

/* Encoding: the same layouts as above, written back. */

function writeHeader(w: ByteWriter, length: number, header: NetlinkHeader): void {
  w.u32le(length).u16le(header.type).u16le(header.flags).u32le(header.seq).u32le(header.pid);
}

function attributesLength(attributes: readonly RtAttribute[]): number {
  return attributes.reduce((sum, a) => sum + align4(4 + a.value.length), 0);
}

function writeAttributes(w: ByteWriter, attributes: readonly RtAttribute[]): void {
  for (const a of attributes) {
    const length = 4 + a.value.length;
    w.u16le(length).u16le(a.type).bytes(a.value).zeros(align4(length) - length);
  }
}

/** One message as the kernel would send it (nlmsg_len computed; padding zeroed). */
export function encodeMessage(message: RtnetlinkMessage): Uint8Array {
  switch (message.kind) {
    case 'link': {
      const length = NLMSG_HDRLEN + 16 + attributesLength(message.attributes);
      const w = new ByteWriter(length);
      writeHeader(w, length, message.header);
      w.u8(message.family).u8(0).u16le(message.linkType).u32le(message.index).u32le(message.flags).u32le(message.change);
      writeAttributes(w, message.attributes);
      return w.finish();
    }
    case 'address': {
      const length = NLMSG_HDRLEN + 8 + attributesLength(message.attributes);
      const w = new ByteWriter(length);
      writeHeader(w, length, message.header);
      w.u8(message.family).u8(message.prefixLength).u8(message.flags).u8(message.scope).u32le(message.index);
      writeAttributes(w, message.attributes);
      return w.finish();
    }
    case 'error': {
      const length = NLMSG_HDRLEN + 4 + NLMSG_HDRLEN;
      const w = new ByteWriter(length);
      writeHeader(w, length, message.header);
      w.u32le(-message.errno >>> 0);
      writeHeader(w, NLMSG_HDRLEN, message.request);
      return w.finish();
    }
    case 'done': {
      // The kernel's NLMSG_DONE carries an int (0) after the header.
      const w = new ByteWriter(NLMSG_HDRLEN + 4);
      writeHeader(w, NLMSG_HDRLEN + 4, message.header);
      return w.u32le(0).finish();
    }
    case 'other': {
      const length = NLMSG_HDRLEN + message.payload.length;
      const w = new ByteWriter(align4(length));
      writeHeader(w, length, message.header);
      return w.bytes(message.payload).zeros(align4(length) - length).finish();
    }
  }
}

/** Several messages as one datagram (each padded to 4 bytes), as a dump chunk arrives. */
export function encodeDatagram(messages: readonly RtnetlinkMessage[]): Uint8Array {
  const parts = messages.map(encodeMessage);
  const out = new ByteWriter(parts.reduce((sum, p) => sum + align4(p.length), 0));
  for (const p of parts) out.bytes(p).zeros(align4(p.length) - p.length);
  return out.finish();
}

export type DumpKind = 'links' | 'addresses';

/**
 * A dump request: RTM_GETLINK with an ifinfomsg and IFLA_EXT_MASK = RTEXT_FILTER_SKIP_STATS (no
 * counters: a third of each link message), or RTM_GETADDR with an ifaddrmsg for every family.
 */
export function encodeDumpRequest(what: DumpKind, seq: number): Uint8Array {
  const header = { flags: NLM_F.REQUEST | NLM_F.DUMP, seq, pid: 0 };
  if (what === 'links') {
    const mask = new ByteWriter(4).u32le(RTEXT_FILTER_SKIP_STATS).finish();
    return encodeMessage({ kind: 'link', header: { ...header, type: RTM.GETLINK }, family: AF.UNSPEC, linkType: 0, index: 0, flags: 0,
      change: 0, attributes: [{ type: IFLA.EXT_MASK, value: mask }] });
  }
  return encodeMessage({ kind: 'address', header: { ...header, type: RTM.GETADDR }, family: AF.UNSPEC, prefixLength: 0, flags: 0,
    scope: 0, index: 0, attributes: [] });
}
