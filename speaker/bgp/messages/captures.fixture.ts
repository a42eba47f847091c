// BGP messages written out by hand, octet by octet, from the layouts in RFC 4271 §4, RFC 5492, RFC 4724 §3,
// RFC 4760 §3-4, RFC 1997, RFC 8092 and RFC 9003, in the shapes real peers send (BIRD and FRR put their
// capabilities one per optional parameter, as OPEN_ONE_PARAMETER_PER_CAPABILITY does). They check the codec
// against the RFC text rather than against itself.
const MARKER = 'ff'.repeat(16);

export const CAPTURES = {
  /** KEEPALIVE (RFC 4271 §4.4): the header alone, length 19. */
  keepalive: MARKER + '0013' + '04',

  /** OPEN from AS 65001, hold 90 s, id 192.0.2.1, one capability per optional parameter. */
  openOneParameterPerCapability:
    MARKER + '004b' + '01' +
    '04' + 'fde9' + '005a' + 'c0000201' + '2e' + // version 4, My AS 65001, hold 90, id, 46 octets of parameters
    '0206' + '01040001' + '0001' + //               multiprotocol IPv4 unicast (RFC 4760 §8)
    '0206' + '01040002' + '0001' + //               multiprotocol IPv6 unicast
    '0202' + '0200' + //                            route refresh (RFC 2918 §2)
    '0202' + '4600' + //                            enhanced route refresh (RFC 7313), code 70: kept raw
    '0206' + '4104' + '0000fde9' + //               4-octet AS 65001 (RFC 6793 §3)
    '020c' + '400a' + '0078' + '000101' + '80' + '000201' + '80', // graceful restart 120 s, F set for both families

  /** OPEN from AS 4200000001 (needs 4 octets: My AS is AS_TRANS 23456), hold 0, all capabilities in one parameter. */
  openFourOctetAs:
    MARKER + '0033' + '01' +
    '04' + '5ba0' + '0000' + 'c6336401' + '16' + // version 4, My AS 23456, hold 0, id 198.51.100.1, 22 octets
    '0214' + //                                    one Capabilities parameter of 20 octets
    '01040002' + '0001' + //                       multiprotocol IPv6 unicast
    '4104' + 'fa56ea01' + //                       4-octet AS 4200000001
    '4006' + '80b4' + '000201' + '00', //          graceful restart: R bit, 180 s, IPv6 unicast without F

  /**
   * UPDATE for IPv4: ORIGIN IGP, AS_PATH (AS_SEQUENCE 65001), NEXT_HOP 192.0.2.1, MED 0, COMMUNITIES 65001:100,
   * LARGE_COMMUNITY 65001:1:2; NLRI 198.51.100.7/32 and 203.0.113.0/24.
   */
  updateIPv4:
    MARKER + '0051' + '02' +
    '0000' + '0031' + //                      no withdrawn routes, 49 octets of attributes
    '400101' + '00' + //                      ORIGIN: well-known transitive, IGP
    '400206' + '0201' + '0000fde9' + //       AS_PATH: AS_SEQUENCE of one 4-octet AS
    '400304' + 'c0000201' + //                NEXT_HOP
    '800404' + '00000000' + //                MULTI_EXIT_DISC: optional non-transitive
    'c00804' + 'fde90064' + //                COMMUNITIES: optional transitive
    'c0200c' + '0000fde9' + '00000001' + '00000002' + // LARGE_COMMUNITY
    '20' + 'c6336407' + '18' + 'cb0071', //   NLRI: /32 and /24

  /** UPDATE for IPv6: MP_REACH_NLRI first with a 32-octet next hop (global, link-local), then ORIGIN and AS_PATH. */
  updateIPv6:
    MARKER + '005d' + '02' +
    '0000' + '0046' + //                      70 octets of attributes
    '800e36' + '0002' + '01' + '20' + //      MP_REACH_NLRI, 54 octets: AFI 2, SAFI 1, next hop of 32 octets
    '20010db8000000000000000000000001' + //   2001:db8::1
    'fe800000000000000000000000000001' + //   fe80::1
    '00' + //                                 reserved
    '80' + '20010db8000500000000000000000007' + // 2001:db8:5::7/128
    '400101' + '00' +
    '400206' + '0201' + '0000fde9',

  /** UPDATE withdrawing 2001:db8:5::7/128 with MP_UNREACH_NLRI. */
  withdrawIPv6:
    MARKER + '002e' + '02' +
    '0000' + '0017' + '800f14' + '0002' + '01' + '80' + '20010db8000500000000000000000007',

  /** End-of-RIB for IPv4 unicast (RFC 4724 §2): an UPDATE with nothing in it. */
  endOfRibIPv4: MARKER + '0017' + '02' + '0000' + '0000',

  /** End-of-RIB for IPv6 unicast: only an empty MP_UNREACH_NLRI. */
  endOfRibIPv6: MARKER + '001d' + '02' + '0000' + '0006' + '800f03' + '0002' + '01',

  /** NOTIFICATION Cease / Administrative Shutdown with the Shutdown Communication "maintenance" (RFC 9003 §2). */
  shutdown: MARKER + '0021' + '03' + '06' + '02' + '0b' + '6d61696e74656e616e6365',

  /** ROUTE-REFRESH for IPv6 unicast (RFC 2918 §3). */
  routeRefreshIPv6: MARKER + '0017' + '05' + '0002' + '00' + '01',
} as const;

export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
