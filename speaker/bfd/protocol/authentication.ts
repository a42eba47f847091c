// The optional authentication section of a BFD Control packet, RFC 5880 §4.2-4.4. Herald decodes it so that a
// packet carrying one can be logged and counted, but it does not authenticate: it never sets the A bit, and
// RFC 5880 §6.8.6 then discards every received packet with the A bit set ("If the A bit is set and no
// authentication is in use (bfd.AuthType is zero), the packet MUST be discarded"; receive.ts). No digest or
// password is ever checked here. Single-hop sessions are protected by the TTL 255 rule of RFC 5881 §5 instead.
import { type ByteReader, ByteWriter } from '../../../lib/wire/index.js';
import { AUTH_TYPE } from './constants.js';
import { BfdWireError } from './errors.js';

/** §4.2 Simple Password: Auth Len is 3 + the password's 1 to 16 bytes. */
export interface SimplePasswordAuthentication {
  type: 'simplePassword';
  keyId: number;
  password: Uint8Array;
}

/** §4.3 Keyed MD5 and Meticulous Keyed MD5: Auth Len 24, a 16-byte digest. */
export interface KeyedMd5Authentication {
  type: 'keyedMd5' | 'meticulousKeyedMd5';
  keyId: number;
  sequenceNumber: number;
  digest: Uint8Array;
}

/** §4.4 Keyed SHA1 and Meticulous Keyed SHA1: Auth Len 28, a 20-byte hash. */
export interface KeyedSha1Authentication {
  type: 'keyedSha1' | 'meticulousKeyedSha1';
  keyId: number;
  sequenceNumber: number;
  hash: Uint8Array;
}

/** A reserved Auth Type, or a known one whose Auth Len its layout does not have: kept as bytes. */
export interface RawAuthentication {
  type: 'raw';
  authType: number;
  /** Everything after Auth Type and Auth Len. */
  data: Uint8Array;
}

export type AuthenticationSection =
  | SimplePasswordAuthentication
  | KeyedMd5Authentication
  | KeyedSha1Authentication
  | RawAuthentication;

const PASSWORD_MIN = 1;
const PASSWORD_MAX = 16;
const MD5_AUTH_LEN = 24;
const MD5_DIGEST_LENGTH = 16;
const SHA1_AUTH_LEN = 28;
const SHA1_HASH_LENGTH = 20;
/** Auth Type and Auth Len themselves. */
const AUTH_HEADER_LENGTH = 2;

type TypedName = Exclude<AuthenticationSection['type'], 'raw'>;
const NAME_OF_TYPE = new Map<number, TypedName>(Object.entries(AUTH_TYPE).map(([name, code]) => [code, name as TypedName]));

/**
 * Decodes the authentication section from a reader positioned at its start and holding at most the bytes
 * the packet's Length leaves for it. Bytes past Auth Len are not read.
 */
export function decodeAuthentication(reader: ByteReader): AuthenticationSection {
  const authType = reader.u8('bfd auth type');
  const authLen = reader.u8('bfd auth len');
  const available = reader.remaining + AUTH_HEADER_LENGTH;
  if (authLen < AUTH_HEADER_LENGTH || authLen > available) {
    throw new BfdWireError('badAuthenticationLength', `bfd auth len ${authLen} is outside 2..${available}, the bytes Length leaves for it`);
  }
  const name = NAME_OF_TYPE.get(authType);
  if (name === 'simplePassword' && authLen - 3 >= PASSWORD_MIN && authLen - 3 <= PASSWORD_MAX) {
    return { type: name, keyId: reader.u8('bfd auth key id'), password: reader.bytes(authLen - 3, 'bfd password') };
  }
  if ((name === 'keyedMd5' || name === 'meticulousKeyedMd5') && authLen === MD5_AUTH_LEN) {
    const keyId = reader.u8('bfd auth key id');
    reader.skip(1, 'bfd auth reserved');
    return { type: name, keyId, sequenceNumber: reader.u32('bfd auth sequence number'), digest: reader.bytes(MD5_DIGEST_LENGTH, 'bfd auth digest') };
  }
  if ((name === 'keyedSha1' || name === 'meticulousKeyedSha1') && authLen === SHA1_AUTH_LEN) {
    const keyId = reader.u8('bfd auth key id');
    reader.skip(1, 'bfd auth reserved');
    return { type: name, keyId, sequenceNumber: reader.u32('bfd auth sequence number'), hash: reader.bytes(SHA1_HASH_LENGTH, 'bfd auth hash') };
  }
  return { type: 'raw', authType, data: reader.bytes(authLen - AUTH_HEADER_LENGTH, 'bfd auth data') };
}

/** Auth Len: the whole section, Auth Type and Auth Len included. */
export function authenticationLength(section: AuthenticationSection): number {
  switch (section.type) {
    case 'simplePassword': return 3 + section.password.length;
    case 'keyedMd5':
    case 'meticulousKeyedMd5': return MD5_AUTH_LEN;
    case 'keyedSha1':
    case 'meticulousKeyedSha1': return SHA1_AUTH_LEN;
    case 'raw': return AUTH_HEADER_LENGTH + section.data.length;
  }
}

function checkLength(what: string, actual: number, min: number, max: number): void {
  if (actual < min || actual > max) throw new RangeError(`bfd ${what} is ${actual} bytes, want ${min === max ? min : `${min}..${max}`}`);
}

/*
 * RFC 5880 §4.2 Simple Password (Auth Len 3 + password):
 *   0           1          2             3
 *   | Auth Type | Auth Len | Auth Key ID | Password (1-16) ... |
 *       = 1
 * RFC 5880 §4.3 Keyed MD5 / Meticulous Keyed MD5 (Auth Len 24), §4.4 Keyed SHA1 / Meticulous Keyed SHA1 (28):
 *   0           1          2             3          4                 8
 *   | Auth Type | Auth Len | Auth Key ID | Reserved | Sequence Number | Auth Key/Digest (16) or Hash (20) |
 *    = 2, 3, 4, 5                          = 0
 */
export function writeAuthentication(writer: ByteWriter, section: AuthenticationSection): void {
  const authLen = authenticationLength(section);
  switch (section.type) {
    case 'simplePassword':
      checkLength('password', section.password.length, PASSWORD_MIN, PASSWORD_MAX);
      writer.u8(AUTH_TYPE.simplePassword).u8(authLen).u8(section.keyId).bytes(section.password);
      return;
    case 'keyedMd5':
    case 'meticulousKeyedMd5':
      checkLength('md5 digest', section.digest.length, MD5_DIGEST_LENGTH, MD5_DIGEST_LENGTH);
      writer.u8(AUTH_TYPE[section.type]).u8(authLen).u8(section.keyId).zeros(1).u32(section.sequenceNumber).bytes(section.digest);
      return;
    case 'keyedSha1':
    case 'meticulousKeyedSha1':
      checkLength('sha1 hash', section.hash.length, SHA1_HASH_LENGTH, SHA1_HASH_LENGTH);
      writer.u8(AUTH_TYPE[section.type]).u8(authLen).u8(section.keyId).zeros(1).u32(section.sequenceNumber).bytes(section.hash);
      return;
    case 'raw':
      checkLength('raw auth data', section.data.length, 0, 0xff - AUTH_HEADER_LENGTH);
      writer.u8(section.authType).u8(authLen).bytes(section.data);
      return;
  }
}

/** The section alone, for tests and logs. */
export function encodeAuthentication(section: AuthenticationSection): Uint8Array {
  const writer = new ByteWriter(authenticationLength(section));
  writeAuthentication(writer, section);
  return writer.finish();
}
