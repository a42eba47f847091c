// OPEN capabilities (RFC 5492 §4): each a code, a length and a value. Herald decodes the ones it negotiates and
// keeps every other one, and any known one whose length is wrong, as raw bytes: a peer that advertises
// something Herald does not use must still be able to open a session with it.
//
//   +------------------------------+
//   | Capability Code (1 octet)    |
//   +------------------------------+
//   | Capability Length (1 octet)  |
//   +------------------------------+
//   | Capability Value (variable)  |
//   +------------------------------+
import { ByteReader, ByteWriter } from '../../../lib/wire/index.js';
import { CAPABILITY_CODE } from './constants.js';
import { malformedOpen } from './errors.js';

/** RFC 4724 §3: one address family in the Graceful Restart capability. */
export interface GracefulRestartFamily {
  afi: number;
  safi: number;
  /** F bit: the peer kept forwarding this family across its restart. */
  forwardingState: boolean;
}

export type Capability =
  /** RFC 4760 §8: AFI (2), reserved (1), SAFI (1). */
  | { kind: 'multiprotocol'; afi: number; safi: number }
  /** RFC 2918 §2: no value. */
  | { kind: 'routeRefresh' }
  /** RFC 6793 §3: the speaker's 4-octet AS number. */
  | { kind: 'fourOctetAs'; asn: number }
  | {
      kind: 'gracefulRestart';
      /** R bit (RFC 4724 §3): the speaker has restarted. */
      restartState: boolean;
      /** N bit (RFC 8538 §2): the speaker supports graceful restart for NOTIFICATIONs. */
      notification: boolean;
      /** Restart Time, 12 bits, in seconds. */
      restartTimeSeconds: number;
      families: GracefulRestartFamily[];
    }
  /** Any other capability, or a known one with a value of the wrong length, as received. */
  | { kind: 'raw'; code: number; value: Uint8Array };

const RESTART_STATE_BIT = 0x8000;
const NOTIFICATION_BIT = 0x4000;
const RESTART_TIME_MASK = 0x0fff;
const FORWARDING_STATE_BIT = 0x80;

function reader(bytes: Uint8Array): ByteReader {
  return new ByteReader(bytes, { truncated: (t) => malformedOpen(`capabilities: ${t.message}`) });
}

/** Reads the capabilities in one Capabilities optional parameter's value. */
export function decodeCapabilities(bytes: Uint8Array): Capability[] {
  const capabilities: Capability[] = [];
  const input = reader(bytes);
  while (input.remaining > 0) {
    const code = input.u8('capability code');
    const length = input.u8('capability length');
    capabilities.push(decodeCapability(code, input.view(length, `capability ${code} value`)));
  }
  return capabilities;
}

function decodeCapability(code: number, value: Uint8Array): Capability {
  const input = reader(value);
  switch (code) {
    case CAPABILITY_CODE.MULTIPROTOCOL:
      if (value.length !== 4) break;
      return { kind: 'multiprotocol', afi: input.u16('afi'), safi: (input.skip(1, 'reserved'), input.u8('safi')) };
    case CAPABILITY_CODE.ROUTE_REFRESH:
      if (value.length !== 0) break;
      return { kind: 'routeRefresh' };
    case CAPABILITY_CODE.FOUR_OCTET_AS:
      if (value.length !== 4) break;
      return { kind: 'fourOctetAs', asn: input.u32('4-octet AS') };
    case CAPABILITY_CODE.GRACEFUL_RESTART:
      if (value.length < 2 || (value.length - 2) % 4 !== 0) break;
      return decodeGracefulRestart(input);
  }
  return { kind: 'raw', code, value: Uint8Array.from(value) };
}

function decodeGracefulRestart(input: ByteReader): Capability {
  const flagsAndTime = input.u16('restart flags and time');
  const families: GracefulRestartFamily[] = [];
  while (input.remaining > 0) {
    const afi = input.u16('graceful restart afi');
    const safi = input.u8('graceful restart safi');
    const flags = input.u8('graceful restart family flags');
    families.push({ afi, safi, forwardingState: (flags & FORWARDING_STATE_BIT) !== 0 });
  }
  return {
    kind: 'gracefulRestart',
    restartState: (flagsAndTime & RESTART_STATE_BIT) !== 0,
    notification: (flagsAndTime & NOTIFICATION_BIT) !== 0,
    restartTimeSeconds: flagsAndTime & RESTART_TIME_MASK,
    families,
  };
}

/*
 * Graceful Restart capability value, RFC 4724 §3 (N bit: RFC 8538 §2):
 *   | R N 0 0 | Restart Time (12 bits) | then per family: | AFI (2) | SAFI (1) | F 0 0 0 0 0 0 0 |
 */
function writeCapabilityValue(writer: ByteWriter, capability: Capability): void {
  switch (capability.kind) {
    case 'multiprotocol':
      writer.u16(capability.afi).u8(0).u8(capability.safi);
      return;
    case 'routeRefresh':
      return;
    case 'fourOctetAs':
      writer.u32(capability.asn);
      return;
    case 'gracefulRestart': {
      if (capability.restartTimeSeconds > RESTART_TIME_MASK) {
        throw new RangeError(`graceful restart time ${capability.restartTimeSeconds} s exceeds ${RESTART_TIME_MASK}`);
      }
      writer.u16((capability.restartState ? RESTART_STATE_BIT : 0) | (capability.notification ? NOTIFICATION_BIT : 0) | capability.restartTimeSeconds);
      for (const family of capability.families) {
        writer.u16(family.afi).u8(family.safi).u8(family.forwardingState ? FORWARDING_STATE_BIT : 0);
      }
      return;
    }
    case 'raw':
      writer.bytes(capability.value);
      return;
  }
}

function capabilityCode(capability: Capability): number {
  switch (capability.kind) {
    case 'multiprotocol': return CAPABILITY_CODE.MULTIPROTOCOL;
    case 'routeRefresh': return CAPABILITY_CODE.ROUTE_REFRESH;
    case 'fourOctetAs': return CAPABILITY_CODE.FOUR_OCTET_AS;
    case 'gracefulRestart': return CAPABILITY_CODE.GRACEFUL_RESTART;
    case 'raw': return capability.code;
  }
}

/** One capability as code, length and value. */
export function encodeCapability(capability: Capability): Uint8Array {
  const value = new ByteWriter();
  writeCapabilityValue(value, capability);
  const bytes = value.finish();
  return new ByteWriter(2 + bytes.length).u8(capabilityCode(capability)).u8(bytes.length).bytes(bytes).finish();
}
