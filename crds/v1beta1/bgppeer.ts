// BGPPeer: a BGP router each selected node's speaker opens a session to. Field names follow MetalLB's
// metallb.io/v1beta2 BGPPeer, so its YAML carries over with a new apiVersion. What one object can be checked for on
// its own is checked here (ranges, enums, address syntax, one of peerASN/dynamicASN); what needs other objects
// (the BFDProfile it names, another peer with the same address), or what Herald accepts but refuses to use
// (vrf), is reported by the controller as a Ready=False condition (lib/config/bgp-conditions.ts), never by a webhook.
// Descriptions live in TypeBox `description`s so the CRD, and so `kubectl explain`, carries them.
import { Type, type Static } from '@sinclair/typebox';
import { ConditionSchema, LabelSelectorSchema, type HeraldObject } from './common.js';
import { CONDITIONS_MAX_ITEMS, SELECTORS_MAX_ITEMS } from './ipaddresspool.js';
import { OBJECT_NAME_MAX_LENGTH } from './l2advertisement.js';

/** AS numbers are 4 octets (RFC 6793); 0 is reserved (RFC 7607). */
export const ASN_MIN = 1;
export const ASN_MAX = 4294967295;
/** BGP's well-known TCP port (RFC 4271 §8.2.1). */
export const BGP_PORT = 179;
/** The longest IP address text: an IPv6 address with a dotted IPv4 tail. */
export const IP_ADDRESS_MAX_LENGTH = 45;
/** A Go duration as metav1.Duration writes it ("90s", "1m30s", "500ms"); generous, the values are short. */
export const DURATION_MAX_LENGTH = 32;
/** What time.ParseDuration accepts, without a sign (a negative timer means nothing here). */
export const DURATION_PATTERN = '^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$';
/** TCP_MD5SIG_MAXKEYLEN (include/uapi/linux/tcp.h): the longest TCP MD5 key Linux takes. */
export const PASSWORD_MAX_LENGTH = 80;
/** A VRF is a Linux interface: IFNAMSIZ - 1. */
export const VRF_NAME_MAX_LENGTH = 15;
/** Nodes one peer's status lists (a node per speaker the peer's nodeSelectors admit). */
export const PEER_NODES_MAX_ITEMS = 1000;
/** The last error or NOTIFICATION a speaker reports for its session, already clipped by the speaker. */
export const SESSION_TEXT_MAX_LENGTH = 256;

/** RFC 4271 §8.2.2 states; what a speaker reports per node. */
export const SESSION_STATES = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'] as const;
export type SessionState = typeof SESSION_STATES[number];

const ipAddressRules = (what: string) => [{
  rule: 'isIP(self)',
  messageExpression: `'${what} "' + self + '" is not an IP address (like 192.0.2.1 or 2001:db8::1)'`,
  message: `${what} must be an IP address (like 192.0.2.1 or 2001:db8::1)`,
}];

const duration = (description: string) => Type.Optional(Type.String({ maxLength: DURATION_MAX_LENGTH, pattern: DURATION_PATTERN, description }));

export const SecretReferenceSchema = Type.Object({
  name: Type.Optional(Type.String({ maxLength: OBJECT_NAME_MAX_LENGTH, description: 'The Secret\'s name.' })),
  namespace: Type.Optional(Type.String({ maxLength: 63, description: 'The Secret\'s namespace (herald-system when empty).' })),
}, { description: 'A Secret of type kubernetes.io/basic-auth whose "password" key is the TCP MD5 key.' });
export type SecretReference = Static<typeof SecretReferenceSchema>;

export const BGPPeerSpecSchema = Type.Object({
  myASN: Type.Integer({ minimum: ASN_MIN, maximum: ASN_MAX, description: 'The AS number of the local end of the session (1-4294967295).' }),
  peerASN: Type.Optional(Type.Integer({
    minimum: ASN_MIN, maximum: ASN_MAX,
    description: 'The AS number expected from the peer (1-4294967295). Exactly one of peerASN and dynamicASN is set.',
  })),
  dynamicASN: Type.Optional(Type.Union([Type.Literal('internal'), Type.Literal('external')], {
    description: 'Accept whatever AS the peer announces, as long as it is (internal) or is not (external) myASN. Exactly one of peerASN and dynamicASN is set.',
  })),
  peerAddress: Type.String({ maxLength: IP_ADDRESS_MAX_LENGTH, 'x-kubernetes-validations': ipAddressRules('peerAddress'), description: 'The address to open the session to.' }),
  sourceAddress: Type.Optional(Type.String({
    maxLength: IP_ADDRESS_MAX_LENGTH, 'x-kubernetes-validations': ipAddressRules('sourceAddress'),
    description: 'The local address to open the session from. Empty: the one the kernel picks.',
  })),
  peerPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, default: BGP_PORT, description: `The peer's TCP port (${BGP_PORT} by default).` })),
  holdTime: duration('The hold time proposed in OPEN (RFC 4271), as a duration like "90s": 0 or at least 3s. Default 90s.'),
  keepaliveTime: duration('The keepalive interval, as a duration like "30s"; at most holdTime. Default a third of holdTime.'),
  connectTime: duration('How long to wait between connection attempts, whole seconds from 1s to 65535s. Default 120s (RFC 4271 ConnectRetryTime).'),
  routerID: Type.Optional(Type.String({
    maxLength: IP_ADDRESS_MAX_LENGTH,
    'x-kubernetes-validations': [{
      rule: 'isIP(self) && ip(self).family() == 4',
      messageExpression: `'routerID "' + self + '" is not an IPv4 address: a BGP identifier is written as one (like 192.0.2.1)'`,
      message: 'routerID must be an IPv4 address (like 192.0.2.1)',
    }],
    description: 'The BGP identifier to send, as an IPv4 address. Empty: the node\'s IPv4 address.',
  })),
  nodeSelectors: Type.Optional(Type.Array(LabelSelectorSchema, {
    maxItems: SELECTORS_MAX_ITEMS,
    description: 'Only nodes matching one of these selectors peer with this router. Empty: every node with a speaker.',
  })),
  password: Type.Optional(Type.String({
    maxLength: PASSWORD_MAX_LENGTH,
    description: `The TCP MD5 (RFC 2385) key, in clear text (at most ${PASSWORD_MAX_LENGTH} characters). Prefer passwordSecret; set one of the two at most.`,
  })),
  passwordSecret: Type.Optional(SecretReferenceSchema),
  bfdProfile: Type.Optional(Type.String({
    maxLength: OBJECT_NAME_MAX_LENGTH,
    description: 'The BFDProfile whose settings a BFD session for this peer uses, by name. Empty: no BFD.',
  })),
  enableGracefulRestart: Type.Optional(Type.Boolean({ description: 'Announce graceful restart (RFC 4724) so the router keeps the routes while a speaker restarts.' })),
  ebgpMultiHop: Type.Optional(Type.Boolean({ description: 'The peer is more than one hop away (eBGP only).' })),
  dualStackAddressFamily: Type.Optional(Type.Boolean({ description: 'Exchange IPv4 and IPv6 routes over this one session (MP-BGP).' })),
  vrf: Type.Optional(Type.String({ maxLength: VRF_NAME_MAX_LENGTH, description: 'Accepted for MetalLB compatibility, not supported: a peer with a vrf is refused with a condition.' })),
}, {
  description: 'A BGP router to peer with, from which nodes, and how.',
  'x-kubernetes-validations': [{
    rule: 'has(self.peerASN) != has(self.dynamicASN)',
    message: 'set exactly one of peerASN and dynamicASN',
    fieldPath: '.peerASN',
  }],
});
export type BGPPeerSpec = Static<typeof BGPPeerSpecSchema>;

export const PeerSessionSchema = Type.Object({
  node: Type.String({ maxLength: OBJECT_NAME_MAX_LENGTH, description: 'The node whose speaker holds this session.' }),
  state: Type.Union(SESSION_STATES.map((s) => Type.Literal(s)), { description: 'The session\'s BGP state (RFC 4271 §8.2.2).' }),
  lastError: Type.Optional(Type.String({ maxLength: SESSION_TEXT_MAX_LENGTH, description: 'Why the session last went down or failed to come up, when it did.' })),
  lastNotification: Type.Optional(Type.String({ maxLength: SESSION_TEXT_MAX_LENGTH, description: 'The last NOTIFICATION sent or received: code, subcode and its meaning.' })),
  since: Type.Optional(Type.String({ format: 'date-time', maxLength: 64, description: 'When the session entered this state.' })),
}, { description: 'One node\'s session with the peer, as its speaker reports it.' });
export type PeerSession = Static<typeof PeerSessionSchema>;

export const BGPPeerStatusSchema = Type.Object({
  conditions: Type.Optional(Type.Array(ConditionSchema, {
    maxItems: CONDITIONS_MAX_ITEMS,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
    description: 'Written by the controller. Ready is True (reason Valid) or False with a reason: PasswordConflict, MultiHopWithIBGP, BFDProfileNotFound, SecretNotFound, InvalidSecret, DuplicatePeer, InvalidTimers, VRFNotSupported, InvalidSelector; the message names the values. The nodes list is written by the speakers; the controller writes only the Ready condition.',
  })),
  nodes: Type.Optional(Type.Array(PeerSessionSchema, {
    maxItems: PEER_NODES_MAX_ITEMS,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['node'],
    description: 'Each speaker\'s session with this peer, one entry per node.',
  })),
}, { description: 'What Herald observes about the peer.' });
export type BGPPeerStatus = Static<typeof BGPPeerStatusSchema>;

export type BGPPeer = HeraldObject<'BGPPeer', BGPPeerSpec, BGPPeerStatus>;
export const BGPPEER_KIND = 'BGPPeer';
export const BGPPEER_PLURAL = 'bgppeers';
