// Bounds-checked byte reader and writer for every wire codec: the ARP/NDP frames, the heartbeats, and the BGP
// and rtnetlink codecs to come (STYLE.md §8). Multi-byte values are big-endian (network order) unless the
// method name ends in `le`: rtnetlink speaks the host's order, which is little-endian on every platform
// Herald ships for (amd64, arm64).
//
// `offset` means one thing on both sides: how many bytes have been read or written so far. Views are honoured
// with their byteOffset, so a message decoded from the middle of a larger receive buffer reads the right bytes.
//
// A read past the end throws the codec's own error: each codec passes a factory (`truncated`) that turns a
// Truncation into its error type with its drop reason, so a read loop counts the drop under the codec's label.

/** What a read past the end was after, where, and what was there. */
export interface Truncation {
  /** The field being read, as the codec named it ("arp sha", "heartbeat incarnation"). */
  field: string;
  /** Bytes read before this field. */
  offset: number;
  /** Bytes the field needs. */
  needed: number;
  /** Bytes that were left. */
  remaining: number;
  /** The above as one sentence: `arp sha needs 6 bytes at offset 8, 2 left`. */
  message: string;
}

/** Turns a Truncation into the codec's own error (FrameError 'truncated', WireError 'truncated', ...). */
export type TruncationError = (truncation: Truncation) => Error;

/** What a reader throws when its codec gives no factory of its own. */
export class TruncatedError extends Error {
  override readonly name = 'TruncatedError';

  constructor(readonly truncation: Truncation) {
    super(truncation.message);
  }
}

const truncatedError: TruncationError = (truncation) => new TruncatedError(truncation);

export interface ByteReaderOptions {
  /** Builds the error a read past the end throws; default a TruncatedError. */
  truncated?: TruncationError;
}

export class ByteReader {
  private readonly data: DataView;
  private readonly truncated: TruncationError;
  private read = 0;

  constructor(private readonly source: Uint8Array, options: ByteReaderOptions = {}) {
    this.data = new DataView(source.buffer, source.byteOffset, source.byteLength);
    this.truncated = options.truncated ?? truncatedError;
  }

  /** Bytes read so far. */
  get offset(): number {
    return this.read;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.source.length - this.read;
  }

  /** Moves past `length` bytes and returns where they start; throws the codec's error if they are not there. */
  private claim(length: number, field: string): number {
    const remaining = this.remaining;
    if (length > remaining) {
      const offset = this.read;
      const message = `${field} needs ${length} bytes at offset ${offset}, ${remaining} left`;
      throw this.truncated({ field, offset, needed: length, remaining, message });
    }
    const start = this.read;
    this.read += length;
    return start;
  }

  u8(field: string): number {
    return this.data.getUint8(this.claim(1, field));
  }

  u16(field: string): number {
    return this.data.getUint16(this.claim(2, field));
  }

  u32(field: string): number {
    return this.data.getUint32(this.claim(4, field));
  }

  u64(field: string): bigint {
    return this.data.getBigUint64(this.claim(8, field));
  }

  /** Little-endian (rtnetlink's host order on amd64 and arm64). */
  u16le(field: string): number {
    return this.data.getUint16(this.claim(2, field), true);
  }

  /** Little-endian (rtnetlink's host order on amd64 and arm64). */
  u32le(field: string): number {
    return this.data.getUint32(this.claim(4, field), true);
  }

  /** A copy of the next `length` bytes, so a decoded value neither pins nor aliases the receive buffer. */
  bytes(length: number, field: string): Uint8Array<ArrayBuffer> {
    return Uint8Array.from(this.view(length, field));
  }

  /** The next `length` bytes without copying: for values consumed at once (text, addresses, a nested reader). */
  view(length: number, field: string): Uint8Array {
    const start = this.claim(length, field);
    return this.source.subarray(start, start + length);
  }

  /** Moves past `length` bytes (padding, reserved fields). */
  skip(length: number, field: string): void {
    this.claim(length, field);
  }

  /** Everything left, copied. */
  rest(): Uint8Array<ArrayBuffer> {
    return this.bytes(this.remaining, 'rest');
  }
}

const U8_MAX = 0xff;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
const U64_MAX = 0xffffffffffffffffn;
const GROWABLE_INITIAL_LENGTH = 64;

/**
 * Writes bytes in order. Given a length, it writes into a buffer of exactly that length, which the encoder
 * computed from the layout: writing past it or finishing short of it is a bug in the encoder, not bad input,
 * so both throw a RangeError at once. Without a length it grows as needed.
 * Every value is range-checked: a u16 of 70000 throws rather than wrapping silently.
 */
export class ByteWriter {
  private buffer: Uint8Array<ArrayBuffer>;
  private data: DataView;
  private written = 0;
  private readonly fixedLength: number | undefined;

  constructor(length?: number) {
    if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) {
      throw new RangeError(`writer length ${length} is not a non-negative integer`);
    }
    this.fixedLength = length;
    this.buffer = new Uint8Array(length ?? GROWABLE_INITIAL_LENGTH);
    this.data = new DataView(this.buffer.buffer);
  }

  /** Bytes written so far. */
  get offset(): number {
    return this.written;
  }

  /**
   * Moves past `length` bytes, growing the buffer if the writer may, and returns where they start. Growing
   * replaces `buffer` and `data`: callers claim first and only then touch either.
   */
  private claim(length: number): number {
    const end = this.written + length;
    if (end > this.buffer.length) {
      if (this.fixedLength !== undefined) {
        throw new RangeError(`writer overrun: ${length} bytes at offset ${this.written} of ${this.fixedLength}`);
      }
      this.grow(end);
    }
    const start = this.written;
    this.written = end;
    return start;
  }

  private grow(atLeast: number): void {
    const larger = new Uint8Array(Math.max(atLeast, this.buffer.length * 2));
    larger.set(this.buffer.subarray(0, this.written));
    this.buffer = larger;
    this.data = new DataView(larger.buffer);
  }

  private checked(width: string, value: number, max: number): number {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new RangeError(`${width} at offset ${this.written}: ${value} is not an integer in 0..${max}`);
    }
    return value;
  }

  u8(value: number): this {
    this.checked('u8', value, U8_MAX);
    const at = this.claim(1);
    this.data.setUint8(at, value);
    return this;
  }

  u16(value: number): this {
    this.checked('u16', value, U16_MAX);
    const at = this.claim(2);
    this.data.setUint16(at, value);
    return this;
  }

  u32(value: number): this {
    this.checked('u32', value, U32_MAX);
    const at = this.claim(4);
    this.data.setUint32(at, value);
    return this;
  }

  u64(value: bigint): this {
    if (value < 0n || value > U64_MAX) throw new RangeError(`u64 at offset ${this.written}: ${value} is not in 0..${U64_MAX}`);
    const at = this.claim(8);
    this.data.setBigUint64(at, value);
    return this;
  }

  /** Little-endian (rtnetlink's host order on amd64 and arm64). */
  u16le(value: number): this {
    this.checked('u16le', value, U16_MAX);
    const at = this.claim(2);
    this.data.setUint16(at, value, true);
    return this;
  }

  /** Little-endian (rtnetlink's host order on amd64 and arm64). */
  u32le(value: number): this {
    this.checked('u32le', value, U32_MAX);
    const at = this.claim(4);
    this.data.setUint32(at, value, true);
    return this;
  }

  bytes(data: Uint8Array): this {
    const at = this.claim(data.length);
    this.buffer.set(data, at);
    return this;
  }

  /** `length` zero bytes (padding, reserved fields). */
  zeros(length: number): this {
    if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`zeros at offset ${this.written}: ${length} is not a byte count`);
    const at = this.claim(length);
    this.buffer.fill(0, at, this.written);
    return this;
  }

  /**
   * The bytes written. A fixed-length writer returns its buffer and throws if fewer bytes were written than
   * its length; a growable one returns a copy of exactly what was written.
   */
  finish(): Uint8Array<ArrayBuffer> {
    if (this.fixedLength === undefined) return this.buffer.slice(0, this.written);
    if (this.written !== this.fixedLength) {
      throw new RangeError(`writer underrun: wrote ${this.written} of ${this.fixedLength} bytes`);
    }
    return this.buffer;
  }
}
