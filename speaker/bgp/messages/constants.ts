// BGP-4 numbers, each group named after the IANA registry it comes from
// (https://www.iana.org/assignments/bgp-parameters, .../capability-codes, .../address-family-numbers,
// .../safi-namespace). Only what Herald reads or writes is named; everything else travels as a number.

/** RFC 4271 §4.1: the header is a 16-byte marker of all ones, a 2-byte length and a 1-byte type. */
export const BGP_MARKER_LENGTH = 16;
export const BGP_HEADER_LENGTH = 19;
/** RFC 4271 §4.1: "The value of the Length field MUST always be at least 19 and no greater than 4096". */
export const BGP_MAX_MESSAGE_LENGTH = 4096;
/** RFC 4271 §4.2: the only version Herald speaks. */
export const BGP_VERSION = 4;

/** IANA "BGP Message Types" (RFC 4271 §4.1, RFC 2918 §3). */
export const MESSAGE_TYPE = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const;

/** Smallest whole message of each type, header included (RFC 4271 §4.2-§4.5, RFC 2918 §3). */
export const MIN_MESSAGE_LENGTH: Readonly<Record<number, number>> = {
  [MESSAGE_TYPE.OPEN]: 29,
  [MESSAGE_TYPE.UPDATE]: 23,
  [MESSAGE_TYPE.NOTIFICATION]: 21,
  [MESSAGE_TYPE.KEEPALIVE]: 19,
  [MESSAGE_TYPE.ROUTE_REFRESH]: 23,
};

/** Types whose length is fixed: a KEEPALIVE is the bare header, a ROUTE-REFRESH carries AFI/SAFI only. */
export const FIXED_MESSAGE_LENGTH: Readonly<Record<number, number>> = {
  [MESSAGE_TYPE.KEEPALIVE]: 19,
  [MESSAGE_TYPE.ROUTE_REFRESH]: 23,
};

/** IANA "BGP OPEN Optional Parameter Types" (RFC 5492 §4). */
export const OPTIONAL_PARAMETER_TYPE = {
  CAPABILITIES: 2,
} as const;

/** IANA "Capability Codes". */
export const CAPABILITY_CODE = {
  /** RFC 4760 §8 */
  MULTIPROTOCOL: 1,
  /** RFC 2918 §2 */
  ROUTE_REFRESH: 2,
  /** RFC 4724 §3 */
  GRACEFUL_RESTART: 64,
  /** RFC 6793 §3 */
  FOUR_OCTET_AS: 65,
} as const;

/** RFC 6793 §9: the 2-octet AS that stands in for a 4-octet one in My AS and in 2-octet AS_PATHs. */
export const AS_TRANS = 23456;

/** IANA "Address Family Numbers". */
export const AFI = {
  IPV4: 1,
  IPV6: 2,
} as const;

/** IANA "Subsequent Address Family Identifiers (SAFI) Parameters". */
export const SAFI = {
  UNICAST: 1,
} as const;

/** IANA "BGP Path Attribute Flags" (RFC 4271 §4.3): the high-order bits of the flags octet. */
export const ATTRIBUTE_FLAG = {
  OPTIONAL: 0x80,
  TRANSITIVE: 0x40,
  PARTIAL: 0x20,
  EXTENDED_LENGTH: 0x10,
} as const;

/** IANA "BGP Path Attributes". */
export const ATTRIBUTE_TYPE = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  /** RFC 1997 */
  COMMUNITIES: 8,
  /** RFC 4456 */
  ORIGINATOR_ID: 9,
  /** RFC 4456 */
  CLUSTER_LIST: 10,
  /** RFC 4760 */
  MP_REACH_NLRI: 14,
  /** RFC 4760 */
  MP_UNREACH_NLRI: 15,
  /** RFC 4360 */
  EXTENDED_COMMUNITIES: 16,
  /** RFC 6793 */
  AS4_PATH: 17,
  /** RFC 6793 */
  AS4_AGGREGATOR: 18,
  /** RFC 8092 */
  LARGE_COMMUNITY: 32,
} as const;

/** RFC 4271 §4.3 ORIGIN values. */
export const ORIGIN = {
  IGP: 0,
  EGP: 1,
  INCOMPLETE: 2,
} as const;

/** IANA "BGP AS_PATH Segment Types" (RFC 4271 §4.3, RFC 5065 §3). */
export const AS_PATH_SEGMENT_TYPE = {
  AS_SET: 1,
  AS_SEQUENCE: 2,
  AS_CONFED_SEQUENCE: 3,
  AS_CONFED_SET: 4,
} as const;

/** RFC 4271 §4.3: a segment counts its ASes in one octet. */
export const AS_PATH_SEGMENT_MAX_ASES = 255;

/** IANA "BGP Error (Notification) Codes" (RFC 4271 §4.5, RFC 7313 §5). */
export const ERROR_CODE = {
  MESSAGE_HEADER: 1,
  OPEN_MESSAGE: 2,
  UPDATE_MESSAGE: 3,
  HOLD_TIMER_EXPIRED: 4,
  FINITE_STATE_MACHINE: 5,
  CEASE: 6,
  ROUTE_REFRESH_MESSAGE: 7,
} as const;

/** IANA "Message Header Error subcodes" (RFC 4271 §6.1). */
export const MESSAGE_HEADER_ERROR = {
  CONNECTION_NOT_SYNCHRONIZED: 1,
  BAD_MESSAGE_LENGTH: 2,
  BAD_MESSAGE_TYPE: 3,
} as const;

/** IANA "OPEN Message Error subcodes" (RFC 4271 §6.2; 0 is "Unspecific", used for a malformed known parameter). */
export const OPEN_MESSAGE_ERROR = {
  UNSPECIFIC: 0,
  UNSUPPORTED_VERSION_NUMBER: 1,
  BAD_PEER_AS: 2,
  BAD_BGP_IDENTIFIER: 3,
  UNSUPPORTED_OPTIONAL_PARAMETER: 4,
  UNACCEPTABLE_HOLD_TIME: 6,
  /** RFC 5492 §5 */
  UNSUPPORTED_CAPABILITY: 7,
} as const;

/** IANA "UPDATE Message Error subcodes" (RFC 4271 §6.3). */
export const UPDATE_MESSAGE_ERROR = {
  MALFORMED_ATTRIBUTE_LIST: 1,
  UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE: 2,
  MISSING_WELL_KNOWN_ATTRIBUTE: 3,
  ATTRIBUTE_FLAGS_ERROR: 4,
  ATTRIBUTE_LENGTH_ERROR: 5,
  INVALID_ORIGIN_ATTRIBUTE: 6,
  INVALID_NEXT_HOP_ATTRIBUTE: 8,
  OPTIONAL_ATTRIBUTE_ERROR: 9,
  INVALID_NETWORK_FIELD: 10,
  MALFORMED_AS_PATH: 11,
} as const;

/** IANA "BGP Cease NOTIFICATION message subcodes" (RFC 4486 §4). */
export const CEASE_SUBCODE = {
  MAXIMUM_PREFIXES_REACHED: 1,
  ADMINISTRATIVE_SHUTDOWN: 2,
  PEER_DECONFIGURED: 3,
  ADMINISTRATIVE_RESET: 4,
  CONNECTION_REJECTED: 5,
  OTHER_CONFIGURATION_CHANGE: 6,
  CONNECTION_COLLISION_RESOLUTION: 7,
  OUT_OF_RESOURCES: 8,
  /** RFC 8538 §5 */
  HARD_RESET: 9,
  /** RFC 9384 §2: BFD declared the forwarding path to the peer down. */
  BFD_DOWN: 10,
} as const;

/** RFC 8203 §2 / RFC 9003 §2: a Shutdown Communication is at most 255 octets of UTF-8. */
export const SHUTDOWN_COMMUNICATION_MAX_LENGTH = 255;
