// Test-only helpers for the BFD codec and session tests: canonical fast-check arbitraries (decode(encode(x))
// deep-equals x), byte helpers and a typed-error assertion. Not exported from index.ts.
import fc from 'fast-check';
import type { AuthenticationSection } from './authentication.js';
import { SESSION_STATES } from './constants.js';
import { BfdWireError, type BfdWireErrorReason } from './errors.js';
import type { ControlPacket } from './packet.js';

export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}

/** The same bytes as a view `offset` bytes into a larger buffer with garbage around them. */
export function withinLargerBuffer(bytes: Uint8Array, offset: number): Uint8Array {
  const larger = new Uint8Array(offset + bytes.length + 7).fill(0xa5);
  larger.set(bytes, offset);
  return larger.subarray(offset, offset + bytes.length);
}

/** A valid Up packet from discriminator 0x11111111 to 0x22222222 with 300 ms timers; override what a test needs. */
export function packetWith(overrides: Partial<ControlPacket> = {}): ControlPacket {
  return {
    diagnostic: 0,
    state: 'Up',
    poll: false,
    final: false,
    controlPlaneIndependent: false,
    demand: false,
    multipoint: false,
    detectMult: 3,
    myDiscriminator: 0x11111111,
    yourDiscriminator: 0x22222222,
    desiredMinTxInterval: 300_000,
    requiredMinRxInterval: 300_000,
    requiredMinEchoRxInterval: 0,
    ...overrides,
  };
}

export function expectWireError(decode: () => unknown, reason: BfdWireErrorReason): BfdWireError {
  let thrown: unknown = null;
  try {
    decode();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(BfdWireError);
  expect((thrown as BfdWireError).reason).toBe(reason);
  return thrown as BfdWireError;
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });

// Raw sections avoid the (type, length) pairs that decode as a typed section.
const arbitraryRawAuthentication: fc.Arbitrary<AuthenticationSection> = fc
  .record({ authType: fc.integer({ min: 0, max: 255 }), data: fc.uint8Array({ maxLength: 40 }) })
  .filter(({ authType, data }) => !(
    (authType === 1 && data.length >= 2 && data.length <= 17)
    || ((authType === 2 || authType === 3) && data.length === 22)
    || ((authType === 4 || authType === 5) && data.length === 26)))
  .map(({ authType, data }) => ({ type: 'raw' as const, authType, data }));

export const arbitraryAuthentication: fc.Arbitrary<AuthenticationSection> = fc.oneof(
  fc.record({ type: fc.constant('simplePassword' as const), keyId: fc.integer({ min: 0, max: 255 }), password: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({
    type: fc.constantFrom('keyedMd5' as const, 'meticulousKeyedMd5' as const), keyId: fc.integer({ min: 0, max: 255 }),
    sequenceNumber: u32, digest: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  }),
  fc.record({
    type: fc.constantFrom('keyedSha1' as const, 'meticulousKeyedSha1' as const), keyId: fc.integer({ min: 0, max: 255 }),
    sequenceNumber: u32, hash: fc.uint8Array({ minLength: 20, maxLength: 20 }),
  }),
  arbitraryRawAuthentication,
);

/** Any encodable packet, valid or not by §6.8.6 (the codec carries both). */
export const arbitraryControlPacket: fc.Arbitrary<ControlPacket> = fc
  .record({
    diagnostic: fc.integer({ min: 0, max: 31 }),
    state: fc.constantFrom(...SESSION_STATES),
    poll: fc.boolean(),
    final: fc.boolean(),
    controlPlaneIndependent: fc.boolean(),
    demand: fc.boolean(),
    multipoint: fc.boolean(),
    detectMult: fc.integer({ min: 0, max: 255 }),
    myDiscriminator: u32,
    yourDiscriminator: u32,
    desiredMinTxInterval: u32,
    requiredMinRxInterval: u32,
    requiredMinEchoRxInterval: u32,
    authentication: fc.option(arbitraryAuthentication, { nil: undefined }),
  })
  .map(({ authentication, ...packet }) => (authentication === undefined ? packet : { ...packet, authentication }));
