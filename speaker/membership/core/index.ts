// The pure membership core: codec, authentication framing, state machine and split-brain rule.
export * from './defaults.js';
export { WireError, type WireErrorReason } from './errors.js';
export { encodeHeartbeat, decodeHeartbeat, MESSAGE_TYPE, HEARTBEAT_VERSION, HEARTBEAT_VERSIONS, type Heartbeat, type HeartbeatVersion, type MessageType } from './message.js';
export { sealHeartbeat, openHeartbeat, constantTimeEqual, TAG_LENGTH, type MacFunction, type PacketDropReason, type OpenResult } from './auth.js';
export { quorumDecision, type QuorumDecision, type QuorumReason, type QuorumInput } from './quorum.js';
export {
  initialState, aliveSet, knownSet, quorumOf, nextWakeMs, isStarting,
  type MembershipState, type MembershipConfig, type MembershipConfigInput, type PeerState, type PeerStatus,
  type StateDropReason, type MembershipCounters,
} from './state.js';
export { step, type MembershipEvent, type MembershipAction, type OutgoingMessage, type StepResult } from './step.js';
