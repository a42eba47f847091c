import fc from 'fast-check';
import { KEEP_WHOLE_FRAME, checkProgram } from './bpf.js';
import { captured, type CapturedFrame } from './frame-captures.fixture.js';
import { arpRequestFilter, filterFor, neighborSolicitationFilter } from './packet-filters.js';
import { type BpfPacket, runBpf } from './testing/bpf-interpreter.js';

const IFINDEX = 7;
/** linux/if_packet.h */
const PACKET = { HOST: 0, BROADCAST: 1, MULTICAST: 2, OTHERHOST: 3, OUTGOING: 4, LOOPBACK: 5 } as const;

const ARP = arpRequestFilter(IFINDEX);
const NS = neighborSolicitationFilter(IFINDEX);

/** A frame as it arrives for us: on our interface, untagged, broadcast (the metadata most requests carry). */
const arriving = (data: Uint8Array, meta: Partial<BpfPacket> = {}): BpfPacket => ({ data, pktType: PACKET.BROADCAST, ifindex: IFINDEX, ...meta });
const passes = (program: typeof ARP, name: CapturedFrame, meta: Partial<BpfPacket> = {}): boolean => runBpf(program, arriving(captured(name), meta)) !== 0;

describe('the ARP filter, on frames captured in the lab', () => {
  it.each<[CapturedFrame, boolean]>([
    ['arpRequest', true],
    ['gratuitousArpRequest', true], // a request; the responder drops it as 'gratuitous'
    ['arpReply', false],
  ])('%s passes: %s', (name, expected) => {
    expect(passes(ARP, name)).toBe(expected);
  });

  it('keeps the whole frame it passes', () => {
    expect(runBpf(ARP, arriving(captured('arpRequest')))).toBe(KEEP_WHOLE_FRAME);
  });
});

describe('the Neighbor Solicitation filter, on frames captured in the lab', () => {
  it.each<[CapturedFrame, boolean]>([
    ['solicitation', true],
    ['solicitationFromLinkLocal', true],
    ['unicastSolicitation', true], // NUD probes are answered too
    ['advertisement', false],
    ['routerSolicitation', false], // ICMPv6 with hop limit 255, but type 133
    ['mldReport', false], // a hop-by-hop header before ICMPv6
    ['echoRequest', false],
    ['udp', false],
  ])('%s passes: %s', (name, expected) => {
    expect(passes(NS, name)).toBe(expected);
  });

  it('drops a solicitation whose hop limit is not 255 (RFC 4861 §7.1.1: not from the link)', () => {
    const forwarded = captured('solicitation');
    forwarded[21] = 64;
    expect(runBpf(NS, arriving(forwarded))).toBe(0);
  });

  it('drops a frame too short to hold the ICMPv6 type', () => {
    expect(runBpf(NS, arriving(captured('solicitation').subarray(0, 54)))).toBe(0);
  });
});

describe('how a request arrived (issue 12: a tagged request was answered untagged)', () => {
  it.each<[string, Partial<BpfPacket>, boolean]>([
    ['to this host', { pktType: PACKET.HOST }, true],
    ['to broadcast', { pktType: PACKET.BROADCAST }, true],
    ['to a multicast group (the solicited-node group)', { pktType: PACKET.MULTICAST }, true],
    ['to another host\'s MAC (a NIC in promiscuous mode, or a tagged frame for a VLAN the node lacks)', { pktType: PACKET.OTHERHOST }, false],
    ['our own, going out', { pktType: PACKET.OUTGOING }, false],
    ['looped back', { pktType: PACKET.LOOPBACK }, false],
    ['with a VLAN tag the kernel kept', { vlanTagPresent: true }, false],
    ['on a device stacked on ours (a VLAN device, a macvlan)', { ifindex: IFINDEX + 1 }, false],
  ])('a request %s passes: %s', (_, meta, expected) => {
    expect(passes(ARP, 'arpRequest', meta)).toBe(expected);
    expect(passes(NS, 'solicitation', meta)).toBe(expected);
  });
});

describe('the filters against random frames and arrivals', () => {
  it('pass exactly what their definition says, never more', () => {
    const arrival = fc.record({ pktType: fc.integer({ min: 0, max: 7 }), ifindex: fc.integer({ min: 1, max: 9 }), vlanTagPresent: fc.boolean() });
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), arrival, (frame, meta) => {
      const forUs = meta.pktType <= PACKET.MULTICAST && meta.ifindex === IFINDEX && !meta.vlanTagPresent;
      const isRequest = frame.length >= 22 && frame[20] === 0 && frame[21] === 1;
      const isSolicitation = frame.length >= 55 && frame[20] === 58 && frame[21] === 255 && frame[54] === 135;
      expect(runBpf(ARP, { data: frame, ...meta }) !== 0).toBe(forUs && isRequest);
      expect(runBpf(NS, { data: frame, ...meta }) !== 0).toBe(forUs && isSolicitation);
    }), { numRuns: 3000 });
  });
});

describe('filterFor', () => {
  it('has a program for ARP and IPv6 sockets, none for others', () => {
    expect(filterFor(0x0806, IFINDEX)).toEqual(ARP);
    expect(filterFor(0x86dd, IFINDEX)).toEqual(NS);
    expect(filterFor(0x0800, IFINDEX)).toBeUndefined();
  });

  it('builds programs the kernel accepts', () => {
    expect(() => checkProgram(ARP)).not.toThrow();
    expect(() => checkProgram(NS)).not.toThrow();
  });

  it.each([0, -1, 1.5, 2 ** 31])('refuses ifindex %p, naming it', (ifindex) => {
    expect(() => arpRequestFilter(ifindex)).toThrow(`ifindex ${ifindex} is not a kernel interface index`);
  });
});
