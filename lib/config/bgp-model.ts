// The internal model of Herald's BGP configuration (BGPPeer, BGPAdvertisement, BFDProfile, Community), what BGP
// code will read instead of the objects, and the problems bgpConfigFromResources (bgp.ts) finds in them.
import type { Address } from '../ip/index.js';
import type { Labels, SelectorCompile } from './selector.js';
import type { CommunityValue } from './bgp-values.js';

export type BGPObjectKind = 'BGPPeer' | 'BGPAdvertisement' | 'BFDProfile' | 'Community';

/** Why an object's Ready condition is False; docs/bgp.md says what to do about each. */
export type BGPProblemReason =
  // BGPPeer
  | 'VRFNotSupported' | 'PasswordConflict' | 'MultiHopWithIBGP' | 'InvalidTimers' | 'BFDProfileNotFound' | 'DuplicatePeer'
  | 'SecretNotFound' | 'InvalidSecret'
  // BGPAdvertisement
  | 'InvalidAggregationLength' | 'LocalPrefConflict' | 'InvalidCommunity' | 'UnknownCommunity'
  // BGPPeer and BGPAdvertisement
  | 'InvalidSelector'
  // BFDProfile
  | 'EchoModeNotSupported'
  // Community (and InvalidCommunity)
  | 'DuplicateCommunity';

export interface BGPProblem {
  kind: BGPObjectKind;
  /** The object's name. */
  name: string;
  reason: BGPProblemReason;
  /** The field at fault, as a path in the spec ("holdTime", "communities[2]"). */
  field: string;
  /** The offending value, clipped; the message quotes it too. */
  value: string;
  message: string;
}

export type PeerASN = { kind: 'fixed'; asn: number } | { kind: 'dynamic'; mode: 'internal' | 'external' };
export type PeerPassword = { kind: 'none' } | { kind: 'inline'; password: string } | { kind: 'secret'; name: string; namespace: string | undefined };

export interface BGPPeerModel {
  name: string;
  myASN: number;
  peerASN: PeerASN;
  peerAddress: Address;
  sourceAddress: Address | undefined;
  peerPort: number;
  /** Defaults applied: hold 90 s, keepalive a third of hold, connect retry 120 s. */
  holdTimeMs: number;
  keepaliveTimeMs: number;
  connectTimeMs: number;
  routerID: string | undefined;
  /** Empty: every node. Unusable selectors stay in place and match nothing. */
  nodeSelectors: readonly SelectorCompile[];
  password: PeerPassword;
  bfdProfile: string | undefined;
  gracefulRestart: boolean;
  ebgpMultiHop: boolean;
  dualStackAddressFamily: boolean;
}

export interface BGPAdvertisementModel {
  name: string;
  aggregationLength: number;
  aggregationLengthV6: number;
  localPref: number | undefined;
  /** Aliases resolved; each once, in the order written. */
  communities: readonly CommunityValue[];
  /** With poolSelectors both empty: every pool. */
  poolNames: readonly string[];
  poolSelectors: readonly SelectorCompile[];
  nodeSelectors: readonly SelectorCompile[];
  /** BGPPeer names; empty: every peer. */
  peers: readonly string[];
  serviceSelectors: readonly SelectorCompile[];
}

export interface BFDProfileModel {
  name: string;
  receiveIntervalMs: number;
  transmitIntervalMs: number;
  detectMultiplier: number;
  echoIntervalMs: number;
  passiveMode: boolean;
  minimumTtl: number;
}

/** A Secret as the passwordSecret rule reads it: its name, type and the names of its keys, never a value. */
export interface SecretSummary {
  name: string;
  type: string | undefined;
  keys: readonly string[];
}

/** The Secrets a passwordSecret may name: those of Herald's namespace (herald-system), the only one it reads them in. */
export interface PasswordSecrets {
  namespace: string;
  secrets: readonly SecretSummary[];
}

/** A node as the duplicate-peer rule reads it. */
export interface NodeLabels {
  name: string;
  labels: Labels;
}

export interface BGPConfig {
  /** The usable objects of each kind, sorted by name. An object with a problem is left out, except for
   *  InvalidSelector (the selector stays in place, matching nothing, as in L2Advertisement). */
  peers: BGPPeerModel[];
  advertisements: BGPAdvertisementModel[];
  bfdProfiles: BFDProfileModel[];
  /** Community aliases, by name: only those defined once, with a valid value. */
  communities: ReadonlyMap<string, CommunityValue>;
  /** Every problem found, sorted by kind, name and field. */
  problems: BGPProblem[];
}
