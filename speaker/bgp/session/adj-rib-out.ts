// Declarative advertisements (STYLE.md §11): the caller says which prefixes it wants the peer to have and with
// what, `diffAdvertisements` says what to withdraw and what to (re)announce, grouped so that prefixes sharing
// one attribute set travel together, and `encodeDiff` packs each group into as few UPDATEs as fit
// (messages/pack.ts). Everything comes out sorted, so the same input always gives the same octets.
//
// An advertisement is abstract: the path attributes depend on the session (internal or external, 2- or
// 4-octet AS) and are built at encoding time by `pathAttributes`.
import type { Family } from '../../../lib/ip/index.js';
import {
  AS_PATH_SEGMENT_TYPE,
  AS_TRANS,
  ATTRIBUTE_FLAG,
  ATTRIBUTE_TYPE,
  ORIGIN,
  packAnnouncements,
  packWithdrawals,
  prefixFamily,
  type LargeCommunity,
  type PathAttribute,
  type Prefix,
} from '../messages/index.js';
import { DEFAULT_LOCAL_PREF } from './config.js';

/** One prefix the peer should have, with what it should know about it. */
export interface Advertisement {
  prefix: Prefix;
  /** IPv4 for an IPv4 prefix, a global IPv6 address for an IPv6 one. */
  nextHop: string;
  /** Sent to internal peers only (RFC 4271 §5.1.5); DEFAULT_LOCAL_PREF when absent. */
  localPref?: number;
  /** RFC 1997 communities as 32-bit numbers. */
  communities?: readonly number[];
  /** RFC 8092 large communities. */
  largeCommunities?: readonly LargeCommunity[];
}

/** The attributes an advertisement shares with others, in canonical form (sorted, without duplicates). */
export interface RouteAttributes {
  nextHop: string;
  localPref: number;
  communities: number[];
  largeCommunities: LargeCommunity[];
}

export interface AnnouncementGroup {
  family: Family;
  attributes: RouteAttributes;
  /** Sorted. */
  prefixes: Prefix[];
}

export interface AdvertisementDiff {
  /** Per family (4, then 6), sorted; only families with something to withdraw. */
  withdrawals: { family: Family; prefixes: Prefix[] }[];
  /** New prefixes and prefixes whose attributes changed (an announcement replaces the old one, RFC 4271 §3.1). */
  announcements: AnnouncementGroup[];
}

/** What the session needs to turn attributes into path attributes. */
export interface EncodingContext {
  localAsn: number;
  internal: boolean;
  fourOctetAs: boolean;
}

export type AdvertisementMap = ReadonlyMap<Prefix, Advertisement>;

const byNumber = (a: number, b: number): number => a - b;
const largeKey = (c: LargeCommunity): string => `${c.globalAdministrator}:${c.localData1}:${c.localData2}`;
const compareLarge = (a: LargeCommunity, b: LargeCommunity): number =>
  a.globalAdministrator - b.globalAdministrator || a.localData1 - b.localData1 || a.localData2 - b.localData2;

export function routeAttributes(advertisement: Advertisement): RouteAttributes {
  const large = new Map((advertisement.largeCommunities ?? []).map((c) => [largeKey(c), c]));
  return {
    nextHop: advertisement.nextHop,
    localPref: advertisement.localPref ?? DEFAULT_LOCAL_PREF,
    communities: [...new Set(advertisement.communities ?? [])].sort(byNumber),
    largeCommunities: [...large.values()].sort(compareLarge),
  };
}

/** A string equal for two advertisements exactly when they share family and attributes. */
export function attributesKey(family: Family, attributes: RouteAttributes): string {
  return `${family}|${attributes.nextHop}|${attributes.localPref}|${attributes.communities.join(',')}|${attributes.largeCommunities.map(largeKey).join(',')}`;
}

function keyOf(advertisement: Advertisement): string {
  return attributesKey(prefixFamily(advertisement.prefix), routeAttributes(advertisement));
}

const EMPTY: readonly never[] = [];

/** Equal lists, element by element (a missing list is an empty one). */
function sameList<T>(a: readonly T[] = EMPTY, b: readonly T[] = EMPTY, same: (x: T, y: T) => boolean = Object.is): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (!same(a[i] as T, b[i] as T)) return false;
  }
  return true;
}

const sameLarge = (a: LargeCommunity, b: LargeCommunity): boolean => compareLarge(a, b) === 0;

/**
 * Whether two advertisements carry their attributes written the same way: then they share them, without
 * building the canonical form. (Not the converse: communities in another order are the same too.)
 */
function writtenAlike(a: Advertisement, b: Advertisement): boolean {
  return a === b || (a.nextHop === b.nextHop && (a.localPref ?? DEFAULT_LOCAL_PREF) === (b.localPref ?? DEFAULT_LOCAL_PREF)
    && sameList(a.communities, b.communities) && sameList(a.largeCommunities, b.largeCommunities, sameLarge));
}

/** Whether the peer, having `before` for a prefix, already has what `after` says about it. */
function unchanged(before: Advertisement, after: Advertisement): boolean {
  return writtenAlike(before, after) || keyOf(before) === keyOf(after);
}

// Text order: UTF-16 code units, as `<` compares strings. sort() without a comparator orders strings the same
// way, and a good deal faster than with one, so lists of prefixes are sorted that way.
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Advertisements by prefix; a prefix given twice is a caller's bug. */
export function advertisementMap(advertisements: Iterable<Advertisement>): Map<Prefix, Advertisement> {
  const map = new Map<Prefix, Advertisement>();
  for (const advertisement of advertisements) {
    const size = map.size;
    map.set(advertisement.prefix, advertisement); // one lookup, not has() then set(): the map did not grow if it was there
    if (map.size === size) throw new RangeError(`prefix "${advertisement.prefix}" is advertised twice`);
  }
  return map;
}

/** The prefixes of `current` that `desired` lacks, per family, in order; `kept` of them are known to be in `desired`. */
function withdrawnFrom(current: AdvertisementMap, desired: AdvertisementMap, kept: number): AdvertisementDiff['withdrawals'] {
  if (kept === current.size) return [];
  const withdrawn: Record<Family, Prefix[]> = { 4: [], 6: [] };
  for (const prefix of current.keys()) {
    if (!desired.has(prefix)) withdrawn[prefixFamily(prefix)].push(prefix);
  }
  return ([4, 6] as const).filter((f) => withdrawn[f].length > 0).map((family) => ({ family, prefixes: withdrawn[family].sort() }));
}

/**
 * What turns the peer's view `current` into `desired`. Each advertisement costs a lookup and a comparison
 * with what the peer has; only a new or changed one is grouped, and the canonical attributes (sorted
 * communities, the group key) are built only when it is not written like the one before it, which in a
 * large set it mostly is (one Service's, one pool's prefixes share their attributes).
 */
export function diffAdvertisements(current: AdvertisementMap, desired: AdvertisementMap): AdvertisementDiff {
  const groups = new Map<string, AnnouncementGroup>();
  let previous: { advertisement: Advertisement; group: AnnouncementGroup } | null = null;
  let kept = 0;
  for (const advertisement of desired.values()) {
    const before = current.get(advertisement.prefix);
    if (before !== undefined) kept++;
    if (before !== undefined && unchanged(before, advertisement)) continue;
    const family = prefixFamily(advertisement.prefix);
    if (previous === null || previous.group.family !== family || !writtenAlike(previous.advertisement, advertisement)) {
      const attributes = routeAttributes(advertisement);
      const key = attributesKey(family, attributes);
      let group = groups.get(key);
      if (group === undefined) {
        group = { family, attributes, prefixes: [] };
        groups.set(key, group);
      }
      previous = { advertisement, group };
    }
    previous.group.prefixes.push(advertisement.prefix);
  }
  const announcements = [...groups.entries()].sort(([a], [b]) => compareText(a, b)).map(([, group]) => ({ ...group, prefixes: group.prefixes.sort() }));
  return { withdrawals: withdrawnFrom(current, desired, kept), announcements };
}

/** Everything in `advertisements` as announcements, for one family or all: what a ROUTE-REFRESH asks for. */
export function fullAnnouncement(advertisements: AdvertisementMap, family: Family | null = null): AdvertisementDiff {
  const chosen = family === null ? advertisements : new Map([...advertisements].filter(([prefix]) => prefixFamily(prefix) === family));
  return diffAdvertisements(new Map(), chosen);
}

export function isEmptyDiff(diff: AdvertisementDiff): boolean {
  return diff.withdrawals.length === 0 && diff.announcements.length === 0;
}

/*
 * AS4_PATH (RFC 6793 §4.2.2), for a peer without the 4-octet AS capability when our AS needs 4 octets:
 *   | segment type (1) | count (1) | ASes, 4 octets each |  as an optional transitive attribute.
 */
function as4Path(asn: number): PathAttribute {
  const value = Uint8Array.of(AS_PATH_SEGMENT_TYPE.AS_SEQUENCE, 1, (asn >>> 24) & 0xff, (asn >>> 16) & 0xff, (asn >>> 8) & 0xff, asn & 0xff);
  return { kind: 'raw', flags: ATTRIBUTE_FLAG.OPTIONAL | ATTRIBUTE_FLAG.TRANSITIVE, typeCode: ATTRIBUTE_TYPE.AS4_PATH, value };
}

/**
 * The path attributes of a group, in type-code order, NEXT_HOP and MP_REACH_NLRI aside (the packer writes them):
 * ORIGIN IGP; AS_PATH empty to an internal peer, our AS to an external one (RFC 4271 §5.1.2); LOCAL_PREF to an
 * internal peer only; the communities when there are any.
 */
export function pathAttributes(attributes: RouteAttributes, context: EncodingContext): PathAttribute[] {
  const { localAsn, internal, fourOctetAs } = context;
  const needsAs4 = !internal && !fourOctetAs && localAsn > 0xffff;
  const pathAsn = needsAs4 ? AS_TRANS : localAsn;
  const result: PathAttribute[] = [
    { kind: 'origin', origin: ORIGIN.IGP },
    { kind: 'asPath', segments: internal ? [] : [{ type: AS_PATH_SEGMENT_TYPE.AS_SEQUENCE, asns: [pathAsn] }] },
  ];
  if (internal) result.push({ kind: 'localPref', localPref: attributes.localPref });
  if (attributes.communities.length > 0) result.push({ kind: 'communities', communities: attributes.communities });
  if (needsAs4) result.push(as4Path(localAsn));
  if (attributes.largeCommunities.length > 0) result.push({ kind: 'largeCommunities', communities: attributes.largeCommunities });
  return result;
}

/** The UPDATEs of a diff, withdrawals first, each at most 4096 octets. */
export function encodeDiff(diff: AdvertisementDiff, context: EncodingContext): Uint8Array[] {
  const options = { fourOctetAs: context.fourOctetAs };
  const updates = diff.withdrawals.flatMap((w) => packWithdrawals(w.family, w.prefixes));
  for (const group of diff.announcements) {
    updates.push(...packAnnouncements({
      family: group.family,
      nextHop: { global: group.attributes.nextHop, linkLocal: null },
      attributes: pathAttributes(group.attributes, context),
      prefixes: group.prefixes,
    }, options));
  }
  return updates;
}
