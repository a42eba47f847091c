import fc from 'fast-check';
import { capturedDatagram, RTNETLINK_CAPTURES, type RtnetlinkCapture } from './rtnetlink-captures.fixture.js';
import {
  addressFields,
  AF,
  decodeDatagram,
  decodeMessage,
  encodeDatagram,
  encodeDumpRequest,
  encodeMessage,
  IFLA,
  type LinkMessage,
  linkFields,
  NLM_F,
  NLMSG,
  RTM,
  type RtnetlinkMessage,
  RtnetlinkError,
} from './rtnetlink.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const only = (name: RtnetlinkCapture): RtnetlinkMessage => {
  const messages = decodeDatagram(capturedDatagram(name));
  expect(messages).toHaveLength(1);
  return messages[0]!;
};
const link = (name: RtnetlinkCapture): LinkMessage => {
  const m = only(name);
  if (m.kind !== 'link') throw new Error(`${name} is a ${m.kind} message`);
  return m;
};

describe('decoding what the kernel sent', () => {
  it('reads a dump chunk as its messages, in order, with the dump seq and NLM_F_MULTI', () => {
    const messages = decodeDatagram(capturedDatagram('linkDump'));
    expect(messages.map((m) => m.kind)).toEqual(['link', 'link']);
    for (const m of messages) expect(m.header).toMatchObject({ type: RTM.NEWLINK, seq: 7, flags: NLM_F.MULTI });
  });

  it('reads the link fields of lo and a veth', () => {
    const [lo, eth0] = decodeDatagram(capturedDatagram('linkDump')) as LinkMessage[];
    expect(lo).toMatchObject({ family: AF.UNSPEC, linkType: 772, index: 1, flags: 0x10049 });
    expect(linkFields(lo!)).toMatchObject({ name: 'lo', mtu: 65536, operstate: 0, carrierUpCount: 0 });
    expect(eth0).toMatchObject({ family: AF.UNSPEC, linkType: 1, index: 2, flags: 0x11043 });
    const fields = linkFields(eth0!);
    expect(fields).toMatchObject({ name: 'eth0', mtu: 1500, operstate: 6, carrier: 1, carrierUpCount: 1 });
    expect(hex(fields.address!)).toBe('020000000011');
    expect(fields.master).toBeUndefined();
  });

  it('reads IFLA_MASTER of an enslaved link', () => {
    expect(linkFields(link('enslaved'))).toMatchObject({ name: 'hl-dum0', master: 4 });
    expect(linkFields(link('released')).master).toBeUndefined();
  });

  it('tells bridge-port news (AF_BRIDGE) from link news', () => {
    expect(link('bridgePort')).toMatchObject({ family: AF.BRIDGE, index: 3, header: { type: RTM.NEWLINK } });
    expect(link('bridgePortGone')).toMatchObject({ family: AF.BRIDGE, index: 3, header: { type: RTM.DELLINK } });
    expect(link('deletedLink')).toMatchObject({ family: AF.UNSPEC, index: 3, header: { type: RTM.DELLINK } });
  });

  it('reads addresses of both families with their prefix length and interface', () => {
    const messages = decodeDatagram(capturedDatagram('addressDump'));
    expect(messages).toHaveLength(25);
    const v4 = only('newAddress4');
    if (v4.kind !== 'address') throw new Error('not an address');
    expect(v4).toMatchObject({ family: AF.INET, prefixLength: 24, index: 3, header: { type: RTM.NEWADDR } });
    expect(hex(addressFields(v4).local!)).toBe('c000024d');
    expect(addressFields(v4).label).toBe('hl-dum0');
    const v6 = only('newAddress6');
    if (v6.kind !== 'address') throw new Error('not an address');
    expect(v6).toMatchObject({ family: AF.INET6, prefixLength: 64, index: 3 });
    expect(hex(addressFields(v6).local!)).toBe('20010db8000e00000000000000000001');
  });

  it('reads NLMSG_DONE and NLMSG_ERROR with the errno and the request it answers', () => {
    expect(only('linkDumpDone')).toMatchObject({ kind: 'done', header: { type: NLMSG.DONE, seq: 7 } });
    expect(only('dumpError')).toMatchObject({ kind: 'error', errno: 95, request: { type: 99, seq: 3, flags: NLM_F.REQUEST | NLM_F.DUMP } });
  });
});

describe('round trips', () => {
  it.each(Object.keys(RTNETLINK_CAPTURES) as RtnetlinkCapture[])('%s re-encodes to the bytes the kernel sent', (name) => {
    const bytes = capturedDatagram(name);
    const messages = decodeDatagram(bytes);
    if (name === 'dumpError') {
      // The kernel echoes the whole request after the header; the codec keeps only the header.
      expect(decodeDatagram(encodeDatagram(messages))).toEqual(messages);
      return;
    }
    expect(hex(encodeDatagram(messages))).toBe(hex(bytes));
  });

  it('decodes a message inside a larger buffer (a view with an offset)', () => {
    const bytes = capturedDatagram('newAddress6');
    const larger = new Uint8Array(bytes.length + 13);
    larger.set(bytes, 7);
    expect(decodeMessage(larger.subarray(7, 7 + bytes.length))).toEqual(decodeMessage(bytes));
  });

  it('decode → encode → decode is stable for arbitrary attributes', () => {
    const attribute = fc.record({ type: fc.integer({ min: 0, max: 0xffff }), value: fc.uint8Array({ maxLength: 40 }) });
    fc.assert(fc.property(fc.array(attribute, { maxLength: 6 }), fc.integer({ min: 0, max: 0xffffffff }), (attributes, index) => {
      const message: LinkMessage = { kind: 'link', header: { type: RTM.NEWLINK, flags: 0, seq: 1, pid: 0 }, family: 0, linkType: 1, index,
        flags: 0, change: 0, attributes };
      const bytes = encodeMessage(message);
      expect(decodeMessage(bytes)).toEqual(message);
      expect(hex(encodeMessage(decodeMessage(bytes)))).toBe(hex(bytes));
    }));
  });
});

describe('dump requests', () => {
  it('asks for every link without counters, and every address of every family', () => {
    // nlmsghdr(len 40, RTM_GETLINK, REQUEST|DUMP, seq 5) + ifinfomsg(0...) + IFLA_EXT_MASK(8 bytes: SKIP_STATS)
    expect(hex(encodeDumpRequest('links', 5))).toBe(
      '28000000' + '1200' + '0103' + '05000000' + '00000000' + '00000000' + '00000000' + '00000000' + '00000000' + '08001d00' + '08000000',
    );
    expect(hex(encodeDumpRequest('addresses', 6))).toBe('18000000' + '1600' + '0103' + '06000000' + '00000000' + '00' + '00' + '00' + '00' + '00000000');
    const request = decodeMessage(encodeDumpRequest('links', 5));
    expect(request).toMatchObject({ kind: 'other', header: { type: RTM.GETLINK, seq: 5 } });
  });
});

describe('malformed input is an RtnetlinkError, never another exception', () => {
  it.each<[string, Uint8Array, string]>([
    ['a short header', Uint8Array.of(1, 2, 3), 'truncated'],
    ['a length below the header', Uint8Array.from(Buffer.from('08000000100000000000000000000000', 'hex')), 'badLength'],
    ['a length past the end', Uint8Array.from(Buffer.from('40000000100000000000000000000000', 'hex')), 'badLength'],
    ['an ifinfomsg cut short', Uint8Array.from(Buffer.from('1400000010000000000000000000000000000000', 'hex')), 'truncated'],
  ])('%s', (_, bytes, reason) => {
    expect(() => decodeDatagram(bytes)).toThrow(expect.objectContaining({ reason }));
  });

  it('an attribute shorter than its own header', () => {
    const message = encodeMessage({ kind: 'link', header: { type: RTM.NEWLINK, flags: 0, seq: 0, pid: 0 }, family: 0, linkType: 1, index: 1,
      flags: 0, change: 0, attributes: [{ type: IFLA.MTU, value: Uint8Array.of(0, 0, 0, 0) }] });
    message[32] = 2; // rta_len of the first attribute
    expect(() => decodeDatagram(message)).toThrow(expect.objectContaining({ reason: 'badLength' }));
  });

  it('a fixed-size attribute of the wrong size, when read', () => {
    const message: LinkMessage = { kind: 'link', header: { type: RTM.NEWLINK, flags: 0, seq: 0, pid: 0 }, family: 0, linkType: 1, index: 1,
      flags: 0, change: 0, attributes: [{ type: IFLA.MASTER, value: Uint8Array.of(1, 0) }] };
    expect(() => linkFields(message)).toThrow('IFLA_MASTER is 2 bytes, want 4');
  });

  it('random bytes only ever decode or throw RtnetlinkError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
      try {
        for (const m of decodeDatagram(bytes)) if (m.kind === 'link') linkFields(m);
      } catch (err) {
        expect(err).toBeInstanceOf(RtnetlinkError);
      }
    }), { numRuns: 3000 });
  });
});
