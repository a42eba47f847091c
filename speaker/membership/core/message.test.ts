import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { decodeHeartbeat, encodeHeartbeat, headerProblem, type Heartbeat } from './message.js';
import { openHeartbeat, sealHeartbeat, TAG_LENGTH, constantTimeEqual } from './auth.js';
import { WireError } from './errors.js';

const mac = (key: string) => (bytes: Uint8Array) => createHmac('sha256', key).update(bytes).digest();
const good = mac('cluster-key-0123456789');

const name = fc.string({ minLength: 1, maxLength: 60, unit: 'grapheme' }).filter((s) => new TextEncoder().encode(s).length <= 255);
const heartbeat: fc.Arbitrary<Heartbeat> = fc.record({
  version: fc.constantFrom(1 as const, 2 as const, 3 as const, 4 as const),
  uptimeMs: fc.nat({ max: 0xffffffff }),
  timesDeclaredDead: fc.nat({ max: 0xffffffff }),
  type: fc.constantFrom('beat' as const, 'goodbye' as const, 'ping' as const),
  from: name,
  to: name,
  incarnation: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  sequence: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  sendTimeMs: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  nextWithinMs: fc.nat({ max: 0xffffffff }),
}).map((m) => ({
  ...m,
  timesDeclaredDead: m.version === 1 ? 0 : m.timesDeclaredDead, // version 1 has no such field
  uptimeMs: m.version >= 3 ? m.uptimeMs : 0, // nor has version 2 an uptime
  type: m.type === 'ping' && m.version < 4 ? 'beat' as const : m.type, // a ping is version 4's
}));

const sample: Heartbeat = {
  version: 2, uptimeMs: 0, timesDeclaredDead: 3, type: 'beat', from: 'node-a', to: 'node-b', incarnation: 0x0123456789abcdefn, sequence: 42, sendTimeMs: 1_700_000_000_000, nextWithinMs: 50,
};

describe('heartbeat codec', () => {
  it('round-trips every message (encode → decode → encode)', () => {
    fc.assert(fc.property(heartbeat, (m) => {
      const bytes = encodeHeartbeat(m);
      const decoded = decodeHeartbeat(bytes);
      expect(decoded).toEqual(m);
      expect(encodeHeartbeat(decoded)).toEqual(bytes);
    }));
  });

  it('decodes a message that sits at an offset inside a bigger buffer', () => {
    fc.assert(fc.property(heartbeat, fc.nat({ max: 64 }), fc.nat({ max: 64 }), (m, before, after) => {
      const bytes = encodeHeartbeat(m);
      const big = new Uint8Array(before + bytes.length + after).fill(0xee);
      big.set(bytes, before);
      expect(decodeHeartbeat(big.subarray(before, before + bytes.length))).toEqual(m);
    }));
  });

  it('lays the fixed header out as documented', () => {
    const bytes = encodeHeartbeat(sample);
    expect([...bytes.subarray(0, 4)]).toEqual([0x48, 0x4c, 2, 1]);
    expect(Buffer.from(bytes.subarray(4, 12)).readBigUInt64BE()).toBe(sample.incarnation);
    expect(Buffer.from(bytes.subarray(12, 20)).readBigUInt64BE()).toBe(42n);
    expect(Buffer.from(bytes.subarray(28, 32)).readUInt32BE()).toBe(50);
    expect(Buffer.from(bytes.subarray(32, 36)).readUInt32BE()).toBe(3);
    expect(bytes[36]).toBe('node-a'.length);
    expect(bytes.length).toBe(36 + 1 + 6 + 1 + 6);
  });

  it('decodes version 1, as older speakers write it (no timesDeclaredDead), and writes it back the same', () => {
    // Bytes of a version 1 beat, laid out by hand from the version 1 format.
    const v1 = Uint8Array.from([
      0x48, 0x4c, 1, 1, ...Buffer.from('0123456789abcdef', 'hex'), 0, 0, 0, 0, 0, 0, 0, 42,
      ...Buffer.from('0000018bcfe56800', 'hex'), 0, 0, 0, 50, 6, ...Buffer.from('node-a'), 6, ...Buffer.from('node-b'),
    ]);
    const decoded = decodeHeartbeat(v1);
    expect(decoded).toEqual({ ...sample, version: 1, timesDeclaredDead: 0 });
    expect(encodeHeartbeat(decoded)).toEqual(v1);
  });

  it('writes a ping as type 3 of version 4, and refuses to write one in an older version', () => {
    const ping = encodeHeartbeat({ ...sample, version: 4, type: 'ping' });
    expect([...ping.subarray(2, 4)]).toEqual([4, 3]);
    expect(decodeHeartbeat(ping).type).toBe('ping');
    expect(() => encodeHeartbeat({ ...sample, version: 3, type: 'ping' })).toThrow(/version 3 cannot be a ping/);
  });

  it('refuses to write a version 1 message that would lose timesDeclaredDead', () => {
    expect(() => encodeHeartbeat({ ...sample, version: 1 })).toThrow(/version 1 cannot carry timesDeclaredDead 3/);
  });

  it.each([
    ['empty', 'truncated', []],
    ['cut in the header', 'truncated', [0x48, 0x4c, 1, 1, 0, 0]],
    ['wrong magic', 'badMagic', [0x48, 0x00, 1, 1]],
    ['future version', 'badVersion', [0x48, 0x4c, 5, 1]],
    ['version 0', 'badVersion', [0x48, 0x4c, 0, 1]],
    ['unknown type', 'badType', [0x48, 0x4c, 1, 9]],
    ['a ping in version 3', 'badType', [0x48, 0x4c, 3, 3]],
  ])('refuses %s with reason %s', (_name, reason, bytes) => {
    let thrown: unknown;
    try { decodeHeartbeat(Uint8Array.from(bytes as number[])); } catch (err) { thrown = err; }
    expect(thrown).toBeInstanceOf(WireError);
    expect((thrown as WireError).reason).toBe(reason);
  });

  it('a cut message names the field it was reading, where, and what was left', () => {
    const bytes = encodeHeartbeat(sample);
    expect(() => decodeHeartbeat(bytes.subarray(0, bytes.length - 2))).toThrow(new WireError('truncated', 'heartbeat to needs 6 bytes at offset 44, 4 left'));
  });

  it('refuses trailing bytes, an empty name and a name that is not UTF-8', () => {
    const bytes = encodeHeartbeat(sample);
    const reasonOf = (b: Uint8Array) => { try { decodeHeartbeat(b); return 'ok'; } catch (e) { return (e as WireError).reason; } };
    expect(reasonOf(Uint8Array.from([...bytes, 0]))).toBe('trailingBytes');
    const emptyName = Uint8Array.from(bytes); emptyName[36] = 0;
    expect(reasonOf(emptyName)).toBe('badName');
    const badUtf8 = Uint8Array.from(bytes); badUtf8[37] = 0xff;
    expect(reasonOf(badUtf8)).toBe('badName');
    const huge = Uint8Array.from(bytes); huge.fill(0xff, 12, 20);
    expect(reasonOf(huge)).toBe('badNumber');
  });

  it('never throws anything but WireError on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
      try { decodeHeartbeat(bytes); } catch (err) { expect(err).toBeInstanceOf(WireError); }
    }));
  });

  it('refuses to encode what the format cannot carry', () => {
    expect(() => encodeHeartbeat({ ...sample, from: '' })).toThrow(/from "" is 0 bytes/);
    expect(() => encodeHeartbeat({ ...sample, to: 'x'.repeat(256) })).toThrow(/256 bytes; must be 1..255/);
    expect(() => encodeHeartbeat({ ...sample, sequence: 2 ** 53 })).toThrow(/sequence/);
  });
});

describe('the header check before decoding (issue 12: junk must not cost an exception)', () => {
  const decodeReason = (bytes: Uint8Array): string | null => {
    try {
      decodeHeartbeat(bytes);
      return null;
    } catch (err) {
      if (err instanceof WireError) return err.reason;
      throw err;
    }
  };

  it('refuses only what decoding refuses, for the same reason, on random bytes and on damaged heartbeats (property)', () => {
    const damaged = fc.tuple(heartbeat, fc.nat(), fc.nat({ max: 255 }), fc.nat({ max: 80 })).map(([m, at, value, cut]) => {
      const bytes = encodeHeartbeat(m);
      bytes[at % bytes.length] = value;
      return bytes.subarray(0, Math.max(0, bytes.length - cut));
    });
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 120 }), damaged, heartbeat.map(encodeHeartbeat)), (bytes) => {
      const early = headerProblem(bytes);
      if (early !== null) expect(decodeReason(bytes)).toBe(early);
      if (decodeReason(bytes) === null) expect(early).toBeNull();
    }));
  });

  it('gives junk its reason from the first bytes', () => {
    expect(headerProblem(Buffer.alloc(64, 7))).toBe('badMagic');
    expect(headerProblem(Uint8Array.from([0x48, 0x4c, 9, 1, ...new Array(60).fill(0)]))).toBe('badVersion');
    expect(headerProblem(Uint8Array.from([0x48, 0x4c, 2, 3, ...new Array(60).fill(0)]))).toBe('badType');
    expect(headerProblem(Uint8Array.from([0x48, 0x4c, 4, 3, ...new Array(60).fill(0)]))).toBeNull();
    expect(headerProblem(Uint8Array.from([0x48, 0x4c, 4, 4, ...new Array(60).fill(0)]))).toBe('badType');
    expect(headerProblem(Uint8Array.from([0x48, 0x4c, 2]))).toBe('truncated');
    expect(headerProblem(Uint8Array.from([0x48, 0x4c, 2, 1]))).toBeNull(); // the rest is the decoder's to judge
  });
});

describe('heartbeat authentication', () => {
  it('opens what it sealed, with the same key', () => {
    fc.assert(fc.property(heartbeat, (m) => {
      const opened = openHeartbeat(sealHeartbeat(m, good), good);
      expect(opened).toEqual({ ok: true, message: m });
    }));
  });

  it('drops a message sealed with another key as badMac', () => {
    const forged = sealHeartbeat(sample, mac('a stranger guessing'));
    expect(openHeartbeat(forged, good)).toMatchObject({ ok: false, reason: 'badMac' });
  });

  it('drops any single flipped bit, in the body or the tag', () => {
    const sealed = sealHeartbeat(sample, good);
    fc.assert(fc.property(fc.nat({ max: sealed.length * 8 - 1 }), (bit) => {
      const copy = Uint8Array.from(sealed);
      copy[bit >> 3] = copy[bit >> 3]! ^ (1 << (bit & 7));
      expect(openHeartbeat(copy, good).ok).toBe(false);
    }));
  });

  it('drops datagrams too short to hold a tag, and garbage, without throwing', () => {
    expect(openHeartbeat(new Uint8Array(TAG_LENGTH), good)).toMatchObject({ ok: false, reason: 'short' });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      expect(openHeartbeat(bytes, good).ok).toBe(false);
    }));
  });

  it('reports a malformed body that carries a valid tag by its wire reason', () => {
    const body = Uint8Array.from([0x48, 0x4c, 7, 1]);
    const datagram = Uint8Array.from([...body, ...good(body)]);
    expect(openHeartbeat(datagram, good)).toMatchObject({ ok: false, reason: 'badVersion' });
  });

  it('compares tags fully', () => {
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3))).toBe(false);
  });
});
