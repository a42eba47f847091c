// Membership for the speaker: the UDP driver and the pure core's public types.
export { UdpMembership, type UdpMembershipOptions, type PeerAddress, type MembershipListener, type RejoinListener, type MembershipStats } from './udp-membership.js';
export { dgramSocketFactory, type DatagramSocket, type SocketFactory } from './socket.js';
export {
  quorumDecision, DEFAULT_INTERVAL_MS, DEFAULT_DEAD_AFTER, DEFAULT_SLOW_INTERVAL_MS, DEFAULT_PORT,
  type QuorumDecision, type QuorumReason,
} from './core/index.js';
