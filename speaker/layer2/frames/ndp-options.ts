// NDP options (RFC 4861 §4.6). Link-layer address options for Ethernet decode to MACs; every other option,
// and a link-layer option of an unexpected size, is kept raw so that it re-encodes byte for byte.
import type { ByteReader, ByteWriter } from '../../../lib/wire/index.js';
import { type MacAddress, parseMac } from './addresses.js';
import { MAC_LENGTH, NDP_OPTION_SOURCE_LINK_LAYER_ADDRESS, NDP_OPTION_TARGET_LINK_LAYER_ADDRESS } from './constants.js';
import { FrameError } from './errors.js';
import { frameReader, readMac } from './wire.js';

export type NdpOption =
  | { kind: 'sourceLinkLayerAddress'; address: MacAddress }
  | { kind: 'targetLinkLayerAddress'; address: MacAddress }
  /** `data` is everything after the type and length octets: (length × 8) − 2 bytes. */
  | { kind: 'raw'; type: number; data: Uint8Array };

/** Option length is counted in units of 8 octets, type and length octets included. */
const OPTION_UNIT = 8;

export function decodeNdpOptions(reader: ByteReader): NdpOption[] {
  const options: NdpOption[] = [];
  while (reader.remaining > 0) {
    const type = reader.u8('ndp option type');
    const units = reader.u8('ndp option length');
    if (units === 0) throw new FrameError('badOptionLength', `ndp option type ${type} has length 0`);
    const data = reader.bytes(units * OPTION_UNIT - 2, `ndp option type ${type} data`);
    options.push(decodeOption(type, data));
  }
  return options;
}

function decodeOption(type: number, data: Uint8Array): NdpOption {
  // An Ethernet link-layer address option is exactly one unit: type, length, 6-byte MAC (RFC 2464 §6).
  const isEthernetAddress = data.length === MAC_LENGTH;
  if (type === NDP_OPTION_SOURCE_LINK_LAYER_ADDRESS && isEthernetAddress) {
    return { kind: 'sourceLinkLayerAddress', address: readMac(frameReader(data), 'source link-layer address') };
  }
  if (type === NDP_OPTION_TARGET_LINK_LAYER_ADDRESS && isEthernetAddress) {
    return { kind: 'targetLinkLayerAddress', address: readMac(frameReader(data), 'target link-layer address') };
  }
  return { kind: 'raw', type, data };
}

export function ndpOptionsLength(options: readonly NdpOption[]): number {
  return options.reduce((total, option) => total + 2 + optionData(option).length, 0);
}

/*
 * NDP option, RFC 4861 §4.6:
 *   0      1                2
 *   | type | length (×8 B)  | data: length × 8 − 2 bytes
 * Source/target link-layer address for Ethernet: type 1 or 2, length 1, then the 6-byte MAC.
 */
export function writeNdpOptions(writer: ByteWriter, options: readonly NdpOption[]): void {
  for (const option of options) {
    const data = optionData(option);
    const size = data.length + 2;
    if (size % OPTION_UNIT !== 0 || size / OPTION_UNIT > 0xff) {
      throw new RangeError(`ndp option data of ${data.length} bytes does not fill whole 8-byte units`);
    }
    writer.u8(optionType(option)).u8(size / OPTION_UNIT).bytes(data);
  }
}

function optionType(option: NdpOption): number {
  switch (option.kind) {
    case 'sourceLinkLayerAddress':
      return NDP_OPTION_SOURCE_LINK_LAYER_ADDRESS;
    case 'targetLinkLayerAddress':
      return NDP_OPTION_TARGET_LINK_LAYER_ADDRESS;
    case 'raw':
      return option.type;
  }
}

function optionData(option: NdpOption): Uint8Array {
  return option.kind === 'raw' ? option.data : parseMac(option.address);
}

/** The MAC in the first option of the given kind, or null. */
export function linkLayerAddress(
  options: readonly NdpOption[],
  kind: 'sourceLinkLayerAddress' | 'targetLinkLayerAddress',
): MacAddress | null {
  for (const option of options) if (option.kind === kind) return option.address;
  return null;
}
