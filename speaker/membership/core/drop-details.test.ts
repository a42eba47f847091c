// What an operator reads when a datagram is dropped: the reason is the drop counter's label and the detail goes
// into the (rate-limited) drop log, so both are pinned here word for word, at every field a cut message can end
// on, and at the size limits where a real heartbeat must still pass.
import { createHmac } from 'node:crypto';
import { MAX_DATAGRAM_BYTES, openHeartbeat, sealHeartbeat, splitDatagram, TAG_LENGTH, tryDecodeHeartbeat } from './auth.js';
import { WireError } from './errors.js';
import { decodeHeartbeat, encodeHeartbeat, headerProblem, type Heartbeat } from './message.js';
import { admission } from './admission.js';
import { chooseBindAddress } from './bind.js';
import { MAX_NAME_BYTES, quoteName } from './names.js';
import { checkSender, indexSenders } from './senders.js';
import { initialState } from './state.js';
import { step } from './step.js';

const mac = (bytes: Uint8Array) => createHmac('sha256', 'cluster-key-0123456789').update(bytes).digest();
// Version 2: a 36-byte fixed header, then "node-a" (length at 36, bytes 37-42), then "node-b" (length at 43).
const sample: Heartbeat = {
  version: 2, uptimeMs: 0, timesDeclaredDead: 0, type: 'beat', from: 'node-a', to: 'node-b', incarnation: 7n, sequence: 1, sendTimeMs: 1000, nextWithinMs: 50,
};
const bytes = encodeHeartbeat(sample);

function thrownBy(input: Uint8Array): WireError {
  try {
    decodeHeartbeat(input);
  } catch (err) {
    if (err instanceof WireError) return err;
    throw err;
  }
  throw new Error('decoded');
}

describe('why a heartbeat does not decode', () => {
  it.each([
    [0, 'heartbeat magic needs 1 bytes at offset 0, 0 left'],
    [1, 'heartbeat magic needs 1 bytes at offset 1, 0 left'],
    [2, 'heartbeat version needs 1 bytes at offset 2, 0 left'],
    [3, 'heartbeat type needs 1 bytes at offset 3, 0 left'],
    [4, 'heartbeat incarnation needs 8 bytes at offset 4, 0 left'],
    [12, 'heartbeat sequence needs 8 bytes at offset 12, 0 left'],
    [20, 'heartbeat sendTimeMs needs 8 bytes at offset 20, 0 left'],
    [28, 'heartbeat nextWithinMs needs 4 bytes at offset 28, 0 left'],
    [32, 'heartbeat timesDeclaredDead needs 4 bytes at offset 32, 0 left'],
    [36, 'heartbeat from length needs 1 bytes at offset 36, 0 left'],
    [40, 'heartbeat from needs 6 bytes at offset 37, 3 left'],
    [43, 'heartbeat to length needs 1 bytes at offset 43, 0 left'],
  ])('cut after %i bytes: %s', (length, message) => {
    const error = thrownBy(bytes.subarray(0, length));
    expect([error.name, error.reason, error.message]).toEqual(['WireError', 'truncated', message]);
  });

  const damaged = (at: number, value: number) => { const copy = Uint8Array.from(bytes); copy[at] = value; return copy; };
  it.each<[string, Uint8Array, string, string]>([
    ['wrong magic', damaged(1, 0), 'badMagic', 'not a Herald heartbeat (magic)'],
    ['a future version', damaged(2, 5), 'badVersion', 'heartbeat version 5, expected one of 1, 2, 3, 4'],
    ['an unknown type', damaged(3, 9), 'badType', 'unknown heartbeat type 9 in version 2'],
    ['a ping before version 4', damaged(3, 3), 'badType', 'unknown heartbeat type 3 in version 2'],
    ['an empty name', damaged(36, 0), 'badName', 'heartbeat from is empty'],
    ['a name that is not UTF-8', damaged(37, 0xff), 'badName', 'heartbeat from is not valid UTF-8'],
    ['trailing bytes', Uint8Array.from([...bytes, 0, 0]), 'trailingBytes', '2 bytes after the heartbeat'],
  ])('%s: %s, "%s"', (_story, input, reason, message) => {
    const error = thrownBy(input);
    expect([error.reason, error.message]).toEqual([reason, message]);
    expect(tryDecodeHeartbeat(input)).toEqual({ ok: false, reason, detail: expect.any(String) as unknown });
  });

  it('the header check says truncated only while the header is short, and badMagic for the second magic byte', () => {
    expect([[0x48], [0x48, 0x4c], [0x48, 0x00, 1, 1]].map((b) => headerProblem(Uint8Array.from(b)))).toEqual(['truncated', 'truncated', 'badMagic']);
    expect(tryDecodeHeartbeat(damaged(0, 0))).toEqual({ ok: false, reason: 'badMagic', detail: 'not a heartbeat (badMagic)' });
  });
});

describe('datagram limits and the tag', () => {
  const longest = { ...sample, from: 'a'.repeat(MAX_NAME_BYTES), to: 'b'.repeat(MAX_NAME_BYTES) };

  it('the largest heartbeat (two 255-byte names) is exactly the largest datagram, and opens', () => {
    const sealed = sealHeartbeat(longest, mac);
    expect(sealed.length).toBe(MAX_DATAGRAM_BYTES);
    expect(openHeartbeat(sealed, mac)).toMatchObject({ ok: true, message: { from: longest.from } });
  });

  it('one byte more is oversize, one byte of body too few is short; each says how many bytes', () => {
    expect(splitDatagram(new Uint8Array(MAX_DATAGRAM_BYTES + 1))).toEqual({ ok: false, reason: 'oversize', detail: `${MAX_DATAGRAM_BYTES + 1} bytes > ${MAX_DATAGRAM_BYTES}` });
    expect(splitDatagram(new Uint8Array(MAX_DATAGRAM_BYTES)).ok).toBe(true);
    expect(splitDatagram(new Uint8Array(TAG_LENGTH))).toEqual({ ok: false, reason: 'short', detail: `${TAG_LENGTH} bytes` });
  });

  it('a tag that does not match says so; a MAC of the wrong size is a bug, refused at once', () => {
    const sealed = sealHeartbeat(sample, mac);
    sealed[sealed.length - 1] = (sealed.at(-1) ?? 0) ^ 1;
    expect(openHeartbeat(sealed, mac)).toEqual({ ok: false, reason: 'badMac', detail: 'HMAC mismatch' });
    expect(() => sealHeartbeat(sample, () => new Uint8Array(16))).toThrow('MAC function returned 16 bytes, expected 32');
  });
});

describe('names quoted in a message', () => {
  it('quotes 40 characters whole and cuts from the 41st, saying how long it was', () => {
    expect(quoteName('n'.repeat(40))).toBe(JSON.stringify('n'.repeat(40)));
    expect(quoteName('n'.repeat(41))).toBe(`${JSON.stringify('n'.repeat(40))}… (41 characters)`);
  });
});

describe('why a decoded message is not applied, and who may send it', () => {
  const WALL = 1_700_000_000_000;
  const state = initialState({ self: 'a', incarnation: 0xaan }, ['b'], 0);
  const to = (name: string, from = 'b'): Heartbeat => ({ ...sample, from, to: name, sendTimeMs: WALL });

  it.each<[string, Heartbeat, { drop: string; detail: string }]>([
    ['another node', to('c'), { drop: 'notForUs', detail: 'addressed to "c"' }],
    ['a long name, quoted only in part', to('x'.repeat(60)), { drop: 'notForUs', detail: `addressed to "${'x'.repeat(40)}"` }],
    ['our own name', to('a', 'a'), { drop: 'fromSelf', detail: 'a message in our own name' }],
  ])('addressed to %s', (_story, message, verdict) => {
    expect(admission(state, message, WALL)).toEqual(verdict);
  });

  it('a leaving node admits nothing, and says why', () => {
    expect(admission(step(state, { kind: 'leave' }, 20).state, to('a'), WALL)).toEqual({ drop: 'leaving', detail: 'this node is leaving' });
  });

  const index = indexSenders([
    { name: 'p', address: '192.0.2.1' }, { name: 'q', address: '192.0.2.1' },
    { name: 'x', address: '127.0.0.1' }, { name: 'l1', address: '127.0.0.1', port: 7001 },
  ]);
  it.each([
    ['either of two peers listed at one address', '192.0.2.1', 'q', { ok: true }],
    ['a third name there, listing both', '192.0.2.1', 'r'.repeat(50),
      { ok: false, reason: 'wrongSender', detail: `a message in the name of "${'r'.repeat(40)}" from 192.0.2.1 port 7946, where "p", "q" is listed` }],
    ['an address nobody is listed at', '192.0.2.9', 'p', { ok: false, reason: 'unknownSender', detail: 'no peer is listed at 192.0.2.9 port 7946' }],
    ['a peer listed with a port, from another port where a portless peer is listed too', '127.0.0.1', 'l1',
      { ok: false, reason: 'wrongSender', detail: 'a message in the name of "l1" from 127.0.0.1 port 7946, where "x" is listed' }],
  ])('%s', (_story, address, from, verdict) => {
    expect(checkSender(index, address, 7946, from)).toEqual(verdict);
  });

  it('binds to the wildcard when this node is listed by a name rather than an address', () => {
    expect(chooseBindAddress('a', [{ name: 'a', address: 'node-a.example' }, { name: 'b', address: 'node-b.example' }])).toEqual({ address: '::', reason: 'notListed' });
  });
});
