// BFDProfile: the settings of a BFD session (RFC 5880/5881) a BGPPeer may ask for by name. Field names, ranges and
// defaults follow MetalLB's metallb.io/v1beta1 BFDProfile; the defaults are applied when the profile is read
// (lib/config/bgp.ts), not written into the object, as MetalLB does. Echo mode is accepted and refused with a
// condition: Herald's BFD does not send echo packets.
import { Type, type Static } from '@sinclair/typebox';
import { ConditionSchema, type HeraldObject } from './common.js';
import { CONDITIONS_MAX_ITEMS } from './ipaddresspool.js';

export const BFD_INTERVAL_MIN_MS = 10;
export const BFD_INTERVAL_MAX_MS = 60000;
export const BFD_DEFAULTS = {
  receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3, echoInterval: 50, echoMode: false, passiveMode: false, minimumTtl: 254,
} as const;

const interval = (description: string, fallback: number) => Type.Optional(Type.Integer({
  minimum: BFD_INTERVAL_MIN_MS, maximum: BFD_INTERVAL_MAX_MS,
  description: `${description} In milliseconds, ${BFD_INTERVAL_MIN_MS}-${BFD_INTERVAL_MAX_MS}; default ${fallback}.`,
}));

export const BFDProfileSpecSchema = Type.Object({
  receiveInterval: interval('The shortest interval at which this node can receive control packets (Required Min RX Interval).', BFD_DEFAULTS.receiveInterval),
  transmitInterval: interval('The shortest interval at which this node wants to send control packets, before jitter (Desired Min TX Interval).', BFD_DEFAULTS.transmitInterval),
  detectMultiplier: Type.Optional(Type.Integer({
    minimum: 2, maximum: 255,
    description: `The session is down after this many of the peer's intervals without a packet (2-255; default ${BFD_DEFAULTS.detectMultiplier}).`,
  })),
  echoInterval: interval('The shortest interval at which this node can receive echo packets.', BFD_DEFAULTS.echoInterval),
  echoMode: Type.Optional(Type.Boolean({ description: 'Accepted for MetalLB compatibility, not supported: a profile with echoMode true is refused with a condition.' })),
  passiveMode: Type.Optional(Type.Boolean({ description: 'Wait for the peer\'s control packets before sending any.' })),
  minimumTtl: Type.Optional(Type.Integer({
    minimum: 1, maximum: 254,
    description: `Multi-hop sessions only: the lowest TTL accepted on an incoming control packet (1-254; default ${BFD_DEFAULTS.minimumTtl}).`,
  })),
}, { description: 'BFD timers and modes. Every field is optional; MetalLB\'s defaults apply.' });
export type BFDProfileSpec = Static<typeof BFDProfileSpecSchema>;

export const BFDProfileStatusSchema = Type.Object({
  conditions: Type.Optional(Type.Array(ConditionSchema, {
    maxItems: CONDITIONS_MAX_ITEMS,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
    description: 'Written by the controller. Ready is True (reason Valid) or False with reason EchoModeNotSupported.',
  })),
}, { description: 'What Herald observes about the profile.' });
export type BFDProfileStatus = Static<typeof BFDProfileStatusSchema>;

export type BFDProfile = Omit<HeraldObject<'BFDProfile', BFDProfileSpec, BFDProfileStatus>, 'spec'> & { spec?: BFDProfileSpec };
export const BFDPROFILE_KIND = 'BFDProfile';
export const BFDPROFILE_PLURAL = 'bfdprofiles';
