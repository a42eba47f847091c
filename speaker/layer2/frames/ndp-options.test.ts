// The option encoder never writes an option a receiver must discard (RFC 4861 §4.6): its length is a whole number of
// 8-octet units, 1 to 255.
import { decodeNdp, encodeNdp, type NdpMessage } from './index.js';

const withRawOption = (dataLength: number): NdpMessage => ({
  kind: 'neighborSolicitation', targetAddress: 'fe80::2', options: [{ kind: 'raw', type: 14, data: new Uint8Array(dataLength).fill(7) }],
});

test.each([6, 14, 255 * 8 - 2])('a raw option with %i data bytes fills whole units: written and read back', (dataLength) => {
  const encoded = encodeNdp(withRawOption(dataLength));
  expect([...encoded.body.subarray(20, 22)]).toEqual([14, (dataLength + 2) / 8]);
  expect(decodeNdp(encoded)).toEqual(withRawOption(dataLength));
});

test.each([5, 7, 256 * 8 - 2])('a raw option with %i data bytes is refused', (dataLength) => {
  expect(() => encodeNdp(withRawOption(dataLength))).toThrow(`ndp option data of ${dataLength} bytes does not fill whole 8-byte units`);
});
