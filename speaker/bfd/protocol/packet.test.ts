import fc from 'fast-check';
import { BfdWireError, decodeAuthentication, decodeControlPacket, encodeAuthentication, encodeControlPacket } from './index.js';
import { ByteReader } from '../../../lib/wire/index.js';
import { arbitraryAuthentication, arbitraryControlPacket, expectWireError, hex, packetWith, withinLargerBuffer } from './fixtures.js';

// An Up packet with the Poll bit, laid out by hand from RFC 5880 §4.1's figure.
const UP_WITH_POLL =
  '23' + // Vers 1, Diag 3 (Neighbor Signaled Session Down)
  'e0' + // Sta 3 (Up), P
  '03' + '18' + // Detect Mult 3, Length 24
  '11111111' + '22222222' + // My, Your Discriminator
  '0000c350' + '000493e0' + '00000000'; // Desired Min TX 50 000 µs, Required Min RX 300 000 µs, Echo 0

describe('BFD Control packet decoding (RFC 5880 §4.1)', () => {
  test('a packet decodes field by field', () => {
    expect(decodeControlPacket(hex(UP_WITH_POLL))).toEqual(packetWith({
      diagnostic: 3, state: 'Up', poll: true, detectMult: 3, desiredMinTxInterval: 50_000, requiredMinRxInterval: 300_000,
    }));
  });

  test.each([
    ['F', 0x10, { final: true }],
    ['C', 0x08, { controlPlaneIndependent: true }],
    ['D', 0x02, { demand: true }],
    ['M', 0x01, { multipoint: true }],
  ] as const)('the %s bit is read from its own position', (_, bit, fields) => {
    const bytes = hex(UP_WITH_POLL);
    bytes[1] = 0xc0 | bit;
    expect(decodeControlPacket(bytes)).toEqual(packetWith({ diagnostic: 3, desiredMinTxInterval: 50_000, ...fields }));
  });

  test.each([['00', 'AdminDown'], ['40', 'Down'], ['80', 'Init'], ['c0', 'Up']] as const)('flags byte 0x%s is state %s', (bits, state) => {
    const bytes = hex(UP_WITH_POLL);
    bytes[1] = parseInt(bits, 16);
    expect(decodeControlPacket(bytes).state).toBe(state);
  });

  test('bytes after Length (UDP padding) are ignored, and so are bytes Length covers after the mandatory section with A clear', () => {
    const padded = hex(UP_WITH_POLL + 'ffff');
    expect(decodeControlPacket(padded)).toEqual(decodeControlPacket(hex(UP_WITH_POLL)));
    const longer = hex(UP_WITH_POLL + 'ffff');
    longer[3] = 26;
    expect(decodeControlPacket(longer).authentication).toBeUndefined();
  });

  test('a Keyed SHA1 section (§4.4) is decoded but not checked', () => {
    const section = '04' + '1c' + '07' + '00' + '0000002a' + 'ab'.repeat(20); // Auth Type 4, Len 28, Key ID 7, seq 42
    const bytes = hex(UP_WITH_POLL + section);
    bytes[1] = 0xe4; // Up, P and A
    bytes[3] = 24 + 28;
    expect(decodeControlPacket(bytes).authentication).toEqual({ type: 'keyedSha1', keyId: 7, sequenceNumber: 42, hash: new Uint8Array(20).fill(0xab) });
  });

  test.each([
    ['a reserved Auth Type', '06' + '05' + '010203', { type: 'raw', authType: 6, data: hex('010203') }],
    ['Keyed MD5 with the length of SHA1', '02' + '1c' + '00'.repeat(26), { type: 'raw', authType: 2, data: new Uint8Array(26) }],
    ['a 17-byte Simple Password', '01' + '14' + '00'.repeat(18), { type: 'raw', authType: 1, data: new Uint8Array(18) }],
    ['a Simple Password (§4.2)', '01' + '06' + '09' + '616263', { type: 'simplePassword', keyId: 9, password: hex('616263') }],
  ])('%s (%s) decodes as expected', (_, section, expected) => {
    expect(decodeAuthentication(new ByteReader(hex(section)))).toEqual(expected);
  });

  test.each([0, 1, 12, 23])('cut to %i bytes -> truncated', (length) => {
    expectWireError(() => decodeControlPacket(hex(UP_WITH_POLL).subarray(0, length)), 'truncated');
  });

  test('every cut of the mandatory section names the field it falls in, where it starts and what was left', () => {
    const layout = [
      ['bfd vers/diag', 1], ['bfd sta/flags', 1], ['bfd detect mult', 1], ['bfd length', 1],
      ['bfd my discriminator', 4], ['bfd your discriminator', 4], ['bfd desired min tx interval', 4],
      ['bfd required min rx interval', 4], ['bfd required min echo rx interval', 4],
    ] as const;
    let start = 0;
    for (const [field, size] of layout) {
      for (let cut = start; cut < start + size; cut++) {
        expect(() => decodeControlPacket(hex(UP_WITH_POLL).subarray(0, cut)))
          .toThrow(`truncated: ${field} needs ${size} bytes at offset ${start}, ${cut - start} left`);
      }
      start += size;
    }
  });
});

describe('BFD Control packet encoding', () => {
  test('the hand-laid packet is what the encoder writes', () => {
    const packet = packetWith({ diagnostic: 3, poll: true, desiredMinTxInterval: 50_000 });
    expect(Buffer.from(encodeControlPacket(packet)).toString('hex')).toBe(UP_WITH_POLL);
  });

  test('the A bit and Length follow the authentication section', () => {
    const bytes = encodeControlPacket(packetWith({ authentication: { type: 'simplePassword', keyId: 1, password: hex('7365637265') } }));
    expect(bytes[1]! & 0x04).toBe(0x04);
    expect(bytes[3]).toBe(24 + 3 + 5);
    expect(bytes).toHaveLength(32);
  });

  test('the reserved byte of Keyed MD5 (§4.3) is written as zero', () => {
    const section = encodeAuthentication({ type: 'meticulousKeyedMd5', keyId: 2, sequenceNumber: 1, digest: new Uint8Array(16).fill(1) });
    expect(Buffer.from(section.subarray(0, 8)).toString('hex')).toBe('0318' + '02' + '00' + '00000001');
  });

  test.each([
    ['a diagnostic of 32', packetWith({ diagnostic: 32 }), 'bfd diagnostic 32 is not in 0..31'],
    ['a detect mult of 256', packetWith({ detectMult: 256 }), 'u8 at offset 2: 256 is not an integer in 0..255'],
    ['a negative discriminator', packetWith({ myDiscriminator: -1 }), 'u32 at offset 4: -1 is not an integer in 0..4294967295'],
    ['a 17-byte password', packetWith({ authentication: { type: 'simplePassword', keyId: 0, password: new Uint8Array(17) } }), 'bfd password is 17 bytes, want 1..16'],
    ['a 15-byte MD5 digest', packetWith({ authentication: { type: 'keyedMd5', keyId: 0, sequenceNumber: 0, digest: new Uint8Array(15) } }), 'bfd md5 digest is 15 bytes, want 16'],
    ['an authentication section too long for Length', packetWith({ authentication: { type: 'raw', authType: 9, data: new Uint8Array(240) } }), 'bfd length 266 does not fit the 1-byte Length field'],
  ])('%s is refused', (_, packet, message) => {
    expect(() => encodeControlPacket(packet)).toThrow(message);
  });
});

describe('BFD Control packet round trips', () => {
  test('decode(encode(packet)) deep-equals packet and re-encodes to the same bytes, also at an offset', () => {
    fc.assert(
      fc.property(arbitraryControlPacket, fc.nat(64), (packet, offset) => {
        const bytes = encodeControlPacket(packet);
        const decoded = decodeControlPacket(withinLargerBuffer(bytes, offset));
        expect(decoded).toEqual(packet);
        expect(encodeControlPacket(decoded)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  test('authentication sections round-trip on their own', () => {
    fc.assert(
      fc.property(arbitraryAuthentication, (section) => {
        expect(decodeAuthentication(new ByteReader(encodeAuthentication(section)))).toEqual(section);
      }),
      { numRuns: 200 },
    );
  });

  test('random bytes only decode or throw BfdWireError; what decodes re-encodes to a packet that decodes the same', () => {
    const headerLike = fc.tuple(fc.integer({ min: 0x20, max: 0x3f }), fc.uint8Array({ minLength: 23, maxLength: 80 }))
      .map(([first, rest]) => Uint8Array.from([first, ...rest]));
    // A valid packet with one byte overwritten reaches the checks after the version and the length.
    const damaged = fc.tuple(arbitraryControlPacket, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([packet, at, value]) => {
      const bytes = encodeControlPacket(packet);
      bytes[at % bytes.length] = value;
      return bytes;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 80 }), headerLike, damaged), (bytes) => {
        let decoded;
        try {
          decoded = decodeControlPacket(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(BfdWireError);
          return;
        }
        expect(decodeControlPacket(encodeControlPacket(decoded))).toEqual(decoded);
      }),
      { numRuns: 2000 },
    );
  });
});
