// Layer 2 frame codecs: pure functions from bytes to typed values and back (STYLE.md §3, §8).
// Decoders throw FrameError (with a `reason` for the drop counter) and nothing else on any input.
export * from './addresses.js';
export * from './arp.js';
export * from './builders.js';
export * from './constants.js';
export * from './errors.js';
export * from './ethernet.js';
export * from './icmpv6.js';
export * from './ipv6.js';
export * from './ndp.js';
export * from './ndp-options.js';
export { frameReader, readIPv4, readIPv6, readMac } from './wire.js';
