// Community: names for BGP communities, so advertisements can say "no-export-upstream" instead of "65535:65281".
// As MetalLB's metallb.io/v1beta1 Community: a list of {name, value}. The schema checks the shape of a value;
// the ranges of its parts (65535, 4294967295) are checked when it is read (lib/config/bgp.ts, InvalidCommunity).
import { Type, type Static } from '@sinclair/typebox';
import { ConditionSchema, type HeraldObject } from './common.js';
import { CONDITIONS_MAX_ITEMS } from './ipaddresspool.js';
import { COMMUNITY_TEXT_MAX_LENGTH } from './bgpadvertisement.js';

/** Aliases one Community object defines. */
export const COMMUNITY_ALIASES_MAX_ITEMS = 256;
/** A standard community ("65000:100") or a large one ("large:1:2:3"), digits only. */
export const COMMUNITY_VALUE_PATTERN = '^([0-9]{1,5}:[0-9]{1,5}|large:[0-9]{1,10}:[0-9]{1,10}:[0-9]{1,10})$';

export const CommunityAliasSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: COMMUNITY_TEXT_MAX_LENGTH, description: 'The alias BGPAdvertisements use in their communities.' }),
  value: Type.String({
    maxLength: COMMUNITY_TEXT_MAX_LENGTH, pattern: COMMUNITY_VALUE_PATTERN,
    description: 'A standard community ("65000:100", each half 0-65535) or a large one ("large:1:2:3", each part 0-4294967295).',
  }),
}, { description: 'One alias.' });
export type CommunityAlias = Static<typeof CommunityAliasSchema>;

export const CommunitySpecSchema = Type.Object({
  communities: Type.Optional(Type.Array(CommunityAliasSchema, {
    maxItems: COMMUNITY_ALIASES_MAX_ITEMS,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['name'],
    description: 'The aliases, each name once.',
  })),
}, { description: 'Community aliases.' });
export type CommunitySpec = Static<typeof CommunitySpecSchema>;

export const CommunityStatusSchema = Type.Object({
  conditions: Type.Optional(Type.Array(ConditionSchema, {
    maxItems: CONDITIONS_MAX_ITEMS,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
    description: 'Written by the controller. Ready is True (reason Valid) or False with reason InvalidCommunity or DuplicateCommunity.',
  })),
}, { description: 'What Herald observes about the aliases.' });
export type CommunityStatus = Static<typeof CommunityStatusSchema>;

export type Community = Omit<HeraldObject<'Community', CommunitySpec, CommunityStatus>, 'spec'> & { spec?: CommunitySpec };
export const COMMUNITY_KIND = 'Community';
export const COMMUNITY_PLURAL = 'communities';
