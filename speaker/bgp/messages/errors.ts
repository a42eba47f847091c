// A BGP message that cannot be accepted decodes to an error that *is* the NOTIFICATION to send (STYLE.md §9):
// RFC 4271 §6 fixes, per failure, the error code, the subcode and what the data field carries. The session
// driver sends `error.notification` and closes; nothing needs to translate one error vocabulary into another.
//
// RFC 7606 softens most UPDATE attribute errors into treat-as-withdraw or attribute-discard: those are not
// thrown but reported in the decoded UPDATE (update.ts). What is thrown here is what must reset the session.
import { ERROR_CODE, MESSAGE_HEADER_ERROR, OPEN_MESSAGE_ERROR, UPDATE_MESSAGE_ERROR } from './constants.js';

/** RFC 4271 §4.5 NOTIFICATION: what went wrong (code, subcode) and the octets that show it (data). */
export interface NotificationMessage {
  type: 'notification';
  /** IANA "BGP Error (Notification) Codes" (ERROR_CODE). */
  code: number;
  /** Meaning depends on the code (MESSAGE_HEADER_ERROR, OPEN_MESSAGE_ERROR, UPDATE_MESSAGE_ERROR, CEASE_SUBCODE). */
  subcode: number;
  data: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** A received message that must be answered by this NOTIFICATION, after which the session closes. */
export class NotificationError extends Error {
  override readonly name = 'NotificationError';

  constructor(
    readonly code: number,
    readonly subcode: number,
    readonly data: Uint8Array,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${code}/${subcode}: ${message}`, options);
  }

  /** The NOTIFICATION to send for this error. */
  get notification(): NotificationMessage {
    return { type: 'notification', code: this.code, subcode: this.subcode, data: this.data };
  }
}

const u8 = (value: number): Uint8Array => Uint8Array.of(value & 0xff);
const u16 = (value: number): Uint8Array => Uint8Array.of((value >> 8) & 0xff, value & 0xff);

// RFC 4271 §6.1 Message Header error handling.

/** The marker is not all ones. */
export function connectionNotSynchronized(): NotificationError {
  return new NotificationError(ERROR_CODE.MESSAGE_HEADER, MESSAGE_HEADER_ERROR.CONNECTION_NOT_SYNCHRONIZED, EMPTY,
    'message header marker is not all ones (RFC 4271 §6.1)');
}

/** Data: the erroneous Length field. */
export function badMessageLength(length: number, why: string): NotificationError {
  return new NotificationError(ERROR_CODE.MESSAGE_HEADER, MESSAGE_HEADER_ERROR.BAD_MESSAGE_LENGTH, u16(length),
    `message length ${length} ${why} (RFC 4271 §6.1)`);
}

/** Data: the erroneous Type field. */
export function badMessageType(type: number): NotificationError {
  return new NotificationError(ERROR_CODE.MESSAGE_HEADER, MESSAGE_HEADER_ERROR.BAD_MESSAGE_TYPE, u8(type),
    `message type ${type} is not one Herald knows (RFC 4271 §6.1)`);
}

// RFC 4271 §6.2 OPEN message error handling.

/** Data: the largest version supported, as 2 octets. */
export function unsupportedVersionNumber(version: number, supported: number): NotificationError {
  return new NotificationError(ERROR_CODE.OPEN_MESSAGE, OPEN_MESSAGE_ERROR.UNSUPPORTED_VERSION_NUMBER, u16(supported),
    `OPEN version ${version}, only ${supported} is supported (RFC 4271 §6.2)`);
}

export function badPeerAs(asn: number, why: string): NotificationError {
  return new NotificationError(ERROR_CODE.OPEN_MESSAGE, OPEN_MESSAGE_ERROR.BAD_PEER_AS, EMPTY,
    `peer AS ${asn} ${why} (RFC 4271 §6.2)`);
}

export function badBgpIdentifier(identifier: string, why: string): NotificationError {
  return new NotificationError(ERROR_CODE.OPEN_MESSAGE, OPEN_MESSAGE_ERROR.BAD_BGP_IDENTIFIER, EMPTY,
    `BGP identifier ${identifier} ${why} (RFC 4271 §6.2, RFC 6286)`);
}

export function unsupportedOptionalParameter(parameterType: number): NotificationError {
  return new NotificationError(ERROR_CODE.OPEN_MESSAGE, OPEN_MESSAGE_ERROR.UNSUPPORTED_OPTIONAL_PARAMETER, EMPTY,
    `OPEN optional parameter type ${parameterType} is not supported (RFC 4271 §6.2)`);
}

export function unacceptableHoldTime(holdTime: number): NotificationError {
  return new NotificationError(ERROR_CODE.OPEN_MESSAGE, OPEN_MESSAGE_ERROR.UNACCEPTABLE_HOLD_TIME, EMPTY,
    `hold time ${holdTime} s is neither 0 nor at least 3 (RFC 4271 §6.2)`);
}

/** A recognized optional parameter that is malformed: subcode 0, Unspecific (RFC 4271 §6.2). */
export function malformedOpen(message: string): NotificationError {
  return new NotificationError(ERROR_CODE.OPEN_MESSAGE, OPEN_MESSAGE_ERROR.UNSPECIFIC, EMPTY, `${message} (RFC 4271 §6.2)`);
}

// RFC 4271 §6.3 UPDATE message error handling: the errors that still reset the session under RFC 7606.

/** Withdrawn Routes Length or Total Path Attribute Length overrun the message; MP_REACH/MP_UNREACH repeated. */
export function malformedAttributeList(message: string): NotificationError {
  return new NotificationError(ERROR_CODE.UPDATE_MESSAGE, UPDATE_MESSAGE_ERROR.MALFORMED_ATTRIBUTE_LIST, EMPTY,
    `${message} (RFC 4271 §6.3, RFC 7606 §3)`);
}

/** Data: the unrecognized attribute (type, length and value). */
export function unrecognizedWellKnownAttribute(typeCode: number, attribute: Uint8Array): NotificationError {
  return new NotificationError(ERROR_CODE.UPDATE_MESSAGE, UPDATE_MESSAGE_ERROR.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE, attribute,
    `attribute type ${typeCode} has the optional bit clear but is not a well-known attribute (RFC 4271 §6.3)`);
}

/** The Withdrawn Routes or NLRI field cannot be parsed (RFC 7606 §5.3: session reset). */
export function invalidNetworkField(message: string): NotificationError {
  return new NotificationError(ERROR_CODE.UPDATE_MESSAGE, UPDATE_MESSAGE_ERROR.INVALID_NETWORK_FIELD, EMPTY,
    `${message} (RFC 4271 §6.3, RFC 7606 §5.3)`);
}

/** An attribute error whose RFC 7606 handling is session reset (MP_REACH_NLRI, MP_UNREACH_NLRI). */
export function attributeSessionReset(subcode: number, attribute: Uint8Array, message: string): NotificationError {
  return new NotificationError(ERROR_CODE.UPDATE_MESSAGE, subcode, attribute, message);
}

/**
 * Inside the attribute decoders only: this attribute is malformed, with the UPDATE Message Error subcode
 * RFC 4271 §6.3 names for it. The attribute list decoder turns it into RFC 7606's verdict for that
 * attribute (treat-as-withdraw, attribute discard or session reset); it never leaves the codec.
 */
export class AttributeMalformed extends Error {
  override readonly name = 'AttributeMalformed';

  constructor(
    readonly subcode: number,
    message: string,
  ) {
    super(message);
  }
}
