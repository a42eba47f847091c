// The BFD Control packet, RFC 5880 §4.1: a 24-byte mandatory section and, when the A bit is set, an
// authentication section (§4.2-4.4, authentication.ts). Field names are the RFC's. Intervals are
// microseconds, as on the wire. The decoder throws BfdWireError and nothing else on any input; the §6.8.6
// rules it does not need to find the packet's end are checked by receive.ts.
import { ByteReader, ByteWriter, type TruncationError } from '../../../lib/wire/index.js';
import { authenticationLength, decodeAuthentication, writeAuthentication, type AuthenticationSection } from './authentication.js';
import {
  BFD_VERSION,
  DIAGNOSTIC_MAX,
  MANDATORY_SECTION_LENGTH,
  MINIMUM_LENGTH_WITH_AUTHENTICATION,
  SESSION_STATES,
  type Diagnostic,
  type SessionState,
} from './constants.js';
import { BfdWireError } from './errors.js';

/**
 * A BFD Control packet. Version is always 1 (the decoder refuses others) and Length follows from the
 * authentication section, so neither is a field; the A bit is `authentication !== undefined`.
 */
export interface ControlPacket {
  /** Diag: why the sender's session last changed state (DIAGNOSTIC). */
  diagnostic: Diagnostic;
  /** Sta: the sender's bfd.SessionState. */
  state: SessionState;
  /** P: the sender is running a Poll Sequence (§6.5). */
  poll: boolean;
  /** F: the answer to a Poll. */
  final: boolean;
  /** C: the sender's BFD does not share fate with its control plane. Herald's never does (it is a process). */
  controlPlaneIndependent: boolean;
  /** D: the sender wishes to run Demand mode (§6.6). Herald never sets it and ignores it (session.ts). */
  demand: boolean;
  /** M: reserved for point-to-multipoint; §6.8.6 discards a packet that sets it. */
  multipoint: boolean;
  /** Detect Mult: how many of the sender's intervals make its peer's detection time. */
  detectMult: number;
  /** My Discriminator: the sender's bfd.LocalDiscr, nonzero. */
  myDiscriminator: number;
  /** Your Discriminator: the receiver's discriminator as the sender last heard it, or 0. */
  yourDiscriminator: number;
  /** Desired Min TX Interval, µs: the sender's bfd.DesiredMinTxInterval. */
  desiredMinTxInterval: number;
  /** Required Min RX Interval, µs: the sender's bfd.RequiredMinRxInterval (0: send me nothing). */
  requiredMinRxInterval: number;
  /** Required Min Echo RX Interval, µs: 0, as Herald runs no Echo function. */
  requiredMinEchoRxInterval: number;
  /** The authentication section (§4.2-4.4); its presence is the A bit. */
  authentication?: AuthenticationSection;
}

const BIT_POLL = 0x20;
const BIT_FINAL = 0x10;
const BIT_CONTROL_PLANE_INDEPENDENT = 0x08;
const BIT_AUTHENTICATION_PRESENT = 0x04;
const BIT_DEMAND = 0x02;
const BIT_MULTIPOINT = 0x01;

const truncated: TruncationError = (truncation) => new BfdWireError('truncated', truncation.message);

/** A bounds-checked reader whose reads past the end throw BfdWireError('truncated'). */
function bfdReader(bytes: Uint8Array): ByteReader {
  return new ByteReader(bytes, { truncated });
}

/** Length against the datagram: the three §6.8.6 rules that say where the packet ends. */
function checkLength(length: number, authenticationPresent: boolean, received: number): void {
  if (length < MANDATORY_SECTION_LENGTH) {
    throw new BfdWireError('lengthTooShort', `bfd length ${length} is less than ${MANDATORY_SECTION_LENGTH}`);
  }
  if (authenticationPresent && length < MINIMUM_LENGTH_WITH_AUTHENTICATION) {
    throw new BfdWireError('authenticationSectionMissing', `bfd length ${length} with the A bit set is less than ${MINIMUM_LENGTH_WITH_AUTHENTICATION}`);
  }
  if (length > received) {
    throw new BfdWireError('lengthBeyondPayload', `bfd length ${length} is more than the ${received} bytes received`);
  }
}

/**
 * Decodes the UDP payload of a BFD Control packet. Bytes after Length are ignored, and so are bytes between
 * the mandatory section and Length when the A bit is clear (no rule discards them).
 */
export function decodeControlPacket(datagram: Uint8Array): ControlPacket {
  const reader = bfdReader(datagram);
  const versionAndDiagnostic = reader.u8('bfd vers/diag');
  const stateAndFlags = reader.u8('bfd sta/flags');
  const detectMult = reader.u8('bfd detect mult');
  const length = reader.u8('bfd length');
  const myDiscriminator = reader.u32('bfd my discriminator');
  const yourDiscriminator = reader.u32('bfd your discriminator');
  const desiredMinTxInterval = reader.u32('bfd desired min tx interval');
  const requiredMinRxInterval = reader.u32('bfd required min rx interval');
  const requiredMinEchoRxInterval = reader.u32('bfd required min echo rx interval');
  const version = versionAndDiagnostic >> 5;
  if (version !== BFD_VERSION) throw new BfdWireError('badVersion', `bfd version ${version}, want ${BFD_VERSION}`);
  const authenticationPresent = (stateAndFlags & BIT_AUTHENTICATION_PRESENT) !== 0;
  checkLength(length, authenticationPresent, datagram.length);
  const packet: ControlPacket = {
    diagnostic: versionAndDiagnostic & DIAGNOSTIC_MAX,
    // A u8 shifted right by 6 is 0..3, and every 2-bit value is a state.
    state: SESSION_STATES[(stateAndFlags >> 6) as 0 | 1 | 2 | 3],
    poll: (stateAndFlags & BIT_POLL) !== 0,
    final: (stateAndFlags & BIT_FINAL) !== 0,
    controlPlaneIndependent: (stateAndFlags & BIT_CONTROL_PLANE_INDEPENDENT) !== 0,
    demand: (stateAndFlags & BIT_DEMAND) !== 0,
    multipoint: (stateAndFlags & BIT_MULTIPOINT) !== 0,
    detectMult,
    myDiscriminator,
    yourDiscriminator,
    desiredMinTxInterval,
    requiredMinRxInterval,
    requiredMinEchoRxInterval,
  };
  if (!authenticationPresent) return packet;
  const section = bfdReader(datagram.subarray(MANDATORY_SECTION_LENGTH, length));
  return { ...packet, authentication: decodeAuthentication(section) };
}

function stateAndFlags(packet: ControlPacket): number {
  return (SESSION_STATES.indexOf(packet.state) << 6)
    | (packet.poll ? BIT_POLL : 0)
    | (packet.final ? BIT_FINAL : 0)
    | (packet.controlPlaneIndependent ? BIT_CONTROL_PLANE_INDEPENDENT : 0)
    | (packet.authentication ? BIT_AUTHENTICATION_PRESENT : 0)
    | (packet.demand ? BIT_DEMAND : 0)
    | (packet.multipoint ? BIT_MULTIPOINT : 0);
}

/*
 * BFD Control packet, RFC 5880 §4.1 (24 bytes, then the authentication section when A is set):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Vers |  Diag   |Sta|P|F|C|A|D|M|  Detect Mult  |    Length     |   Vers = 1; Length = 24 + Auth Len
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                       My Discriminator                        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                      Your Discriminator                       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Desired Min TX Interval                    |   microseconds
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   Required Min RX Interval                    |   microseconds
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                 Required Min Echo RX Interval                 |   microseconds
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   Auth Type   |   Auth Len    |    Authentication Data...     |   only when A is set (§4.2-4.4)
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
export function encodeControlPacket(packet: ControlPacket): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(packet.diagnostic) || packet.diagnostic < 0 || packet.diagnostic > DIAGNOSTIC_MAX) {
    throw new RangeError(`bfd diagnostic ${packet.diagnostic} is not in 0..${DIAGNOSTIC_MAX}`);
  }
  const length = MANDATORY_SECTION_LENGTH + (packet.authentication ? authenticationLength(packet.authentication) : 0);
  if (length > 0xff) throw new RangeError(`bfd length ${length} does not fit the 1-byte Length field`);
  const writer = new ByteWriter(length)
    .u8((BFD_VERSION << 5) | packet.diagnostic)
    .u8(stateAndFlags(packet))
    .u8(packet.detectMult)
    .u8(length)
    .u32(packet.myDiscriminator)
    .u32(packet.yourDiscriminator)
    .u32(packet.desiredMinTxInterval)
    .u32(packet.requiredMinRxInterval)
    .u32(packet.requiredMinEchoRxInterval);
  if (packet.authentication) writeAuthentication(writer, packet.authentication);
  return writer.finish();
}
