// Herald's BGP session layer (pure: no sockets, no timers, no clock). The state machine of RFC 4271 §8 as
// step(state, event, nowMs) → { state, actions }; the OPEN negotiation; collision resolution; the declarative
// adj-rib-out diff. The driver owns the TCP connection and the timers.
export * from './config.js';
export { nextRandomState, retryDelayMs, unitInterval } from './backoff.js';
export { afiOf, buildOpen, identifierValue, negotiate, ourCapabilities, type Negotiated } from './negotiate.js';
export {
  advertisementMap, attributesKey, diffAdvertisements, encodeDiff, fullAnnouncement, isEmptyDiff, pathAttributes, routeAttributes,
  type Advertisement, type AdvertisementDiff, type AdvertisementMap, type AnnouncementGroup, type EncodingContext, type RouteAttributes,
} from './adj-rib-out.js';
export { collisionVerdict, connectionToKeep } from './collision.js';
export { errorEvent, messageEvent } from './received.js';
export {
  advertisedPrefixes, codecOptions, initialState, nextTimerMs,
  type DownReason, type FsmState, type SessionAction, type SessionEvent, type SessionEventKind, type SessionState, type TimerName,
} from './state.js';
export { step, type StepResult } from './step.js';
