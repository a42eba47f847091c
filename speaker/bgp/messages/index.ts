// Herald's BGP-4 message codec (pure: no sockets, no timers). See each file for its RFC sections.
export * from './constants.js';
export { NotificationError, type NotificationMessage } from './errors.js';
export { decodeHeader, type MessageHeader } from './header.js';
export { MessageSplitter, type SplitResult } from './framing.js';
export { decodeCapabilities, encodeCapability, type Capability, type GracefulRestartFamily } from './capabilities.js';
export { checkPeerAs, decodeOpen, encodeOpen, myAsField, peerAs, type OpenMessage } from './open.js';
export { decodeNotification, encodeNotification, shutdownCommunication, shutdownNotification, type ShutdownCommunication, type ShutdownSubcode } from './notification.js';
export { decodeRouteRefresh, encodeRouteRefresh, type RouteRefreshMessage } from './route-refresh.js';
export { DEFAULT_CODEC_OPTIONS, encodeAttribute, type AsPathSegment, type CodecOptions, type LargeCommunity, type PathAttribute, type PathAttributeKind } from './attributes.js';
export { familyOf, type MpNextHop } from './mp-nlri.js';
export { encodePrefix, prefixFamily, readPrefixes, type Prefix } from './prefixes.js';
export { decodeUpdate, encodeUpdate, endOfRib, endOfRibFamily, type AttributeProblem, type UpdateDecoding, type UpdateMessage } from './update.js';
export { packAnnouncements, packWithdrawals, type Announcement } from './pack.js';
export { decodeMessage, encodeKeepalive, encodeMessage, type BgpMessage, type KeepaliveMessage, type ReceivedMessage } from './message.js';
