// Cutting a TCP stream into messages (framing.ts): every way a stream of several messages can be split into
// two or three reads yields the same messages, and a bad header stops the stream with its NOTIFICATION.
import { CAPTURES, hex, toHex } from './captures.fixture.js';
import { MessageSplitter } from './index.js';

const STREAM_PARTS = [CAPTURES.openOneParameterPerCapability, CAPTURES.keepalive, CAPTURES.updateIPv6, CAPTURES.endOfRibIPv4, CAPTURES.shutdown];
const STREAM = hex(STREAM_PARTS.join(''));

function splitAll(chunks: Uint8Array[]): string[] {
  const splitter = new MessageSplitter();
  const out: string[] = [];
  for (const chunk of chunks) {
    const { messages, error } = splitter.push(chunk);
    expect(error).toBeNull();
    out.push(...messages.map(toHex));
  }
  expect(splitter.buffered).toBe(0);
  return out;
}

test('the whole stream in one read yields each message as a view of that read, without copies', () => {
  const { messages } = new MessageSplitter().push(STREAM);
  expect(messages.map(toHex)).toEqual(STREAM_PARTS);
  for (const message of messages) expect(message.buffer).toBe(STREAM.buffer);
});

test('every split point of the stream into two reads', () => {
  for (let cut = 0; cut <= STREAM.length; cut++) {
    expect(splitAll([STREAM.subarray(0, cut), STREAM.subarray(cut)])).toEqual(STREAM_PARTS);
  }
});

test('every pair of split points inside the first 120 octets, into three reads', () => {
  for (let first = 0; first <= 120; first++) {
    for (let second = first; second <= 120; second++) {
      expect(splitAll([STREAM.subarray(0, first), STREAM.subarray(first, second), STREAM.subarray(second)])).toEqual(STREAM_PARTS);
    }
  }
});

test('one octet per read', () => {
  expect(splitAll(Array.from(STREAM, (octet) => Uint8Array.of(octet)))).toEqual(STREAM_PARTS);
});

test('a partial message is held back and counted until its last octet arrives', () => {
  const splitter = new MessageSplitter();
  expect(splitter.push(STREAM.subarray(0, 10))).toEqual({ messages: [], error: null });
  expect(splitter.buffered).toBe(10);
  expect(splitter.push(STREAM.subarray(10, 40)).messages).toEqual([]);
  expect(splitter.buffered).toBe(40);
});

test('a bad header is reported after the messages before it, as soon as its 19 octets are in, and sticks', () => {
  const splitter = new MessageSplitter();
  const badLength = 'ff'.repeat(16) + '2000' + '02'; // 8192 octets: refused without waiting for them
  const { messages, error } = splitter.push(hex(CAPTURES.keepalive + badLength));
  expect(messages.map(toHex)).toEqual([CAPTURES.keepalive]);
  expect(error?.notification).toEqual({ type: 'notification', code: 1, subcode: 2, data: hex('2000') });
  expect(splitter.push(hex(CAPTURES.keepalive))).toEqual({ messages: [], error });
});

test('a bad marker split across reads is found once the header is complete', () => {
  const splitter = new MessageSplitter();
  const broken = hex('ff'.repeat(15) + '00' + '001304');
  expect(splitter.push(broken.subarray(0, 7)).error).toBeNull();
  expect(splitter.push(broken.subarray(7)).error?.subcode).toBe(1);
});
