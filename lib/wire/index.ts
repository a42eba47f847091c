// The bounds-checked byte reader and writer every wire codec builds on (pure: no I/O, no clock).
export { ByteReader, ByteWriter, TruncatedError, type ByteReaderOptions, type Truncation, type TruncationError } from './bytes.js';
