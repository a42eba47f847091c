// Cutting a TCP byte stream into BGP messages. TCP keeps no message boundaries: one read may hold half a
// header, three messages, or the tail of one and the head of the next. The splitter takes the chunks as they
// come and hands back whole messages, each checked by its header (RFC 4271 §6.1) as soon as its 19 header
// octets are in, so a bad length is refused without waiting for bytes that will never be sent.
//
// Copies are made only where a message straddles chunks; a message that lies inside one chunk is returned as
// a view of that chunk (the socket hands out a fresh buffer per read, and decoders copy what they keep).
import { BGP_HEADER_LENGTH } from './constants.js';
import { NotificationError } from './errors.js';
import { decodeHeader } from './header.js';

export interface SplitResult {
  /** Whole messages, header included, in stream order. */
  messages: Uint8Array[];
  /**
   * The Message Header Error found after those messages, or null. Once set, the stream is out of step:
   * the session sends this NOTIFICATION and closes, and every later push returns the same error.
   */
  error: NotificationError | null;
}

export class MessageSplitter {
  /** The header of a message whose first octets came in an earlier chunk. */
  private readonly header = new Uint8Array(BGP_HEADER_LENGTH);
  private headerFilled = 0;
  /** The message being assembled across chunks, once its header was read. */
  private partial: Uint8Array | null = null;
  private partialFilled = 0;
  private failure: NotificationError | null = null;

  /** Octets held back, waiting for the rest of their message. */
  get buffered(): number {
    return this.partial === null ? this.headerFilled : this.partialFilled;
  }

  push(chunk: Uint8Array): SplitResult {
    const messages: Uint8Array[] = [];
    if (this.failure !== null) return { messages, error: this.failure };
    let at = 0;
    try {
      at = this.finishPending(chunk, messages);
      while (this.partial === null && this.headerFilled === 0 && at < chunk.length) {
        at = this.takeFromChunk(chunk, at, messages);
      }
    } catch (error) {
      if (!(error instanceof NotificationError)) throw error;
      this.failure = error;
    }
    return { messages, error: this.failure };
  }

  /** Completes a header or message begun in earlier chunks; returns where the rest of `chunk` starts. */
  private finishPending(chunk: Uint8Array, messages: Uint8Array[]): number {
    let at = 0;
    if (this.partial === null && this.headerFilled > 0) {
      const take = Math.min(BGP_HEADER_LENGTH - this.headerFilled, chunk.length);
      this.header.set(chunk.subarray(0, take), this.headerFilled);
      this.headerFilled += take;
      at = take;
      if (this.headerFilled < BGP_HEADER_LENGTH) return at;
      const { length } = decodeHeader(this.header);
      this.partial = new Uint8Array(length);
      this.partial.set(this.header);
      this.partialFilled = BGP_HEADER_LENGTH;
      this.headerFilled = 0;
    }
    if (this.partial !== null) {
      const take = Math.min(this.partial.length - this.partialFilled, chunk.length - at);
      this.partial.set(chunk.subarray(at, at + take), this.partialFilled);
      this.partialFilled += take;
      at += take;
      if (this.partialFilled === this.partial.length) {
        messages.push(this.partial);
        this.partial = null;
        this.partialFilled = 0;
      }
    }
    return at;
  }

  /** Takes one message starting at `at` in the chunk, or keeps its beginning; returns where the next starts. */
  private takeFromChunk(chunk: Uint8Array, at: number, messages: Uint8Array[]): number {
    const left = chunk.length - at;
    if (left < BGP_HEADER_LENGTH) {
      this.header.set(chunk.subarray(at));
      this.headerFilled = left;
      return chunk.length;
    }
    const { length } = decodeHeader(chunk.subarray(at, at + BGP_HEADER_LENGTH));
    if (length <= left) {
      messages.push(chunk.subarray(at, at + length));
      return at + length;
    }
    this.partial = new Uint8Array(length);
    this.partial.set(chunk.subarray(at));
    this.partialFilled = left;
    return chunk.length;
  }
}
