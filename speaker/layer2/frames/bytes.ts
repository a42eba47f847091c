// Bounds-checked cursor over a byte view. Every read names the field it reads so that a truncated frame
// throws a FrameError saying what was missing and where. Views are honoured with their byteOffset, so a
// frame decoded from the middle of a larger receive buffer reads the right bytes.
import { formatIPv4, formatIPv6, formatMac, type MacAddress } from './addresses.js';
import { IPV4_LENGTH, IPV6_LENGTH, MAC_LENGTH } from './constants.js';
import { FrameError } from './errors.js';

export class ByteReader {
  private readonly view: DataView;
  private position = 0;

  constructor(private readonly source: Uint8Array) {
    this.view = new DataView(source.buffer, source.byteOffset, source.byteLength);
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.source.length - this.position;
  }

  get offset(): number {
    return this.position;
  }

  private claim(length: number, field: string): number {
    if (length > this.remaining) {
      throw new FrameError('truncated', `${field} needs ${length} bytes at offset ${this.position}, ${this.remaining} left`);
    }
    const start = this.position;
    this.position += length;
    return start;
  }

  u8(field: string): number {
    return this.view.getUint8(this.claim(1, field));
  }

  u16(field: string): number {
    return this.view.getUint16(this.claim(2, field));
  }

  u32(field: string): number {
    return this.view.getUint32(this.claim(4, field));
  }

  /** A copy of the next `length` bytes (copies, so decoded values do not pin or alias the receive buffer). */
  bytes(length: number, field: string): Uint8Array {
    const start = this.claim(length, field);
    return Uint8Array.from(this.source.subarray(start, start + length));
  }

  /** Everything left, copied. */
  rest(): Uint8Array {
    return this.bytes(this.remaining, 'rest');
  }

  mac(field: string): MacAddress {
    return formatMac(this.bytes(MAC_LENGTH, field));
  }

  ipv4(field: string): string {
    return formatIPv4(this.bytes(IPV4_LENGTH, field));
  }

  ipv6(field: string): string {
    return formatIPv6(this.bytes(IPV6_LENGTH, field));
  }
}

/**
 * Writes into a buffer of a length the encoder computed up front. Overrunning it is a bug in the encoder,
 * not bad input, so it throws a RangeError at once.
 */
export class ByteWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private position = 0;

  constructor(length: number) {
    this.bytes = new Uint8Array(length);
    this.view = new DataView(this.bytes.buffer);
  }

  get offset(): number {
    return this.position;
  }

  private claim(length: number): number {
    if (this.position + length > this.bytes.length) {
      throw new RangeError(`writer overrun: ${length} bytes at ${this.position} of ${this.bytes.length}`);
    }
    const start = this.position;
    this.position += length;
    return start;
  }

  u8(value: number): this {
    this.view.setUint8(this.claim(1), value);
    return this;
  }

  u16(value: number): this {
    this.view.setUint16(this.claim(2), value);
    return this;
  }

  u32(value: number): this {
    this.view.setUint32(this.claim(4), value);
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.bytes.set(bytes, this.claim(bytes.length));
    return this;
  }

  /** The written bytes; throws if the encoder's length computation and its writes disagree. */
  finish(): Uint8Array {
    if (this.position !== this.bytes.length) {
      throw new RangeError(`writer underrun: wrote ${this.position} of ${this.bytes.length} bytes`);
    }
    return this.bytes;
  }
}
