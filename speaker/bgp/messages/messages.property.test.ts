// Properties over the whole codec (fast-check), 119 500 cases in all:
//   - every canonical message round-trips, at an offset inside a larger buffer too;
//   - random bytes, random bodies behind a valid header, and valid messages with octets changed only ever
//     decode or throw NotificationError (never a RangeError, TypeError or TruncatedError);
//   - whatever decodes re-encodes to bytes that decode to the same value (decodes => re-encodes);
//   - any chunking of a stream of messages splits back into the same messages.
import fc from 'fast-check';
import { decodeMessage, encodeMessage, MessageSplitter, NotificationError, type BgpMessage, type ReceivedMessage } from './index.js';
import { arbitraryMessage, withinLargerBuffer } from './test-helpers.js';

/** A received message back in the form the encoder takes, or null if it is a treat-as-withdraw verdict. */
function asSendable(received: ReceivedMessage): BgpMessage | null {
  if (received.type !== 'update') return received;
  return received.action === 'accept' ? received.update : null;
}

/**
 * Generating UPDATEs with IPv6 prefixes is the slow part, so the mutation and chunking properties draw
 * from a fixed pool of encoded messages (seeded: the same pool on every run) and spend their cases on
 * the mutations and the cut points.
 */
const POOL = fc.sample(arbitraryMessage, { numRuns: 400, seed: 7 }).map((message) => encodeMessage(message));
const pooled = fc.constantFrom(...POOL);

const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/**
 * Decodes => re-encodes: what was accepted encodes to bytes that decode and encode to the same bytes again.
 * (Not always the received bytes: known attributes lose a Partial bit or a needless Extended Length.)
 */
function expectReencodes(decoded: ReceivedMessage | null): void {
  const sendable = decoded && asSendable(decoded);
  if (sendable === null) return;
  const once = encodeMessage(sendable);
  const again = asSendable(decodeMessage(once));
  if (again === null || hexOf(encodeMessage(again)) !== hexOf(once)) {
    throw new Error(`re-encoding is not stable: ${hexOf(once)}`);
  }
}

function decodeOrNotification(bytes: Uint8Array): ReceivedMessage | null {
  try {
    return decodeMessage(bytes);
  } catch (error) {
    if (!(error instanceof NotificationError)) throw error;
    return null;
  }
}

test('canonical messages round-trip: encode -> decode -> encode, at any offset (1 500 cases)', () => {
  fc.assert(fc.property(arbitraryMessage, fc.integer({ min: 0, max: 32 }), (message, offset) => {
    const bytes = encodeMessage(message);
    const decoded = decodeMessage(withinLargerBuffer(bytes, offset));
    expect(asSendable(decoded)).toEqual(message);
    expect(encodeMessage(message)).toEqual(bytes);
  }), { numRuns: 1_500 });
});

test('random bytes only ever decode or throw NotificationError (45 000 cases)', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
    decodeOrNotification(bytes);
  }), { numRuns: 45_000 });
});

test('random bodies behind a valid marker, any length and type, only decode or throw NotificationError (45 000 cases)', () => {
  const marker = new Uint8Array(16).fill(0xff);
  fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.uint8Array({ maxLength: 200 }), fc.boolean(), (type, body, lengthMatches) => {
    const length = lengthMatches ? 19 + body.length : (19 + body.length + 1) & 0xffff;
    const bytes = Uint8Array.of(...marker, length >> 8, length & 0xff, type, ...body);
    expectReencodes(decodeOrNotification(bytes));
  }), { numRuns: 45_000 });
});

test('valid messages with octets changed only decode or throw NotificationError, and what decodes re-encodes (25 000 cases)', () => {
  const mutation = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 });
  fc.assert(fc.property(pooled, mutation, fc.boolean(), (original, changes, keepHeader) => {
    const bytes = Uint8Array.from(original);
    const from = keepHeader ? 19 : 0;
    for (const [at, value] of changes) {
      if (bytes.length > from) bytes[from + (at % (bytes.length - from))] = value;
    }
    expectReencodes(decodeOrNotification(bytes));
  }), { numRuns: 25_000 });
});

test('any chunking of a stream of messages splits back into the same messages (3 000 cases)', () => {
  fc.assert(fc.property(fc.array(pooled, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 8 }), (encoded, cutPoints) => {
    const stream = Uint8Array.from(encoded.flatMap((m) => Array.from(m)));
    const cuts = [...new Set(cutPoints.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
    const splitter = new MessageSplitter();
    const out: Uint8Array[] = [];
    [0, ...cuts].forEach((start, i) => {
      const { messages: got, error } = splitter.push(stream.subarray(start, cuts[i] ?? stream.length));
      expect(error).toBeNull();
      out.push(...got);
    });
    expect(out.map(hexOf)).toEqual(encoded.map(hexOf));
  }), { numRuns: 3_000 });
});
