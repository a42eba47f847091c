import { checkTtl, encodeControlPacket, receiveControlPacket, type BfdDropReason, type ControlPacket } from './index.js';
import { packetWith } from './fixtures.js';

const VALID = encodeControlPacket(packetWith());

/** The valid packet's bytes with some changed. */
function patched(changes: Record<number, number>, bytes: Uint8Array = VALID): Uint8Array {
  const copy = Uint8Array.from(bytes);
  for (const [at, value] of Object.entries(changes)) copy[Number(at)] = value;
  return copy;
}

function encoded(overrides: Partial<ControlPacket>): Uint8Array {
  return encodeControlPacket(packetWith(overrides));
}

describe('reception checks about the packet itself (RFC 5880 §6.8.6, RFC 5881 §5)', () => {
  test('a valid packet with TTL 255 is accepted as decoded', () => {
    expect(receiveControlPacket(VALID, 255)).toEqual({ kind: 'accepted', packet: packetWith() });
  });

  const rows: [rule: string, datagram: Uint8Array, reason: BfdDropReason, detail: string][] = [
    ['"If the version number is not correct (1), the packet MUST be discarded."',
      patched({ 0: 0x40 }), 'badVersion', 'bfd version 2, want 1'],
    ['version 0 is not correct either', patched({ 0: 0x00 }), 'badVersion', 'bfd version 0, want 1'],
    ['"If the Length field is less than the minimum correct value (24 if the A bit is clear ..."',
      patched({ 3: 23 }), 'lengthTooShort', 'bfd length 23 is less than 24'],
    ['"... or 26 if the A bit is set)": the A bit without an authentication section',
      patched({ 1: 0xc4 }), 'authenticationSectionMissing', 'bfd length 24 with the A bit set is less than 26'],
    ['"If the Length field is greater than the payload of the encapsulating protocol"',
      patched({ 3: 25 }), 'lengthBeyondPayload', 'bfd length 25 is more than the 24 bytes received'],
    ['fewer bytes than the mandatory section', VALID.subarray(0, 20), 'truncated', 'bfd required min echo rx interval needs 4 bytes at offset 20, 0 left'],
    ['an Auth Len reaching past Length (§4.1 "Auth Len: The length, in bytes, of the authentication section")',
      patched({ 1: 0xc4, 3: 26 }, Uint8Array.from([...VALID, 1, 9])), 'badAuthenticationLength', 'bfd auth len 9 is outside 2..2, the bytes Length leaves for it'],
    ['"If the Detect Mult field is zero, the packet MUST be discarded."', encoded({ detectMult: 0 }), 'zeroDetectMult', 'detect mult 0'],
    ['"If the Multipoint (M) bit is nonzero, the packet MUST be discarded."', encoded({ multipoint: true }), 'multipoint', 'the M bit is set'],
    ['"If the My Discriminator field is zero, the packet MUST be discarded."', encoded({ myDiscriminator: 0 }), 'zeroMyDiscriminator', 'my discriminator 0'],
    ['"If the Your Discriminator field is zero and the State field is not Down or AdminDown": Up',
      encoded({ yourDiscriminator: 0, state: 'Up' }), 'zeroYourDiscriminator', 'your discriminator 0 in state Up'],
    ['... Init', encoded({ yourDiscriminator: 0, state: 'Init' }), 'zeroYourDiscriminator', 'your discriminator 0 in state Init'],
    ['"If the A bit is set and no authentication is in use (bfd.AuthType is zero)": Herald never authenticates',
      encoded({ authentication: { type: 'keyedSha1', keyId: 1, sequenceNumber: 5, hash: new Uint8Array(20) } }),
      'authenticationNotInUse', 'the A bit is set (keyedSha1) and Herald does not authenticate'],
    ['... nor with a reserved Auth Type', encoded({ authentication: { type: 'raw', authType: 200, data: new Uint8Array(2) } }),
      'authenticationNotInUse', 'the A bit is set (auth type 200) and Herald does not authenticate'],
  ];

  test.each(rows)('%s', (_, datagram, reason, detail) => {
    expect(receiveControlPacket(datagram, 255)).toEqual({ kind: 'dropped', reason, detail });
  });

  test.each([['Down'], ['AdminDown']] as const)('Your Discriminator 0 is allowed in state %s (the peer has not heard us yet)', (state) => {
    expect(receiveControlPacket(encoded({ yourDiscriminator: 0, state }), 255).kind).toBe('accepted');
  });

  test.each([0, 1, 64, 254])('RFC 5881 §5: TTL/Hop Limit %i is not 255 -> ttlNot255, before anything else is read', (ttl) => {
    expect(receiveControlPacket(new Uint8Array(3), ttl)).toEqual({ kind: 'dropped', reason: 'ttlNot255', detail: `received ttl/hop limit ${ttl}, want 255` });
    expect(checkTtl(ttl)?.reason).toBe('ttlNot255');
  });

  test('TTL 255 passes the TTL check', () => {
    expect(checkTtl(255)).toBeUndefined();
  });

  test('the rules apply in the RFC order: a zero Detect Mult is reported before a set M bit or a zero discriminator', () => {
    const reception = receiveControlPacket(encoded({ detectMult: 0, multipoint: true, myDiscriminator: 0 }), 255);
    expect(reception).toMatchObject({ kind: 'dropped', reason: 'zeroDetectMult' });
  });
});
