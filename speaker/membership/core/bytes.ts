// Bounds-checked big-endian reader and writer for the heartbeat codec (STYLE.md §8). Reading past the
// end throws a WireError; the codec turns that into a counted drop, never an exception in the read loop.

/** Why a datagram could not be decoded. Each value is a drop-counter label. */
export type WireErrorReason = 'truncated' | 'badMagic' | 'badVersion' | 'badType' | 'badName' | 'trailingBytes' | 'badNumber';

export class WireError extends Error {
  constructor(readonly reason: WireErrorReason, message: string) {
    super(message);
    this.name = 'WireError';
  }
}

export class ByteReader {
  private offset: number;

  constructor(private readonly bytes: Uint8Array, start = 0) {
    this.offset = start;
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private take(n: number, what: string): number {
    if (this.remaining < n) {
      throw new WireError('truncated', `truncated at byte ${this.offset}: ${what} needs ${n}, ${this.remaining} left`);
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  u8(what: string): number {
    return this.bytes[this.take(1, what)] ?? 0;
  }

  u32(what: string): number {
    const at = this.take(4, what);
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + at, 4).getUint32(0);
  }

  u64(what: string): bigint {
    const at = this.take(8, what);
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + at, 8).getBigUint64(0);
  }

  bytesOf(n: number, what: string): Uint8Array {
    const at = this.take(n, what);
    return this.bytes.subarray(at, at + n);
  }
}

export class ByteWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  private push(chunk: Uint8Array): this {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return this;
  }

  u8(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`u8 out of range: ${v}`);
    return this.push(Uint8Array.of(v));
  }

  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`u32 out of range: ${v}`);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v);
    return this.push(b);
  }

  u64(v: bigint): this {
    if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`u64 out of range: ${v}`);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v);
    return this.push(b);
  }

  bytes(b: Uint8Array): this {
    return this.push(b);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
