// The OPEN message (RFC 4271 §4.2) with its optional parameters (RFC 5492 §4: Capabilities is the only one
// in use), and the checks RFC 4271 §6.2 asks of every received OPEN that need no configuration. Whether My AS
// is the AS configured for the peer is the session's question: `checkPeerAs` answers it.
import { ByteReader, type ByteWriter } from '../../../lib/wire/index.js';
import { formatIPv4, parseIPv4, type IPv4Address } from '../../../lib/ip/index.js';
import { decodeCapabilities, encodeCapability, type Capability } from './capabilities.js';
import { AS_TRANS, BGP_VERSION, MESSAGE_TYPE, OPTIONAL_PARAMETER_TYPE } from './constants.js';
import {
  badBgpIdentifier,
  badPeerAs,
  malformedOpen,
  unacceptableHoldTime,
  unsupportedOptionalParameter,
  unsupportedVersionNumber,
} from './errors.js';
import { encodeMessage } from './header.js';

export interface OpenMessage {
  type: 'open';
  /** My AS, 2 octets: the speaker's AS, or AS_TRANS when that needs 4 octets (RFC 6793 §4.1; see myAsField). */
  myAutonomousSystem: number;
  /** Hold Time in seconds: 0 (no keepalives) or at least 3. */
  holdTime: number;
  /** BGP Identifier, a non-zero 32-bit number written as an IPv4 address (RFC 6286). */
  bgpIdentifier: IPv4Address;
  /** Every capability from every Capabilities parameter, in order. */
  capabilities: Capability[];
}

/** RFC 4271 §4.2: version, My AS, Hold Time, BGP Identifier and Opt Parm Len. */
const OPEN_FIXED_LENGTH = 10;
const PARAMETER_MAX_LENGTH = 255;

/** RFC 6793 §4.1: the value for My AS. */
export function myAsField(asn: number): number {
  return asn > 0xffff ? AS_TRANS : asn;
}

/** RFC 6793 §4.1: the peer's AS is the one in its 4-octet AS capability if it sent one, else My AS. */
export function peerAs(open: OpenMessage): number {
  const fourOctet = open.capabilities.find((c) => c.kind === 'fourOctetAs');
  return fourOctet?.kind === 'fourOctetAs' ? fourOctet.asn : open.myAutonomousSystem;
}

/** RFC 4271 §6.2: "If the Autonomous System field of the OPEN message is unacceptable ... Bad Peer AS". */
export function checkPeerAs(open: OpenMessage, expected: number): void {
  const asn = peerAs(open);
  if (asn !== expected) throw badPeerAs(asn, `is not the configured ${expected}`);
}

function openReader(bytes: Uint8Array): ByteReader {
  return new ByteReader(bytes, { truncated: (t) => malformedOpen(`OPEN ${t.message}`) });
}

/** Decodes an OPEN body (the octets after the header) and applies RFC 4271 §6.2's checks. */
export function decodeOpen(body: Uint8Array): OpenMessage {
  const input = openReader(body);
  const version = input.u8('version');
  if (version !== BGP_VERSION) throw unsupportedVersionNumber(version, BGP_VERSION);
  const myAutonomousSystem = input.u16('my AS');
  if (myAutonomousSystem === 0) throw badPeerAs(0, 'is reserved (RFC 7607)');
  const holdTime = input.u16('hold time');
  if (holdTime === 1 || holdTime === 2) throw unacceptableHoldTime(holdTime);
  const bgpIdentifier = formatIPv4(input.view(4, 'BGP identifier'));
  if (bgpIdentifier === '0.0.0.0') throw badBgpIdentifier(bgpIdentifier, 'is zero');
  const parametersLength = input.u8('optional parameters length');
  if (parametersLength !== input.remaining) {
    throw malformedOpen(`optional parameters length ${parametersLength} but ${input.remaining} octets follow`);
  }
  const capabilities = decodeParameters(input);
  for (const capability of capabilities) {
    if (capability.kind === 'fourOctetAs' && capability.asn === 0) throw badPeerAs(0, 'in the 4-octet AS capability is reserved (RFC 7607)');
  }
  return { type: 'open', myAutonomousSystem, holdTime, bgpIdentifier, capabilities };
}

/* Optional parameter, RFC 5492 §4: | Parm. Type (1) | Parm. Length (1) | Parameter Value (variable) | */
function decodeParameters(input: ByteReader): Capability[] {
  const capabilities: Capability[] = [];
  while (input.remaining > 0) {
    const parameterType = input.u8('optional parameter type');
    const value = input.view(input.u8('optional parameter length'), `optional parameter ${parameterType} value`);
    if (parameterType !== OPTIONAL_PARAMETER_TYPE.CAPABILITIES) throw unsupportedOptionalParameter(parameterType);
    capabilities.push(...decodeCapabilities(value));
  }
  return capabilities;
}

/*
 * OPEN, RFC 4271 §4.2 (after the header):
 *   | Version (1) | My AS (2) | Hold Time (2) | BGP Identifier (4) | Opt Parm Len (1) | Optional Parameters |
 * Herald puts every capability in one Capabilities parameter (RFC 5492 §4 allows one or several): splitting
 * them buys no room, since Opt Parm Len caps all parameters together at 255 octets (RFC 9072 is not spoken).
 */
export function encodeOpen(open: OpenMessage): Uint8Array {
  const capabilities = open.capabilities.map(encodeCapability);
  const capabilitiesLength = capabilities.reduce((sum, c) => sum + c.length, 0);
  const parametersLength = capabilities.length === 0 ? 0 : 2 + capabilitiesLength;
  if (parametersLength > PARAMETER_MAX_LENGTH) throw new RangeError(`OPEN capabilities take ${parametersLength} octets, more than 255`);
  return encodeMessage(MESSAGE_TYPE.OPEN, OPEN_FIXED_LENGTH + parametersLength, (writer: ByteWriter) => {
    writer.u8(BGP_VERSION).u16(open.myAutonomousSystem).u16(open.holdTime).bytes(parseIPv4(open.bgpIdentifier)).u8(parametersLength);
    if (capabilities.length === 0) return;
    writer.u8(OPTIONAL_PARAMETER_TYPE.CAPABILITIES).u8(capabilitiesLength);
    for (const capability of capabilities) writer.bytes(capability);
  });
}
