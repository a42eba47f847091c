// The pure membership core: codec, authentication framing, the receive path's checks, state machine and
// split-brain rule.
export * from './defaults.js';
export { WireError, type WireErrorReason } from './errors.js';
export { encodeHeartbeat, decodeHeartbeat, headerProblem, MESSAGE_TYPE, HEARTBEAT_VERSION, HEARTBEAT_VERSIONS, PING_VERSION, type Heartbeat, type HeartbeatVersion, type MessageType } from './message.js';
export {
  sealHeartbeat, openHeartbeat, splitDatagram, matchingKey, tryDecodeHeartbeat, constantTimeEqual, TAG_LENGTH, MAX_DATAGRAM_BYTES,
  type MacFunction, type PacketDropReason, type OpenResult, type SplitResult,
} from './auth.js';
export { MAX_NAME_BYTES, nodeNameProblem, quoteName } from './names.js';
export { canonicalSourceAddress, indexSenders, sendersAt, checkSender, type SenderIndex, type SenderEntry, type SenderDropReason, type SenderVerdict } from './senders.js';
export { admission, type Admission } from './admission.js';
export { takeToken, DEFAULT_BUDGET, type Bucket, type BudgetConfig } from './budget.js';
export { passLogGate, LOG_WINDOW_MS, type GateState } from './log-gate.js';
export { chooseBindAddress, type BindChoice } from './bind.js';
export {
  noteKeyEvent, keyMismatches, keyMismatchText, keyRuleFor, MIN_FAILURES,
  type KeyEvent, type KeyEvidence, type KeyEvidenceMap, type KeyMismatch, type KeyRule,
} from './key-mismatch.js';
export { quorumDecision, type QuorumDecision, type QuorumReason, type QuorumInput } from './quorum.js';
export {
  initialState, aliveSet, settlingOf, knownSet, quorumOf, keyMismatchesOf, nextWakeMs, nextSendMs, isStarting,
  type MembershipState, type MembershipConfig, type MembershipConfigInput, type PeerState, type PeerStatus,
  type StateDropReason, type MembershipCounters,
} from './state.js';
export { step, type MembershipEvent, type MembershipAction, type OutgoingMessage, type StepResult } from './step.js';
