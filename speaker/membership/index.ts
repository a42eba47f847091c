// Membership for the speaker: the UDP driver, its keys, and the pure core's public types.
export { UdpMembership, type UdpMembershipOptions, type PeerAddress, type MembershipListener, type RejoinListener, type KeyMismatchListener, type MembershipStats } from './udp-membership.js';
export { dgramSocketFactory, type DatagramSocket, type SocketFactory, type SourceFilterState } from './socket.js';
export { filteredSocketFactory, HEARTBEAT_FILTER_ENV } from './filtered-socket.js';
export { parseHeartbeatKeys, KeyRing, MIN_KEY_BYTES } from './keys.js';
export { KeyFileWatcher, type KeyFileWatcherOptions } from './key-file.js';
export {
  quorumDecision, chooseBindAddress, keyMismatchText, nodeNameProblem, DEFAULT_INTERVAL_MS, DEFAULT_DEAD_AFTER, DEFAULT_SLOW_INTERVAL_MS, DEFAULT_PORT,
  type QuorumDecision, type QuorumReason, type BindChoice, type KeyMismatch,
} from './core/index.js';
