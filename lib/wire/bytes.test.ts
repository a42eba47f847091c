import fc from 'fast-check';
import { ByteReader, ByteWriter, TruncatedError, type Truncation } from './index.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const fromHex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s/g, ''), 'hex'));

/** `bytes` as a view `before` bytes into a larger buffer whose other bytes are garbage. */
function inside(bytes: Uint8Array, before: number, after = 5): Uint8Array {
  const larger = new Uint8Array(before + bytes.length + after).fill(0xa5);
  larger.set(bytes, before);
  return larger.subarray(before, before + bytes.length);
}

class CodecError extends Error {
  constructor(readonly reason: 'truncated', message: string) {
    super(message);
  }
}

describe('ByteReader', () => {
  it('reads big-endian unless the name says le, and offset counts the bytes read', () => {
    const r = new ByteReader(fromHex('01 0203 04050607 08090a0b0c0d0e0f 1011 12131415'));
    expect(r.offset).toBe(0);
    expect(r.u8('a')).toBe(0x01);
    expect(r.u16('b')).toBe(0x0203);
    expect(r.offset).toBe(3);
    expect(r.u32('c')).toBe(0x04050607);
    expect(r.u64('d')).toBe(0x08090a0b0c0d0e0fn);
    expect(r.u16le('e')).toBe(0x1110);
    expect(r.u32le('f')).toBe(0x15141312);
    expect(r.offset).toBe(21);
    expect(r.remaining).toBe(0);
  });

  it('reads the full unsigned range: u32 and u64 never come back negative', () => {
    const r = new ByteReader(new Uint8Array(18).fill(0xff));
    expect(r.u32('a')).toBe(0xffffffff);
    expect(r.u64('b')).toBe(0xffffffffffffffffn);
    expect(r.u32le('c')).toBe(0xffffffff);
    expect(r.u16le('d')).toBe(0xffff);
  });

  it('reads a view at an offset inside a larger buffer, never the bytes around it', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.nat(40), (bytes, before) => {
      const r = new ByteReader(inside(bytes, before));
      expect(r.u16('a')).toBe(((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0));
      expect(hex(r.bytes(2, 'b'))).toBe(hex(bytes.subarray(2, 4)));
      expect(r.u32le('c')).toBe(Buffer.from(bytes).readUInt32LE(4));
      expect(r.remaining).toBe(0);
      expect(() => r.u8('d')).toThrow(TruncatedError);
    }));
  });

  it('bytes() copies, view() does not', () => {
    const source = fromHex('0102030405');
    const r = new ByteReader(source);
    const copy = r.bytes(2, 'copy');
    const view = r.view(2, 'view');
    source.fill(0);
    expect(hex(copy)).toBe('0102');
    expect(hex(view)).toBe('0000');
    expect(r.offset).toBe(4);
  });

  it('skip() moves past bytes and rest() copies what is left', () => {
    const r = new ByteReader(inside(fromHex('00000000 aabbcc'), 3));
    r.skip(4, 'padding');
    expect(hex(r.rest())).toBe('aabbcc');
    expect(r.remaining).toBe(0);
    expect(hex(r.rest())).toBe('');
  });

  it('a read past the end names the field, the offset and what was left, and consumes nothing', () => {
    const r = new ByteReader(inside(fromHex('010203'), 7));
    r.u8('first');
    let thrown: unknown;
    try { r.u32('arp sha'); } catch (err) { thrown = err; }
    expect(thrown).toBeInstanceOf(TruncatedError);
    expect((thrown as Error).message).toBe('arp sha needs 4 bytes at offset 1, 2 left');
    expect((thrown as Error).name).toBe('TruncatedError'); // what a log line shows before the message
    expect((thrown as TruncatedError).truncation).toEqual({ field: 'arp sha', offset: 1, needed: 4, remaining: 2, message: 'arp sha needs 4 bytes at offset 1, 2 left' });
    expect(r.offset).toBe(1);
    expect(r.u16('second')).toBe(0x0203);
  });

  it.each([
    ['u8', (r: ByteReader) => r.u8('f'), 1],
    ['u16', (r: ByteReader) => r.u16('f'), 2],
    ['u32', (r: ByteReader) => r.u32('f'), 4],
    ['u64', (r: ByteReader) => r.u64('f'), 8],
    ['u16le', (r: ByteReader) => r.u16le('f'), 2],
    ['u32le', (r: ByteReader) => r.u32le('f'), 4],
    ['bytes', (r: ByteReader) => r.bytes(3, 'f'), 3],
    ['view', (r: ByteReader) => r.view(3, 'f'), 3],
    ['skip', (r: ByteReader) => r.skip(3, 'f'), 3],
  ])('%s on an empty reader names the field, the bytes needed, offset 0 and 0 left', (_name, read, needed) => {
    expect(() => read(new ByteReader(new Uint8Array(0)))).toThrow(`f needs ${needed} bytes at offset 0, 0 left`);
  });

  it("throws the codec's own error, built by its factory from the truncation", () => {
    const seen: Truncation[] = [];
    const r = new ByteReader(fromHex('48'), {
      truncated: (t) => {
        seen.push(t);
        return new CodecError('truncated', t.message);
      },
    });
    expect(r.u8('magic')).toBe(0x48);
    let thrown: unknown;
    try { r.u64('incarnation'); } catch (err) { thrown = err; }
    expect(thrown).toBeInstanceOf(CodecError);
    expect(thrown).not.toBeInstanceOf(TruncatedError);
    expect((thrown as CodecError).reason).toBe('truncated');
    expect(seen).toEqual([{ field: 'incarnation', offset: 1, needed: 8, remaining: 0, message: 'incarnation needs 8 bytes at offset 1, 0 left' }]);
  });

  it('random reads on random bytes either return or throw the truncation error, nothing else', () => {
    const step = fc.oneof(
      fc.constant((r: ByteReader) => r.u8('x')),
      fc.constant((r: ByteReader) => r.u32('x')),
      fc.constant((r: ByteReader) => r.u64('x')),
      fc.constant((r: ByteReader) => r.u16le('x')),
      fc.nat(10).map((n) => (r: ByteReader) => r.view(n, 'x')),
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 30 }), fc.array(step, { maxLength: 12 }), (bytes, steps) => {
      const r = new ByteReader(bytes);
      try {
        for (const s of steps) s(r);
      } catch (err) {
        expect(err).toBeInstanceOf(TruncatedError);
      }
      expect(r.offset + r.remaining).toBe(bytes.length);
    }));
  });
});

describe('ByteWriter', () => {
  it('writes big-endian unless the name says le, and offset counts the bytes written', () => {
    const w = new ByteWriter(29);
    w.u8(0x01).u16(0x0203).u32(0x04050607);
    expect(w.offset).toBe(7);
    w.u64(0x08090a0b0c0d0e0fn).u16le(0x1110).u32le(0x15141312).bytes(fromHex('1617')).zeros(6);
    expect(hex(w.finish())).toBe('01020304050607' + '08090a0b0c0d0e0f' + '1011' + '12131415' + '1617' + '000000000000');
  });

  it('a fixed-length writer throws on overrun, and on finishing short', () => {
    expect(() => new ByteWriter(3).u16(1).u16(2)).toThrow('writer overrun: 2 bytes at offset 2 of 3');
    expect(() => new ByteWriter(2).bytes(fromHex('010203'))).toThrow('writer overrun: 3 bytes at offset 0 of 2');
    expect(() => new ByteWriter(4).zeros(5)).toThrow(RangeError);
    expect(() => new ByteWriter(4).u16(1).finish()).toThrow('writer underrun: wrote 2 of 4 bytes');
    expect(new ByteWriter(0).finish()).toHaveLength(0);
    expect(() => new ByteWriter(-1)).toThrow('writer length -1 is not a non-negative integer');
  });

  it('a writer without a length grows, and finish() returns exactly what was written', () => {
    const w = new ByteWriter();
    const chunk = Uint8Array.from({ length: 100 }, (_, i) => i);
    for (let i = 0; i < 5; i++) w.bytes(chunk).u32(0xdeadbeef);
    const out = w.finish();
    expect(out).toHaveLength(520);
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(520);
    expect(hex(out.subarray(100, 104))).toBe('deadbeef');
    expect(hex(out.subarray(416, 520))).toBe(hex(chunk) + 'deadbeef');
    expect(hex(new ByteWriter().finish())).toBe('');
  });

  it.each([
    ['u8', (w: ByteWriter) => w.u8(0xab), 'ab'],
    ['u16', (w: ByteWriter) => w.u16(0xabcd), 'abcd'],
    ['u32', (w: ByteWriter) => w.u32(0xabcdef01), 'abcdef01'],
    ['u64', (w: ByteWriter) => w.u64(0xabcdef0123456789n), 'abcdef0123456789'],
    ['u16le', (w: ByteWriter) => w.u16le(0xabcd), 'cdab'],
    ['u32le', (w: ByteWriter) => w.u32le(0xabcdef01), '01efcdab'],
    ['bytes', (w: ByteWriter) => w.bytes(fromHex('abcdef')), 'abcdef'],
    ['zeros', (w: ByteWriter) => w.zeros(3), '000000'],
  ])('a growable writer keeps a %s that crosses the end of its buffer, whatever the size so far', (_name, write, expected) => {
    for (let before = 0; before <= 300; before++) {
      const w = new ByteWriter();
      w.bytes(new Uint8Array(before).fill(0xee));
      write(w).u8(0x7f);
      expect(hex(w.finish())).toBe('ee'.repeat(before) + expected + '7f');
    }
  });

  it.each([
    ['u8', (w: ByteWriter) => w.u8(256), 'u8 at offset 0: 256 is not an integer in 0..255'],
    ['u8', (w: ByteWriter) => w.u8(-1), 'u8 at offset 0: -1 is not an integer in 0..255'],
    ['u8', (w: ByteWriter) => w.u8(1.5), 'u8 at offset 0: 1.5 is not an integer in 0..255'],
    ['u16', (w: ByteWriter) => w.u16(0x10000), 'u16 at offset 0: 65536 is not an integer in 0..65535'],
    ['u16', (w: ByteWriter) => w.u16(NaN), 'u16 at offset 0: NaN is not an integer in 0..65535'],
    ['u32', (w: ByteWriter) => w.u32(2 ** 32), 'u32 at offset 0: 4294967296 is not an integer in 0..4294967295'],
    ['u32', (w: ByteWriter) => w.u32(-1), 'u32 at offset 0: -1 is not an integer in 0..4294967295'],
    ['u64', (w: ByteWriter) => w.u64(2n ** 64n), 'u64 at offset 0: 18446744073709551616 is not in 0..18446744073709551615'],
    ['u64', (w: ByteWriter) => w.u64(-1n), 'u64 at offset 0: -1 is not in 0..18446744073709551615'],
    ['u16le', (w: ByteWriter) => w.u16le(0x10000), 'u16le at offset 0: 65536 is not an integer in 0..65535'],
    ['u32le', (w: ByteWriter) => w.u32le(2 ** 32), 'u32le at offset 0: 4294967296 is not an integer in 0..4294967295'],
    ['zeros', (w: ByteWriter) => w.zeros(-1), 'zeros at offset 0: -1 is not a byte count'],
  ])('%s refuses a value out of range, fixed or growable', (_name, write, message) => {
    expect(() => write(new ByteWriter(16))).toThrow(message);
    expect(() => write(new ByteWriter())).toThrow(message);
  });

  it('names the offset of the value it refuses', () => {
    expect(() => new ByteWriter().u32(7).u16(70000)).toThrow('u16 at offset 4: 70000 is not an integer in 0..65535');
  });

  it('accepts both ends of every range', () => {
    const w = new ByteWriter()
      .u8(0).u8(0xff).u16(0).u16(0xffff).u32(0).u32(0xffffffff).u64(0n).u64(0xffffffffffffffffn)
      .u16le(0xffff).u32le(0xffffffff);
    expect(w.offset).toBe(1 + 1 + 2 + 2 + 4 + 4 + 8 + 8 + 2 + 4);
  });
});

describe('reader and writer together', () => {
  const value = fc.oneof(
    fc.record({ kind: fc.constant('u8' as const), n: fc.integer({ min: 0, max: 0xff }) }),
    fc.record({ kind: fc.constant('u16' as const), n: fc.integer({ min: 0, max: 0xffff }) }),
    fc.record({ kind: fc.constant('u32' as const), n: fc.integer({ min: 0, max: 0xffffffff }) }),
    fc.record({ kind: fc.constant('u16le' as const), n: fc.integer({ min: 0, max: 0xffff }) }),
    fc.record({ kind: fc.constant('u32le' as const), n: fc.integer({ min: 0, max: 0xffffffff }) }),
    fc.record({ kind: fc.constant('u64' as const), n: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
    fc.record({ kind: fc.constant('bytes' as const), n: fc.uint8Array({ maxLength: 9 }) }),
  );
  type Value = typeof value extends fc.Arbitrary<infer V> ? V : never;

  function write(w: ByteWriter, v: Value): void {
    switch (v.kind) {
      case 'u64': w.u64(v.n); break;
      case 'bytes': w.u8(v.n.length).bytes(v.n); break;
      default: w[v.kind](v.n);
    }
  }

  function read(r: ByteReader, kind: Value['kind']): Value['n'] {
    switch (kind) {
      case 'u64': return r.u64('v');
      case 'bytes': return r.bytes(r.u8('length'), 'v');
      default: return r[kind]('v');
    }
  }

  it('reads back what was written, growable or fixed, also at an offset inside a larger buffer', () => {
    fc.assert(fc.property(fc.array(value, { maxLength: 80 }), fc.nat(33), (values, before) => {
      const grown = new ByteWriter();
      for (const v of values) write(grown, v);
      const bytes = grown.finish();
      const fixed = new ByteWriter(bytes.length);
      for (const v of values) write(fixed, v);
      expect(hex(fixed.finish())).toBe(hex(bytes));
      const r = new ByteReader(inside(bytes, before));
      for (const v of values) expect(read(r, v.kind)).toEqual(v.n);
      expect(r.offset).toBe(bytes.length);
      expect(r.remaining).toBe(0);
    }));
  });
});
